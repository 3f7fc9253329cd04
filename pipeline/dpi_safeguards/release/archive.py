"""``safeguards bundle``: reproducible .zip and .tar.gz archives of a release.

Fixed everything that usually varies: entries sorted by path under one top folder, every
timestamp the release date at 00:00 UTC, modes 0644 (files) and 0755 (folders), uid/gid 0
with empty user and group names, gzip with mtime 0 and no file name in its header. The
same release gives the same archive bytes (with the same zlib), so their checksums are
stable too.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.release.bundle import SUMS_FILE, parse_sums, read_bundle, sha256
from dpi_safeguards.release.listing import read_index
from dpi_safeguards.release.verify import check_files
from dpi_safeguards.store.writer import atomic_write, output_folder

ARCHIVE_STEM = "dpi-safeguards-framework-v{version}"


def _folders(paths: list[str]) -> list[str]:
    folders: set[str] = set()
    for path in paths:
        for parent in PurePosixPath(path).parents:
            if str(parent) != ".":
                folders.add(str(parent))
    return sorted(folders)


def make_zip(files: dict[str, bytes], top: str, date: str) -> bytes:
    day = dt.date.fromisoformat(date)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        folders = [top, *(f"{top}/{d}" for d in _folders(list(files)))]
        entries: list[tuple[str, bytes | None]] = [(f + "/", None) for f in folders]
        entries += [(f"{top}/{p}", files[p]) for p in files]
        for name, data in sorted(entries, key=lambda e: e[0]):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # unix, so the modes below are read
            if data is None:
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def make_tar_gz(files: dict[str, bytes], top: str, date: str) -> bytes:
    mtime = int(dt.datetime.fromisoformat(date).replace(tzinfo=dt.UTC).timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as archive:
        entries: list[tuple[str, bytes | None]] = [(top, None)]
        entries += [(f"{top}/{d}", None) for d in _folders(list(files))]
        entries += [(f"{top}/{p}", files[p]) for p in files]
        for name, data in sorted(entries, key=lambda e: e[0]):
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                archive.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return compressed.getvalue()


def checked_release_files(workspace: Workspace, version: str) -> tuple[str, str, dict[str, bytes]]:
    """(version, date, files) of a published release whose files match its SHA256SUMS."""

    index = read_index(workspace.releases_dir)
    entry = index.find(version) if version != "latest" else index.find(index.latest or "")
    if entry is None:
        raise SafeguardsError(f"no release {version} in releases/index.json")
    folder = workspace.releases_dir / entry.path
    if not folder.is_dir():
        raise SafeguardsError(f"{workspace.display(folder)} is missing")
    files = read_bundle(folder)
    problems = check_files(entry, files)
    if problems:
        raise SafeguardsError(
            "the release does not match its checksums: " + "; ".join(map(str, problems[:5]))
        )
    return entry.version, entry.date, files


def write_archives(workspace: Workspace, version: str, out_dir: Path) -> list[Path]:
    """Write the .zip and .tar.gz of a release into ``out_dir`` and update its SHA256SUMS."""
    number, date, files = checked_release_files(workspace, version)
    top = ARCHIVE_STEM.format(version=number)
    archives = {
        f"{top}.zip": make_zip(files, top, date),
        f"{top}.tar.gz": make_tar_gz(files, top, date),
    }
    output_folder(out_dir)
    written = []
    for name, data in archives.items():
        atomic_write(out_dir / name, data)
        written.append(out_dir / name)
    sums_path = out_dir / SUMS_FILE
    sums: dict[str, str] = {}
    if sums_path.is_file():
        try:
            sums = parse_sums(sums_path.read_text(encoding="ascii"))
        except (SafeguardsError, UnicodeDecodeError):
            sums = {}
        sums = {p: d for p, d in sums.items() if (out_dir / p).is_file()}
    sums.update({name: sha256(data) for name, data in archives.items()})
    atomic_write(sums_path, "".join(f"{sums[p]}  {p}\n" for p in sorted(sums)))
    written.append(sums_path)
    return written
