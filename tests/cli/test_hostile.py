"""Hostile input: every case of tests/cases/hostile/ through `diff CONTRIBUTION` and `merge`
(tests/cli/test_cases.py runs them through `validate`), hostile issue bodies through `intake`,
and paths that leave the repository, look like options or hide in a submodule.

Every case: exit 1, the file (and line, where there is one) named, no traceback, and not one
byte of the repository changed. Time and memory per case are measured, not asserted, by
``python -m tests.support.measure_hostile`` (docs/security.md records the maximum).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cases import HOSTILE, place_inputs
from tests.support.cli import run_cli
from tests.support.paths import CASES, REPO
from tests.support.review_helpers import make_repo, practice, write_contribution

DATE = "2025-03-01"
INTAKE_HOSTILE = sorted((CASES / "intake" / "hostile").glob("*.md"))


def _has_contribution(case: Path) -> bool:
    spec = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    named = any(p.name.startswith("contribution.") for p in case.iterdir())
    return named or "generate" in spec


# Cases made of a contribution (not only a framework overlay).
CONTRIBUTION_CASES = [case for case in HOSTILE if _has_contribution(case)]

REVIEW = "reviews:\n- reviewer: Rita Reviewer\n  date: '2025-01-02'\n  decision: accept\n"


def expected_of(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    return data


def tree(root: Path) -> dict[str, bytes]:
    """Every file of the work tree (not .git, not the lock file) with its bytes."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] == ".git" or relative.name == ".safeguards.lock":
            continue
        if path.is_symlink():
            files[str(relative)] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            files[str(relative)] = path.read_bytes()
    return files


def check_refusal(output: str, case: Path, shown: str) -> None:
    expected = expected_of(case)
    assert "Traceback" not in output, output
    assert expected["message"] in output, output
    assert shown in output, output
    if "line" in expected:
        assert f"{shown}:{expected['line']}:" in output, output


@pytest.mark.parametrize("case", CONTRIBUTION_CASES, ids=[p.name for p in CONTRIBUTION_CASES])
def test_hostile_case_diff(case: Path, mini_root: Path) -> None:
    (target,) = place_inputs(case, mini_root, "proposed")
    before = tree(mini_root)
    shown = str(target.relative_to(mini_root))
    result = run_cli("diff", shown, cwd=mini_root)
    assert result.code == 1, result.output
    check_refusal(result.output, case, shown)
    assert tree(mini_root) == before


