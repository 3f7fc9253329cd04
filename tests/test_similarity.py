"""Near-duplicate warnings (CON008): the example cases, the index, and its speed at scale."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from pipeline import api
from pipeline.report import Severity
from pipeline.similarity import THRESHOLD, SimilarityIndex, build_similarity_index
from pipeline.workspace import Workspace
from tests.conftest import FIXTURES

RADIO = """\
title: {title}
contributors:
- name: {name}
licence: CC-BY-SA-4.0
licence_consent: true
changes:
- op: add-practice
  parent: F3.1
  text: {text}
"""


def test_near_duplicates_across_files_of_one_run(tmp_path: Path) -> None:
    """Two proposals checked in the same run that nearly duplicate each other: the later
    file warns (tests/cases holds the single-file cases)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    proposed = root / "contributions" / "proposed"
    proposed.mkdir(parents=True)
    (proposed / "a.yaml").write_text(
        RADIO.format(
            title="Radio",
            name="Carla",
            text="Announce offline service options on community radio every week.",
        )
    )
    (proposed / "b.yaml").write_text(
        RADIO.format(
            title="Radio again",
            name="Dana",
            text="Announce the offline service options on community radio each week.",
        )
    )
    report = api.validate(Workspace(root))
    assert [(f.code, f.file) for f in report.findings] == [
        ("CON008", "contributions/proposed/b.yaml")
    ]
    assert "similar to the text proposed by contributions/proposed/a.yaml change 1" in (
        report.findings[0].message
    )
    assert report.findings[0].severity is Severity.WARNING and report.exit_code == 0
    assert api.validate(Workspace(root), strict=True).exit_code == 1


def test_identical_text_is_left_to_con009() -> None:
    index = SimilarityIndex()
    index.add("F1.1.1", "Publish the data protection policy online.")
    assert index.similar("publish the  DATA protection policy online.") == []
    close = index.similar("Publish the data protection policy on-line.")
    assert [m.label for m in close] == ["F1.1.1"] and close[0].ratio >= THRESHOLD


def test_unrelated_text_is_not_flagged(mini: Workspace) -> None:
    index = build_similarity_index(api.load(mini))
    assert index.similar("Audit the payment rails for interoperability every year.") == []


def synthetic_texts(count: int) -> list[str]:
    """Deterministic practice-like texts: 10-16 words from a 3,000-word vocabulary."""
    rng = random.Random(20240901)
    syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "za", "be", "do"]
    vocabulary = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(3500)}
    )[:3000]
    common = ["the", "and", "for", "service", "data", "people", "public", "system"]
    texts = []
    for _ in range(count):
        words = [
            rng.choice(common) if rng.random() < 0.35 else rng.choice(vocabulary)
            for _ in range(rng.randint(10, 16))
        ]
        texts.append(" ".join(words).capitalize() + ".")
    return texts


def test_index_stays_fast_at_100000_practices() -> None:
    texts = synthetic_texts(100_000)
    started = time.perf_counter()
    index = SimilarityIndex()
    for i, text in enumerate(texts):
        index.add(f"F1.1.{i + 1}", text)
    built = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, 100_000, 250):  # 400 queries: near-duplicates with one word changed
        words = texts[i].split()
        words[len(words) // 2] = "changed"
        found = index.similar(" ".join(words))
        assert found and found[0].label == f"F1.1.{i + 1}", (texts[i], found)
    queried = time.perf_counter() - started
    # Generous bounds for a slow CI machine; a pairwise scan would take minutes.
    assert built < 60, built
    assert queried < 20, queried
