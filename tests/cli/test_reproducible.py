"""Reproducible releases: the same framework released in two different folders, under a
different umask, time zone and locale, gives the same bytes for every file of the release
and for both archives of `safeguards bundle` (tests/cli/test_release.py covers one folder, a
dry run and the archives' metadata)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import FIXTURES
from tests.support.release_support import tree_bytes

DATE = "2026-01-15"
RUNS = [
    ("one", "022", {"TZ": "UTC", "LC_ALL": "C", "LANG": "C"}),
    ("two", "077", {"TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "7"}),
]


def safeguards(root: Path, umask: str, env: dict[str, str], *args: str) -> None:
    command = shlex.join([sys.executable, "-m", "dpi_safeguards", "--root", str(root), *args])
    full_env = {k: v for k, v in os.environ.items() if k != "SAFEGUARDS_ROOT"}
    full_env.update(env, CI="true")
    completed = subprocess.run(
        ["sh", "-c", f"umask {umask} && exec {command}"],
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_release_and_bundle_are_identical_across_folders_umask_and_time_zone(
    tmp_path: Path,
) -> None:
    built: list[tuple[dict[str, bytes], dict[str, bytes]]] = []
    for name, umask, env in RUNS:
        root = tmp_path / name / "deeper" / "repo"
        shutil.copytree(FIXTURES / "mini", root)
        safeguards(root, umask, env, "release", "--date", DATE)
        out = tmp_path / name / "dist"
        safeguards(root, umask, env, "bundle", "v1.0.0", "-o", str(out))
        built.append((tree_bytes(root / "releases"), tree_bytes(out)))
    (releases_one, bundle_one), (releases_two, bundle_two) = built
    assert sorted(releases_one) == sorted(releases_two)
    differing = [name for name in releases_one if releases_one[name] != releases_two[name]]
    assert not differing, differing
    assert len(bundle_one) == 3 and bundle_one == bundle_two
