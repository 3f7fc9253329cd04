"""The knowledge-library query: authority x stage x risk x principle -> recommendations.

A *recommendation* is one active process (of an active principle) that matches the
selection, shown with those of its active practices that match too; this is the "canvas"
of the Guide's figures 3.3-3.7.

Matching rules (documented in the README, "The knowledge library"):

- Each dimension may be given several values; values of one dimension are ORed, the
  dimensions are ANDed. A dimension with no value selected does not filter.
- A process matches a selected dimension when one of its own values for that dimension is
  selected. A process that has no value for a dimension (a recorded gap, e.g. an empty
  ``stages`` list) therefore matches no selection on that dimension, but appears when
  nothing is selected there.
- Practices inherit their process's principle and risks. A practice's *effective*
  authorities and stages are its own narrowing, or else its process's. Within a matching
  process, a practice is shown when its effective authorities and stages match the
  authority and stage selections; a practice narrowed to other authorities or stages is
  left out. A matching process whose practices are all left out is still a
  recommendation (the process applies; it just has no illustrative practice for the
  selection).
- Deprecated entries are never shown and are not valid filter values.

The index (value -> set of process ids) is built once per framework, so a query costs
the size of its answer, not the size of the framework.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.errors import UsageError
from pipeline.ids import last_number, natural_key, sorted_ids

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.models.framework import Framework

CANVAS_TITLE = "Universal DPI Safeguards Canvas"
TEXT_GAP = "(not given in the sources)"

# The four dimensions, in the Guide's order, with the labels the canvas uses.
DIMENSIONS: tuple[str, ...] = ("authority", "stage", "risk", "principle")
DIMENSION_LABELS: dict[str, str] = {
    "authority": "Responsible authority",
    "stage": "Life-cycle stage",
    "risk": "Risk",
    "principle": "Principle",
}
_PROCESS_FIELD = {"authority": "authorities", "stage": "stages", "risk": "risks"}

_RELEASE = re.compile(r"v[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}")


def normalise_name(value: str) -> str:
    """Case-, punctuation- and '&'-insensitive form: 'Strategy & Design' ->
    'strategy and design'."""
    text = value.casefold().replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Named:
    """An entry as the canvas shows it: id and display name."""

    id: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"


@dataclass(frozen=True)
class ReferenceView:
    id: str
    title: str
    url: str | None


@dataclass(frozen=True)
class PracticeView:
    id: str
    text: str
    authorities: tuple[Named, ...]  # effective (own narrowing or the process's)
    stages: tuple[Named, ...]
    narrowed_authorities: bool
    narrowed_stages: bool
    references: tuple[ReferenceView, ...]


@dataclass(frozen=True)
class Recommendation:
    number: int
    principle: Named
    process_id: str
    text: str | None  # None where the sources do not give the process's text
    risks: tuple[Named, ...]
    authorities: tuple[Named, ...]
    stages: tuple[Named, ...]
    references: tuple[ReferenceView, ...]
    practices: tuple[PracticeView, ...]


@dataclass(frozen=True)
class Selection:
    """Resolved filter values (ids, natural order) per dimension; empty: not filtered."""

    authority: tuple[Named, ...] = ()
    stage: tuple[Named, ...] = ()
    risk: tuple[Named, ...] = ()
    principle: tuple[Named, ...] = ()

    def values(self, dimension: str) -> tuple[Named, ...]:
        result: tuple[Named, ...] = getattr(self, dimension)
        return result

    def ids(self, dimension: str) -> frozenset[str]:
        return frozenset(v.id for v in self.values(dimension))


@dataclass(frozen=True)
class CanvasResult:
    selection: Selection
    recommendations: tuple[Recommendation, ...]

    @property
    def total(self) -> int:
        return len(self.recommendations)


@dataclass(frozen=True)
class _PracticeFacts:
    """A practice as shown (independent of the query) and what the filters test."""

    id: str
    own_authorities: tuple[str, ...]
    own_stages: tuple[str, ...]
    references: tuple[str, ...]
    authority_ids: frozenset[str]  # effective
    stage_ids: frozenset[str]
    view: PracticeView


@dataclass
class _ProcessFacts:
    id: str
    principle: str
    text: str | None
    risks: tuple[str, ...]
    authorities: tuple[str, ...]
    stages: tuple[str, ...]
    references: tuple[str, ...]
    practices: list[_PracticeFacts] = field(default_factory=list)
    views: tuple[
        Named, tuple[Named, ...], tuple[Named, ...], tuple[Named, ...], tuple[ReferenceView, ...]
    ] | None = None


class CanvasIndex:
    """Built once per framework: dimension value -> process ids, and every view shown, so a
    query only selects (its cost is the size of its answer)."""

    def __init__(self, fw: Framework) -> None:
        from pipeline.store.reader import gc_paused

        with gc_paused():  # many small acyclic objects: the cyclic GC would only slow it
            self._build(fw)

    def _build(self, fw: Framework) -> None:
        self.fw = fw
        self.choices: dict[str, list[Named]] = {
            "authority": self._named(fw.authorities),
            "stage": self._named(fw.stages),
            "risk": self._named(fw.risks),
            "principle": self._named(fw.principles),
        }
        self._by_id: dict[str, dict[str, Named]] = {
            dim: {n.id: n for n in values} for dim, values in self.choices.items()
        }
        self._lookup: dict[str, dict[str, str]] = {}
        for dim, values in self.choices.items():
            table: dict[str, str] = {}
            for n in values:
                table[normalise_name(n.name)] = n.id
            for n in values:  # ids win over names
                table[n.id.casefold()] = n.id
            self._lookup[dim] = table
        self._rank: dict[str, dict[str, int]] = {
            dim: {n.id: i for i, n in enumerate(values)} for dim, values in self.choices.items()
        }
        self._ref_views: dict[str, ReferenceView] = {}
        for ref_id in sorted_ids(fw.references):
            ref = fw.references[ref_id]
            if ref.is_active:
                self._ref_views[ref_id] = ReferenceView(ref_id, ref.title, ref.url)
        self._rank["reference"] = {r: i for i, r in enumerate(self._ref_views)}

        self.processes: dict[str, _ProcessFacts] = {}
        self.index: dict[str, dict[str, set[str]]] = {dim: {} for dim in DIMENSIONS}
        self.rank: dict[str, int] = {}
        for process_id in sorted(fw.processes, key=natural_key):
            process = fw.processes[process_id]
            principle_id = process_id.rsplit(".", 1)[0]
            if not process.is_active or principle_id not in self._by_id["principle"]:
                continue
            facts = _ProcessFacts(
                id=process_id,
                principle=principle_id,
                text=process.text,
                risks=self._active("risk", process.risks),
                authorities=self._active("authority", process.authorities),
                stages=self._active("stage", process.stages),
                references=self._active_refs(process.references),
            )
            facts.views = (
                self._by_id["principle"][principle_id],
                self._views("risk", facts.risks),
                self._views("authority", facts.authorities),
                self._views("stage", facts.stages),
                self._refs(facts.references),
            )
            self.rank[process_id] = len(self.rank)
            self.processes[process_id] = facts
            self.index["principle"].setdefault(principle_id, set()).add(process_id)
            for dim in ("authority", "stage", "risk"):
                for value in getattr(facts, _PROCESS_FIELD[dim]):
                    self.index[dim].setdefault(value, set()).add(process_id)
        by_process: dict[str, list[str]] = {}
        for practice_id, practice in fw.practices.items():
            if practice.is_active:
                by_process.setdefault(practice_id.rsplit(".", 1)[0], []).append(practice_id)
        for process_id, practice_ids in by_process.items():
            owner = self.processes.get(process_id)
            if owner is None:
                continue
            practice_ids.sort(key=last_number)
            self._add_practices(fw, owner, practice_ids)

    def _add_practices(self, fw: Framework, owner: _ProcessFacts, practice_ids: list[str]) -> None:
        assert owner.views is not None
        inherited_auth, inherited_stage = owner.views[2], owner.views[3]
        for practice_id in practice_ids:
            practice = fw.practices[practice_id]
            own_auth = self._active("authority", practice.authorities)
            own_stage = self._active("stage", practice.stages)
            eff_auth = own_auth or owner.authorities
            eff_stage = own_stage or owner.stages
            refs = self._active_refs(practice.references)
            owner.practices.append(
                _PracticeFacts(
                    id=practice_id,
                    own_authorities=own_auth,
                    own_stages=own_stage,
                    references=refs,
                    authority_ids=frozenset(eff_auth),
                    stage_ids=frozenset(eff_stage),
                    view=PracticeView(
                        id=practice_id,
                        text=practice.text,
                        authorities=(
                            self._views("authority", own_auth) if own_auth else inherited_auth
                        ),
                        stages=self._views("stage", own_stage) if own_stage else inherited_stage,
                        narrowed_authorities=bool(own_auth),
                        narrowed_stages=bool(own_stage),
                        references=self._refs(refs),
                    ),
                )
            )

    @staticmethod
    def _named(table: Mapping[str, object]) -> list[Named]:
        result = []
        for entry_id in sorted_ids(table):
            entry = table[entry_id]
            if getattr(entry, "is_active", False):
                result.append(Named(entry_id, str(getattr(entry, "name", entry_id))))
        return result

    def _active(self, dim: str, ids: Iterable[str]) -> tuple[str, ...]:
        """The active ones among ``ids``, deduplicated, in natural order."""
        rank = self._rank[dim]
        return tuple(sorted({i for i in ids if i in rank}, key=rank.__getitem__))

    def _active_refs(self, ids: Iterable[str]) -> tuple[str, ...]:
        return self._active("reference", ids)

    # ---- selection -------------------------------------------------------------------

    def resolve(self, dimension: str, values: Sequence[str]) -> tuple[Named, ...]:
        """Ids or names (case-insensitive) -> entries; an unknown value is a UsageError
        that lists the valid ones."""
        table = self._lookup[dimension]
        found: set[str] = set()
        for raw in values:
            value = raw.strip()
            hit = table.get(value.casefold()) or table.get(normalise_name(value))
            if hit is None:
                valid = "; ".join(n.label for n in self.choices[dimension])
                label = DIMENSION_LABELS[dimension].lower()
                raise UsageError(
                    f"unknown {label} {raw!r}; valid values (id or name): {valid or '(none)'}"
                )
            found.add(hit)
        return tuple(self._by_id[dimension][i] for i in sorted_ids(found))

    def selection(
        self,
        *,
        authorities: Sequence[str] = (),
        stages: Sequence[str] = (),
        risks: Sequence[str] = (),
        principles: Sequence[str] = (),
    ) -> Selection:
        return Selection(
            authority=self.resolve("authority", authorities),
            stage=self.resolve("stage", stages),
            risk=self.resolve("risk", risks),
            principle=self.resolve("principle", principles),
        )

    # ---- query -------------------------------------------------------------------------

    def matching_process_ids(self, selection: Selection) -> list[str]:
        candidates: set[str] | None = None
        for dim in DIMENSIONS:
            chosen = selection.ids(dim)
            if not chosen:
                continue
            union: set[str] = set()
            for value in chosen:
                union |= self.index[dim].get(value, set())
            candidates = union if candidates is None else candidates & union
            if not candidates:
                return []
        if candidates is None:
            return list(self.processes)  # already in natural order
        return sorted(candidates, key=self.rank.__getitem__)

    def query(self, selection: Selection) -> CanvasResult:
        from pipeline.store.reader import gc_paused

        with gc_paused():  # a query allocates only acyclic views
            return self._query(selection)

    def _query(self, selection: Selection) -> CanvasResult:
        want_auth = selection.ids("authority")
        want_stage = selection.ids("stage")
        recommendations = []
        for number, process_id in enumerate(self.matching_process_ids(selection), start=1):
            facts = self.processes[process_id]
            assert facts.views is not None
            principle, risks, authorities, stages, references = facts.views
            if want_auth or want_stage:
                practices = tuple(
                    p.view
                    for p in facts.practices
                    if (not want_auth or not want_auth.isdisjoint(p.authority_ids))
                    and (not want_stage or not want_stage.isdisjoint(p.stage_ids))
                )
            else:
                practices = tuple(p.view for p in facts.practices)
            recommendations.append(
                Recommendation(
                    number=number,
                    principle=principle,
                    process_id=process_id,
                    text=facts.text,
                    risks=risks,
                    authorities=authorities,
                    stages=stages,
                    references=references,
                    practices=practices,
                )
            )
        return CanvasResult(selection, tuple(recommendations))

    def _views(self, dim: str, ids: Iterable[str]) -> tuple[Named, ...]:
        return tuple(self._by_id[dim][i] for i in ids)

    def _refs(self, ids: Iterable[str]) -> tuple[ReferenceView, ...]:
        return tuple(self._ref_views[i] for i in ids)


# ---- facade ------------------------------------------------------------------------------


def release_framework(releases_dir: Path, release: str) -> Framework:
    """The framework of a published release (releases/vX.Y.Z/framework.json)."""
    if _RELEASE.fullmatch(release) is None:
        raise UsageError(f"--release must look like v1.2.3, not {release!r}")
    path = releases_dir / release / "framework.json"
    if not path.is_file():
        known = sorted(
            (p.name for p in releases_dir.glob("v*") if (p / "framework.json").is_file()),
            key=natural_key,
        )
        listing = ", ".join(known) if known else "none"
        raise UsageError(f"no release {release} ({path} is missing); releases: {listing}")
    from pipeline.exports.framework_json import load_release

    return load_release(path)


def canvas(
    fw: Framework,
    *,
    authorities: Sequence[str] = (),
    stages: Sequence[str] = (),
    risks: Sequence[str] = (),
    principles: Sequence[str] = (),
    index: CanvasIndex | None = None,
) -> CanvasResult:
    """Answer one canvas query (build a :class:`CanvasIndex` once to ask many)."""
    idx = index if index is not None else CanvasIndex(fw)
    selection = idx.selection(
        authorities=authorities, stages=stages, risks=risks, principles=principles
    )
    return idx.query(selection)
