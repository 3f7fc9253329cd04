"""Short commands do not pay for the heavy libraries: ``safeguards --help`` (and every
command's own --help) lists the commands without importing pydantic, jsonschema,
deepdiff, GitPython or PyYAML. A test of what is imported, not of a time (the times are
the benchmark's)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pydantic", "jsonschema", "deepdiff", "git", "yaml", "rapidfuzz", "mistune")

_PROBE = """
import sys
watched = set(sys.argv[-1].split(","))
sys.argv = ["safeguards", *sys.argv[1:-1]]
from dpi_safeguards.cli.main import main
try:
    main()
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & watched)
print("HEAVY", ",".join(heavy))
"""


@pytest.mark.parametrize("args", [("--help",), ("new", "--help"), ("canvas", "--help")])
def test_help_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        check=False,
    )
    line = done.stdout.strip().splitlines()[-1]
    assert line == "HEAVY", f"{args} imported {line.removeprefix('HEAVY ')}: {done.stderr}"
