"""The benchmark suite: ``python -m benchmarks`` (or ``python benchmarks/run.py``).

Generates synthetic frameworks (see :mod:`benchmarks.generate`), runs every operation as
a whole process next to its baseline in the same run, and prints one table: operation,
N, median wall time of ``--repeat`` runs, throughput, peak RSS, the baseline's time, the
ratio, the target and PASS/FAIL.

Each measured command is a separate process; its peak RSS comes from ``os.wait4`` (the
kernel's accounting of exactly that child). One unmeasured warm-up run precedes the timed
runs of every command (both ours and the baseline), so bytecode and the operating
system's file cache are warm on both sides. There is no framework cache to warm: every
run reads the framework from its files, so the figures are those of a fresh clone too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:  # `python benchmarks/run.py` as well as `python -m benchmarks`
    sys.path.insert(0, str(REPO))

GENERATOR_VERSION = 2  # 2: framework/snapshot.json written with the YAML
# Release, near-duplicate and canvas targets are set at this size; below it they are info.
TARGET_N = 100_000
SEED = 8
BIN = Path(sys.executable).parent
BENCH_REQUIREMENTS = ("check_jsonschema", "rapidfuzz", "deepdiff")


# "cpu": user + system time of the measured process (robust on a shared, loaded machine);
# "wall": elapsed time (what a user waits for on an idle machine). Set by --clock.
CLOCK = {"name": "cpu"}


@dataclass
class Run:
    seconds: float  # by the chosen clock
    rss_mib: float
    code: int
    stdout: str = ""
    wall: float = 0.0


@dataclass
class Row:
    operation: str
    n: int
    seconds: float | None
    rss_mib: float | None = None
    items: int | None = None  # what throughput counts (files, practices, queries)
    unit: str = ""
    baseline: str = ""
    baseline_seconds: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""
    ratio: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def cells(self) -> list[str]:
        def secs(value: float | None) -> str:
            if value is None:
                return "n/a"
            return f"{value:.3f}" if value < 10 else f"{value:.1f}"

        throughput = (
            f"{self.items / self.seconds:,.0f} {self.unit}/s" if self.items and self.seconds else ""
        )
        ratio = self.ratio
        if ratio is None and self.seconds is not None and self.baseline_seconds:
            ratio = self.seconds / self.baseline_seconds
        result = "" if self.passed is None else ("PASS" if self.passed else "FAIL")
        return [
            self.operation,
            f"{self.n:,}",
            secs(self.seconds) if self.seconds is not None else (self.note or "n/a"),
            throughput,
            f"{self.rss_mib:,.0f}" if self.rss_mib is not None else "",
            self.baseline,
            secs(self.baseline_seconds) if self.baseline_seconds is not None else "",
            f"{ratio:.3g}x" if ratio is not None else "",
            self.target,
            result,
        ]


HEADERS = [
    "operation",
    "N",
    "median s",
    "throughput",
    "peak RSS MiB",
    "baseline",
    "baseline s",
    "ratio",
    "target",
    "result",
]


def measure(
    cmd: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    capture: bool = False,
    env_extra: dict[str, str] | None = None,
) -> Run:
    """Run one whole process; wall time and the peak RSS of exactly that child."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "BENCH_CLOCK": CLOCK["name"], **(env_extra or {})}
    env.pop("SAFEGUARDS_ROOT", None)
    start = time.perf_counter()
    with subprocess.Popen(
        [str(c) for c in cmd],
        cwd=cwd or REPO,
        env=env,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as child:
        out = child.stdout.read().decode() if capture and child.stdout else ""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    seconds = cpu if CLOCK["name"] == "cpu" else wall
    return Run(seconds, usage.ru_maxrss / 1024, child.returncode, out, wall)


def repeated(
    cmd: Sequence[str | Path],
    repeat: int,
    *,
    cwd: Path | None = None,
    warm: bool = True,
    env_extra: dict[str, str] | None = None,
) -> tuple[Run, Run | None]:
    """Median of ``repeat`` runs (after one warm-up run); also returns the warm-up run."""
    first = measure(cmd, cwd=cwd, env_extra=env_extra) if warm else None
    runs = [measure(cmd, cwd=cwd, env_extra=env_extra) for _ in range(repeat)]
    seconds = statistics.median(r.seconds for r in runs)
    wall = statistics.median(r.wall for r in runs)
    return Run(seconds, max(r.rss_mib for r in runs), runs[-1].code, "", wall), first


def side_by_side(
    ours_cmd: Sequence[str | Path],
    base_cmd: Sequence[str | Path],
    repeat: int,
    *,
    cwd: Path | None = None,
) -> tuple[Run, Run, Run]:
    """Our command and its baseline, run in turns (ours, baseline, ours, ...) after one
    warm-up run each: a slow spell of a shared machine then falls on both, not on one
    side's block of runs. Returns (ours, baseline, our warm-up run)."""
    first = measure(ours_cmd, cwd=cwd)
    measure(base_cmd, cwd=cwd)
    ours: list[Run] = []
    base: list[Run] = []
    for _ in range(repeat):
        ours.append(measure(ours_cmd, cwd=cwd))
        base.append(measure(base_cmd, cwd=cwd))

    def median(runs: list[Run]) -> Run:
        return Run(
            statistics.median(r.seconds for r in runs),
            max(r.rss_mib for r in runs),
            runs[-1].code,
            "",
            statistics.median(r.wall for r in runs),
        )

    return median(ours), median(base), first


# A run of one file takes a third of a second: more runs are cheap, and they steady the
# median of a figure whose margin is smaller than one run's jitter.
SINGLE_FILE_REPEAT = 9


def probe(name: str, *args: str | Path) -> list[str | Path]:
    return [sys.executable, "-m", "benchmarks._probes", name, *args]


def ensure_bench_extra(install: bool) -> None:
    """The project itself (so ``safeguards`` exists) and the ``bench`` extra."""
    import importlib.metadata

    missing = [m for m in BENCH_REQUIREMENTS if importlib.util.find_spec(m) is None]
    try:
        importlib.metadata.distribution("dpi-safeguards-pipeline")
    except importlib.metadata.PackageNotFoundError:
        missing.append("dpi-safeguards-pipeline")
    if not missing:
        return
    if not install:
        raise SystemExit(f"missing {', '.join(missing)}: pip install -e '.[bench]'")
    print(f"installing the bench extra (missing: {', '.join(missing)})", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-e", f"{REPO}[bench]"], check=True
    )


def compile_bytecode() -> None:
    """Measure our package as pip installs it, with its bytecode compiled, like the
    baseline's. An editable install leaves that to the first run, which cannot write it
    where PYTHONDONTWRITEBYTECODE is set: every measured run would then compile every
    module it imports from source (0.1 s here, a third of validating one file)."""
    import compileall

    for name in ("dpi_safeguards", "check_jsonschema"):
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(location, quiet=2)


def dataset(workdir: Path, n: int, proposals: int) -> Path:
    """Generate (once; reused while the generator and its arguments are the same)."""
    folder = workdir / f"n{n}-p{proposals}-s{SEED}-g{GENERATOR_VERSION}"
    done = folder / ".complete"
    if done.exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    print(f"generating {n:,} practices and {proposals:,} proposals in {folder}", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.generate",
            folder,
            "--practices",
            str(n),
            "--proposals",
            str(proposals),
            "--seed",
            str(SEED),
        ],
        check=True,
        cwd=REPO,
    )
    done.write_text("ok\n", encoding="utf-8")
    return folder


