"""Issue-form Markdown -> contribution data, through the library: authority names, headings
typed in a text box, reference lines, slugs, never taking a file name twice (the command:
tests/cli/test_intake.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpi_safeguards.forge.intake import contribution_from_body, slugify
from dpi_safeguards.forge.issue_form import IntakeError, item_lines, parse_markdown
from dpi_safeguards.load.folder import load_framework


@pytest.mark.parametrize(
    "choice",
    ["R1", "r1", "Government", "R1 Government", "government", "R1 - Government"],
)
def test_authority_by_id_or_name(mini_root: Path, choice: str) -> None:
    loaded = load_framework(mini_root / "framework")
    body = (
        f"### Process or principle\n\nF3.1\n\n### Proposed text\n\nA new practice text.\n\n"
        f"### Responsible authorities\n\n{choice}\n\n### Your name\n\nAna\n\n"
        "### Licence consent\n\n- [X] I license it\n"
    )
    data, _ = contribution_from_body(body, loaded)
    assert data["changes"][0]["authorities"] == ["R1"]


def test_mismatched_id_and_name_is_refused(mini_root: Path) -> None:
    loaded = load_framework(mini_root / "framework")
    body = (
        "### Process or principle\n\nF3.1 Offer channels\n\n### Proposed text\n\nSome text.\n\n"
        "### Responsible authorities\n\nR1 Technology Provider\n\n### Your name\n\nAna\n\n"
        "### Licence consent\n\n- [X] I license it\n"
    )
    with pytest.raises(IntakeError) as caught:
        contribution_from_body(body, loaded)
    assert [p.label for p in caught.value.problems] == ["Responsible authorities"]


def test_heading_typed_in_a_text_box_stays_text(mini_root: Path) -> None:
    loaded = load_framework(mini_root / "framework")
    body = (
        "### Process or principle\n\nF3.1\n\n### Proposed text\n\nFirst part.\n\n"
        "### A heading of my own\n\nSecond part.\n\n### Your name\n\nAna\n\n"
        "### Licence consent\n\n- [X] I license it\n"
    )
    data, _ = contribution_from_body(body, loaded)
    assert data["changes"][0]["text"] == "First part.\n\nA heading of my own\n\nSecond part."


def test_reference_lines() -> None:
    tokens = parse_markdown("- REF-1\n- [T](https://a.example)\n\nplain https://b.example\nREF-2\n")
    assert len(item_lines(tokens)) == 4


def test_slugify() -> None:
    assert slugify("Opening hours: à la carte!") == "opening-hours-a-la-carte"
    assert slugify("«»") == "contribution"
    assert len(slugify("word " * 40)) <= 60


def test_without_hard_links_a_name_is_still_never_taken_twice(
    mini_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from dpi_safeguards.forge.intake import link_new

    def no_links(*_: object) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    target = mini_root / "contributions" / "proposed" / "x.yaml"
    assert link_new(target, "title: one\n") is True
    assert link_new(target, "title: two\n") is False
    assert target.read_text(encoding="utf-8") == "title: one\n"
    assert [p.name for p in target.parent.iterdir()] == ["x.yaml"]
