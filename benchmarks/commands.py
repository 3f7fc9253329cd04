"""Every command, cold, at three sizes: the repository's own framework (about 350 entries)
and generated frameworks of 10,000 and 100,000 practices (issue 18's cold figures).

    python -m benchmarks.commands [--sizes 10000,100000] [--repeat N]

"Cold" is what a fresh clone pays: there is no cache of any kind, so every run reads the
framework from its files (and framework/snapshot.json, which is committed with them). Each
row is the median of N runs of a whole process after one unmeasured warm-up run (bytecode
compiled, files in the page cache, as on a CI runner after checkout), with its peak RSS.
Commands that need the repository's release history (``diff --from``, ``verify``) run on
the repository's framework only. Targets: one proposal validated at 100,000 practices in at
most 2 s and under 400 MiB; a release at 100,000 in at most 10 s and under 1 GiB.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.run import REPO, compile_bytecode, dataset, measure, repeated, safeguards

REPO_PROPOSAL = "contributions/examples/add-practice.yaml"
GENERATED_PROPOSAL = "contributions/proposed/p00001.json"
PROPOSALS = 1000  # generated beside each framework; `validate (everything)` checks them all


@dataclass(frozen=True)
class Target:
    seconds: float
    mib: float


# (command name, size) -> target; every other row is for information.
TARGETS = {
    ("validate 1 proposal", 100_000): Target(2.0, 400),
    ("release --dry-run --version 9.0.0", 100_000): Target(10.0, 1024),
}


def commands(scratch: Path, proposal: str, *, history: bool) -> dict[str, list[str | Path]]:
    """Each command as a user runs it (anything written goes to ``scratch``)."""
    listed: dict[str, list[str | Path]] = {
        "stats": ["stats"],
        "show F1.1": ["show", "F1.1"],
        "validate (everything)": ["validate"],
        "validate 1 proposal": ["validate", proposal],
        "diff 1 proposal": ["diff", proposal],
        "canvas -a R1 -s L2": ["canvas", "-a", "R1", "-s", "L2"],
        "site -o DIR": ["site", "-o", scratch / "site"],
        "format --check": ["format", "--check"],
        "new (printed)": ["new", "--kind", "practice", "--parent", "F1.1", "-o", "-"],
        "release --dry-run --version 9.0.0": ["release", "--dry-run", "--version", "9.0.0"],
    }
    if history:
        listed["diff --from v1.1.0"] = ["diff", "--from", "v1.1.0"]
        listed["verify --no-rebuild"] = ["verify", "--no-rebuild"]
    return listed


COUNTRY = """\
format_version: 1
country: Benchland
namespace: BX
title: Benchland DPI Safeguards Framework
description: A country framework for the benchmark.
upstream:
  version: {version}
  sha256: "{sha256}"
select:
- principles: [F1, F3]
- risks: [RI2]
  stages: [L2]
processes:
- id: F3.BX1
  text: A process of the country's own.
  risks: [RI2]
  authorities: [R1]
  stages: [L2]
  provenance: [{{source: benchmark}}]
practices:
- id: F3.BX1.1
  text: A practice of the country's own.
  provenance: [{{source: benchmark}}]
tracking:
  F3.BX1.1: {{owner: Ministry, due: "2026-06-30", status: in-progress}}