def safeguards() -> list[str | Path]:
    exe = BIN / "safeguards"
    return [exe] if exe.exists() else [sys.executable, "-m", "dpi_safeguards"]


def check_jsonschema() -> list[str | Path]:
    exe = BIN / "check-jsonschema"
    return [exe] if exe.exists() else [sys.executable, "-m", "check_jsonschema"]


# ---- the benchmarks -----------------------------------------------------------------------


def bench_validate(data: Path, n: int, repeat: int, proposals: int) -> list[Row]:
    root = data / "v1"
    schema = REPO / "schemas" / "contribution.schema.json"
    names = sorted(p.name for p in (root / "contributions" / "proposed").iterdir())
    rows = []
    ours_cmd = [*safeguards(), "--root", root, "validate", "contributions/proposed"]
    base_cmd = [
        *check_jsonschema(),
        "--schemafile",
        schema,
        *(f"contributions/proposed/{x}" for x in names),
    ]
    ours, base, _ = side_by_side(ours_cmd, base_cmd, repeat, cwd=root)
    ratio = ours.seconds / base.seconds
    rows.append(
        Row(
            f"validate {proposals:,} proposals",
            n,
            ours.seconds,
            ours.rss_mib,
            proposals,
            "files",
            "check-jsonschema (schema only)",
            base.seconds,
            # The figure is for 10,000 files; with fewer, start-up costs dominate.
            "<= 0.5x" if proposals >= 10_000 else "info",
            ratio <= 0.5 if proposals >= 10_000 else None,
        )
    )
    one = f"contributions/proposed/{names[0]}"
    ours, base, _ = side_by_side(
        [*safeguards(), "--root", root, "validate", one],
        [*check_jsonschema(), "--schemafile", schema, one],
        max(repeat, SINGLE_FILE_REPEAT),
        cwd=root,
    )
    ratio = ours.seconds / base.seconds
    rows.append(
        Row(
            "validate 1 proposal",
            n,
            ours.seconds,
            ours.rss_mib,
            None,
            "",
            "check-jsonschema (schema only)",
            base.seconds,
            "<= 0.8x",
            ratio <= 0.8,
        )
    )
    return rows


