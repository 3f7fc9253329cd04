"""Helpers for the review/merge tests: a real git repository holding the mini framework."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import git

from dpi_safeguards.store.writer import dump_yaml
from tests.support.paths import FIXTURES

REVIEWERS = """\
approvals_required: 1
reviewers:
- name: Rita Reviewer
  github: rita
- name: Sam Second
  github: sam-2
"""


def make_repo(tmp_path: Path, *, reviewers: str = REVIEWERS) -> Path:
    """tests/fixtures/mini copied into a new git repository, with a reviewers file, committed."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    (root / "contributions").mkdir()
    (root / "contributions" / "reviewers.yaml").write_text(reviewers, encoding="utf-8")
    (root / ".gitignore").write_text(".safeguards.lock\n", encoding="utf-8")
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.org")
    commit(root, "baseline")
    return root


def commit(root: Path, message: str) -> str:
    repo = git.Repo(root)
    repo.git.add("-A")
    repo.index.commit(message)
    return str(repo.head.commit.hexsha)


def write_contribution(
    root: Path,
    name: str,
    changes: list[dict[str, Any]],
    *,
    state: str = "proposed",
    contributor: str = "Carla Contributor",
    github: str | None = "carla",
    title: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    person: dict[str, Any] = {"name": contributor}
    if github:
        person["github"] = github
    data: dict[str, Any] = {
        "title": title or f"Proposal {name}",
        "contributors": [person],
        "licence": "CC-BY-SA-4.0",
        "licence_consent": True,
        "changes": changes,
    }
    data.update(extra or {})
    path = root / "contributions" / state / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


def practice(text: str, parent: str = "F3.1", **more: Any) -> dict[str, Any]:
    return {"op": "add-practice", "parent": parent, "text": text, **more}


def edit(target: str, field: str, expected: Any, value: Any) -> dict[str, Any]:
    """An edit change: ``field`` of ``target`` from ``expected`` to ``value``."""
    return {"op": "edit", "target": target, "field": field, "expected": expected, "value": value}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every framework and contribution file's bytes, by relative path."""
    files: dict[str, bytes] = {}
    for folder in ("framework", "contributions"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                files[str(path.relative_to(root))] = path.read_bytes()
    return files
