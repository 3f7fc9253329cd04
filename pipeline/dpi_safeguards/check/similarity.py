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
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, Sequence, Sized
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, pairwise, repeat
from operator import le
from typing import Any, NamedTuple, Protocol, TypeVar, overload

from rapidfuzz.distance import Indel

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


_WIDTH = array("i").itemsize
_Posting = TypeVar("_Posting", bound=Sized)
_Default = TypeVar("_Default")


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

    def compact(self) -> CompactSimilarityIndex:
        """The same index in a form that loads fast (kept beside the cached framework)."""
        numbers = {label: number for number, label in enumerate(self.texts)}
        return CompactSimilarityIndex(
            labels=list(self.texts),
            texts=PackedTexts(self.texts.values()),
            originals=PackedTexts(self.originals[label] for label in self.texts),
            postings={
                feature: array("i", [numbers[label] for label in posting]).tobytes()
                for feature, posting in self.postings.items()
            },
        )


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


@dataclass
class CompactSimilarityIndex:
    """A frozen :class:`SimilarityIndex` with the same answers, stored for fast loading:
    entries are numbered, and each posting is the bytes of an ``array('i')`` of entry
    numbers (at 100,000 practices: one bytes object per feature instead of a list of
    5 million references to unpickle)."""

    labels: list[str]
    texts: Sequence[str]  # normalised, by entry number
    originals: Sequence[str]
    postings: dict[str, bytes]
    # kind -> (first, end) entry numbers, for an index built from a framework
    spans: dict[Kind, tuple[int, int]] = field(default_factory=dict)
    # normalised text -> the first id holding it, among the kinds given to
    # build_compact_index (stored here: it reads the texts and labels above)
    first_ids: Mapping[str, str] = field(default_factory=dict)

    def entries_of(self, kind: Kind) -> Iterator[tuple[str, str]]:
        """(id, normalised text) of the entries of one kind, in the framework's order."""
        first, end = self.spans.get(kind, (0, 0))
        return zip(self.labels[first:end], self.texts[first:end], strict=True)

    def __len__(self) -> int:
        return len(self.labels)

    def _candidates(self, query: Prepared) -> list[int]:
        labels = self.labels
        return numbered_candidates(
            query, self.postings, lambda numbers: [labels[number] for number in numbers]
        )

    def similar(
        self,
        text: str,
        *,
        threshold: float = THRESHOLD,
        exclude: frozenset[str] = frozenset(),
        include_identical: bool = False,
    ) -> list[Match]:
        """As :meth:`SimilarityIndex.similar`."""
        query = prepared(text)
        if not query.normalised:
            return []
        candidates = (
            (self.labels[number], self.texts[number], self.originals[number])
            for number in self._candidates(query)
        )
        return _confirm(query.normalised, candidates, threshold, exclude, include_identical)


def numbered_candidates(
    query: Prepared,
    postings: Mapping[str, bytes],
    labels_of: Callable[[list[int]], list[str]],
) -> list[int]:
    """The entry numbers worth a character-level comparison with ``query``, from
    postings of entry numbers (``array('i')`` bytes); ``labels_of`` gives the labels of
    the numbers that share enough features (ties are broken by label)."""
    limit = MAX_POSTING * _WIDTH  # a posting's size is in bytes here
    chosen = [posting for posting in _rarest(query, postings) if len(posting) <= limit]
    # the chosen postings joined, as one list in one C call
    numbers = memoryview(b"".join(chosen)).cast("i").tolist()
    passing = held_at_least(numbers, _floor(len(chosen)))
    labels = labels_of([number for number, _ in passing])
    shared = [(-n, label, number) for (number, n), label in zip(passing, labels, strict=True)]
    return [number for _, _, number in _best(shared)]


def held_at_least(numbers: list[int], floor: int) -> list[tuple[int, int]]:
    """(number, times it occurs) for each number occurring at least ``floor`` times in
    ``numbers`` (sorted in place), in no set order.

    The usual floor is 2 (a third of the 6 postings a query uses). Sorted, a number
    occurring twice or more sits at an even place and at an odd one, and a number
    occurring once at one place only: the two halves' intersection finds them in C, with
    no count kept for the hundreds of numbers that occur once (at 100,000 practices a
    query joins about 280 numbers; a Counter and a loop over its items were a quarter of
    the query's cost)."""
    if floor != 2:
        counts = Counter(numbers)
        return [(number, n) for number, n in counts.items() if n >= floor]
    numbers.sort()
    repeated = set(numbers[::2]).intersection(numbers[1::2])
    return [
        (number, bisect_right(numbers, number) - bisect_left(numbers, number))
        for number in repeated
    ]


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
    return _build(framework)[0]


def build_compact_index(
    framework: Framework, text_kinds: tuple[Kind, ...] = ()
) -> CompactSimilarityIndex:
    """The compact index, with ``first_ids`` over the entries of ``text_kinds``."""
    index, spans = _build(framework)
    compact = index.compact()
    compact.spans = spans
    first: dict[str, int] = {}
    for kind in text_kinds:
        begin, _end = spans.get(kind, (0, 0))
        for number, (_label, text) in enumerate(compact.entries_of(kind), begin):
            first.setdefault(text, number)
    compact.first_ids = FirstIds(first, compact.texts, compact.labels)
    return compact


