"""Near-duplicate search over the framework's texts, indexed so it stays fast at scale.

Method (built once per run, reused for every contribution of the run):

1. Texts are compared in normalised form (:func:`~dpi_safeguards.core.text.normalise_text`:
   NFKC, case-folded, white space collapsed).
2. An inverted index maps each feature of a text to the entries holding it: its words
   (letters and digits, 3+ characters, not a stop word) and its word pairs (two adjacent
   words, a "shingle"; far rarer than single words, so even a text made of common words
   has selective features).
3. A query looks up only its *rarest* features (at most ``RARE_FEATURES`` of them, each
   held by at most ``MAX_POSTING`` entries), counts how many of them each candidate
   shares, and keeps the best ``MAX_CANDIDATES`` candidates. Two texts with a similarity
   of 0.8 share most of their words and word pairs, so they share rare ones too.
4. Each candidate is confirmed on the normalised texts with the Indel similarity,
   ``2 x longest common subsequence / total length`` (``rapidfuzz.fuzz.ratio`` / 100,
   computed in C): a similarity of at least ``THRESHOLD`` (0.8) is a near-duplicate.
   Identical texts (1.0) are not reported here: rule CON009 already refuses them.
   (Until 1.0 the confirmation used :class:`difflib.SequenceMatcher`, whose ratio is at
   most the Indel similarity and costs milliseconds per pair in pure Python; the Indel
   similarity is the metric of rapidfuzz's ``fuzz.ratio``, so the answers are those of a
   brute-force ``extractOne(..., scorer=fuzz.ratio, score_cutoff=80)`` loop.)

The cost of a query is bounded by ``RARE_FEATURES * MAX_POSTING`` dictionary updates and
``MAX_CANDIDATES`` string comparisons, whatever the size of the framework; building the
index is linear in the total length of the texts. No pairwise loop over all entries.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sized
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import chain, compress, pairwise, repeat
from operator import le
from typing import Any, NamedTuple, TypeVar

from rapidfuzz.distance import Indel
from rapidfuzz.process import extract

from dpi_safeguards.core.ids import Kind, natural_key
from dpi_safeguards.core.text import normalise_text
from dpi_safeguards.models.framework import Framework

THRESHOLD = 0.8
# 6, not 8 (until this release): the same answers against the brute-force loop in the
# tests and the benchmark (recall 1.0 at 1,000 to 100,000 practices), and a query joins
# a quarter fewer entry numbers (10,000 proposals at 100,000 practices: -11% instructions)
RARE_FEATURES = 6
MAX_POSTING = 2000
MAX_CANDIDATES = 25

_WORD = re.compile(r"[^\W_]{3,}")
_STOP = (
    "the and for with that this from are was were been being have has had not but its "
    "their them they there which who whom whose what when where while into onto over under "
    "than then such also any all each every other more most some can may must should shall "
    "will would could our your his her out about after before between through during"
)
STOP_WORDS = frozenset(_STOP.split(" "))


def features(normalised: str) -> set[str]:
    """Words (no stop words) and pairs of adjacent words of a normalised text."""
    prepared_text = _split(normalised)
    return {*prepared_text.words, *prepared_text.pairs}


class Prepared(NamedTuple):
    normalised: str
    words: AbstractSet[str]  # no stop words
    pairs: AbstractSet[str]  # two adjacent words


def _split(normalised: str) -> Prepared:
    tokens = _tokens(normalised)
    # set operations and map over C functions: building an index calls this once per
    # entry (100,000 times at scale), so no generator expressions here
    return Prepared(
        normalised,
        set(tokens).difference(STOP_WORDS),
        set(map(_JOIN_PAIR, pairwise(tokens))),
    )


_JOIN_PAIR = " ".join
# Every ASCII byte but letters and digits made a space (bytes.translate's table).
_ASCII_SEPARATED = bytes(
    byte if byte >= 128 or chr(byte).isalnum() else 0x20 for byte in range(256)
)


def _tokens(normalised: str) -> list[str]:
    r"""``_WORD.findall(normalised)``: the runs of 3 or more letters or digits. An ASCII
    text (most are; ``str.isascii`` reads a flag) is split in C instead, a third cheaper:
    in ASCII, ``[^\W_]`` is exactly ``[A-Za-z0-9]`` (tested against the pattern)."""
    if not normalised.isascii():
        return _WORD.findall(normalised)
    runs = normalised.encode("ascii").translate(_ASCII_SEPARATED).decode("ascii").split()
    return list(compress(runs, map(le, repeat(3), map(len, runs))))


_Posting = TypeVar("_Posting", bound=Sized)


@functools.lru_cache(maxsize=1024)
def prepared(text: str) -> Prepared:
    """A text's normalised form and features. Cached: ``validate`` looks each proposed
    text up in the framework's index and in the run's, then adds it to the run's."""
    return _split(normalise_text(text))


