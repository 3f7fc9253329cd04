"""``python benchmarks/_diff_probe.py OLD_FRAMEWORK NEW_FRAMEWORK``: what
``safeguards diff --from OLD --to NEW --format json`` does (load both folders, keyed diff,
the change list as JSON), for branches where the ``diff`` command is not present yet."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.diff import diff_frameworks
from pipeline.store.layout import load_framework


def main() -> None:
    old_dir, new_dir = sys.argv[1:3]
    old = load_framework(Path(old_dir)).framework
    new = load_framework(Path(new_dir)).framework
    changes = diff_frameworks(old, new, from_label=old_dir, to_label=new_dir)
    sys.stdout.write(changes.model_dump_json(by_alias=True, indent=2) + "\n")


if __name__ == "__main__":
    main()
