"""Start-up: every command on the repository's own framework, as a whole process, against
``python -c pass`` and check-jsonschema on one proposal (issue 18's per-command table).

    python -m benchmarks.startup [--repeat N]

Each row is the median wall time of N runs after one unmeasured warm-up run (bytecode
compiled, files in the page cache), in milliseconds, with its peak RSS and its ratio to
check-jsonschema. Targets: --help at most 80 ms, every command at most 150 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.run import REPO, check_jsonschema, compile_bytecode, repeated, safeguards

ONE_PROPOSAL = "contributions/examples/add-practice.yaml"
HELP_TARGET_MS = 80
COMMAND_TARGET_MS = 150


def commands(scratch: Path) -> dict[str, list[str | Path]]:
    """Each command as a user runs it on the real framework (writes go to ``scratch``)."""
    return {
        "--help": ["--help"],
        "--version": ["--version"],
        "rules": ["rules"],
        "stats": ["stats"],
        "show F3.1": ["show", "F3.1"],
        "validate (everything)": ["validate"],
        "validate 1 proposal": ["validate", ONE_PROPOSAL],
        "diff 1 proposal": ["diff", ONE_PROPOSAL],
        "diff --from v1.1.0": ["diff", "--from", "v1.1.0"],
        "canvas -a R1 -s L2": ["canvas", "-a", "R1", "-s", "L2"],
        "site -o DIR": ["site", "-o", scratch / "site"],
        "format --check": ["format", "--check"],
        "new (printed)": ["new", "--kind", "practice", "--parent", "F3.1", "-o", "-"],
        "release --dry-run --version 9.0.0": ["release", "--dry-run", "--version", "9.0.0"],
        "verify --no-rebuild": ["verify", "--no-rebuild"],
    }


def table(repeat: int) -> list[str]:
    base_python, _ = repeated([sys.executable, "-c", "pass"], repeat, cwd=REPO)
    schema = REPO / "schemas" / "contribution.schema.json"
    baseline, _ = repeated(
        [*check_jsonschema(), "--schemafile", schema, ONE_PROPOSAL], repeat, cwd=REPO
    )
    lines = [
        f"python -c pass: {base_python.wall * 1000:.0f} ms; check-jsonschema on one "
        f"proposal: {baseline.wall * 1000:.0f} ms ({baseline.rss_mib:.0f} MiB)",
        "",
        "| command | ms | MiB | x check-jsonschema | target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="safeguards-startup-") as temp:
        for name, args in commands(Path(temp)).items():
            run, _ = repeated([*safeguards(), *args], repeat, cwd=REPO)
            target = HELP_TARGET_MS if name == "--help" else COMMAND_TARGET_MS
            ms = run.wall * 1000
            verdict = "PASS" if ms <= target else "FAIL"
            lines.append(
                f"| {name} | {ms:.0f} | {run.rss_mib:.0f} | {run.wall / baseline.wall:.2f} "
                f"| <= {target} ms | {verdict} |"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command")
    args = parser.parse_args(argv)
    # As pip install does: otherwise, with PYTHONDONTWRITEBYTECODE set, every run would
    # compile the modules changed since their bytecode was last written.
    compile_bytecode()
    print("\n".join(table(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
