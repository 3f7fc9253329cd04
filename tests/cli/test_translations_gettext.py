"""Our catalogues as GNU gettext reads them: msgfmt accepts every file we write, and after
an English change our update marks fuzzy exactly what msgmerge marks, keeping the same
translations and previous texts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from tests.cli.test_translations import CHANGED, LANGUAGES, _change_english, translation_repo
from tests.support.cli import run_cli


def _require_gettext() -> None:
    if shutil.which("msgmerge") and shutil.which("msgfmt"):
        return
    message = "needs GNU gettext (msgmerge, msgfmt): run .ci/setup-forge.sh"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message)
    pytest.skip(message)


def _msgfmt_check(path: Path) -> None:
    done = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_update_marks_what_msgmerge_marks(tmp_path: Path) -> None:
    _require_gettext()
    root = translation_repo(tmp_path / "repo")
    folder = root / "translations"
    before = tmp_path / "before"
    shutil.copytree(folder, before)
    _change_english(root, CHANGED, "Establish physical locations to ensure access in remote areas.")
    assert run_cli("translations", "update", cwd=root).code == 0
    _msgfmt_check(folder / "framework.pot")
    for language in LANGUAGES:
        ours = folder / f"{language}.po"
        _msgfmt_check(ours)
        theirs = tmp_path / f"msgmerge-{language}.po"
        done = subprocess.run(
            ["msgmerge", "--quiet", "--previous", "--no-wrap", "-o", str(theirs),
             str(before / f"{language}.po"), str(folder / "framework.pot")],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        mine = {e.msgctxt: e for e in polib.pofile(str(ours)) if not e.obsolete}
        gnu = {e.msgctxt: e for e in polib.pofile(str(theirs)) if not e.obsolete}
        assert sorted(mine) == sorted(gnu)
        assert {c for c, e in mine.items() if e.fuzzy} == {c for c, e in gnu.items() if e.fuzzy}
        assert {c for c, e in mine.items() if e.fuzzy} == {f"{CHANGED}:text"}
        for context, entry in mine.items():
            assert entry.msgid == gnu[context].msgid, context
            assert entry.msgstr == gnu[context].msgstr, context
            assert entry.previous_msgid == gnu[context].previous_msgid, context
