"""Download a release bundle and check every file before anything lands in the target.

``download_release(source, version, out_dir)``: ``source`` is a releases URL (https; plain
http only for 127.0.0.1/localhost/::1), the URL of its ``index.json``, or a local folder.
The index names each file with its size and SHA-256; every file is downloaded into a temp
folder beside ``out_dir`` with the size as a hard limit, checked, and only when all match
is the temp folder renamed to ``out_dir``. Any mismatch, short read, oversized file or an
index that names a path outside the release (absolute, ``..``, backslash, empty segment)
refuses the download and leaves ``out_dir`` untouched.
"""

from __future__ import annotations

import abc
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from pydantic import ValidationError

from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.models.release import ReleaseEntry, ReleaseIndex
from dpi_safeguards.release.bundle import SUMS_FILE, parse_sums
from dpi_safeguards.store.writer import TEMP_PREFIX, output_folder

INDEX_MAX_BYTES = 16_000_000
FILE_MAX_BYTES = 1_000_000_000
TIMEOUT_SECONDS = 30.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CHUNK = 65536


class DownloadError(SafeguardsError):
    """A download refused: nothing was placed in the target folder."""


class NotFound(DownloadError):
    """The source has no such file (HTTP 404, or no file in the folder)."""


def check_url(url: str) -> None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https" and parts.hostname:
        return
    if scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS:
        return
    if scheme == "http":
        raise DownloadError(
            f"refusing plain http for {parts.hostname or url}: use https (http is allowed "
            "only for 127.0.0.1 and localhost)"
        )
    raise DownloadError(f"{url!r} is not an https URL or a local folder")


def safe_member(path: str) -> bool:
    """A relative '/'-separated path that stays inside the release folder."""
    if not path or len(path) > 200 or path.startswith("/") or "\\" in path or ":" in path:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


class _SafeRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Source(abc.ABC):
    """Where a release's files come from: an https URL or a local folder."""

    @abc.abstractmethod
    def fetch(self, path: str, limit: int) -> bytes:
        """The bytes of ``path`` below the source, at most ``limit`` of them."""


