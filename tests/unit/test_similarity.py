"""Near-duplicate warnings (CON008): the example cases, the index, and its answers at scale."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from dpi_safeguards import api
from dpi_safeguards.check.rules.contribution import TEXT_INDEX_KINDS, build_text_index
from dpi_safeguards.check.similarity import (
    THRESHOLD,
    LazySimilarityIndex,
    SimilarityIndex,
    build_similarity_index,
    prepared,
)
from dpi_safeguards.core.findings import Severity
from dpi_safeguards.core.text import normalise_text
from dpi_safeguards.core.workspace import Workspace
from tests.support.paths import FIXTURES, REPO

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


def test_index_finds_one_word_changes_among_20000_practices() -> None:
    # Speed is measured by the benchmark (python -m benchmarks), not asserted here.
    texts = synthetic_texts(20_000)
    index = SimilarityIndex()
    for i, text in enumerate(texts):
        index.add(f"F1.1.{i + 1}", text)
    for i in range(0, 20_000, 50):  # 400 queries: near-duplicates with one word changed
        words = texts[i].split()
        words[len(words) // 2] = "changed"
        found = index.similar(" ".join(words))
        assert found and found[0].label == f"F1.1.{i + 1}", (texts[i], found)


def near_copy(rng: random.Random, text: str) -> str:
    """``text`` with up to three of its words replaced (zero: the same text)."""
    words = text.split()
    for _ in range(rng.randint(0, 3)):
        words[rng.randrange(len(words))] = rng.choice(["access", "review", "kalo"])
    return " ".join(words)


def test_answers_are_those_of_the_brute_force_fuzz_ratio_loop() -> None:
    """Every text the index reports is one rapidfuzz's extractOne(scorer=fuzz.ratio,
    score_cutoff=80) loop finds, with the same similarity, and the loop's best match is
    reported (all pairs compared: the reference the index must agree with)."""
    texts = synthetic_texts(2_000)
    index = SimilarityIndex()
    for i, text in enumerate(texts):
        index.add(str(i), text)
    normalised = [normalise_text(t) for t in texts]
    rng = random.Random(7)
    for i in range(0, 2_000, 10):
        query = near_copy(rng, texts[i])
        found = {m.label: m.ratio for m in index.similar(query, include_identical=True)}
        best = process.extractOne(
            normalise_text(query), normalised, scorer=fuzz.ratio, score_cutoff=80
        )
        if best is None:
            assert not found, (query, found)
            continue
        assert found, (query, best)
        assert max(found.values()) == pytest.approx(best[1] / 100)
        for label, ratio in found.items():
            assert ratio == pytest.approx(
                fuzz.ratio(normalise_text(query), normalised[int(label)]) / 100
            )


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
    | st.text(max_size=40)
    | st.lists(st.sampled_from(["ab", "abc", "a_b", "x1y", "_", "-", " ", "\t", "é", "ß"])).map(
        "".join
    )
)
def test_tokens_are_the_word_pattern_s(text: str) -> None:
    """ASCII texts are split in C; the tokens are always those of the word pattern."""
    from dpi_safeguards.check.similarity import _WORD, _tokens

    assert _tokens(text) == _WORD.findall(text)
    for code in range(128):
        probe = f"ab{chr(code)}cde{chr(code)}fg"
        assert _tokens(probe) == _WORD.findall(probe), code


def test_postings_stop_growing_past_the_limit_and_rank_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A posting longer than MAX_POSTING is never ranked, so the index stops growing it;
    the candidates and answers are those of an index that grows every posting (the limit
    set low here, so that most words and many pairs pass it)."""
    from dpi_safeguards.check import similarity

    texts = synthetic_texts(1_200)
    capped, grown = SimilarityIndex(), SimilarityIndex()
    for i, text in enumerate(texts):
        monkeypatch.setattr(similarity, "MAX_POSTING", 6)
        capped.add(str(i), text)
        monkeypatch.setattr(similarity, "MAX_POSTING", 10**9)  # this one grows every posting
        grown.add(str(i), text)
    monkeypatch.setattr(similarity, "MAX_POSTING", 6)
    assert max(map(len, capped.postings.values())) == 7
    assert max(map(len, grown.postings.values())) > 100
    rng = random.Random(3)
    ranked = 0
    for i in range(0, 1_200, 3):
        query = near_copy(rng, texts[i]) if i % 2 else " ".join(texts[i].split()[:3])
        expected = grown._candidates(prepared(query))
        assert capped._candidates(prepared(query)) == expected, query
        ranked += bool(expected)
        assert capped.similar(query) == grown.similar(query)
    assert ranked > 100


