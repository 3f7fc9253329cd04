"""Time and memory of every hostile case: measured, never asserted.

    python -m tests.support.measure_hostile

For each case of tests/cases/hostile/ (through `validate` and `diff`) and each hostile issue
body of tests/cases/intake/hostile/ (through `intake`): the wall time and peak resident
memory of the whole `safeguards` process (its VmHWM), and the time of the in-process
validate path of the file alone (reading, schema and rules; the interpreter's start-up
is most of a process's time). docs/security.md records the
maxima.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dpi_safeguards.check.rules.contribution import build_text_index
from dpi_safeguards.check.validate import contribution_findings
from dpi_safeguards.load.folder import load_framework
from tests.support.cases import HOSTILE, place_inputs
from tests.support.paths import CASES, FIXTURES

# The child reports its own peak (VmHWM of /proc/self/status, read at exit): the rusage of
# a forked child also counts the memory of the parent it was forked from.
LAUNCHER = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK_KB " + line.split()[1] + "\\n")
atexit.register(peak)
sys.argv = ["safeguards", *sys.argv[1:]]
from dpi_safeguards.cli.main import main
main()
"""


def run(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak MiB, exit code) of one real process."""
    env = {k: v for k, v in os.environ.items() if k != "SAFEGUARDS_ROOT"}
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak = [line for line in completed.stderr.splitlines() if line.startswith("PEAK_KB ")]
    mib = int(peak[-1].split()[1]) / 1024 if peak else float("nan")
    return seconds, mib, completed.returncode


def main() -> None:
    rows: list[tuple[str, str, float, float, float | None, int]] = []
    with tempfile.TemporaryDirectory() as temp:
        for case in HOSTILE:
            root = Path(temp) / case.name
            shutil.copytree(FIXTURES / "mini", root)
            overlay = case / "framework"
            if overlay.is_dir():
                shutil.copytree(overlay, root / "framework", dirs_exist_ok=True)
            targets = place_inputs(case, root, "proposed")
            shown = [str(t.relative_to(root)) for t in targets]
            loaded = load_framework(root / "framework")
            index = build_text_index(loaded.framework)
            started = time.perf_counter()
            for target, name in zip(targets, shown, strict=True):
                list(contribution_findings(target, loaded, index, name))
            inner = time.perf_counter() - started if targets else None
            seconds, mib, code = run(["validate", *shown], root)
            rows.append((case.name, "validate", seconds, mib, inner, code))
            if targets:
                seconds, mib, code = run(["diff", shown[0]], root)
                rows.append((case.name, "diff", seconds, mib, None, code))
        for body in sorted((CASES / "intake" / "hostile").glob("*.md")):
            root = Path(temp) / f"intake-{body.stem}"
            shutil.copytree(FIXTURES / "mini", root)
            seconds, mib, code = run(["intake", str(body), "-o", "-"], root)
            rows.append((body.stem, "intake", seconds, mib, None, code))
    print(f"{'case':42} {'command':8} {'process s':>9} {'peak MiB':>9} {'read+check s':>12} exit")
    for name, command, seconds, mib, inner, code in rows:
        shown_inner = f"{inner:12.4f}" if inner is not None else f"{'':12}"
        print(f"{name:42} {command:8} {seconds:9.3f} {mib:9.1f} {shown_inner} {code}")
    inner_times = [r[4] for r in rows if r[4] is not None]
    print(
        f"max: process {max(r[2] for r in rows):.3f} s, peak {max(r[3] for r in rows):.1f} MiB, "
        f"read+check {max(inner_times):.4f} s; exit codes {sorted({r[5] for r in rows})}"
    )


if __name__ == "__main__":
    main()
