"""The knowledge-library query: authority x stage x risk x principle -> recommendations.

A *recommendation* is one active process (of an active principle) that matches the
selection, shown with those of its active practices that match too; this is the "canvas"
of the Guide's figures 3.3-3.7.

Matching rules (documented in docs/knowledge-library.md):

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
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.core.ids import child_number, natural_key, sorted_ids
from dpi_safeguards.knowledge.bitsets import bits_of, set_bits, single_bits
from dpi_safeguards.knowledge.facts import PracticeFacts, ProcessFacts, QueryViews
from dpi_safeguards.knowledge.views import (
    DIMENSION_LABELS,
    DIMENSIONS,
    CanvasResult,
    Named,
    PracticeView,
    Recommendation,
    ReferenceView,
    Selection,
)

if TYPE_CHECKING:
    from dpi_safeguards.models.framework import Framework, Process

_PROCESS_FIELD = {"authority": "authorities", "stage": "stages", "risk": "risks"}


def normalise_name(value: str) -> str:
    """Case-, punctuation- and '&'-insensitive form: 'Strategy & Design' ->
    'strategy and design'."""
    text = value.casefold().replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def _rank_key(process: Process) -> tuple[bool, tuple[tuple[int, int | str], ...]]:
    return (process.text is None, natural_key(process.id))


class CanvasIndex:
    """Built once per framework: dimension value -> process ids, and every view shown, so a
    query only selects (its cost is the size of its answer)."""

    def __init__(self, fw: Framework) -> None:
        self.fw = fw
        self._index_choices(fw)
        self._index_processes(fw)
        self._index_practices(fw)

    def _index_choices(self, fw: Framework) -> None:
        """The active values of each dimension, how users may name them, their ranks."""
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

    def _index_processes(self, fw: Framework) -> None:
        """Each active process's facts and views, and which processes hold each value."""
        self.processes: dict[str, ProcessFacts] = {}
        # (authority mask, stage mask) of a practice -> the cells it belongs to
        self._cell_keys: dict[tuple[int, int], tuple[int, ...]] = {}
        # dimension -> value -> the ranks of the processes holding it, as bits of an int
        # (bit r: the process of rank r, natural order): a query's unions and
        # intersections are then bitwise operations on a few kB, and reading the answer
        # in rank order needs no sort.
        self.index: dict[str, dict[str, int]] = {dim: {} for dim in DIMENSIONS}
        self.rank: dict[str, int] = {}
        self._by_rank: list[str] = []
        holders: dict[str, dict[str, list[int]]] = {dim: {} for dim in DIMENSIONS}
        # Recommendations whose text the sources give come first (the Guide's own canvases
        # among them: its "Recommendation 1 of N"), then those whose text is a recorded gap;
        # natural id order within each.
        for process_id in sorted(fw.processes, key=lambda p: _rank_key(fw.processes[p])):
            process = fw.processes[process_id]
            principle_id = process_id.rsplit(".", 1)[0]
            if not process.is_active or principle_id not in self._by_id["principle"]:
                continue
            facts = ProcessFacts(
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
            rank = len(self._by_rank)
            self.rank[process_id] = rank
            self._by_rank.append(process_id)
            self.processes[process_id] = facts
            holders["principle"].setdefault(principle_id, []).append(rank)
            for dim in ("authority", "stage", "risk"):
                for value in getattr(facts, _PROCESS_FIELD[dim]):
                    holders[dim].setdefault(value, []).append(rank)
        for dim, held in holders.items():
            self.index[dim] = {value: bits_of(ranks) for value, ranks in held.items()}

    def _index_practices(self, fw: Framework) -> None:
        """Each active practice under its (indexed) process, in number order."""
        by_process: dict[str, list[str]] = {}
        for practice_id, practice in fw.practices.items():
            if practice.is_active:
                by_process.setdefault(practice_id.rsplit(".", 1)[0], []).append(practice_id)
        for process_id, practice_ids in by_process.items():
            owner = self.processes.get(process_id)
            if owner is None:
                continue
            practice_ids.sort(key=child_number)
            self._add_practices(fw, owner, practice_ids)

    def _add_practices(self, fw: Framework, owner: ProcessFacts, practice_ids: list[str]) -> None:
        practices = fw.practices
        for practice_id in practice_ids:
            practice = practices[practice_id]
            owner.practices.append(
                PracticeFacts(
                    practice_id,
                    practice.text,
                    self._active("authority", practice.authorities),
                    self._active("stage", practice.stages),
                    self._active_refs(practice.references),
                )
            )

    def _query_views(self, owner: ProcessFacts) -> QueryViews:
        """The views and masks of a process's practices, made when a query first reaches
        it: the site (which embeds the facts) and a query that reaches few processes do
        not pay for the views of 100,000 practices."""
        if owner.query_views is not None:
            return owner.query_views
        assert owner.views is not None
        inherited_auth, inherited_stage = owner.views[2], owner.views[3]
        views = []
        authority_masks = []
        stage_masks = []
        for p in owner.practices:
            views.append(
                PracticeView(
                    id=p.id,
                    text=p.text,
                    authorities=(
                        self._views("authority", p.own_authorities)
                        if p.own_authorities
                        else inherited_auth
                    ),
                    stages=self._views("stage", p.own_stages) if p.own_stages else inherited_stage,
                    narrowed_authorities=bool(p.own_authorities),
                    narrowed_stages=bool(p.own_stages),
                    references=self._refs(p.references),
                )
            )
            authority_masks.append(self._mask("authority", p.own_authorities or owner.authorities))
            stage_masks.append(self._mask("stage", p.own_stages or owner.stages))
        prepared = QueryViews(tuple(views), tuple(authority_masks), tuple(stage_masks))
        # The answer to each one-authority and/or one-stage selection (the canvas's usual
        # question), ready: a query then takes a tuple instead of testing every practice.
        cells: dict[int, list[PracticeView]] = {}
        for view, auth, stage in zip(views, authority_masks, stage_masks, strict=True):
            keys = self._cell_keys.get((auth, stage))
            if keys is None:
                keys = self._cell_keys[auth, stage] = tuple(
                    self._cell(a, s)
                    for a in (0, *single_bits(auth))
                    for s in (0, *single_bits(stage))
                    if a or s
                )
            for key in keys:
                cells.setdefault(key, []).append(view)
        prepared.cells = {key: tuple(found) for key, found in cells.items()}
        owner.query_views = prepared
        return prepared

    def _cell(self, authority_mask: int, stage_mask: int) -> int:
        """One key per pair of masks (the stage mask has fewer bits than the stages)."""
        return (authority_mask << len(self._rank["stage"])) | stage_mask

    def _mask(self, dim: str, ids: Iterable[str]) -> int:
        rank = self._rank[dim]
        mask = 0
        for value in ids:
            if value in rank:
                mask |= 1 << rank[value]
        return mask

    @staticmethod
    def _named(table: Mapping[str, object]) -> list[Named]:
        result = []
        for entry_id in sorted_ids(table):
            entry = table[entry_id]
            if getattr(entry, "is_active", False):
                result.append(Named(entry_id, str(getattr(entry, "name", entry_id))))
        return result

    def _active(self, dim: str, ids: Collection[str]) -> tuple[str, ...]:
        """The active ones among ``ids``, deduplicated, in natural order."""
        if not ids:  # most practices keep their process's values
            return ()
        rank = self._rank[dim]
        return tuple(sorted({i for i in ids if i in rank}, key=rank.__getitem__))

    def _active_refs(self, ids: Collection[str]) -> tuple[str, ...]:
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
        matching = -1  # every process
        for dim in DIMENSIONS:
            chosen = selection.ids(dim)
            if not chosen:
                continue
            union = 0
            for value in chosen:
                union |= self.index[dim].get(value, 0)
            matching &= union
            if not matching:
                return []
        if matching == -1:
            return list(self._by_rank)  # already in natural order
        by_rank = self._by_rank
        return [by_rank[r] for r in set_bits(matching)]

    def query(self, selection: Selection) -> CanvasResult:
        want_auth = self._mask("authority", selection.ids("authority"))
        want_stage = self._mask("stage", selection.ids("stage"))
        # A single authority and/or stage (or none) has its answer ready in every process.
        ready = want_auth & (want_auth - 1) == 0 and want_stage & (want_stage - 1) == 0
        cell = self._cell(want_auth, want_stage)
        recommendations = []
        processes = self.processes
        for number, process_id in enumerate(self.matching_process_ids(selection), start=1):
            facts = processes[process_id]
            assert facts.views is not None
            principle, risks, authorities, stages, references = facts.views
            prepared = self._query_views(facts)
            practices: tuple[PracticeView, ...]
            if not (want_auth or want_stage):
                practices = prepared.practice_views
            elif ready:
                practices = prepared.cells.get(cell, ())
            else:
                practices = _filtered(prepared, want_auth, want_stage)
            recommendations.append(
                Recommendation(
                    number,
                    principle,
                    process_id,
                    facts.text,
                    risks,
                    authorities,
                    stages,
                    references,
                    practices,
                )
            )
        return CanvasResult(selection, tuple(recommendations))

    def _views(self, dim: str, ids: Iterable[str]) -> tuple[Named, ...]:
        return tuple(self._by_id[dim][i] for i in ids)

    def _refs(self, ids: Iterable[str]) -> tuple[ReferenceView, ...]:
        return tuple(self._ref_views[i] for i in ids)


def _filtered(prepared: QueryViews, want_auth: int, want_stage: int) -> tuple[PracticeView, ...]:
    """The practices of a process matching any of the chosen authorities (mask, 0: any)
    and any of the chosen stages."""
    return tuple(
        view
        for view, auth, stage in zip(
            prepared.practice_views, prepared.authority_masks, prepared.stage_masks, strict=True
        )
        if (not want_auth or auth & want_auth) and (not want_stage or stage & want_stage)
    )


# ---- facade ------------------------------------------------------------------------------


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
