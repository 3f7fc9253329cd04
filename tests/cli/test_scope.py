"""`safeguards check-pr --base REF`: a contribution pull request may only add or change
files in contributions/proposed/, and shows what each contribution does."""

from __future__ import annotations

from pathlib import Path

import git

from tests.support.cli import run_cli
from tests.support.review_helpers import commit, make_repo, practice, write_contribution


def branch(root: Path) -> None:
    git.Repo(root).git.checkout("-b", "contribution")


def test_one_new_contribution_is_in_scope(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    base = commit(root, "base")
    branch(root)
    write_contribution(root, "hours", [practice("Print the opening hours.")])
    commit(root, "add one practice")
    result = run_cli("check-pr", "--base", base, cwd=root)
    assert result.code == 0, result.output
    assert "contributions/proposed/hours.yaml (added): 'Proposal hours': 1 change(s): " in (
        result.stdout
    )
    assert "add-practice under F3.1" in result.stdout


def test_extra_edit_and_framework_file_are_visible_and_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    base = commit(root, "base")
    branch(root)
    edit = {
        "op": "edit",
        "target": "F3.1.1",
        "field": "text",
        "expected": "Establish physical service points in underserved areas.",
        "value": "Something else entirely.",
    }
    write_contribution(
        root, "one", [practice("Print the opening hours."), edit], title="Add one practice"
    )
    principle = root / "framework" / "principles" / "F3.yaml"
    principle.write_text(principle.read_text("utf-8").replace("underserved", "all"), "utf-8")
    (root / ".github").mkdir()
    (root / ".github" / "x.yml").write_text("on: push\n", "utf-8")
    (root / "contributions" / "accepted").mkdir()
    (root / "contributions" / "accepted" / "sneaky.yaml").write_text("title: x\n", "utf-8")
    commit(root, "add one practice")
    result = run_cli("check-pr", "--base", base, cwd=root)
    assert result.code == 1, result.output
    assert "'Add one practice': 2 change(s): add-practice under F3.1; edit F3.1.1.text" in (
        result.stdout
    )
    for path in (
        "framework/principles/F3.yaml",
        ".github/x.yml",
        "contributions/accepted/sneaky.yaml",
    ):
        assert f"{path}: error: is " in result.stdout, result.stdout
    assert "Traceback" not in result.output
    github = run_cli("check-pr", "--base", base, "--format", "github", cwd=root)
    assert github.code == 1
    assert "::error file=framework/principles/F3.yaml,title=scope::" in github.stdout
    allowed = run_cli("check-pr", "--base", base, "--allow-maintainer-paths", cwd=root)
    assert allowed.code == 0, allowed.output


def test_deleting_or_renaming_a_proposal_is_a_finding(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(root, "theirs", [practice("Print the opening hours.")])
    base = commit(root, "someone's proposal")
    branch(root)
    (root / "contributions" / "proposed" / "theirs.yaml").unlink()
    commit(root, "remove it")
    result = run_cli("check-pr", "--base", base, cwd=root)
    assert result.code == 1
    assert "contributions/proposed/theirs.yaml: error: is deleted" in result.stdout


def test_hostile_contribution_is_summarised_without_crashing(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    base = commit(root, "base")
    branch(root)
    proposed = root / "contributions" / "proposed"
    proposed.mkdir()
    (proposed / "bomb.yaml").write_text("a: &a [x]\nb: *a\n", "utf-8")
    commit(root, "hostile")
    result = run_cli("check-pr", "--base", base, "--format", "github", cwd=root)
    assert result.code == 0, result.output  # in scope; validate reports the content
    assert "LOAD007" in result.stdout and "Traceback" not in result.output


def test_unknown_base_is_an_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    result = run_cli("check-pr", "--base", "no-such-ref", cwd=root)
    assert result.code == 1 and "'no-such-ref' is not a tag, branch or commit" in result.stderr


def test_a_translation_pull_request_may_change_catalogues_only(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (root / "translations").mkdir()
    (root / "translations" / "fr.po").write_text('msgid ""\nmsgstr ""\n', "utf-8")
    base = commit(root, "base")
    branch(root)
    (root / "translations" / "fr.po").write_text('msgid ""\nmsgstr "x"\n', "utf-8")
    (root / "translations" / "de.po").write_text('msgid ""\nmsgstr ""\n', "utf-8")
    commit(root, "French and German")
    assert run_cli("check-pr", "--base", base, cwd=root).code == 0
    (root / "translations" / "translations.yaml").write_text("publish_from_percent: 0\n")
    (root / "translations" / "framework.pot").write_text('msgid ""\nmsgstr ""\n', "utf-8")
    commit(root, "and the threshold")
    refused = run_cli("check-pr", "--base", base, cwd=root)
    assert refused.code == 1
    assert "translations/translations.yaml" in refused.stdout
    assert "translations/framework.pot" in refused.stdout
    assert "translations/fr.po" not in refused.stdout.replace("translations/<lang>.po", "")