def bench_validate_real(repeat: int) -> list[Row]:
    """One proposal against the repository's own v1.0 framework (the issue's case)."""
    schema = REPO / "schemas" / "contribution.schema.json"
    one = "contributions/examples/add-practice.yaml"
    practices = sum(
        line.lstrip().startswith("- id: ") and line.count(".") == 2
        for path in (REPO / "framework" / "principles").glob("*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    ours, base, _ = side_by_side(
        [*safeguards(), "--root", REPO, "validate", one],
        [*check_jsonschema(), "--schemafile", schema, one],
        max(repeat, SINGLE_FILE_REPEAT),
        cwd=REPO,
    )
    return [
        Row(
            "validate 1 proposal (repo's v1.0 framework)",
            practices,
            ours.seconds,
            ours.rss_mib,
            baseline="check-jsonschema (schema only)",
            baseline_seconds=base.seconds,
            target="<= 0.8x",
            passed=ours.seconds / base.seconds <= 0.8,
        )
    ]


def bench_load(data: Path, n: int, repeat: int) -> list[Row]:
    folder = data / "v1" / "framework"
    cold, _ = repeated(probe("load", folder), repeat, cwd=REPO)
    base, _ = repeated(probe("read-yaml", folder), repeat, cwd=REPO)
    common = {"items": n, "unit": "practices", "baseline": "yaml.load(CSafeLoader) only"}
    return [
        Row(
            "load framework (parse + models)",
            n,
            cold.seconds,
            cold.rss_mib,
            baseline_seconds=base.seconds,
            target="info",
            **common,  # type: ignore[arg-type]
        ),
    ]


def bench_diff(data: Path, n: int, repeat: int, deepdiff_max: int) -> list[Row]:
    old, new = data / "v1" / "framework", data / "v2" / "framework"
    cmd = [*safeguards(), "--root", data / "v2", "diff", "--from", old, "--to", new]
    cmd += ["--format", "json"]
    label = "safeguards diff --format json"
    ours, _ = repeated(cmd, repeat, cwd=REPO)
    base, _ = repeated(probe("read-yaml", old, new), repeat, cwd=REPO)
    ratio = ours.seconds / base.seconds
    rows = [
        Row(
            label,
            n,
            ours.seconds,
            ours.rss_mib,
            2 * n,
            "practices",
            "read + parse both (CSafeLoader)",
            base.seconds,
            "<= 3x",
            ratio <= 3,
        )
    ]
    # The diff computation alone (both versions loaded) against DeepDiff alone over the
    # whole structure keyed by id, as in the measurements.
    core = measure(probe("diff-core", old, new), cwd=REPO, capture=True)
    core_seconds = json.loads(core.stdout)["seconds"]
    if n <= deepdiff_max:
        deep = measure(probe("deepdiff", old, new), cwd=REPO, capture=True)
        deep_seconds = json.loads(deep.stdout)["seconds"]
        note = "DeepDiff keyed by id, whole structure"
        _DEEPDIFF_SEEN["largest"] = (n, deep_seconds)
    else:
        measured = _DEEPDIFF_SEEN.get("largest")
        if measured is None:
            return rows
        size, seconds = measured
        deep_seconds = seconds * n / size
        note = f"DeepDiff keyed (linear from N={size:,})"
    rows.append(
        Row(
            "  diff computation vs DeepDiff",
            n,
            core_seconds,
            None,
            2 * n,
            "practices",
            note,
            deep_seconds,
            # The issue measured this at 10,000 practices; at 1,000 both take milliseconds.
            ">= 50x faster" if n >= 10_000 else "info",
            deep_seconds / core_seconds >= 50 if n >= 10_000 else None,
        )
    )
    return rows


_DEEPDIFF_SEEN: dict[str, tuple[int, float]] = {}


def bench_release(data: Path, n: int, repeat: int, scratch: Path) -> list[Row]:
    base, _ = repeated(
        probe("json-once", data / "v1" / "framework", scratch / "framework.json"), repeat
    )
    work = scratch / "release-root"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data / "v1" / "framework", work / "framework")
    cmd = [*safeguards(), "--root", work, "release", "--version", "1.0.0", "--dry-run"]
    ours, _ = repeated(cmd, repeat, cwd=work)
    if ours.code != 0:
        return [Row("release (all exports)", n, None, note=f"error (exit {ours.code})")]
    ratio = ours.seconds / base.seconds
    return [
        Row(
            "release --dry-run (all exports)",
            n,
            ours.seconds,
            ours.rss_mib,
            n,
            "practices",
            "load + write JSON once",
            base.seconds,
            "<= 5x, RSS < 1 GiB" if n >= TARGET_N else "info",
            ratio <= 5 and ours.rss_mib < 1024 if n >= TARGET_N else None,
        )
    ]


