"""The Guide's own canvases (figures 3.3-3.7) answered by the repository's framework.

Each figure's selection is run through `safeguards canvas`, in text and in JSON; the
figure's process recommendation must be recommendation 1 (the Guide prints it as
"Recommendation 1 of N"), with the figure's illustrative practices. The expected texts are
the Guide's, as printed in seed 002 (bullet glyphs removed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.support.cli import run_cli


@dataclass(frozen=True)
class Figure:
    name: str
    options: tuple[str, ...]
    principle: str
    process: str
    practices: tuple[str, ...]  # the opening words of each illustrative practice


FIGURES = [
    Figure(
        "3.3",
        ("-a", "R1", "-s", "L2"),
        "F3",
        "Develop alternative processes to allow access to services without requiring "
        "subscription to a DPI system.",
        (
            "Retain analog services by allowing service providers",
            "Engage continuously with civil society organizations",
            "Ensure the availability of cash payments",
        ),
    ),
    Figure(
        "3.4",
        ("-a", "R1", "-s", "L3"),
        "F4",
        "Institutionalize oversight mechanisms.",
        (
            "Form an independent oversight board",
            "Integrate oversight procedures into the governance structure",
            "Publish oversight outcomes and procedures",
            "Establish an independent body to oversee human rights concerns",
        ),
    ),
    Figure(
        "3.5",
        ("-a", "R4", "-s", "L1"),
        "O3",
        "Implement strict controls to enforce purpose limitation and restrict secondary data use.",
        (
            "Design DPI systems to enforce data processing strictly",
            "Design tools that require explicit user consent",
        ),
    ),
    # Figures 3.6 and 3.7 select Government at all five stages and name the principle
    # (3.6: F7, chosen by the user) and the risk and principle (3.7: unequal access).
    Figure(
        "3.6",
        ("-a", "R1", *("-s", "L1", "-s", "L2", "-s", "L3", "-s", "L4", "-s", "L5"), "-p", "F7"),
        "F7",
        "Establish a mechanism for ongoing community dialogue to inform development and "
        "ensure continuous relevance.",
        (
            "Create a dedicated platform or forum for ongoing community dialogue",
            "Facilitate inclusive participation",
        ),
    ),
    Figure(
        "3.7",
        (
            "-a",
            "R1",
            *("-s", "L1", "-s", "L2", "-s", "L3", "-s", "L4", "-s", "L5"),
            "-r",
            "RI2",
            "-r",
            "RI3",
            "-p",
            "O6",
        ),
        "O6",
        "Identify and implement additional mechanisms to always include vulnerable groups.",
        (
            "Design the system to capture and analyze data broken down",
            "Develop targeted features that address specific barriers",
        ),
    ),
]


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f"figure-{f.name}")
def test_figure_is_recommendation_1_in_json(figure: Figure) -> None:
    result = run_cli("canvas", *figure.options, "--format", "json")
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] >= 1
    first = data["recommendations"][0]
    assert first["number"] == 1
    assert first["principle"]["id"] == figure.principle
    assert first["process"]["text"] == figure.process
    shown = [p["text"] for p in first["practices"]]
    assert len(shown) == len(figure.practices), shown
    for text, opening in zip(shown, figure.practices, strict=True):
        assert text.startswith(opening), (text, opening)


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f"figure-{f.name}")
def test_figure_is_recommendation_1_in_text(figure: Figure) -> None:
    result = run_cli("canvas", *figure.options)
    assert result.code == 0, result.output
    first = result.stdout.split("Recommendation 1 of ", 1)[1].split("\nRecommendation 2 of", 1)[0]
    assert f"Process recommendation: {figure.principle}." in first
    assert figure.process in first
    for opening in figure.practices:
        assert opening in first


def test_figure_3_3_query_names_its_total() -> None:
    result = run_cli("canvas", "--authority", "R1", "--stage", "L2")
    assert result.code == 0
    assert "Total recommendations" in result.stdout
    assert "Recommendation 1 of" in result.stdout