def test_the_first_queries_scan_every_text_and_agree_with_the_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run's first SCANNED_QUERIES texts are compared with every framework text (no
    index built): the answers are those of a brute-force loop over all texts, exclusions
    and identical texts included. The index promises less (its best match is the loop's,
    and whatever else it reports is true), so it agrees on the best match and reports
    nothing the scan does not; past the limit the index is built and used."""
    from dpi_safeguards.check import similarity
    from dpi_safeguards.check.similarity import LazySimilarityIndex, build_similarity_index
    from dpi_safeguards.models.framework import Framework, MetadataFile, Practice

    rng = random.Random(5)
    framework = Framework(metadata=MetadataFile.model_construct())  # type: ignore[call-arg]
    bases = synthetic_texts(400)
    practices: dict[str, str] = {}
    for number, text in enumerate(bases, 1):
        practices[f"F1.1.{number}"] = text
    for number, text in enumerate(bases[:30], 1):  # two near-copies of each of 30 texts
        for copy in (1, 2):
            practices[f"F2.{copy}.{number}"] = near_copy(rng, text)
    for entry_id, text in practices.items():
        framework.practices[entry_id] = Practice.model_construct(id=entry_id, text=text)  # type: ignore[call-arg]
    normalised = {entry_id: normalise_text(text) for entry_id, text in practices.items()}
    index = build_similarity_index(framework)
    queries = [near_copy(rng, t) for t in bases[:40]] + bases[:5] + ["", "kalo"]
    monkeypatch.setattr(similarity, "SCANNED_QUERIES", len(queries) * 4)
    lazy = LazySimilarityIndex(framework)
    several = 0
    for query in queries:
        folded = normalise_text(query)
        for identical in (False, True):
            loop = {
                entry_id: fuzz.ratio(folded, other) / 100
                for entry_id, other in normalised.items()
                if folded and fuzz.ratio(folded, other) >= 80 and (identical or other != folded)
            }
            scanned = lazy.similar(query, frozenset(), include_identical=identical)
            assert {m.label: m.ratio for m in scanned} == pytest.approx(loop)
            indexed = index.similar(query, include_identical=identical)
            assert indexed[:1] == scanned[:1]
            assert {m.label for m in indexed} <= {m.label for m in scanned}
            several += len(scanned) > 1
            if scanned:
                best = frozenset({scanned[0].label})
                assert lazy.similar(query, best, include_identical=identical) == [
                    m for m in scanned if m.label not in best
                ]
    assert lazy._index is None  # every answer so far came from the scan
    assert several > 20
    monkeypatch.setattr(similarity, "SCANNED_QUERIES", 0)
    assert lazy.similar(bases[0], frozenset(), include_identical=True) == index.similar(
        bases[0], include_identical=True
    )
    assert lazy._index is not None


def test_the_exact_text_index_from_the_scan_is_the_one_build_text_index_gives() -> None:
    framework = api.load(Workspace(REPO))
    # A duplicate text under a later id: the first id keeps it, as in build_text_index.
    first = next(iter(framework.practices.values()))
    copy = first.model_copy(update={"id": "F9.9.9"})
    framework.practices[copy.id] = copy
    scanned = LazySimilarityIndex(framework).exact_texts(TEXT_INDEX_KINDS)
    assert scanned == build_text_index(framework)
    assert scanned[normalise_text(first.text)] == first.id
