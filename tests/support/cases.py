"""The case folders of tests/cases/ and how a case's inputs are laid into a repository
(shared by tests/cli/test_cases.py, tests/cli/test_hostile.py and measure_hostile)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.support.paths import CASES

HOSTILE = sorted(p for p in (CASES / "hostile").iterdir() if p.is_dir())


def place_inputs(case: Path, root: Path, state: str) -> list[Path]:
    """Put the case's contribution file(s) (or the generated input) into
    ``contributions/<state>/``; returns their paths."""
    spec = case / "expected.yaml"
    expected = yaml.safe_load(spec.read_text(encoding="utf-8")) if spec.is_file() else {}
    folder = root / "contributions" / state
    folder.mkdir(parents=True, exist_ok=True)
    generate = expected.get("generate")
    target = folder / "contribution.yaml"
    if generate == "oversize":
        target.write_text("title: " + "x" * 1_100_000 + "\n", encoding="utf-8")
        return [target]
    if generate == "enormous":  # one 900 KB field, under the file size limit
        text = (CASES / "valid" / "add-practice" / "contribution.yaml").read_text("utf-8")
        target.write_text(text.replace("Staff help desks", "x" * 900_000), encoding="utf-8")
        return [target]
    if generate == "symlink":
        real = root / "elsewhere.yaml"
        shutil.copy(CASES / "valid" / "add-practice" / "contribution.yaml", real)
        target.symlink_to(real)
        return [target]
    if generate == "submodule":  # a folder holding a .git file, as a submodule checkout does
        nested = folder / "vendored"
        nested.mkdir()
        (nested / ".git").write_text("gitdir: ../../../.git/modules/vendored\n", "utf-8")
        target = nested / "contribution.yaml"
        shutil.copy(CASES / "valid" / "add-practice" / "contribution.yaml", target)
        return [target]
    inputs = [p for p in case.iterdir() if p.is_file() and p.name.startswith("contribution.")]
    for item in inputs:
        shutil.copy(item, folder / item.name)
    return [folder / p.name for p in inputs]
