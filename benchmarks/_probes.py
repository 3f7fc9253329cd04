"""Small measured programs the runner starts as separate processes.

``python -m benchmarks._probes NAME ARGS...``. Each is a whole process, so the runner's
wall time and peak RSS include start-up, imports and reading, as a user would see them.
Probes that time only one phase inside the process print ``{"seconds": ...}`` (and other
figures) as JSON on stdout.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def _now() -> float:
    """The runner's clock: process CPU time, or wall time with --clock wall."""
    if os.environ.get("BENCH_CLOCK", "cpu") == "cpu":
        return time.process_time()
    return time.perf_counter()


def read_yaml(folders: list[str]) -> None:
    """Baseline: read and parse every YAML file of the given framework folders with
    libyaml's C loader, nothing else."""
    import yaml

    for folder in folders:
        for path in sorted(Path(folder).rglob("*.yaml")):
            with path.open("rb") as handle:
                yaml.load(handle, Loader=yaml.CSafeLoader)


def load(folders: list[str]) -> None:
    """The project's loader (safe reading + models) on each framework folder."""
    from dpi_safeguards.load.folder import load_framework

    for folder in folders:
        loaded = load_framework(Path(folder))
        if not loaded.ok:
            raise SystemExit(f"{folder} does not load")
        _restore_all(loaded.framework)


def _restore_all(fw: Any) -> None:
    """Read every entry: a framework restored from the cache unpickles entries on first
    read, and a load is only complete when all of them are there."""
    from dpi_safeguards.core.ids import Kind

    for kind in Kind:
        for _entry in fw.table(kind).values():
            pass


def _keyed(folder: str) -> dict[str, Any]:
    import yaml

    records: dict[str, Any] = {}
    for path in sorted(Path(folder).rglob("*.yaml")):
        with path.open("rb") as handle:
            data = yaml.load(handle, Loader=yaml.CSafeLoader)
        if "processes" in data:
            for process in data.pop("processes"):
                for practice in process.pop("practices", []):
                    records[practice["id"]] = practice
                records[process["id"]] = process
            records[data["id"]] = data
        else:
            for value in data.values():
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, dict) and "id" in item:
                            records[item["id"]] = item
    return records


def deepdiff_keyed(folders: list[str]) -> None:
    """Baseline: DeepDiff over the whole structure keyed by id (dict of records); times
    the DeepDiff call only (reading is the same for both sides)."""
    from deepdiff import DeepDiff

    old, new = _keyed(folders[0]), _keyed(folders[1])
    start = _now()
    result = DeepDiff(old, new, verbose_level=2)
    seconds = _now() - start
    print(json.dumps({"seconds": seconds, "changes": len(result.affected_root_keys)}))


def diff_core(folders: list[str]) -> None:
    """The keyed diff alone (``changes.diff.diff_frameworks``), both versions loaded."""
    from dpi_safeguards.changes.diff import diff_frameworks
    from dpi_safeguards.load.folder import load_framework

    old, new = (load_framework(Path(f)).framework for f in folders)
    _restore_all(old)
    _restore_all(new)
    # Once untimed: pydantic builds the change-list models' validators on first use
    # (defer_build), a one-off cost of the process, not of the comparison.
    diff_frameworks(old, new)
    start = _now()
    changes = diff_frameworks(old, new)
    seconds = _now() - start
    print(json.dumps({"seconds": seconds, "changes": len(changes.changes)}))


def json_once(folders: list[str], out: str) -> None:
    """Baseline for release: load the framework and write it once as JSON."""
    from dpi_safeguards.exports.framework_json import framework_to_data
    from dpi_safeguards.load.folder import load_framework
    from dpi_safeguards.store.writer import dump_json

    loaded = load_framework(Path(folders[0]))
    Path(out).write_text(dump_json(framework_to_data(loaded.framework)), encoding="utf-8")


def _queries(truth_file: str, count: int) -> list[tuple[str, str]]:
    truth = json.loads(Path(truth_file).read_text(encoding="utf-8"))
    texts: dict[str, str] = truth["texts"]
    return sorted(texts.items())[:count]