class _HttpSource(Source):
    def __init__(self, base: str, timeout: float) -> None:
        check_url(base)
        self.base = base
        self.timeout = timeout
        handlers: list[Any] = [_SafeRedirect()]
        if (urlsplit(base).hostname or "") in LOOPBACK_HOSTS:
            handlers.append(urllib.request.ProxyHandler({}))
        self.opener = urllib.request.build_opener(*handlers)

    def fetch(self, path: str, limit: int) -> bytes:
        url = urljoin(self.base, quote(path))
        try:
            with self.opener.open(url, timeout=self.timeout) as response:
                chunks: list[bytes] = []
                size = 0
                while True:
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise DownloadError(f"{path}: larger than the {limit} bytes allowed")
                    chunks.append(chunk)
                return b"".join(chunks)
        except http.client.IncompleteRead as exc:
            raise DownloadError(
                f"{path}: the connection closed early ({len(exc.partial)} bytes received): "
                "truncated"
            ) from None
        except urllib.error.HTTPError as exc:
            kind = NotFound if exc.code in (403, 404) else DownloadError
            raise kind(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise DownloadError(f"{url}: {exc.reason}") from None
        except TimeoutError:
            raise DownloadError(f"{url}: timed out after {self.timeout:g} s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as exc:
            raise DownloadError(f"{url}: {exc.__class__.__name__}: {exc}") from None


class _LocalSource(Source):
    def __init__(self, base: Path) -> None:
        self.base = base.resolve()

    def fetch(self, path: str, limit: int) -> bytes:
        target = (self.base / path).resolve()
        try:
            target.relative_to(self.base)
        except ValueError:
            raise DownloadError(f"{path}: resolves outside {self.base} (symlink?)") from None
        try:
            with open(target, "rb") as handle:
                data = handle.read(limit + 1)
        except FileNotFoundError:
            raise NotFound(f"{path}: no such file") from None
        except OSError as exc:
            raise DownloadError(f"{path}: {exc.strerror or exc}") from None
        if len(data) > limit:
            raise DownloadError(f"{path}: larger than the {limit} bytes allowed")
        return data


def open_source(source: str, timeout: float = TIMEOUT_SECONDS) -> tuple[Source, str]:
    """The source and the index's path within it."""
    parts = urlsplit(source)
    if parts.scheme.lower() in ("http", "https"):
        check_url(source)
        if parts.path.endswith(".json"):
            base, _, name = source.rpartition("/")
            return _HttpSource(base + "/", timeout), name
        return _HttpSource(source if source.endswith("/") else source + "/", timeout), "index.json"
    if parts.scheme and parts.scheme.lower() != "file" and len(parts.scheme) > 1:
        raise DownloadError(f"{source!r}: only https URLs and local folders are supported")
    local = Path(parts.path if parts.scheme.lower() == "file" else source)
    if local.is_file():
        return _LocalSource(local.parent), local.name
    if not local.is_dir():
        raise DownloadError(f"{source}: no such folder")
    return _LocalSource(local), "index.json"


def pick_release(index: ReleaseIndex, version: str) -> ReleaseEntry:
    wanted = index.latest if version in ("latest", "") else version
    entry = index.find(wanted or "")
    if entry is None:
        known = ", ".join(r.version for r in index.releases) or "none"
        raise DownloadError(f"the index has no release {version!r} (releases: {known})")
    if entry.path != f"v{entry.version}":
        raise DownloadError(
            f"the index puts {entry.version} at {entry.path!r}, not v{entry.version}"
        )
    paths = [f.path for f in entry.files]
    for path in paths:
        if not safe_member(path):
            raise DownloadError(f"the index names {path!r}, a path outside the release: refused")
    taken = set(paths)
    if len(taken) != len(paths):
        raise DownloadError("the index names a file twice: refused")
    for path in paths:
        for i in range(1, path.count("/") + 1):
            if path.rsplit("/", i)[0] in taken:
                raise DownloadError(f"the index names {path!r} below another file: refused")
    return entry


def download_release(
    source: str,
    version: str,
    out_dir: Path | str,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> Path:
    """Download release ``version`` (or 'latest') from ``source`` into ``out_dir``."""

    out = check_new_folder(Path(out_dir))
    fetcher, index_name = open_source(source, timeout)
    index = _fetch_index(fetcher, index_name)
    entry = pick_release(index, version.removeprefix("v") if version != "latest" else version)
    output_folder(out.parent)
    temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "download-", dir=out.parent))
    try:
        received = _fetch_files(fetcher, entry)
        check_sums(received)
        write_files(temp, received)
        rename_into(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return out


def check_new_folder(out: Path) -> Path:
    if out.is_symlink() or (out.exists() and (not out.is_dir() or any(out.iterdir()))):
        raise DownloadError(f"{out} exists and is not an empty folder: choose a new one")
    return out


def _fetch_index(fetcher: Source, index_name: str) -> ReleaseIndex:
    return parse_release_index(fetcher.fetch(index_name, INDEX_MAX_BYTES), index_name)


def parse_release_index(raw_index: bytes, index_name: str) -> ReleaseIndex:
    try:
        return ReleaseIndex.model_validate_json(raw_index)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DownloadError(
            f"{index_name} is not a valid release index ({where}: {first['msg']}): refused"
        ) from None


def _fetch_files(fetcher: Source, entry: ReleaseEntry) -> dict[str, bytes]:
    """Every file the index lists for the release, each of the size and SHA-256 it says
    (the size is a hard limit on what is read)."""
    received: dict[str, bytes] = {}
    for item in entry.files:
        if item.size > FILE_MAX_BYTES:
            raise DownloadError(f"{item.path}: {item.size} bytes is over the limit")
        data = fetcher.fetch(f"{entry.path}/{item.path}", item.size)
        if len(data) != item.size:
            raise DownloadError(
                f"{item.path}: {len(data)} of {item.size} bytes received: truncated"
            )
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise DownloadError(f"{item.path}: SHA-256 does not match the index: refused")
        received[item.path] = data
    return received


def check_sums(received: dict[str, bytes]) -> None:
    """The release's own SHA256SUMS, when it has one, agrees with the index."""
    if SUMS_FILE not in received:
        return
    sums = parse_sums(received[SUMS_FILE].decode("ascii", "replace"))
    for path, digest in sums.items():
        if path not in received or hashlib.sha256(received[path]).hexdigest() != digest:
            raise DownloadError(f"{path}: {SUMS_FILE} and the index disagree: refused")


def write_files(folder: Path, received: dict[str, bytes]) -> None:
    """The files under ``folder``, by path, with fixed modes (0644, folders 0755)."""
    for path, data in sorted(received.items()):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(data)
        os.chmod(target, 0o644)
    for parent in sorted({p.parent for p in folder.rglob("*") if p.is_file()}):
        os.chmod(parent, 0o755)


def rename_into(temp: Path, out: Path) -> None:
    """The checked download becomes ``out`` in one rename (``out`` empty or absent)."""
    try:
        if out.exists():
            out.rmdir()
        temp.rename(out)
    except OSError as exc:
        raise DownloadError(
            f"{out} appeared while downloading and is not empty: {exc.strerror or exc}"
        ) from None