class PackedTexts(Sequence[str]):
    """Texts kept as one UTF-8 bytes object and their end offsets, each decoded when it
    is read. The near-duplicate index of 100,000 practices holds 220,000 texts: loading
    them as two bytes objects instead of 220,000 strings took a third off its load (a
    query reads the texts of its few candidates only)."""

    __slots__ = ("_data", "_ends")

    def __init__(self, texts: Iterable[str]) -> None:
        encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
        self._data = b"".join(encoded)
        self._ends = array("q", accumulate(map(len, encoded)))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        ends = self._ends
        if index < 0:
            index += len(ends)
        if not 0 <= index < len(ends):
            raise IndexError("text number out of range")
        start = ends[index - 1] if index else 0
        return self._data[start : ends[index]].decode("utf-8", "surrogatepass")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PackedTexts):
            return NotImplemented
        return self._data == other._data and self._ends == other._ends

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[bytes, array[int]]:
        return self._data, self._ends

    def __setstate__(self, state: tuple[bytes, array[int]]) -> None:
        self._data, self._ends = state


class FirstIds(Mapping[str, str]):
    """Normalised text -> the first id holding it (rule CON009), over the index's texts
    and labels: a text is found by its CRC-32 in a sorted array (bisection) and
    confirmed by comparing it. Nothing is built on load: a dictionary of 110,000 texts
    took half of loading the index at 100,000 practices, and a run looks up one text per
    proposal."""

    __slots__ = ("_crcs", "_labels", "_numbers", "_order", "_texts")

    def __init__(self, first: dict[str, int], texts: Sequence[str], labels: list[str]) -> None:
        keyed = sorted((_crc(text), number) for text, number in first.items())
        self._crcs = array("I", [crc for crc, _ in keyed])
        self._numbers = array("i", [number for _, number in keyed])
        self._order = array("i", first.values())  # the texts' first-seen order
        self._texts = texts
        self._labels = labels

    def _number(self, text: object) -> int | None:
        if isinstance(text, str):
            crc = _crc(text)
            crcs = self._crcs
            at = bisect_left(crcs, crc)
            while at < len(crcs) and crcs[at] == crc:  # different texts may share a CRC
                number = self._numbers[at]
                if self._texts[number] == text:
                    return number
                at += 1
        return None

    def __getitem__(self, text: str) -> str:
        number = self._number(text)
        if number is None:
            raise KeyError(text)
        return self._labels[number]

    # Mapping's get and `in` go through __getitem__ and catch its KeyError: a run asks
    # for one text per proposal and most are new, so they answer without an exception.
    @overload
    def get(self, text: str, /) -> str | None: ...
    @overload
    def get(self, text: str, /, default: str | _Default) -> str | _Default: ...
    def get(self, text: str, /, default: object = None) -> object:
        number = self._number(text)
        return default if number is None else self._labels[number]

    def __contains__(self, text: object) -> bool:
        return self._number(text) is not None

    def __iter__(self) -> Iterator[str]:
        texts = self._texts
        return (texts[number] for number in self._order)

    def __len__(self) -> int:
        return len(self._order)

    def items(self) -> ItemsView[str, str]:
        return _FirstIdsItems(self)

    def __getstate__(self) -> tuple[object, ...]:
        return (self._crcs, self._labels, self._numbers, self._order, self._texts)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._crcs, self._labels, self._numbers, self._order, self._texts = state


class _FirstIdsItems(ItemsView[str, str]):
    """(text, id) in the first-seen order, read straight off the arrays."""

    _mapping: FirstIds

    def __iter__(self) -> Iterator[tuple[str, str]]:
        first = self._mapping
        texts, labels = first._texts, first._labels
        return ((texts[number], labels[number]) for number in first._order)


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _build(framework: Framework) -> tuple[SimilarityIndex, dict[Kind, tuple[int, int]]]:
    index = SimilarityIndex()
    spans: dict[Kind, tuple[int, int]] = {}
    for kind in INDEXED_KINDS:
        first = len(index)
        for entry_id, entry in framework.table(kind).items():
            text = getattr(entry, "text", None)
            if text:
                index.add(entry_id, text, reuse=False)
        spans[kind] = (first, len(index))
    return index, spans


class NearDuplicateIndex(Protocol):
    """What the near-duplicate rule asks of an index, whatever its form."""

    def similar(
        self,
        text: str,
        *,
        threshold: float = THRESHOLD,
        exclude: frozenset[str] = frozenset(),
        include_identical: bool = False,
    ) -> list[Match]: ...


class LazySimilarityIndex:
    """Built on first use, so a run that checks no text pays nothing."""

    def __init__(self, framework: Framework) -> None:
        self._framework = framework
        self._index: NearDuplicateIndex | None = None

    def get(self) -> NearDuplicateIndex:
        if self._index is None:
            self._index = build_similarity_index(self._framework)
        return self._index