def similarity(folder: str, truth_file: str, count: str) -> None:
    """The project's near-duplicate index: build once, query ``count`` proposal texts."""
    from dpi_safeguards.check import similarity as sim
    from dpi_safeguards.load.folder import load_framework

    fw = load_framework(Path(folder)).framework
    _restore_all(fw)
    queries = _queries(truth_file, int(count))
    gc.collect()
    gc.freeze()
    start = _now()
    index = sim.build_similarity_index(fw)
    answers: dict[str, str | None] = {}
    for name, text in queries:
        found = [m for m in index.similar(text) if m.label in fw.practices]
        answers[name] = found[0].label if found else None
    seconds = _now() - start
    print(json.dumps({"seconds": seconds, "answers": answers}))


def rapidfuzz_loop(folder: str, truth_file: str, count: str) -> None:
    """Baseline: ``process.extractOne(text, all_texts, scorer=fuzz.ratio,
    score_cutoff=80)`` per proposal (texts normalised the project's way on both sides)."""
    from rapidfuzz import fuzz, process

    from dpi_safeguards.core.text import normalise_text
    from dpi_safeguards.load.folder import load_framework

    fw = load_framework(Path(folder)).framework
    ids = list(fw.practices)
    texts = [normalise_text(fw.practices[i].text) for i in ids]
    queries = _queries(truth_file, int(count))
    start = _now()
    answers: dict[str, str | None] = {}
    for name, text in queries:
        query = normalise_text(text)
        best = process.extractOne(query, texts, scorer=fuzz.ratio, score_cutoff=80)
        # An identical text is CON009's business, not a near-duplicate.
        answers[name] = ids[best[2]] if best and best[1] < 100 else None
    seconds = _now() - start
    print(json.dumps({"seconds": seconds, "answers": answers}))


def canvas(folder: str) -> None:
    """Load time vs the time of canvas queries once loaded (median of 20 selections).

    Each query is timed with the CPU's caches emptied first (a write to every cache line
    of a 128 MiB buffer, not timed), at every size alike. Without it the comparison
    between sizes measures the cache rather than the work: the index of 10,000 practices
    (a few MB) stays in the CPU cache between queries, the one of 100,000 does not, so
    the same algorithm looked 15-35x slower for 10x the answer. The same query run again
    right after (warm caches, best of 3) is reported too."""
    start = _now()
    from dpi_safeguards.load.folder import load_framework

    fw = load_framework(Path(folder)).framework
    _restore_all(fw)
    load_seconds = _now() - start
    from dpi_safeguards.knowledge.canvas import CanvasIndex

    index = CanvasIndex(fw)
    selections = [
        {"authorities": [f"R{1 + i % 5}"], "stages": [f"L{1 + i % 5}"]} for i in range(10)
    ] + [{"risks": ["RS1", "SV2"], "principles": [f"F{1 + i % 9}"]} for i in range(10)]
    flush = bytearray(128 << 20)
    lines = range(0, len(flush), 64)
    ones = b"\1" * len(lines)
    cold, warm = [], []
    for chosen in selections:
        selection = index.selection(**chosen)
        flush[::64] = ones
        begin = _now()
        result = index.query(selection)
        _ = result.total
        cold.append(_now() - begin)
        del result
        again = []
        for _repeat in range(3):
            begin = _now()
            result = index.query(selection)
            _ = result.total
            again.append(_now() - begin)
            del result
        warm.append(min(again))
    cold.sort()
    warm.sort()
    print(
        json.dumps(
            {
                "seconds": cold[len(cold) // 2],
                "warm_seconds": warm[len(warm) // 2],
                "load_seconds": load_seconds,
            }
        )
    )


PROBES = {
    "read-yaml": read_yaml,
    "load": load,
    "deepdiff": deepdiff_keyed,
    "diff-core": diff_core,
    "json-once": json_once,
    "similarity": similarity,
    "rapidfuzz": rapidfuzz_loop,
    "canvas": canvas,
}


def main() -> None:
    name, *args = sys.argv[1:]
    probe: Any = PROBES[name]
    if name in ("read-yaml", "load", "deepdiff", "diff-core"):
        probe(args)
    elif name == "json-once":
        probe(args[:-1], args[-1])
    else:
        probe(*args)


if __name__ == "__main__":
    main()
