"""safeguards new: a file to fill in, which validates once its texts are filled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from dpi_safeguards import api
from dpi_safeguards.cli.main import cli
from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.store.writer import dump_yaml
from tests.support.cli import run_cli


def fill(path: Path, values: dict[str, Any]) -> None:
    """Fill every empty text of the scaffold, as a contributor would."""
    data = yaml.safe_load(path.read_text())
    data["title"] = data["title"] or "A proposal"
    data["contributors"][0]["name"] = data["contributors"][0]["name"] or "Carla Contributor"
    data["licence_consent"] = True
    change = data["changes"][0]
    for key, value in values.items():
        change[key] = value
    path.write_text(dump_yaml(data))


def codes(root: Path, path: Path) -> set[str]:
    report = api.validate(Workspace(root), [path])
    return {f.code for f in report.findings}


CASES: list[tuple[list[str], dict[str, Any]]] = [
    (
        ["--kind", "practice", "--parent", "F3.1"],
        {"text": "Publish opening hours of offline desks."},
    ),
    (
        ["--kind", "process", "--parent", "O3"],
        {
            "text": "Review data flows each year with an independent auditor.",
            "risks": ["RS1"],
            "authorities": ["R4"],
            "stages": ["L2"],
        },
    ),
    (
        ["--kind", "kpi", "--area", "people", "--phase", "deployment"],
        {"text": "Share of residents who know an offline channel exists."},
    ),
    (
        ["--kind", "reference"],
        {"title": "A toolkit for offline access", "url": "https://example.org/toolkit"},
    ),
    (["--kind", "edit", "--parent", "O3.2"], {"value": "Collect only the data a service needs."}),
    (["--kind", "edit", "--parent", "F3.1.1"], {"value": "Establish service points in towns."}),
    (["--kind", "deprecate", "--parent", "F3.1.2"], {"reason": "Superseded by a wider practice."}),
]


@pytest.mark.parametrize(
    ("args", "values"), CASES, ids=[c[0][1] + str(i) for i, c in enumerate(CASES)]
)
def test_scaffold_fails_until_filled_then_validates(
    mini_root: Path, args: list[str], values: dict[str, Any]
) -> None:
    out = mini_root / "contributions" / "proposed" / "new.yaml"
    result = run_cli("--root", mini_root, "new", *args, "-o", out)
    assert result.code == 0, result.output
    assert "fill in" in result.stderr
    text = out.read_text()
    assert text.startswith("# A proposed change")
    found = codes(mini_root, out)
    assert found, "an unfilled scaffold must not validate"
    assert found <= {"SCH005", "IDX005", "CON003"}
    fill(out, values)
    report = api.validate(Workspace(mini_root), [out])
    assert report.exit_code == 0, [f.message for f in report.findings]


def test_empty_text_message_is_clear(mini_root: Path) -> None:
    out = mini_root / "p.yaml"
    run_cli("--root", mini_root, "new", "--kind", "practice", "--parent", "F3.1", "-o", out)
    result = run_cli("--root", mini_root, "validate", out)
    assert result.code == 1
    assert "[changes[0].text]: must not be empty; fill it in" in result.stdout


def test_edit_scaffold_expects_the_current_text(mini: Workspace) -> None:
    made = api.new_contribution(mini, api.ScaffoldOptions("edit", "F3.1.1"), Path("-"))
    assert made.path is None
    change = yaml.safe_load(made.text)["changes"][0]
    assert change["expected"] == "Establish physical service points in underserved areas."
    gap_made = api.new_contribution(mini, api.ScaffoldOptions("edit", "O3.2"), Path("-"))
    gap = yaml.safe_load(gap_made.text)
    assert gap["changes"][0]["expected"] is None


def test_default_file_name_and_no_overwrite(mini: Workspace) -> None:
    options = api.ScaffoldOptions("practice", "F3.1", title="Mobile desks!")
    first = api.new_contribution(mini, options)
    second = api.new_contribution(mini, options)
    assert first.path == mini.root / "contributions/proposed/mobile-desks.yaml"
    assert second.path == mini.root / "contributions/proposed/mobile-desks-2.yaml"
    with pytest.raises(Exception, match="already exists"):
        api.new_contribution(mini, api.ScaffoldOptions("practice", "F3.1"), first.path)


def test_bad_parent_lists_valid_choices(mini: Workspace) -> None:
    with pytest.raises(UsageError, match=r"valid: F3\.1, O3\.2"):
        api.new_contribution(mini, api.ScaffoldOptions("practice", "F9.9"))
    with pytest.raises(UsageError, match="editable: "):
        api.new_contribution(mini, api.ScaffoldOptions("edit", "F3.1", field="name"))


def test_interactive_prompts_list_the_choices(mini_root: Path) -> None:
    out = mini_root / "asked.yaml"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--root", str(mini_root), "new", "-o", str(out), "--name", "Carla"],
        input="practice\nF3.1\n",
    )
    assert result.exit_code == 0, result.output
    assert "F3.1         Offer channels that do not require the digital system." in result.output
    assert "O3.2" in result.output
    change = yaml.safe_load(out.read_text())["changes"][0]
    assert change == {
        "op": "add-practice",
        "parent": "F3.1",
        "text": "",
        "authorities": [],
        "stages": [],
    }


def test_interactive_refuses_an_invalid_choice(mini_root: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--root", str(mini_root), "new", "--kind", "process", "-o", str(mini_root / "x.yaml")],
        input="F1\nF3\n",
    )
    assert result.exit_code == 0, result.output
    assert "Error: 'F1' is not one of 'F3', 'O3'." in result.output
    assert yaml.safe_load((mini_root / "x.yaml").read_text())["changes"][0]["principle"] == "F3"