@dataclass(frozen=True)
class Match:
    label: str
    ratio: float
    text: str


@dataclass
class SimilarityIndex:
    """Label (an entry id, or a place in a contribution) -> text, indexed by rare features."""

    texts: dict[str, str] = field(default_factory=dict)  # label -> normalised text
    originals: dict[str, str] = field(default_factory=dict)
    postings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, label: str, text: str, *, reuse: bool = True) -> None:
        """Index ``text`` under ``label`` (``reuse``: through the cache of prepared texts,
        for a text just looked up; building a whole index does not)."""
        normalised, words, pairs = prepared(text) if reuse else _split(normalise_text(text))
        if not normalised or label in self.texts:
            return
        self.texts[label] = normalised
        self.originals[label] = text
        # A posting longer than MAX_POSTING is never ranked (_rarest's callers drop it,
        # and it sorts after every shorter one), so it stops growing one past the limit:
        # at 100,000 practices most words are that common, and appending to them was a
        # third of building the index. Queries rank exactly as before (tested).
        postings = self.postings
        get = postings.get
        for features_of_a_kind in (words, pairs):  # disjoint: a pair holds a space
            for feature in features_of_a_kind:
                posting = get(feature)
                if posting is None:
                    postings[feature] = [label]
                elif len(posting) <= MAX_POSTING:
                    posting.append(label)

    def __len__(self) -> int:
        return len(self.texts)

    def candidates(self, normalised: str) -> list[str]:
        return self._candidates(_split(normalised))

    def _candidates(self, query: Prepared) -> list[str]:
        # sorted by frequency: once one is too common, every later one is too
        chosen = [
            posting for posting in _rarest(query, self.postings) if len(posting) <= MAX_POSTING
        ]
        counts: Counter[str] = Counter(chain.from_iterable(chosen))  # one C call
        floor = _floor(len(chosen))
        return [
            label for _, label in _best([(-n, label) for label, n in counts.items() if n >= floor])
        ]

    def similar(
        self,
        text: str,
        *,
        threshold: float = THRESHOLD,
        exclude: frozenset[str] = frozenset(),
        include_identical: bool = False,
    ) -> list[Match]:
        """Entries whose text is close to ``text`` (ratio >= threshold; identical ones only
        with ``include_identical``), best first."""
        query = prepared(text)
        if not query.normalised:
            return []
        candidates = (
            (label, self.texts[label], self.originals[label]) for label in self._candidates(query)
        )
        return _confirm(query.normalised, candidates, threshold, exclude, include_identical)