@pytest.mark.parametrize("case", CONTRIBUTION_CASES, ids=[p.name for p in CONTRIBUTION_CASES])
def test_hostile_case_merge(case: Path, tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    (target,) = place_inputs(case, root, "accepted")
    codes = expected_of(case)["codes"]
    if not any(c.startswith(("LOAD", "SCH")) for c in codes) and target.suffix == ".yaml":
        # A reviewer's approval, so the merge reaches the rules that refuse the content.
        target.write_text(target.read_text(encoding="utf-8") + REVIEW, encoding="utf-8")
    before = tree(root)
    result = run_cli("merge", "--date", DATE, cwd=root)
    assert result.code == 1, result.output
    check_refusal(result.output, case, str(target.relative_to(root)))
    assert "nothing was merged" in result.output or "cannot merge" in result.output
    assert tree(root) == before


@pytest.mark.parametrize("case", INTAKE_HOSTILE, ids=[p.stem for p in INTAKE_HOSTILE])
@pytest.mark.parametrize("fmt", ["text", "github"])
def test_hostile_issue_body(case: Path, fmt: str, mini_root: Path, tmp_path: Path) -> None:
    before = tree(mini_root)
    problems = tmp_path / "problems.md"
    result = run_cli("--root", mini_root, "intake", case, "--format", fmt, "--problems", problems)
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    for line in filter(None, case.with_suffix(".expected").read_text("utf-8").splitlines()):
        assert line in result.output, (line, result.output)
    assert "nothing written" in result.stderr
    assert tree(mini_root) == before
    if fmt == "github":
        for line in result.stdout.splitlines():
            assert line.startswith("::error title=Intake::"), line
            assert "\r" not in line
    answer = problems.read_text(encoding="utf-8")
    assert answer.count("```") >= 2, answer  # the contributor's text stays inside a fence


def test_oversized_issue_body_is_refused_before_parsing(mini_root: Path, tmp_path: Path) -> None:
    body = tmp_path / "huge.md"
    body.write_bytes(b"### Proposed text\n\n" + b"x" * 1_100_000)
    result = run_cli("--root", mini_root, "intake", body)
    assert result.code == 1 and "larger than" in result.stderr, result.output
    assert "Traceback" not in result.output


# ---- paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["merge", "../outside.yaml"], "../outside.yaml"),
        (["merge", "../missing.yaml"], "../missing.yaml"),
        (["merge", "{abs}"], "{abs}"),
        (["review", "../outside.yaml", "--accept", "--reviewer", "rita"], "../outside.yaml"),
        (["review", "{abs}", "--reject", "--reviewer", "rita"], "{abs}"),
        (["merge", "contributions/accepted/../../outside.yaml"], "outside.yaml"),
    ],
)
def test_paths_outside_contributions_are_refused(
    args: list[str], shown: str, tmp_path: Path
) -> None:
    root = make_repo(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text(
        (CASES / "valid" / "add-practice" / "contribution.yaml").read_text("utf-8") + REVIEW,
        encoding="utf-8",
    )
    args = [a.replace("{abs}", str(outside)) for a in args]
    shown = shown.replace("{abs}", str(outside))
    before = tree(root)
    result = run_cli(*args, cwd=root)
    assert result.code == 1, result.output
    assert shown in result.stderr and "outside contributions/" in result.stderr, result.stderr
    assert "must be inside contributions/" in result.stderr
    assert "Traceback" not in result.output
    assert tree(root) == before and outside.read_text("utf-8").endswith(REVIEW)


def test_option_like_file_name(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    proposed = root / "contributions" / "proposed"
    proposed.mkdir()
    source = CASES / "valid" / "add-practice" / "contribution.yaml"
    (proposed / "-rf.yaml").write_bytes(source.read_bytes())
    before = tree(root)
    # Without '--' it is an unknown option: a usage error, nothing read or run.
    bare = run_cli("validate", "-rf.yaml", cwd=proposed)
    assert bare.code == 2 and "No such option" in bare.stderr, bare.output
    # With '--' it is a file name, as the workflows pass it.
    checked = run_cli("validate", "--strict", "--", "-rf.yaml", cwd=proposed)
    assert checked.code == 0, checked.output
    preview = run_cli("diff", "--", "contributions/proposed/-rf.yaml", cwd=root)
    assert preview.code == 0 and "F3.1." in preview.stdout, preview.output
    reviewed = run_cli("review", "--accept", "--reviewer", "rita", "--", "-rf.yaml", cwd=proposed)
    assert reviewed.code == 0, reviewed.output
    merged = run_cli("merge", "--date", DATE, "--", "contributions/accepted/-rf.yaml", cwd=root)
    assert merged.code == 0, merged.output
    assert (root / "contributions" / "merged" / "-rf.yaml").is_file()
    assert tree(root) != before


def test_workflows_pass_file_names_after_double_dash() -> None:
    for workflow in (REPO / ".github" / "workflows").glob("*.yml"):
        for line in workflow.read_text(encoding="utf-8").splitlines():
            if re.search(r"safeguards (validate|diff|review|merge)\b.*\"\$", line):
                assert ' -- "$' in line, f"{workflow.name}: {line.strip()}"


def test_symlink_and_submodule_in_accepted_refused_by_merge(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    accepted = root / "contributions" / "accepted"
    write_contribution(root, "real", [practice("Print the opening hours.")], state="proposed")
    accepted.mkdir(parents=True)
    (accepted / "link.yaml").symlink_to(root / "contributions" / "proposed" / "real.yaml")
    before = tree(root)
    result = run_cli("merge", "--date", DATE, cwd=root)
    assert result.code == 1 and "symbolic link" in result.stderr, result.output
    assert tree(root) == before


# ---- two pull requests, one provisional id ------------------------------------------------


def test_two_pull_requests_preview_the_same_id_and_merge_to_consecutive_ids(
    tmp_path: Path,
) -> None:
    root = make_repo(tmp_path)
    review = {"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]}
    for name, text in (("a", "Print the opening hours."), ("b", "Announce closures by radio.")):
        write_contribution(root, name, [practice(text)], state="accepted", extra=review)
    previews = []
    for name in ("a", "b"):
        shown = run_cli("diff", "--format", "json", f"contributions/accepted/{name}.yaml", cwd=root)
        assert shown.code == 0, shown.output
        previews.append(re.findall(r'"id": "(F3\.1\.\d+)"', shown.stdout))
    assert previews[0] == previews[1] and len(previews[0]) == 1, previews
    provisional = previews[0][0]
    merged = run_cli("merge", "--date", DATE, cwd=root)
    assert merged.code == 0, merged.output
    number = int(provisional.rsplit(".", 1)[1])
    assert f"F3.1.{number}" in merged.stdout and f"F3.1.{number + 1}" in merged.stdout