def bench_similarity(
    data: Path, n: int, queries: int, baseline_queries: int, repeat: int
) -> list[Row]:
    operation = f"near-duplicates of {queries:,} proposals"
    folder, truth_file = data / "v1" / "framework", data / "truth.json"
    ours_cmd = probe("similarity", folder, truth_file, str(queries))
    base_cmd = probe("rapidfuzz", folder, truth_file, str(min(queries, baseline_queries)))
    # The median of `repeat` runs of each (ours, the loop, ours, ...): each probe times
    # its own index and queries, and their answers are the same on every run.
    ours_runs: list[Run] = []
    base_runs: list[Run] = []
    for _ in range(repeat):
        ours_runs.append(measure(ours_cmd, cwd=REPO, capture=True))
        base_runs.append(measure(base_cmd, cwd=REPO, capture=True))
    found = json.loads(ours_runs[0].stdout)
    found["seconds"] = statistics.median(json.loads(r.stdout)["seconds"] for r in ours_runs)
    loop = json.loads(base_runs[0].stdout)
    loop["seconds"] = statistics.median(json.loads(r.stdout)["seconds"] for r in base_runs)
    loop_seconds = loop["seconds"] * queries / min(queries, baseline_queries)
    answers: dict[str, str | None] = found["answers"]
    expected = {k: v for k, v in loop["answers"].items() if v is not None}
    ours_found = {k: v for k, v in answers.items() if v is not None and k in loop["answers"]}
    agree = sum(1 for k, v in expected.items() if answers.get(k) == v)
    recall = agree / len(expected) if expected else 1.0
    precision = (
        sum(1 for k, v in ours_found.items() if expected.get(k) == v) / len(ours_found)
        if ours_found
        else 1.0
    )
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    planted = {k: v for k, v in truth["near_duplicates"].items() if k in answers}
    planted_recall = (
        sum(1 for k, v in planted.items() if answers.get(k) == v) / len(planted) if planted else 1.0
    )
    seconds = found["seconds"]
    speedup = loop_seconds / seconds
    # The issue sets this target at 100,000 practices; smaller sizes are shown for scaling.
    ok = seconds < 10 and speedup >= 20 and recall >= 0.95 if n >= TARGET_N else None
    extrapolated = "" if queries <= baseline_queries else f", extrapolated from {baseline_queries}"
    return [
        Row(
            operation + " (index + queries)",
            n,
            seconds,
            max(r.rss_mib for r in ours_runs),
            queries,
            "queries",
            f"rapidfuzz extractOne loop{extrapolated}",
            loop_seconds,
            "< 10 s, >= 20x faster, recall >= 0.95" if ok is not None else "info",
            ok,
            note=(
                f"recall {recall:.3f} vs loop, precision {precision:.3f}, "
                f"recall {planted_recall:.3f} on {len(planted)} planted"
            ),
        )
    ]


def bench_canvas(data: Path, n: int) -> list[Row]:
    run = measure(probe("canvas", data / "v1" / "framework"), cwd=REPO, capture=True)
    found = json.loads(run.stdout or "{}")
    ratio = found["seconds"] / found["load_seconds"]
    rows = [
        Row(
            "canvas query (once loaded, cold CPU cache)",
            n,
            found["seconds"],
            run.rss_mib,
            None,
            "",
            "loading the framework",
            found["load_seconds"],
            "< 5% of load" if n >= TARGET_N else "info",
            ratio < 0.05 if n >= TARGET_N else None,
        )
    ]
    if "warm_seconds" in found:
        rows.append(
            Row(
                "  same query again (warm CPU cache)",
                n,
                found["warm_seconds"],
                None,
                None,
                "",
                "loading the framework",
                found["load_seconds"],
                "info",
            )
        )
    return rows


