"""The release bundle as bytes: a pure function of the framework, the previous release's
framework, the version and the date. Writing it is separate, so ``verify`` can rebuild a
release and compare bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.diff import diff_frameworks
from pipeline.errors import SafeguardsError
from pipeline.exports.csv_tables import render_all_csv
from pipeline.exports.datapackage import render_datapackage
from pipeline.exports.framework_json import FORMAT_VERSION, framework_to_data
from pipeline.exports.markdown import render_framework_md
from pipeline.ids import Kind
from pipeline.models.changes import ChangeList
from pipeline.models.framework import Framework
from pipeline.release.notes import render_release_notes
from pipeline.store.writer import dump_json

SUMS_FILE = "SHA256SUMS"
# The schemas a bundle's files (and the index that lists it) conform to.
BUNDLE_SCHEMAS = ("framework", "changes", "release-index")
FILE_MODE = 0o644
DIR_MODE = 0o755
Progress = Callable[[str, int, int], None]


@dataclass
class Bundle:
    files: dict[str, bytes]
    changes: ChangeList
    log: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(b) for b in self.files.values())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_sums(files: dict[str, bytes]) -> bytes:
    """sha256sum's format: '<hex>  <path>' per line, sorted by path, LF endings."""
    lines = [f"{sha256(files[p])}  {p}\n" for p in sorted(files) if p != SUMS_FILE]
    return "".join(lines).encode("ascii")


def parse_sums(text: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or not path:
            raise SafeguardsError(f"{SUMS_FILE} line {number} is not '<sha256>  <path>'")
        sums[path] = digest
    return sums


def compute_changes(
    previous: Framework | None, framework: Framework, previous_version: str | None, version: str
) -> ChangeList:
    old = previous if previous is not None else Framework(metadata=framework.metadata)
    return diff_frameworks(old, framework, from_label=previous_version, to_label=version)


def framework_document(framework: Framework, version: str, date: str) -> dict[str, Any]:
    data = framework_to_data(framework)
    return {
        "format_version": data.pop("format_version"),
        "release": {"version": version, "date": date},
        **data,
    }


def _schema_files() -> dict[str, bytes]:
    from pipeline.schema_export import packaged_dir

    folder = packaged_dir()
    out = {}
    for name in BUNDLE_SCHEMAS:
        path = folder / f"{name}.schema.json"
        out[f"schemas/{name}.schema.json"] = path.read_bytes()
    return out


def _site_files(framework: Framework, version: str, log: list[str]) -> dict[str, bytes]:
    try:
        from pipeline.site import build_site  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        log.append("site/ skipped: pipeline.site (build_site) is not available in this build")
        return {}
    with tempfile.TemporaryDirectory(prefix="safeguards-site-") as temp:
        out_dir = Path(temp)
        build_site(framework, out_dir, title=f"{framework.metadata.title} {version}")
        files = {}
        for path in sorted(out_dir.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files["site/" + path.relative_to(out_dir).as_posix()] = path.read_bytes()
    return files


def build_bundle(
    framework: Framework,
    previous: Framework | None,
    *,
    version: str,
    date: str,
    previous_version: str | None,
    changes: ChangeList | None = None,
    with_site: bool = True,
    progress: Progress | None = None,
) -> Bundle:
    """Every file of ``releases/vX.Y.Z/`` as bytes (including SHA256SUMS)."""
    if changes is None:
        changes = compute_changes(previous, framework, previous_version, version)
    bundle = Bundle({}, changes)
    steps: list[tuple[str, Callable[[], dict[str, bytes]]]] = [
        (
            "framework.json",
            lambda: {
                "framework.json": dump_json(framework_document(framework, version, date)).encode()
            },
        ),
        ("CSV tables", lambda: render_all_csv(framework)),
        (
            "framework.md",
            lambda: {"framework.md": render_framework_md(framework, version, date).encode()},
        ),
        ("changes.json", lambda: {"changes.json": dump_json(_changes_data(changes)).encode()}),
        (
            "RELEASE_NOTES.md",
            lambda: {
                "RELEASE_NOTES.md": render_release_notes(
                    framework, changes, version=version, date=date, previous=previous_version
                ).encode()
            },
        ),
        ("schemas", _schema_files),
    ]
    if with_site:
        steps.append(("site", lambda: _site_files(framework, version, bundle.log)))
    total = len(steps) + 2
    for done, (label, step) in enumerate(steps, 1):
        if progress is not None:
            progress(label, done, total)
        bundle.files.update(step())
    if progress is not None:
        progress("datapackage.json", total - 1, total)
    csv_files = {k: v for k, v in bundle.files.items() if k.endswith(".csv")}
    bundle.files["datapackage.json"] = dump_json(
        render_datapackage(framework, version, date, csv_files)
    ).encode()
    if progress is not None:
        progress(SUMS_FILE, total, total)
    bundle.files[SUMS_FILE] = render_sums(bundle.files)
    bundle.files = dict(sorted(bundle.files.items()))
    return bundle


def _changes_data(changes: ChangeList) -> dict[str, Any]:
    data: dict[str, Any] = changes.model_dump(mode="json", by_alias=True)
    return data


def write_bundle(files: dict[str, bytes], target: Path) -> None:
    """Write the files under ``target`` (which must not exist) with fixed modes."""
    target.mkdir(mode=DIR_MODE)
    os.chmod(target, DIR_MODE)
    for name in sorted(files):
        path = target / name
        for parent in reversed(path.relative_to(target).parents[:-1]):
            folder = target / parent
            if not folder.exists():
                folder.mkdir()
                os.chmod(folder, DIR_MODE)
        with open(path, "xb") as handle:
            handle.write(files[name])
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, FILE_MODE)


def read_bundle(folder: Path) -> dict[str, bytes]:
    """Every regular file under a release folder (symlinks are refused)."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise SafeguardsError(f"{path} is a symlink; a release holds regular files only")
        if path.is_file():
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def counts_of(framework: Framework) -> tuple[dict[str, int], dict[str, int]]:
    active = framework.counts()
    total = framework.counts(include_deprecated=True)
    return active, {k.value: total[k.value] - active[k.value] for k in Kind}


__all__ = ["FORMAT_VERSION", "Bundle", "build_bundle", "compute_changes"]
