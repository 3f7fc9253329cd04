"""The canvas index (bit sets, per-cell answers) against the canvas's definition."""

from __future__ import annotations

from dpi_safeguards.core.ids import sorted_ids
from dpi_safeguards.knowledge.canvas import CanvasIndex, canvas
from dpi_safeguards.knowledge.formats import render
from dpi_safeguards.models.base import ProvenanceRecord
from dpi_safeguards.models.framework import (
    Authority,
    Framework,
    MetadataFile,
    Practice,
    Principle,
    Process,
    Risk,
    Stage,
)

PRINCIPLES = [f"F{n}" for n in range(1, 10)] + [f"O{n}" for n in range(1, 10)]
AUTHORITIES = [f"R{n}" for n in range(1, 6)]
STAGES = [f"L{n}" for n in range(1, 6)]
RISKS = (
    [f"RS{n}" for n in range(1, 5)]
    + [f"RI{n}" for n in range(1, 5)]
    + [f"SV{n}" for n in range(1, 6)]
)


def big_framework(processes_per_principle: int = 556, practices_per_process: int = 10) -> Framework:
    prov = [ProvenanceRecord.model_construct(source="benchmark")]
    fw = Framework(
        metadata=MetadataFile.model_construct(
            title="Benchmark", licence="CC-BY-SA-4.0", format_version=1, description="-"
        )
    )
    for i in AUTHORITIES:
        fw.authorities[i] = Authority.model_construct(id=i, name=f"Authority {i}", provenance=prov)
    for i in STAGES:
        fw.stages[i] = Stage.model_construct(
            id=i, name=f"Stage {i}", description="-", provenance=prov
        )
    for i in RISKS:
        fw.risks[i] = Risk.model_construct(
            id=i, name=f"Risk {i}", group="safety", description="-", provenance=prov
        )
    n = 0
    for p in PRINCIPLES:
        fw.principles[p] = Principle.model_construct(
            id=p, name=f"Principle {p}", kind="foundational", description="-", provenance=prov
        )
        for k in range(1, processes_per_principle + 1):
            n += 1
            pid = f"{p}.{k}"
            auths = [AUTHORITIES[n % 5], AUTHORITIES[(n // 5) % 5]]
            stages = [STAGES[(n // 25) % 5], STAGES[(n + 2) % 5]]
            fw.processes[pid] = Process.model_construct(
                id=pid,
                text=f"Process {pid}",
                risks=[RISKS[n % 13], RISKS[(n * 7) % 13]],
                authorities=sorted(set(auths)),
                stages=sorted(set(stages)),
                references=[],
                gaps=[],
                provenance=prov,
            )
            for q in range(1, practices_per_process + 1):
                qid = f"{pid}.{q}"
                fw.practices[qid] = Practice.model_construct(
                    id=qid,
                    text=f"Practice {qid}",
                    authorities=[auths[0]] if q % 4 == 0 else [],
                    stages=[stages[1]] if q % 5 == 0 else [],
                    references=[],
                    provenance=prov,
                )
    return fw


def naive_answer(fw: Framework, selection: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The canvas by its definition, scanning everything: (process id, practice ids)."""
    chosen = {dim: set(selection.get(dim, [])) for dim in ("authorities", "stages", "risks")}
    principles = set(selection.get("principles", []))
    answer = []
    for pid in sorted_ids(fw.processes):
        process = fw.processes[pid]
        if principles and pid.rsplit(".", 1)[0] not in principles:
            continue
        if any(chosen[dim] and not chosen[dim] & set(getattr(process, dim)) for dim in chosen):
            continue
        practices = []
        for qid in sorted_ids(q for q in fw.practices if q.rsplit(".", 1)[0] == pid):
            practice = fw.practices[qid]
            auths = set(practice.authorities or process.authorities)
            stages = set(practice.stages or process.stages)
            if chosen["authorities"] and not auths & chosen["authorities"]:
                continue
            if chosen["stages"] and not stages & chosen["stages"]:
                continue
            practices.append(qid)
        answer.append((pid, practices))
    return answer


def test_index_answers_as_the_definition_scanning_everything() -> None:
    """Bit sets, per-cell answers and the filter path against a plain scan, for every
    one-authority / one-stage pair, several values per dimension, and no filter."""
    # Speed is measured by the benchmark (python -m benchmarks), not asserted here.
    fw = big_framework(processes_per_principle=12, practices_per_process=10)
    index = CanvasIndex(fw)
    selections: list[dict[str, list[str]]] = [{}]
    selections += [{"authorities": [a]} for a in AUTHORITIES]
    selections += [{"stages": [s]} for s in STAGES]
    selections += [{"authorities": [a], "stages": [s]} for a in AUTHORITIES for s in STAGES]
    selections += [
        {"authorities": ["R1", "R2"], "stages": ["L1", "L2", "L3"]},
        {"authorities": ["R1", "R4"]},
        {"stages": ["L2", "L5"], "risks": ["RI2", "SV1"]},
        {"authorities": ["R3"], "stages": ["L4"], "principles": ["O9", "F1"]},
        {"risks": ["RS1", "SV2"], "principles": ["F3"]},
        {"principles": ["F3"]},
    ]
    for selection in selections:
        result = canvas(fw, index=index, **selection)
        got = [(r.process_id, [p.id for p in r.practices]) for r in result.recommendations]
        assert got == naive_answer(fw, selection), selection
        assert [r.number for r in result.recommendations] == list(range(1, result.total + 1))
    result = canvas(fw, index=index, authorities=["R3"], stages=["L4"], principles=["O9"])
    assert render(result, "csv").count("\r\n") > 1
