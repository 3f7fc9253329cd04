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
from dpi_safeguards.check.similarity import (
    THRESHOLD,
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


def test_compact_index_answers_as_the_index_it_was_made_from() -> None:
    texts = synthetic_texts(3_000)
    index = SimilarityIndex()
    for i, text in enumerate(texts):
        index.add(f"F1.1.{i + 1}", text)
    compact = index.compact()
    rng = random.Random(11)
    for i in range(0, 3_000, 7):
        query = near_copy(rng, texts[i])
        for identical in (False, True):
            exclude = frozenset({f"F1.1.{i + 1}"}) if i % 2 else frozenset()
            assert compact.similar(
                query, exclude=exclude, include_identical=identical
            ) == index.similar(query, exclude=exclude, include_identical=identical), query


def test_text_index_read_off_the_compact_index_is_build_text_index() -> None:
    """validate reads CON009's text index off the cached near-duplicate index."""
    from dpi_safeguards.check.rules.contribution import build_text_index
    from dpi_safeguards.check.validate import _DerivedSimilarityIndex
    from dpi_safeguards.load.folder import load_framework

    loaded = load_framework(REPO / "framework")
    derived = _DerivedSimilarityIndex(loaded)
    expected = build_text_index(loaded.framework)
    assert len(expected) > 20
    assert derived.text_index() == expected
    assert list(derived.text_index().items()) == list(expected.items())


def test_database_answers_as_the_compact_index(tmp_path: Path) -> None:
    """The SQLite form (runs of a few files) gives the compact index's answers, short
    texts (ranked on single words) and exclusions included; and CON009's text index."""
    from dpi_safeguards.check.similarity_db import SimilarityDatabase, build

    texts = synthetic_texts(3_000)
    index = SimilarityIndex()
    for i, text in enumerate(texts):
        index.add(f"F1.1.{i + 1}", text)
    compact = index.compact()
    compact.first_ids = {
        text: label for label, text in zip(compact.labels, compact.texts, strict=True)
    }
    path = tmp_path / "index.sqlite"
    build(compact, path, b"key")
    assert SimilarityDatabase.open(path, b"other key") is None
    database = SimilarityDatabase.open(path, b"key")
    assert database is not None
    rng = random.Random(13)
    queries = [near_copy(rng, texts[i]) for i in range(0, 3_000, 7)]
    queries += [" ".join(texts[i].split()[:4]) for i in range(0, 3_000, 97)]  # few pairs
    queries += ["", "kalo", texts[5].upper()]
    for i, query in enumerate(queries):
        for identical in (False, True):
            exclude = frozenset({f"F1.1.{i + 1}"}) if i % 2 else frozenset()
            expected = compact.similar(query, exclude=exclude, include_identical=identical)
            assert (
                database.similar(query, exclude=exclude, include_identical=identical) == expected
            ), query
    assert sum(bool(compact.similar(q)) for q in queries) > 100
    in_place = database.text_index()
    assert len(in_place) == len(compact.first_ids)
    assert dict(in_place.items()) == compact.first_ids
    assert in_place.get(compact.texts[10]) == compact.labels[10]
    assert in_place.get("no such text") is None


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


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 60), unique=True, max_size=30).map(sorted), max_size=9),
    st.integers(1, 4),
)
def test_numbers_held_at_least_floor_times_are_those_a_counter_finds(
    postings: list[list[int]], floor: int
) -> None:
    """The even/odd halves of the sorted numbers find those occurring twice or more (a
    posting holds a number once); the counts are a Counter's, whatever the floor."""
    from collections import Counter

    from dpi_safeguards.check.similarity import held_at_least

    numbers = [number for posting in postings for number in posting]
    expected = {n: k for n, k in Counter(numbers).items() if k >= floor}
    found = held_at_least(list(numbers), floor)
    assert dict(found) == expected and len(found) == len(expected)


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
    compact = capped.compact()
    ranked = 0
    for i in range(0, 1_200, 3):
        query = near_copy(rng, texts[i]) if i % 2 else " ".join(texts[i].split()[:3])
        expected = grown._candidates(prepared(query))
        assert capped._candidates(prepared(query)) == expected, query
        ranked += bool(expected)
        assert capped.similar(query) == grown.similar(query) == compact.similar(query)
    assert ranked > 100


def test_packed_texts_and_first_ids_read_as_a_list_and_a_dict() -> None:
    """The compact index keeps its texts packed and CON009's text index as CRC-32s: they
    read as the list and the dictionary they stand for, texts whose CRC-32 is the same
    ("plumless", "buckeroo"), lone surrogates (JSON allows them) and pickling included."""
    import pickle

    from dpi_safeguards.check.similarity import FirstIds, PackedTexts

    texts = ["plumless", "", "buckeroo", "caf\u00e9 \ud800", "plumless", "x" * 300]
    packed = PackedTexts(texts)
    assert list(packed) == texts and len(packed) == len(texts)
    assert packed[-1] == texts[-1] and packed[1:4] == texts[1:4] and packed[::2] == texts[::2]
    with pytest.raises(IndexError):
        packed[len(texts)]
    labels = [f"F1.{i}" for i in range(len(texts))]
    first: dict[str, int] = {}
    for number, text in enumerate(texts):
        first.setdefault(text, number)
    expected = {text: labels[number] for text, number in first.items()}
    ids = FirstIds(first, packed, labels)
    for mapping in (ids, pickle.loads(pickle.dumps(ids))):
        assert dict(mapping) == expected
        assert list(mapping.items()) == list(expected.items())
        assert mapping["buckeroo"] == "F1.2" and mapping["plumless"] == "F1.0"
        assert "plum" not in mapping and 3 not in mapping
        assert "buckeroo" in mapping and "" in mapping
        assert mapping.get("buckeroo") == "F1.2" and mapping.get("zzz") is None
        assert mapping.get("zzz", "-") == "-" and mapping.get("plumless", "-") == "F1.0"
        with pytest.raises(KeyError):
            mapping["zzz"]
    assert pickle.loads(pickle.dumps(packed)) == packed
