"""Near-duplicate warnings (CON008): the example cases, the index, and its speed at scale."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CASES, FIXTURES

from pipeline import api
from pipeline.report import Severity
from pipeline.similarity import THRESHOLD, SimilarityIndex, build_similarity_index
from pipeline.workspace import Workspace

CON008_CASES = sorted(
    p
    for p in (*CASES.glob("valid/*"), *CASES.glob("invalid/CON008-*"))
    if p.is_dir() and any(f.name != "expected.yaml" for f in p.glob("*.yaml"))
)


@pytest.mark.parametrize("case", CON008_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cases(tmp_path: Path, case: Path) -> None:
    """Each case's contribution files, validated in contributions/proposed/ of the mini
    framework, give exactly the expected codes (and message fragment)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mini", root)
    proposed = root / "contributions" / "proposed"
    proposed.mkdir(parents=True)
    expected: dict[str, Any] = yaml.safe_load((case / "expected.yaml").read_text())
    for file in sorted(case.glob("*.yaml")):
        if file.name != "expected.yaml":
            shutil.copy(file, proposed / file.name)
    report = api.validate(Workspace(root))
    assert sorted({f.code for f in report.findings}) == sorted(expected["codes"])
    if expected.get("message"):
        assert any(expected["message"] in f.message for f in report.findings), [
            f.message for f in report.findings
        ]
    # Near-duplicates warn; they never fail validation on their own.
    assert all(f.severity is Severity.WARNING for f in report.findings)
    assert report.exit_code == 0


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
