"""Near-duplicate search over the framework's texts, indexed so it stays fast at scale.

Method (built once per run, reused for every contribution of the run):

1. Texts are compared in normalised form (:func:`pipeline.rules.indexing.normalise_text`:
   NFKC, case-folded, white space collapsed).
2. An inverted index maps each word (letters and digits, 3+ characters, not a stop word)
   to the entries whose text holds it, with its document frequency.
3. A query looks up only its *rarest* words (at most ``RARE_WORDS`` of them, each with at
   most ``MAX_POSTING`` entries), counts how many of them each candidate shares, and keeps
   the best ``MAX_CANDIDATES`` candidates. Two texts with a similarity of 0.8 share most of
   their words, so they share rare ones too.
4. Each candidate is confirmed with :class:`difflib.SequenceMatcher` on the normalised
   texts: a ratio of at least ``THRESHOLD`` (0.8) is a near-duplicate. Identical texts
   (ratio 1.0) are not reported here: rule CON009 already refuses them.

The cost of a query is bounded by ``RARE_WORDS * MAX_POSTING`` dictionary updates and
``MAX_CANDIDATES`` string comparisons, whatever the size of the framework; building the
index is linear in the total length of the texts. No pairwise loop over all entries.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from pipeline.ids import Kind, natural_key
from pipeline.models.framework import Framework
from pipeline.rules.indexing import normalise_text

THRESHOLD = 0.8
RARE_WORDS = 8
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


def words(normalised: str) -> set[str]:
    return {w for w in _WORD.findall(normalised) if w not in STOP_WORDS}


@dataclass(frozen=True)
class Match:
    label: str
    ratio: float
    text: str


@dataclass
class SimilarityIndex:
    """Label (an entry id, or a place in a contribution) -> text, indexed by rare words."""

    texts: dict[str, str] = field(default_factory=dict)  # label -> normalised text
    originals: dict[str, str] = field(default_factory=dict)
    postings: dict[str, list[str]] = field(default_factory=dict)

    def add(self, label: str, text: str) -> None:
        normalised = normalise_text(text)
        if not normalised or label in self.texts:
            return
        self.texts[label] = normalised
        self.originals[label] = text
        for word in words(normalised):
            self.postings.setdefault(word, []).append(label)

    def __len__(self) -> int:
        return len(self.texts)

    def candidates(self, normalised: str) -> list[str]:
        query = sorted(
            (w for w in words(normalised) if w in self.postings),
            key=lambda w: (len(self.postings[w]), w),
        )
        counts: Counter[str] = Counter()
        for word in query[:RARE_WORDS]:
            posting = self.postings[word]
            if len(posting) > MAX_POSTING:
                break  # sorted by frequency: every later word is at least as common
            counts.update(posting)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], natural_key(kv[0])))
        return [label for label, _ in ranked[:MAX_CANDIDATES]]

    def similar(
        self, text: str, *, threshold: float = THRESHOLD, exclude: frozenset[str] = frozenset()
    ) -> list[Match]:
        """Entries whose text is close to ``text`` (ratio >= threshold, not identical),
        best first."""
        normalised = normalise_text(text)
        if not normalised:
            return []
        found: list[Match] = []
        for label in self.candidates(normalised):
            if label in exclude:
                continue
            other = self.texts[label]
            if other == normalised:
                continue
            matcher = SequenceMatcher(None, normalised, other, autojunk=False)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                found.append(Match(label, ratio, self.originals[label]))
        found.sort(key=lambda m: (-m.ratio, natural_key(m.label)))
        return found


INDEXED_KINDS = (Kind.PROCESS, Kind.PRACTICE, Kind.KPI)


def build_similarity_index(framework: Framework) -> SimilarityIndex:
    index = SimilarityIndex()
    for kind in INDEXED_KINDS:
        for entry_id, entry in framework.table(kind).items():
            text = getattr(entry, "text", None)
            if text:
                index.add(entry_id, text)
    return index


class LazySimilarityIndex:
    """Built on first use, so a run that checks no text pays nothing."""

    def __init__(self, framework: Framework) -> None:
        self._framework = framework
        self._index: SimilarityIndex | None = None

    def get(self) -> SimilarityIndex:
        if self._index is None:
            self._index = build_similarity_index(self._framework)
        return self._index
