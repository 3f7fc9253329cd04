"""Shell completion (as docs/commands.md tells users to set it up) and the pre-commit hook
other repositories use (.pre-commit-hooks.yaml), each run as the shell or pre-commit would."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from tests.support.cli import run_process
from tests.support.paths import CASES, REPO


def _complete(words: str, env_extra: dict[str, str] | None = None) -> list[str]:
    parts = words.split(" ")
    result = run_process(
        installed=True,
        env={
            "_SAFEGUARDS_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
            **(env_extra or {}),
        },
    )
    assert result.code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if "," in line]


def test_bash_source_prints_a_completion_script() -> None:
    result = run_process(installed=True, env={"_SAFEGUARDS_COMPLETE": "bash_source"})
    assert result.code == 0
    assert "complete -o nosort -F _safeguards_completion safeguards" in result.stdout


def test_commands_options_and_choices_complete() -> None:
    assert _complete("safeguards val") == ["validate"]
    assert set(_complete("safeguards ve")) == {"verify"}
    assert "--strict" in _complete("safeguards validate --st")
    assert _complete("safeguards validate --format ") == ["text", "json", "github"]


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "safeguards-validate"]
    assert isinstance(hook, dict)
    return hook


def test_the_hook_selects_contribution_and_framework_files() -> None:
    hook = _hook()
    files, exclude = re.compile(str(hook["files"])), re.compile(str(hook["exclude"]))

    def selected(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    assert selected("contributions/proposed/help-desks.yaml")
    assert selected("contributions/proposed/from-a-form.json")
    assert selected("framework/principles/F3.yaml")
    assert not selected("contributions/reviewers.yaml")
    assert not selected("README.md") and not selected("pipeline/dpi_safeguards/api.py")


def test_the_hook_entry_passes_and_fails_as_validate(mini_root: Path) -> None:
    """pre-commit runs ``entry`` followed by the file names, in the repository's root."""
    entry = str(_hook()["entry"]).split()
    assert entry[0] == "safeguards"
    proposed = mini_root / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    good = CASES / "valid"
    valid = next(p for p in sorted(good.rglob("*.yaml")) if p.name == "contribution.yaml")
    shutil.copy(valid, proposed / "good.yaml")
    ok = run_process(*entry[1:], "contributions/proposed/good.yaml", cwd=mini_root, installed=True)
    assert ok.code == 0, ok.output
    shutil.copy(CASES / "invalid" / "CON002-unknown-parent" / "contribution.yaml", proposed)
    bad = run_process(
        *entry[1:], "contributions/proposed/contribution.yaml", cwd=mini_root, installed=True
    )
    assert bad.code == 1 and "CON002" in bad.stdout
