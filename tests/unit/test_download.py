"""The download client against a real HTTP server on 127.0.0.1 (and a local folder)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from dpi_safeguards import api
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.release.download import DownloadError, download_release, safe_member
from tests.support.cli import run_cli
from tests.support.release_support import add_practice, tree_bytes


class Handler(SimpleHTTPRequestHandler):
    truncate: ClassVar[set[str]] = set()
    redirects: ClassVar[dict[str, str]] = {}
    requests: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path in self.truncate:
            body = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def releases(mini_root: Path) -> Path:
    workspace = Workspace(mini_root)
    api.release(workspace, api.ReleaseOptions(date="2026-01-15"))
    add_practice(mini_root)
    api.release(workspace, api.ReleaseOptions(date="2026-02-15"))
    return mini_root / "releases"


@pytest.fixture
def server(releases: Path) -> Iterator[str]:
    Handler.truncate = set()
    Handler.redirects = {}
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(releases)))
    # shutdown() waits for the loop's next poll: 0.5 s by default, for every test
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".safeguards-tmp-")]


def test_download_latest_over_http(server: str, releases: Path, tmp_path: Path) -> None:
    out = tmp_path / "dl" / "latest"
    assert download_release(server, "latest", out) == out
    assert tree_bytes(out) == tree_bytes(releases / "v1.1.0")
    for path in out.rglob("*"):
        assert (path.stat().st_mode & 0o777) == (0o755 if path.is_dir() else 0o644)
    older = tmp_path / "dl" / "older"
    download_release(server + "index.json", "v1.0.0", older)
    assert tree_bytes(older) == tree_bytes(releases / "v1.0.0")
    assert _leftovers(tmp_path / "dl") == []


def test_download_cli(server: str, releases: Path, tmp_path: Path) -> None:
    result = run_cli("download", "1.0.0", "--from", server, "-o", tmp_path / "out")
    assert result.code == 0, result.output
    assert tree_bytes(tmp_path / "out") == tree_bytes(releases / "v1.0.0")
    result = run_cli("download", "9.9.9", "--from", server, "-o", tmp_path / "none")
    assert result.code == 1 and "no release '9.9.9'" in result.output


def test_tampered_file_is_refused(server: str, releases: Path, tmp_path: Path) -> None:
    target = releases / "v1.1.0" / "practices.csv"
    data = target.read_bytes()
    target.write_bytes(data.replace(b"underserved", b"underserveD"))
    out = tmp_path / "out"
    result = run_cli("download", "--from", server, "-o", out)
    assert result.code == 1
    assert "practices.csv: SHA-256 does not match the index" in result.output
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_dropped_connection_is_refused(server: str, tmp_path: Path) -> None:
    Handler.truncate = {"/v1.1.0/framework.json"}
    out = tmp_path / "out"
    with pytest.raises(DownloadError, match="truncated"):
        download_release(server, "latest", out)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_larger_file_than_the_index_says_is_refused(
    server: str, releases: Path, tmp_path: Path
) -> None:
    target = releases / "v1.1.0" / "kpis.csv"
    target.write_bytes(target.read_bytes() * 100)
    with pytest.raises(DownloadError, match="larger than"):
        download_release(server, "latest", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_file_is_refused(server: str, releases: Path, tmp_path: Path) -> None:
    (releases / "v1.1.0" / "stages.csv").unlink()
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_release(server, "latest", tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "bad_path",
    ["../outside.txt", "/etc/passwd", "schemas/../../x", "a\\b", "C:/x", "", "a//b", "./a"],
)
def test_index_naming_files_outside_the_release_is_refused(
    server: str, releases: Path, tmp_path: Path, bad_path: str
) -> None:
    index = json.loads((releases / "index.json").read_text())
    index["releases"][0]["files"][0]["path"] = bad_path
    (releases / "index.json").write_text(json.dumps(index))
    with pytest.raises(DownloadError, match="refused"):
        download_release(server, "latest", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not safe_member(bad_path)


def test_index_release_path_must_be_its_version(
    server: str, releases: Path, tmp_path: Path
) -> None:
    index = json.loads((releases / "index.json").read_text())
    index["releases"][0]["path"] = "v1.0.0"
    (releases / "index.json").write_text(json.dumps(index))
    with pytest.raises(DownloadError, match=r"not v1\.1\.0"):
        download_release(server, "latest", tmp_path / "out")


def test_plain_http_elsewhere_and_redirect_downgrades_are_refused(
    server: str, tmp_path: Path
) -> None:
    with pytest.raises(DownloadError, match="plain http"):
        download_release("http://example.org/releases/", "latest", tmp_path / "a")
    with pytest.raises(DownloadError, match="only https URLs and local folders"):
        download_release("ftp://example.org/releases/", "latest", tmp_path / "b")
    Handler.redirects = {"/index.json": "http://example.org/releases/index.json"}
    with pytest.raises(DownloadError, match="plain http"):
        download_release(server, "latest", tmp_path / "c")
    assert not any((tmp_path / n).exists() for n in "abc")


def test_existing_folder_is_never_touched(server: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(DownloadError, match="not an empty folder"):
        download_release(server, "latest", out)
    assert tree_bytes(out) == {"keep.txt": b"mine"}
    empty = tmp_path / "empty"
    empty.mkdir()
    download_release(server, "latest", empty)
    assert (empty / "framework.json").is_file()


def test_local_folder_source_and_symlink_trick(releases: Path, tmp_path: Path) -> None:
    out = tmp_path / "local"
    download_release(str(releases), "latest", out)
    assert tree_bytes(out) == tree_bytes(releases / "v1.1.0")
    # a file that is a symlink to something outside the releases folder
    secret = tmp_path / "secret.csv"
    target = releases / "v1.1.0" / "kpis.csv"
    secret.write_bytes(target.read_bytes())
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(DownloadError, match="outside"):
        download_release(str(releases), "latest", tmp_path / "local2")
    assert not (tmp_path / "local2").exists()