def scaling_rows(rows: list[Row], low: int, high: int) -> list[Row]:
    out = []
    by_key: dict[tuple[str, int], Row] = {(r.operation, r.n): r for r in rows}
    for row in rows:
        if row.n != high or row.seconds is None or row.operation.startswith("  "):
            continue
        before = by_key.get((row.operation, low))
        if before is None or before.seconds is None:
            continue
        growth = row.seconds / before.seconds
        limit = 12 * high / low / 10
        out.append(
            Row(
                f"scaling: {row.operation}",
                high,
                row.seconds,
                baseline=f"same at N={low:,}",
                baseline_seconds=before.seconds,
                target=f"<= {limit:g}x",
                passed=growth <= limit,
            )
        )
    return out


def render(rows: list[Row]) -> str:
    table = [HEADERS, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = []
    for index, line in enumerate(table):
        lines.append(
            "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
        )
        if index == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {r.operation.strip()} (N={r.n:,}): {r.note}" for r in rows if r.note and r.seconds]
    return "\n".join(lines) + ("\n\n" + "\n".join(notes) if notes else "") + "\n"


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f"{int(memory) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        mem = "unknown"
    return (
        f"{os.cpu_count()} CPUs ({model}), {mem} memory, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default=None, help="practice counts (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command (>= 3)")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000; fewer proposals")
    parser.add_argument("--proposals", type=int, default=None, help="proposal files (10000)")
    parser.add_argument("--queries", type=int, default=1000, help="near-duplicate queries")
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench-data")
    parser.add_argument(
        "--only", default=None, help="comma list: validate,load,diff,release,similarity,canvas"
    )
    parser.add_argument("--no-install", action="store_true", help="do not pip install extras")
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="cpu: user+system time of each process (default; fair on a shared machine); "
        "wall: elapsed time",
    )
    parser.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        default=None,
        help="print one table (with the scaling rows) from the --json files of earlier runs, "
        "e.g. the 100,000 size run in the background on its own",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    args = parser.parse_args(argv)
    if args.combine:
        combined = [
            Row(**row)
            for file in args.combine
            for row in json.loads(file.read_text(encoding="utf-8"))
        ]
        seen: set[tuple[str, int]] = set()
        unique = []
        for row in combined:
            if (row.operation, row.n) not in seen:
                seen.add((row.operation, row.n))
                unique.append(row)
        unique.sort(key=lambda r: r.n)
        unique = [r for r in unique if not r.operation.startswith("scaling: ")]
        unique.extend(scaling_rows(unique, 10000, 100000))
        print(render(unique))
        return 1 if any(r.passed is False for r in unique) else 0
    sizes = [
        int(s)
        for s in (args.sizes or ("1000,10000" if args.quick else "1000,10000,100000")).split(",")
    ]
    proposals = args.proposals or (1000 if args.quick else 10000)
    repeat = max(3, args.repeat)
    only = set(args.only.split(",")) if args.only else None
    CLOCK["name"] = args.clock
    ensure_bench_extra(not args.no_install)
    compile_bytecode()
    print(f"machine: {machine()}", file=sys.stderr)
    args.workdir.mkdir(parents=True, exist_ok=True)
    scratch = args.workdir / "scratch"
    scratch.mkdir(exist_ok=True)
    rows: list[Row] = []

    def wanted(name: str) -> bool:
        return only is None or name in only

    if wanted("validate"):
        print("validate: the repository's own framework", file=sys.stderr)
        rows.extend(bench_validate_real(repeat))
    for n in sizes:
        data = dataset(args.workdir, n, proposals)
        for name in ("validate", "load", "diff", "release", "similarity", "canvas"):
            if wanted(name):
                print(f"N={n:,}: {name}", file=sys.stderr)
                if name == "validate":
                    new_rows = bench_validate(data, n, repeat, proposals)
                elif name == "load":
                    new_rows = bench_load(data, n, repeat)
                elif name == "diff":
                    new_rows = bench_diff(data, n, repeat, deepdiff_max=10000)
                elif name == "release":
                    new_rows = bench_release(data, n, repeat, scratch)
                elif name == "similarity":
                    new_rows = bench_similarity(data, n, args.queries, 200, repeat)
                else:
                    new_rows = bench_canvas(data, n)
                rows.extend(new_rows)
                for row in new_rows:
                    print("  " + " | ".join(row.cells()), file=sys.stderr)
    if 10000 in sizes and 100000 in sizes:
        rows.extend(scaling_rows(rows, 10000, 100000))
    print(f"machine: {machine()}")
    print(f"clock: {args.clock} time, repeat: {repeat} (median), proposals: {proposals:,}\n")
    print(render(rows))
    if args.json:
        args.json.write_text(
            json.dumps([r.__dict__ for r in rows], indent=1, default=str) + "\n", encoding="utf-8"
        )
    return 1 if any(r.passed is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
