"""Benchmark of review and merge at the scale DESIGN.md names (100,000 practices).

    python benchmarks/bench_review.py [PRACTICES] [CONTRIBUTIONS]

Builds a synthetic framework (the mini fixture's dimensions, PRACTICES practices spread
over 1,000 processes) in a temp folder, writes CONTRIBUTIONS accepted contributions, and
times: the near-duplicate index and one query per contribution, the merge (validation of
every contribution, id assignment, the in-memory check of the whole result, the write),
and the keyed diff of the two versions.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dpi_safeguards import api
from dpi_safeguards.changes.diff import diff_frameworks
from dpi_safeguards.check.similarity import build_similarity_index
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import write_framework
from dpi_safeguards.models.base import ProvenanceRecord
from dpi_safeguards.models.framework import Practice, Process, copy_framework
from dpi_safeguards.store.writer import dump_yaml

MINI = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "mini"


def texts(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    return [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(10, 16))).capitalize() + "."
        for _ in range(count)
    ]


def main(practices: int = 100_000, contributions: int = 200) -> None:
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "ve", "za", "be", "do"]
    vocabulary = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(4000)}
    )
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "repo"
        shutil.copytree(MINI, root)
        ws = Workspace(root)
        fw = api.load(ws)
        source = [ProvenanceRecord(source="benchmark")]
        template = fw.processes["F3.1"]
        all_texts = texts(rng, vocabulary, practices + 1000 + contributions)
        for p in range(1, 1001):
            pid = f"F3.{p + 1}"
            fw.processes[pid] = Process.model_construct(
                **{**dict(template), "id": pid, "text": all_texts[practices + p - 1]}
            )
        for i in range(practices):
            qid = f"F3.{i % 1000 + 2}.{i // 1000 + 1}"
            fw.practices[qid] = Practice.model_construct(
                id=qid,
                text=all_texts[i],
                authorities=[],
                stages=[],
                references=[],
                provenance=source,
                deprecated=None,
            )
        write_framework(fw, ws.framework_dir)
        (ws.contributions_dir).mkdir(exist_ok=True)
        (ws.contributions_dir / "reviewers.yaml").write_text(
            "reviewers:\n- name: Rita Reviewer\n", encoding="utf-8"
        )
        accepted = ws.state_dir("accepted")
        accepted.mkdir(parents=True)
        proposed = all_texts[practices + 1000 :]
        for n, text in enumerate(proposed):
            data = {
                "title": f"Proposal {n}",
                "contributors": [{"name": "Carla"}],
                "licence": "CC-BY-SA-4.0",
                "licence_consent": True,
                "changes": [{"op": "add-practice", "parent": "F3.2", "text": text}],
                "reviews": [
                    {"reviewer": "Rita Reviewer", "date": "2026-01-01", "decision": "accept"}
                ],
            }
            (accepted / f"p{n:05d}.yaml").write_text(dump_yaml(data), encoding="utf-8")

        started = time.perf_counter()
        before = api.load(ws)
        print(f"load {len(before.practices):,} practices: {time.perf_counter() - started:.2f}s")
        started = time.perf_counter()
        index = build_similarity_index(before)
        print(f"near-duplicate index: {time.perf_counter() - started:.2f}s")
        started = time.perf_counter()
        for text in proposed:
            index.similar(text)
        print(f"{len(proposed)} near-duplicate queries: {time.perf_counter() - started:.2f}s")
        started = time.perf_counter()
        result = api.merge(ws, api.MergeOptions(date="2026-01-02"))
        print(
            f"merge {len(result.merged)} contributions: {time.perf_counter() - started:.2f}s "
            f"(ids F3.2.{result.merged[0].added[0].rsplit('.', 1)[1]}...)"
        )
        after = copy_framework(api.load(ws))
        started = time.perf_counter()
        changes = diff_frameworks(before, after)
        print(f"keyed diff: {time.perf_counter() - started:.2f}s, {len(changes.changes)} changes")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