"""


def country_commands(root: Path, scratch: Path) -> dict[str, list[str | Path]]:
    """The country commands on a country framework over ``root``'s framework: released
    once into ``scratch`` (a dry run's bundle) unless the root has releases of its own."""
    releases = root / "releases"
    version = "1.2.0"
    if not (releases / f"v{version}" / "framework.json").is_file():
        releases, version = scratch / "releases", "9.0.0"
        releases.mkdir()
        made = measure([*safeguards(), "release", "--dry-run", "--version", version, "-o",
                        releases / f"v{version}"], cwd=root)  # fmt: skip
        if made.code != 0:
            raise SystemExit(f"the release the country pins could not be built in {root}")
    digest = hashlib.sha256((releases / f"v{version}" / "framework.json").read_bytes())
    country = scratch / "country"
    country.mkdir()
    text = COUNTRY.format(version=version, sha256=digest.hexdigest())
    (country / "country.yaml").write_text(text, encoding="utf-8")
    up: list[str | Path] = ["--upstream", releases]
    return {
        "country validate": ["country", "validate", country, *up],
        "country status": ["country", "status", country, "--as-of", "2026-12-07", *up],
        "country resolve -o DIR": ["country", "resolve", country, "-o", scratch / "out", *up],
    }


def translation_commands(root: Path, scratch: Path) -> dict[str, list[str | Path]]:
    """The translations commands on a copy of ``root``'s framework with one catalogue (a
    new French one, nothing translated, published from 0%: every text falls back), so
    that the release row builds every per-language export too."""
    copy = scratch / "translated"
    shutil.copytree(root / "framework", copy / "framework")
    (copy / "translations").mkdir()
    (copy / "translations" / "translations.yaml").write_text("publish_from_percent: 0\n")
    made = measure([*safeguards(), "--root", copy, "translations", "update", "--add", "fr"])
    if made.code != 0:
        raise SystemExit(f"the catalogue could not be made in {copy}")
    at: list[str | Path] = ["--root", copy]
    return {
        "translations status": [*at, "translations", "status"],
        "translations check": [*at, "translations", "check"],
        "translations update --check": [*at, "translations", "update", "--check"],
        "release --dry-run, 1 language": [*at, "release", "--dry-run", "--version", "9.0.0"],
    }


def distribution_commands(root: Path, scratch: Path) -> dict[str, list[str | Path]]:
    """The signing and the verified download on a releases folder holding one release of
    ``root``'s framework (a dry run's bundle), signed once with new keys."""
    signed = scratch / "signed"
    (signed / "releases").mkdir(parents=True)
    shutil.copytree(root / "framework", signed / "framework")
    made = measure([*safeguards(), "--root", signed, "release", "--version", "1.0.0"])
    keys = scratch / "tuf-keys"
    init = measure([*safeguards(), "--root", signed, "tuf", "init", "--keys", keys])
    if made.code != 0 or init.code != 0:
        raise SystemExit(f"the signed release could not be made in {signed}")
    trusted = signed / "releases" / "tuf" / "1.root.json"
    source = signed / "releases"
    return {
        "tuf publish": ["--root", signed, "tuf", "publish", "--keys", keys],
        "tuf status": ["--root", signed, "tuf", "status"],
        "download (TUF) -o DIR": [
            "download", "latest", "--from", source, "-o", scratch / "downloaded",
            "--trusted-root", trusted, "--metadata-dir", scratch / "client",
        ],
    }  # fmt: skip


def workspace(size: int | None, workdir: Path) -> tuple[Path, str]:
    """The root to run in and the proposal to validate: the repository (None) or a
    generated framework of ``size`` practices."""
    if size is None:
        return REPO, REPO_PROPOSAL
    return dataset(workdir, size, PROPOSALS) / "v1", GENERATED_PROPOSAL


def rows(size: int | None, repeat: int, workdir: Path) -> list[str]:
    root, proposal = workspace(size, workdir)
    label = "repository" if size is None else f"{size:,}"
    out = []
    with tempfile.TemporaryDirectory(prefix="safeguards-commands-") as temp:
        listed = commands(Path(temp), proposal, history=size is None)
        listed |= country_commands(root, Path(temp))
        listed |= translation_commands(root, Path(temp))
        listed |= distribution_commands(root, Path(temp))
        for name, args in listed.items():
            cmd: list[str | Path] = [*safeguards(), *args]
            if name in ("country resolve -o DIR", "download (TUF) -o DIR"):
                # resolve refuses a folder that is not empty: each run starts without it
                # (the removal is in the figure; the process measured is safeguards).
                gone = Path(temp) / ("out" if name.startswith("country") else "downloaded")
                cmd = ["sh", "-c", 'rm -rf "$0" && exec "$@"', gone, *cmd]
            run, _ = repeated(cmd, repeat, cwd=root)
            target = TARGETS.get((name, size or 0))
            verdict, wanted = "", "info"
            if target is not None:
                wanted = f"<= {target.seconds:g} s, < {target.mib:g} MiB"
                ok = run.wall <= target.seconds and run.rss_mib < target.mib
                verdict = "PASS" if ok else "FAIL"
            exit_note = "" if run.code in (0, 1) else f" (exit {run.code})"
            out.append(
                f"| {label} | {name}{exit_note} | {run.wall:.2f} | {run.seconds:.2f} "
                f"| {run.rss_mib:.0f} | {wanted} | {verdict} |"
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="generated practice counts")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per command")
    parser.add_argument("--workdir", type=Path, default=REPO / ".bench-data")
    args = parser.parse_args(argv)
    # As pip install does: otherwise, with PYTHONDONTWRITEBYTECODE set, every run would
    # compile the modules changed since their bytecode was last written.
    compile_bytecode()
    sizes: list[int | None] = [None, *(int(s) for s in args.sizes.split(",") if s)]
    print("| practices | command | wall s | CPU s | peak MiB | target | |")
    print("|---|---|---:|---:|---:|---|---|")
    for size in sizes:
        for line in rows(size, args.repeat, args.workdir):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