def _floor(used: int) -> int:
    """A near-duplicate shares most of the rare features; one sharing fewer than a third
    of them is not worth a character-level comparison."""
    return max(1, used // 3)


_Ranked = TypeVar("_Ranked", bound=tuple[Any, ...])


def _best(ranked: list[_Ranked]) -> list[_Ranked]:
    """The ``MAX_CANDIDATES`` smallest of (-shared features, label, ...) tuples (labels
    are unique, so nothing after them is ever compared)."""
    if len(ranked) > 4 * MAX_CANDIDATES:
        return heapq.nsmallest(MAX_CANDIDATES, ranked)
    ranked.sort()  # a few dozen items: one C sort is cheaper than heapq's selection
    del ranked[MAX_CANDIDATES:]
    return ranked


def _confirm(
    normalised: str,
    candidates: Iterable[tuple[str, str, str]],
    threshold: float,
    exclude: frozenset[str],
    include_identical: bool,
) -> list[Match]:
    """The candidates (label, normalised text, original text) similar enough, best first."""
    found: list[Match] = []
    measure = None  # rapidfuzz is imported only if some candidate is compared
    for label, other, original in candidates:
        if label in exclude:
            continue
        if other == normalised:
            if include_identical:
                found.append(Match(label, 1.0, original))
            continue
        if measure is None:
            measure = _indel()
        ratio = float(measure(normalised, other, score_cutoff=threshold))
        if ratio >= threshold:
            found.append(Match(label, ratio, original))
    if len(found) > 1:
        found.sort(key=lambda m: (-m.ratio, natural_key(m.label)))
    return found


def _rarest(query: Prepared, postings: Mapping[str, _Posting]) -> list[_Posting]:
    """The postings of the query's rarest indexed features, rarest first; ties are broken
    by feature, in string order. (A pair of words is never more common than either word,
    so the rarest features are pairs: words are looked up only when fewer pairs than
    needed are indexed.)"""
    # map, filter and sort with a key of len: C calls, no tuple per feature (this ran
    # twice per proposed text, and was a tenth of validating 10,000 proposals). The sort
    # by len is stable, so features looked up in string order stay in that order.
    get = postings.get
    found = list(filter(None, map(get, sorted(query.pairs))))  # postings are never empty
    if len(found) < RARE_FEATURES:
        found = list(filter(None, map(get, sorted(query.pairs | query.words))))
    found.sort(key=len)
    del found[RARE_FEATURES:]
    return found


def similarity(a: str, b: str, *, score_cutoff: float = 0.0) -> float:
    """Indel similarity of two normalised texts, 0.0 to 1.0 (0.0 when below
    ``score_cutoff``): ``rapidfuzz.fuzz.ratio(a, b) / 100``."""
    return float(_indel()(a, b, score_cutoff=score_cutoff))


_INDEL: list[Callable[..., float]] = []


def _indel() -> Callable[..., float]:
    """rapidfuzz's Indel similarity, imported on first use (not by every command) and
    kept: an import statement per comparison cost 3% of validating 10,000 files."""
    if not _INDEL:
        _INDEL.append(Indel.normalized_similarity)
    return _INDEL[0]


INDEXED_KINDS = (Kind.PROCESS, Kind.PRACTICE, Kind.KPI)


def build_similarity_index(framework: Framework) -> SimilarityIndex:
    index = SimilarityIndex()
    for kind in INDEXED_KINDS:
        for entry_id, entry in framework.table(kind).items():
            text = getattr(entry, "text", None)
            if text:
                index.add(entry_id, text, reuse=False)
    return index


# Until this many texts have been looked up, each is compared with every text of the
# framework in C (rapidfuzz's process.extract: about 0.6 us a text) instead of building the
# index (about 40 us a text): for one proposal at 100,000 practices, 0.3 s instead of 4 s.
# Past it the index is built once and used; both give the same answers (tested).
SCANNED_QUERIES = 64


class LazySimilarityIndex:
    """The framework's texts, searched for near-duplicates: by a scan for a run's first
    few texts, through an index built on first need after that, so a run that checks
    no text pays nothing and one that checks few pays little."""

    def __init__(self, framework: Framework) -> None:
        self._framework = framework
        self._index: SimilarityIndex | None = None
        self._scan: tuple[list[str], list[str], list[str]] | None = None
        self._kinds: list[Kind] = []
        self._queries = 0

    def get(self) -> SimilarityIndex:
        if self._index is None:
            self._index = build_similarity_index(self._framework)
        return self._index

    def similar(self, text: str, exclude: frozenset[str], include_identical: bool) -> list[Match]:
        """The framework's texts at least THRESHOLD similar to ``text``, best first (as
        :meth:`SimilarityIndex.similar`)."""
        self._queries += 1
        if self._index is not None or self._queries > SCANNED_QUERIES:
            return self.get().similar(text, exclude=exclude, include_identical=include_identical)
        query = prepared(text).normalised
        if not query:
            return []
        labels, normalised, originals = self._texts()
        found = extract(query, normalised, scorer=_indel(), score_cutoff=THRESHOLD, limit=None)
        candidates = ((labels[i], normalised[i], originals[i]) for _text, _score, i in found)
        return _confirm(query, candidates, THRESHOLD, exclude, include_identical)

    def _texts(self) -> tuple[list[str], list[str], list[str]]:
        """(label, normalised text, text) of every indexed entry, as the index holds them."""
        if self._scan is None:
            labels: list[str] = []
            normalised: list[str] = []
            originals: list[str] = []
            seen: set[str] = set()  # as the index, the first text of a label only
            for kind in INDEXED_KINDS:
                for entry_id, entry in self._framework.table(kind).items():
                    text: str | None = getattr(entry, "text", None)
                    folded = normalise_text(text) if text else ""
                    if text and folded and entry_id not in seen:
                        seen.add(entry_id)
                        self._kinds.append(kind)
                        labels.append(entry_id)
                        normalised.append(folded)
                        originals.append(text)
            self._scan = (labels, normalised, originals)
        return self._scan

    def exact_texts(self, kinds: tuple[Kind, ...]) -> dict[str, str]:
        """Normalised text -> the first entry of ``kinds`` with it (as
        ``build_text_index``), from the texts already normalised for the scan."""
        labels, normalised, _originals = self._texts()
        index: dict[str, str] = {}
        for kind, label, folded in zip(self._kinds, labels, normalised, strict=True):
            if kind in kinds:
                index.setdefault(folded, label)
        return index
