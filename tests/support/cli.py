"""Running the `safeguards` command in the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Result:
    """Run the installed command as a user would: a real process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SAFEGUARDS_ROOT", None)
    completed = subprocess.run(
        [sys.executable, "-m", "dpi_safeguards", *map(str, args)],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)
