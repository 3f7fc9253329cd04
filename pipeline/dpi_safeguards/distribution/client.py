"""``safeguards download`` as a TUF client (python-tuf's ngclient).

The client trusts one root it was given out of band (``--trusted-root``, the secretariat's
``1.root.json``) and keeps what it has verified since in a metadata folder; every later
run starts from there, so an attacker who controls the server (or the network) can
neither hand it older metadata than it has seen (rollback) nor keep it on metadata whose
time ran out (freeze), nor slip in a file, an index or metadata that the keys did not
sign (tampering). Each refusal is one line saying which of these it was.

ngclient fetches through :class:`SourceFetcher`, the download command's own sources (an
https URL, plain http only on the loopback, or a local folder), so the same safety rules
apply to what it reads.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tuf.api import exceptions as tuf_errors
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.distribution.repository import TUF_DIR
from dpi_safeguards.release.download import (
    FILE_MAX_BYTES,
    DownloadError,
    NotFound,
    Source,
    check_new_folder,
    check_sums,
    open_source,
    parse_release_index,
    pick_release,
    rename_into,
    write_files,
)
from dpi_safeguards.store.writer import TEMP_PREFIX, output_folder

# ngclient joins these with the file names; SourceFetcher maps them back to the source.
_METADATA_BASE = "safeguards-source:/" + TUF_DIR + "/"
_TARGETS_BASE = "safeguards-source:/"


class SourceFetcher(FetcherInterface):
    """ngclient's fetcher over a download source."""

    def __init__(self, source: Source, prefix: str) -> None:
        self.source = source
        self.prefix = prefix  # the folder of the releases within the source ('' or 'x/')

    def _fetch(self, url: str) -> Iterator[bytes]:
        if not url.startswith(_TARGETS_BASE):
            raise tuf_errors.DownloadError(f"{url} is not a path of the source")
        path = self.prefix + url[len(_TARGETS_BASE) :]
        try:
            data = self.source.fetch(path, FILE_MAX_BYTES)
        except NotFound as exc:
            raise tuf_errors.DownloadHTTPError(str(exc), 404) from None
        except DownloadError as exc:
            raise tuf_errors.DownloadError(str(exc)) from None
        yield data


@dataclass(frozen=True)
class VerifiedDownload:
    folder: Path
    version: str
    files: int
    root_version: int


def _explain(error: Exception, what: str) -> DownloadError:
    """One line: which attack (or fault) the refusal stopped, and why."""
    if isinstance(error, tuf_errors.ExpiredMetadataError):
        return DownloadError(
            f"refused (freeze): {error}; the server offers no newer signed metadata, so it "
            "may be holding back releases (or the secretariat has not renewed the timestamp)"
        )
    if isinstance(error, tuf_errors.BadVersionNumberError):
        return DownloadError(
            f"refused (rollback): {error}; the server offers older metadata than this "
            "client has already verified"
        )
    if isinstance(
        error, tuf_errors.LengthOrHashMismatchError | tuf_errors.DownloadLengthMismatchError
    ):
        return DownloadError(
            f"refused (tampered {what}): its length or SHA-256 is not what the signed "
            f"targets metadata says ({error})"
        )
    if isinstance(error, tuf_errors.UnsignedMetadataError):
        return DownloadError(
            f"refused (tampered metadata): {error}; the signatures do not verify with the "
            "keys the trusted root names"
        )
    if isinstance(error, tuf_errors.RepositoryError):
        return DownloadError(f"refused (bad metadata): {error}")
    if isinstance(error, tuf_errors.DownloadHTTPError) and what == "metadata":
        return DownloadError(
            f"refused (no signed metadata): {error}; the source is not signed, or not "
            "served whole (it needs its tuf/ folder beside index.json)"
        )
    return DownloadError(f"refused: {error}")


def default_metadata_dir(source: str) -> Path:
    """Where the client keeps what it verified from ``source`` (one folder per source)."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "safeguards" / "tuf" / hashlib.sha256(source.encode()).hexdigest()[:16]


def download_verified(
    source: str,
    version: str,
    out_dir: Path,
    *,
    trusted_root: Path | None,
    metadata_dir: Path | None = None,
) -> VerifiedDownload:
    """Release ``version`` (or 'latest') from ``source``, every file (the index too)
    verified through the signed TUF metadata before anything is placed in ``out_dir``."""
    out = check_new_folder(out_dir)
    cache = metadata_dir or default_metadata_dir(source)
    bootstrap: bytes | None = None
    if trusted_root is not None:
        try:
            bootstrap = trusted_root.read_bytes()
        except OSError as exc:
            raise UsageError(f"--trusted-root {trusted_root}: {exc.strerror or exc}") from None
    elif not (cache / "root.json").is_file():
        raise UsageError(
            f"no trusted root for {source} yet: give --trusted-root FILE (the secretariat's "
            "1.root.json, obtained from them, not from the server) the first time"
        )
    fetched, index_name = open_source(source)
    prefix = index_name.rpartition("/")[0]
    fetcher = SourceFetcher(fetched, prefix + "/" if prefix else "")
    cache.mkdir(parents=True, exist_ok=True)
    output_folder(out.parent)
    temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "download-", dir=out.parent))
    try:
        updater = Updater(
            str(cache),
            _METADATA_BASE,
            target_dir=str(temp),
            target_base_url=_TARGETS_BASE,
            fetcher=fetcher,
            config=UpdaterConfig(prefix_targets_with_hash=False),
            bootstrap=bootstrap,
        )
        try:
            updater.refresh()
        except Exception as exc:
            raise _explain(exc, "metadata") from None
        index_data = _target(updater, index_name.rpartition("/")[2], temp / "index.json")
        index = parse_release_index(index_data, "index.json")
        entry = pick_release(index, version.removeprefix("v") if version != "latest" else version)
        received: dict[str, bytes] = {}
        for item in entry.files:
            name = f"{entry.path}/{item.path}"
            data = _target(updater, name, temp / "files" / name.replace("/", "__"))
            if len(data) != item.size or hashlib.sha256(data).hexdigest() != item.sha256:
                raise DownloadError(
                    f"refused (tampered index): index.json and the signed targets disagree "
                    f"on {name}"
                )
            received[item.path] = data
        check_sums(received)
        shutil.rmtree(temp)
        temp.mkdir()
        write_files(temp, received)
        rename_into(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return VerifiedDownload(out, entry.version, len(received), _root_version(cache))


def _target(updater: Updater, name: str, path: Path) -> bytes:
    try:
        info = updater.get_targetinfo(name)
    except Exception as exc:
        raise _explain(exc, "metadata") from None
    if info is None:
        raise DownloadError(f"refused (not signed): {name} is not a target of the signed metadata")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        updater.download_target(info, str(path))
    except Exception as exc:
        raise _explain(exc, name) from None
    return path.read_bytes()


def _root_version(cache: Path) -> int:
    try:
        return int(json.loads((cache / "root.json").read_bytes())["signed"]["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0
