"""YAML parsers side by side on the framework's own files (issue 18): speed, and which of
the safe reader's refusals each would make by itself.

    python -m benchmarks.yaml_parsers [FRAMEWORK_DIR ...]   (default: framework/)

The candidates beside PyYAML are optional (``pip install rapidyaml yaml-rs``); a missing
one is listed as such. Times are medians of 5 passes over every file, in milliseconds and
as a multiple of ``json.loads`` over the same data.
"""

from __future__ import annotations

import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dpi_safeguards.store.errors import LoadError
from dpi_safeguards.store.reader import parse_bytes

REPO = Path(__file__).resolve().parents[1]
PASSES = 5

# What the safe reader refuses (or reads otherwise than YAML 1.1 readers): does the
# candidate refuse it too, left to itself?
HOSTILE = {
    "duplicate key": "a: 1\na: 2\n",
    "anchor and alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!python/object:os.system x\n",
    "YAML 1.1 boolean (yes)": "a: yes\n",
    "leading-zero number (08)": "a: 08\n",
    "second document": "a: 1\n---\nb: 2\n",
    "non-finite number (.inf)": "a: .inf\n",
}


def _optional(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _ryml_data(ryml: Any, data: bytes) -> Any:
    tree = ryml.parse_in_arena(data)

    def build(node: int) -> Any:
        if tree.is_map(node):
            return {bytes(tree.key(c)).decode(): build(c) for c in ryml.children(tree, node)}
        if tree.is_seq(node):
            return [build(c) for c in ryml.children(tree, node)]
        return bytes(tree.val(node)).decode() if tree.has_val(node) else None

    return build(tree.root_id())


def candidates() -> dict[str, Callable[[bytes], Any] | None]:
    ryml, yaml_rs = _optional("ryml"), _optional("yaml_rs")
    return {
        "safe reader (libyaml events)": lambda data: parse_bytes(data, "f.yaml", "f.yaml").data,
        "yaml.load(CSafeLoader)": lambda data: yaml.load(data, Loader=yaml.CSafeLoader),
        "yaml-rs loads": None if yaml_rs is None else lambda data: yaml_rs.loads(data.decode()),
        "rapidyaml, to Python": None if ryml is None else lambda data: _ryml_data(ryml, data),
    }


def _median(parse: Callable[[bytes], Any], files: list[bytes]) -> float:
    times = []
    for _ in range(PASSES):
        start = time.perf_counter()
        for data in files:
            parse(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _refuses(parse: Callable[[bytes], Any], text: str) -> str:
    try:
        parse(text.encode())
    except (LoadError, Exception):  # each library has its own error types
        return "refuses"
    return "accepts"


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv] or [REPO / "framework"]
    parsers = candidates()
    for folder in folders:
        files = [p.read_bytes() for p in sorted(folder.rglob("*.yaml"))]
        as_json = [json.dumps(yaml.load(d, Loader=yaml.CSafeLoader)).encode() for d in files]
        base = _median(json.loads, as_json)
        size = sum(map(len, files)) / 1e6
        print(f"\n{folder}: {len(files)} files, {size:.2f} MB; json.loads {base * 1000:.1f} ms")
        print("| parser | ms | x json.loads |\n|---|---:|---:|")
        for name, parse in parsers.items():
            if parse is None:
                print(f"| {name} | not installed | |")
                continue
            seconds = _median(parse, files)
            print(f"| {name} | {seconds * 1000:.1f} | {seconds / base:.1f} |")
    print("\n| input | " + " | ".join(n for n, p in parsers.items() if p) + " |")
    print("|---|" + "---|" * sum(1 for p in parsers.values() if p))
    for label, text in HOSTILE.items():
        verdicts = [_refuses(p, text) for p in parsers.values() if p]
        print(f"| {label} | " + " | ".join(verdicts) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
