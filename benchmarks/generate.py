"""Deterministic synthetic frameworks and proposals for the benchmarks.

``generate(out, practices=N, proposals=M, seed=S)`` writes::

    out/v1/framework/...              version 1, N practices (canonical writer)
    out/v1/contributions/proposed/    M JSON proposals written against version 1
    out/v2/framework/...              version 2: 1% of practices edited, 1% added,
                                      0.5% deprecated
    out/truth.json                    ground truth: what each proposal should give,
                                      which are planted near-duplicates, what v2 changed

Everything comes from one ``random.Random(seed)``: the same arguments give the same
bytes. Framework files are written by :func:`dpi_safeguards.load.folder.write_framework`, the
project's own canonical writer, so they look exactly like real ones.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpi_safeguards.core.choices import KPI_AREA_CODES, KPI_PHASE_CODES
from dpi_safeguards.core.ids import Kind
from dpi_safeguards.core.text import normalise_text
from dpi_safeguards.load.folder import write_framework
from dpi_safeguards.models.base import Deprecation, ProvenanceRecord
from dpi_safeguards.models.framework import (
    Authority,
    Framework,
    Kpi,
    MetadataFile,
    Practice,
    Principle,
    Process,
    Reference,
    Risk,
    RiskGroup,
    Stage,
)

# A fixed vocabulary: the texts read like the framework's (nouns, verbs and qualifiers
# of DPI governance), never like lorem ipsum, so word-based indexes see realistic
# frequencies.
_WORD_TEXT = """
access accountability accessible adequate agency aggregate algorithm alternative
anonymised appeal application assessment assistive audit authentication authority
automated availability awareness beneficiary biometric budget capacity certification
channel citizen civil clear code collection community compensation complaint compliance
confidential consent consultation continuity contract correction cross-border data
database decision dedicated default deletion deployment design digital disability
disclosure discrimination dispute documented donor eligibility encryption enrolment
equitable error essential ethical evaluation evidence exclusion explicit failure fair
feedback financial framework gender governance grievance guideline harm helpline
identity impact implementation incident independent indigenous informed infrastructure
inclusive institutional integrity interoperable language legal liability lifecycle
literacy local maintenance mandate market migration minimal minority mobile monitoring
multilingual national notice offline open operator opt-out oversight ownership
participation partner payment penalty periodic personal physical platform policy
portability privacy procurement proportionate protection provider public purpose quality
record redress regional registry regulator remedy reporting resilience responsible
retention review rights risk rural safeguard schedule scope secure sensitive service
sharing standard storage supplier surveillance sustainable system technical third-party
threshold timely training transparency trusted undue unique update user vendor
verification vulnerable welfare women workflow ensure publish establish provide maintain
require conduct review define limit document train notify protect restrict enable
monitor test report assign verify support allow record disclose measure include create
adopt update share across all before during every for from in into of on to under with
within and or by at the a their its each regularly independently promptly annually
"""
WORDS = _WORD_TEXT.split()

PRINCIPLES = [f"F{i}" for i in range(1, 10)] + [f"O{i}" for i in range(1, 10)]
RISKS = [f"RS{i}" for i in range(1, 5)] + [f"RI{i}" for i in range(1, 5)]
RISKS += [f"SV{i}" for i in range(1, 6)]
STAGES = [f"L{i}" for i in range(1, 6)]
AUTHORITIES = [f"R{i}" for i in range(1, 6)]
PRACTICES_PER_PROCESS = 10
SOURCE = "benchmark generator"


@dataclass
class Truth:
    """What the generated data should give; written to ``truth.json``."""

    seed: int
    practices: int
    proposals: int
    # proposal file name -> expected finding codes (empty: clean)
    expected: dict[str, list[str]] = field(default_factory=dict)
    # proposal file name -> the practice id it is a near-duplicate of
    near_duplicates: dict[str, str] = field(default_factory=dict)
    # proposal file name -> the text of its first add-practice (for the similarity runs)
    texts: dict[str, str] = field(default_factory=dict)
    v2: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1, sort_keys=True) + "\n"


class _Texts:
    """Unique 15-40-word texts (unique after the project's normalisation)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def new(self, low: int = 15, high: int = 40) -> str:
        while True:
            count = self.rng.randint(low, high)
            words = [self.rng.choice(WORDS) for _ in range(count)]
            text = " ".join(words)
            text = text[0].upper() + text[1:] + "."
            if self.claim(text):
                return text

    def claim(self, text: str) -> bool:
        key = normalise_text(text)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _provenance(location: str) -> list[ProvenanceRecord]:
    return [ProvenanceRecord.model_construct(source=SOURCE, location=location)]


def _subset(rng: random.Random, values: list[str], low: int, high: int) -> list[str]:
    chosen = set(rng.sample(values, rng.randint(low, min(high, len(values)))))
    return [v for v in values if v in chosen]


def build_framework(practices: int, rng: random.Random, texts: _Texts) -> Framework:
    metadata = MetadataFile.model_construct(
        title="Synthetic benchmark framework",
        licence="CC-BY-SA-4.0",
        format_version=1,
        description="Generated by benchmarks/generate.py; not real guidance.",
        sources=[],
    )
    fw = Framework(metadata=metadata)
    for risk_id in RISKS:
        groups: dict[str, RiskGroup] = {"RS": "safety", "RI": "inclusion", "SV": "structural"}
        group = groups[risk_id[:2]]
        fw.risks[risk_id] = Risk.model_construct(
            id=risk_id,
            name=f"Risk {risk_id}",
            group=group,
            description=texts.new(),
            provenance=_provenance(risk_id),
        )
    for principle_id in PRINCIPLES:
        fw.principles[principle_id] = Principle.model_construct(
            id=principle_id,
            name=f"Principle {principle_id}",
            kind="foundational" if principle_id[0] == "F" else "operational",
            description=texts.new(),
            provenance=_provenance(principle_id),
        )
    for stage_id in STAGES:
        fw.stages[stage_id] = Stage.model_construct(
            id=stage_id,
            name=f"Stage {stage_id}",
            description=texts.new(),
            activities=[texts.new(5, 12)],
            provenance=_provenance(stage_id),
        )
    for authority_id in AUTHORITIES:
        fw.authorities[authority_id] = Authority.model_construct(
            id=authority_id,
            name=f"Authority {authority_id}",
            personas=[f"Persona of {authority_id}"],
            roles=[texts.new(5, 12)],
            uses=[texts.new(5, 12)],
            provenance=_provenance(authority_id),
        )
    for area, area_code in KPI_AREA_CODES.items():
        for phase, phase_code in KPI_PHASE_CODES.items():
            for n in range(1, 4):
                kpi_id = f"KPI-{area_code}-{phase_code}-{n}"
                # the codes' keys are the Literal values of Kpi.area and Kpi.phase
                where: dict[str, Any] = {"area": area, "phase": phase}
                fw.kpis[kpi_id] = Kpi.model_construct(
                    id=kpi_id,
                    text=texts.new(8, 20)[:-1] + "?",
                    provenance=_provenance(kpi_id),
                    **where,
                )
    references = [f"REF-{n}" for n in range(1, max(10, practices // 100) + 1)]
    for ref_id in references:
        fw.references[ref_id] = Reference.model_construct(
            id=ref_id,
            title=texts.new(5, 12),
            url=f"https://example.org/{ref_id.lower()}",
            kind=rng.choice(["knowledge-resource", "reference", "case-study", "toolkit"]),
            provenance=_provenance(ref_id),
        )
    processes = max(len(PRINCIPLES), -(-practices // PRACTICES_PER_PROCESS))
    process_ids: list[str] = []
    for index in range(processes):
        principle_id = PRINCIPLES[index % len(PRINCIPLES)]
        process_id = f"{principle_id}.{index // len(PRINCIPLES) + 1}"
        process_ids.append(process_id)
        fw.processes[process_id] = Process.model_construct(
            id=process_id,
            text=texts.new(),
            risks=_subset(rng, RISKS, 1, 3),
            authorities=_subset(rng, AUTHORITIES, 1, 3),
            stages=_subset(rng, STAGES, 1, 3),
            references=_subset(rng, references, 0, 2),
            gaps=[],
            provenance=_provenance(process_id),
            deprecated=None,
        )
    for index in range(practices):
        process = fw.processes[process_ids[index % processes]]
        practice_id = f"{process.id}.{index // processes + 1}"
        fw.practices[practice_id] = _new_practice(rng, texts, process, practice_id, references)
    return fw


def _new_practice(
    rng: random.Random, texts: _Texts, process: Process, practice_id: str, references: list[str]
) -> Practice:
    return Practice.model_construct(
        id=practice_id,
        text=texts.new(),
        authorities=_subset(rng, process.authorities, 0, 2),
        stages=_subset(rng, process.stages, 0, 2),
        references=_subset(rng, references, 0, 1) if rng.random() < 0.3 else [],
        provenance=_provenance(practice_id),
        deprecated=None,
    )


def second_version(fw: Framework, rng: random.Random, texts: _Texts) -> tuple[Framework, Truth]:
    """A copy of ``fw`` with 1% of practices edited, 1% added, 0.5% deprecated."""
    new = Framework(metadata=fw.metadata)
    for kind in Kind:
        new.table(kind).update(fw.table(kind))
    ids = list(fw.practices)
    n = len(ids)
    picked = rng.sample(ids, max(1, n // 100) + max(1, n // 200))
    edited, deprecated = picked[: max(1, n // 100)], picked[max(1, n // 100) :]
    for practice_id in edited:
        old = fw.practices[practice_id]
        new.practices[practice_id] = old.model_copy(update={"text": _perturb(rng, texts, old.text)})
    for practice_id in deprecated:
        old = fw.practices[practice_id]
        new.practices[practice_id] = old.model_copy(
            update={
                "deprecated": Deprecation.model_construct(
                    version="unreleased", reason="Superseded in the benchmark's second version."
                )
            }
        )
    counts: dict[str, int] = {}
    for practice_id in ids:
        parent = practice_id.rsplit(".", 1)[0]
        counts[parent] = counts.get(parent, 0) + 1
    references = list(fw.references)
    added = []
    process_ids = list(fw.processes)
    for _ in range(max(1, n // 100)):
        process = fw.processes[rng.choice(process_ids)]
        counts[process.id] = counts.get(process.id, 0) + 1
        practice_id = f"{process.id}.{counts[process.id]}"
        new.practices[practice_id] = _new_practice(rng, texts, process, practice_id, references)
        added.append(practice_id)
    truth = Truth(seed=0, practices=n, proposals=0)
    truth.v2 = {"edited": sorted(edited), "deprecated": sorted(deprecated), "added": added}
    return new, truth


def _perturb(rng: random.Random, texts: _Texts, text: str) -> str:
    """A near-duplicate: one or two words replaced (similarity stays about 0.9)."""
    while True:
        words = text[:-1].split(" ")
        for _ in range(1 if len(words) < 25 else 2):
            position = rng.randrange(1, len(words))
            words[position] = rng.choice(WORDS)
        candidate = " ".join(words) + "."
        if texts.claim(candidate):
            return candidate


def _contribution(title: str, changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": title,
        "contributors": [{"name": "Benchmark Contributor", "github": "bench-user"}],
        "licence": "CC-BY-SA-4.0",
        "licence_consent": True,
        "changes": changes,
    }


def build_proposals(
    fw: Framework, count: int, rng: random.Random, texts: _Texts, truth: Truth
) -> dict[str, str]:
    """File name -> JSON text. Mix: 70% new practices, 10% planted near-duplicates,
    5% edits, 3% deprecations, 12% with an error (each kind of error in turn)."""
    processes = list(fw.processes.values())
    practice_ids = list(fw.practices)
    out: dict[str, str] = {}
    errors = ["SCH003", "SCH001", "CON002", "CON009", "CON006", "CON004", "IDX001"]
    error_turn = 0
    for index in range(count):
        name = f"p{index + 1:05d}.json"
        roll = rng.random()
        expected: list[str] = []
        process = rng.choice(processes)
        practice: dict[str, Any] = {
            "op": "add-practice",
            "parent": process.id,
            "text": "",
            "authorities": _subset(rng, process.authorities, 0, 1),
            "stages": _subset(rng, process.stages, 0, 1),
        }
        if roll < 0.70:
            practice["text"] = texts.new()
            change = practice
        elif roll < 0.80:
            original_id = rng.choice(practice_ids)
            practice["text"] = _perturb(rng, texts, fw.practices[original_id].text)
            truth.near_duplicates[name] = original_id
            expected = ["CON008"]  # a warning: near-duplicate of an existing practice
            change = practice
        elif roll < 0.85:
            target = fw.practices[rng.choice(practice_ids)]
            change = {
                "op": "edit",
                "target": target.id,
                "field": "text",
                "expected": target.text,
                "value": texts.new(),
            }
        elif roll < 0.88:
            change = {
                "op": "deprecate",
                "target": rng.choice(practice_ids),
                "reason": "Covered by a broader practice (benchmark).",
            }
        else:
            code = errors[error_turn % len(errors)]
            error_turn += 1
            expected = [code]
            practice["text"] = texts.new()
            change = practice
            if code == "CON002":
                practice["parent"] = process.id.split(".")[0] + ".999999"  # no such process
            elif code == "CON009":
                practice["text"] = fw.practices[rng.choice(practice_ids)].text
            elif code == "CON006":
                outside = [a for a in AUTHORITIES if a not in process.authorities]
                if outside:
                    practice["authorities"] = [outside[0]]
                else:
                    expected = []
            elif code == "CON004":
                target = fw.practices[rng.choice(practice_ids)]
                change = {
                    "op": "edit",
                    "target": target.id,
                    "field": "text",
                    "expected": target.text[:-1] + " (older wording).",
                    "value": texts.new(),
                }
            elif code == "IDX001":
                practice["authorities"] = ["Regulator"]
        contribution = _contribution(f"Benchmark proposal {index + 1}", [change])
        if expected == ["SCH003"]:
            contribution["licence_consent"] = "yes"
        elif expected == ["SCH001"]:
            del contribution["title"]
        if change.get("op") == "add-practice":
            truth.texts[name] = change["text"]
        truth.expected[name] = expected
        out[name] = json.dumps(contribution, ensure_ascii=False, indent=2) + "\n"
    return out


def generate(out: Path, *, practices: int, proposals: int, seed: int = 8) -> Truth:
    """Write both versions, the proposals and ``truth.json`` under ``out``."""
    rng = random.Random(seed)
    texts = _Texts(rng)
    fw = build_framework(practices, rng, texts)
    fw2, truth = second_version(fw, rng, texts)
    truth.seed, truth.proposals = seed, proposals
    files = build_proposals(fw, proposals, rng, texts, truth)
    write_framework(fw, out / "v1" / "framework")
    write_framework(fw2, out / "v2" / "framework")
    proposed = out / "v1" / "contributions" / "proposed"
    proposed.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (proposed / name).write_text(text, encoding="utf-8")
    (out / "truth.json").write_text(truth.to_json(), encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--proposals", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    generate(args.out, practices=args.practices, proposals=args.proposals, seed=args.seed)


if __name__ == "__main__":
    main()
