"""Signed releases (TUF) against a real HTTP server on 127.0.0.1: a release signed as it
is cut, downloaded verified, and each attack the issue names refused in one line saying
which: a tampered file, a tampered index, tampered metadata, a rollback to older metadata
and an expired timestamp (a freeze). Key rotation keeps old clients working."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dpi_safeguards import api
from dpi_safeguards.core.workspace import Workspace
from tests.support.cli import run_cli
from tests.support.release_support import add_practice, init_repo, tree_bytes


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def signed(mini_root: Path, tmp_path: Path) -> dict[str, Path]:
    """The mini framework released and signed, its keys outside the repository."""
    init_repo(mini_root)
    workspace = Workspace(mini_root)
    api.release(workspace, api.ReleaseOptions(date="2026-01-15", tag=True))
    keys = tmp_path / "keys"
    result = run_cli("tuf", "init", "--keys", keys, cwd=mini_root)
    assert result.code == 0, result.stderr
    return {"root": mini_root, "keys": keys, "releases": mini_root / "releases"}


@pytest.fixture
def server(signed: dict[str, Path]) -> Iterator[str]:
    handler = partial(Quiet, directory=str(signed["releases"]))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _download(signed: dict[str, Path], server: str, out: Path, *extra: str) -> Any:
    root = signed["releases"] / "tuf" / "1.root.json"
    return run_cli(
        "download", "latest", "--from", server, "-o", out, "--trusted-root", root,
        "--metadata-dir", out.parent / "client-metadata", *extra,
    )  # fmt: skip


def _refused(result: Any, kind: str) -> str:
    assert result.code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: refused ({kind}"), lines[0]
    return str(lines[0])


def test_a_signed_release_downloads_verified(
    signed: dict[str, Path], server: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = _download(signed, server, out)
    assert result.code == 0, result.stderr
    assert "each verified through the signed TUF metadata" in result.stdout
    assert tree_bytes(out) == tree_bytes(signed["releases"] / "v1.0.0")
    status = run_cli("tuf", "status", cwd=signed["root"])
    assert status.code == 0 and "every file signed, nothing expired" in status.stdout


def test_a_tampered_file_is_refused(signed: dict[str, Path], server: str, tmp_path: Path) -> None:
    target = signed["releases"] / "v1.0.0" / "framework.json"
    target.write_bytes(target.read_bytes().replace(b"Do not exclude", b"Do exclude"))
    line = _refused(_download(signed, server, tmp_path / "out"), "tampered v1.0.0/framework.json")
    assert "SHA-256" in line
    assert not (tmp_path / "out").exists()
    status = run_cli("tuf", "status", cwd=signed["root"])
    assert status.code == 1 and "v1.0.0/framework.json: differs from its signed" in status.stdout


def test_a_tampered_index_is_refused(signed: dict[str, Path], server: str, tmp_path: Path) -> None:
    index = signed["releases"] / "index.json"
    data = json.loads(index.read_bytes())
    data["releases"][0]["files"][0]["sha256"] = "0" * 64
    index.write_text(json.dumps(data, indent=2) + "\n")
    _refused(_download(signed, server, tmp_path / "out"), "tampered index.json")
    assert not (tmp_path / "out").exists()


def test_tampered_metadata_is_refused(signed: dict[str, Path], server: str, tmp_path: Path) -> None:
    targets = signed["releases"] / "tuf" / "targets.json"
    data = json.loads(targets.read_bytes())
    name = "v1.0.0/framework.json"
    data["signed"]["targets"][name]["length"] += 1
    targets.write_text(json.dumps(data, indent=1) + "\n")
    # The snapshot names the targets' version only (no hashes), so the signature is what
    # catches the edit.
    _refused(_download(signed, server, tmp_path / "out"), "tampered metadata")


def test_a_rollback_is_refused(signed: dict[str, Path], server: str, tmp_path: Path) -> None:
    releases = signed["releases"]
    old = tmp_path / "old-tuf"
    shutil.copytree(releases / "tuf", old)
    add_practice(signed["root"])
    workspace = Workspace(signed["root"])
    cut = run_cli(
        "release", "--date", "2026-02-15", "--tag", "--keys", signed["keys"], cwd=signed["root"]
    )
    assert cut.code == 0, cut.stderr
    assert "note: signed" in cut.stdout
    first = _download(signed, server, tmp_path / "new")
    assert first.code == 0 and "downloaded 1.1.0" in first.stdout, first.stderr
    # The attacker serves the older, validly signed metadata again.
    shutil.rmtree(releases / "tuf")
    shutil.copytree(old, releases / "tuf")
    line = _refused(_download(signed, server, tmp_path / "again"), "rollback")
    assert "timestamp" in line
    # verify sees it too: the files are intact, but the metadata signs none of v1.1.0.
    checked = api.verify(workspace, rebuild=False)
    outcomes = {(c.version, c.check): c.outcome for c in checked.checks}
    assert outcomes[("1.1.0", "checksums")] == "ok"
    assert outcomes[("1.1.0", "signed")] == "failed"


def test_an_expired_timestamp_is_refused(
    signed: dict[str, Path], server: str, tmp_path: Path
) -> None:
    workspace = Workspace(signed["root"])
    # Signed ten days ago, with the real keys: the timestamp (7 days) has run out since.
    api.tuf_publish(workspace, signed["keys"], now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    line = _refused(_download(signed, server, tmp_path / "out"), "freeze")
    assert "timestamp" in line and "expired" in line
    status = run_cli("tuf", "status", cwd=signed["root"])
    assert status.code == 1 and "timestamp.json expired" in status.stdout
    # Renewing it (as the scheduled job does) lets the client through again.
    assert run_cli("tuf", "publish", "--keys", signed["keys"], cwd=signed["root"]).code == 0
    assert _download(signed, server, tmp_path / "out").code == 0


def test_the_first_download_needs_a_trusted_root(
    signed: dict[str, Path], server: str, tmp_path: Path
) -> None:
    result = run_cli("download", "--from", server, "-o", tmp_path / "out")
    assert result.code == 2
    assert "is signed (it has tuf/root.json): give --trusted-root FILE" in result.stderr
    # A root that is not the secretariat's is no trust anchor for this server.
    other = tmp_path / "other"
    root = tmp_path / "other-root.json"
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(signed["root"] / "framework", elsewhere / "framework")
    api.release(Workspace(elsewhere), api.ReleaseOptions(date="2026-01-15"))
    assert run_cli("tuf", "init", "--keys", other, cwd=elsewhere).code == 0
    shutil.copy(elsewhere / "releases" / "tuf" / "1.root.json", root)
    args = ("--trusted-root", root, "--metadata-dir", tmp_path / "m2")
    line = _refused(
        run_cli("download", "--from", server, "-o", tmp_path / "o2", *args), "tampered metadata"
    )
    assert "keys the trusted root names" in line


def test_rotated_keys_keep_old_clients_working(
    signed: dict[str, Path], server: str, tmp_path: Path
) -> None:
    assert _download(signed, server, tmp_path / "one").code == 0
    for role in ("timestamp", "targets"):
        rotated = run_cli("tuf", "rotate", role, "--keys", signed["keys"], cwd=signed["root"])
        assert rotated.code == 0, rotated.stderr
    # The root to three keys, two of them needed from now on.
    args = ("--root-keys", "3", "--root-threshold", "2")
    rotated = run_cli("tuf", "rotate", "root", *args, "--keys", signed["keys"], cwd=signed["root"])
    assert rotated.code == 0, rotated.stderr
    assert sorted(p.name for p in signed["keys"].glob("root*.pem")) == [
        "root-2.pem", "root-3.pem", "root.pem", "root.retired-4.pem",
    ]  # fmt: skip
    assert sorted(p.name for p in (signed["releases"] / "tuf").glob("*.root.json")) == [
        "1.root.json", "2.root.json", "3.root.json", "4.root.json",
    ]  # fmt: skip
    assert (signed["keys"] / "timestamp.retired-2.pem").is_file()
    # The client that trusted root v1 follows the chain to v4 (each signed by the one before).
    again = _download(signed, server, tmp_path / "two")
    assert again.code == 0, again.stderr
    status = run_cli("tuf", "status", cwd=signed["root"])
    assert status.code == 0 and "root             4" in status.stdout
    assert re.search(r"root .* \(2\)  yes", status.stdout), status.stdout
    # Two custodians of three suffice to rotate again; one alone does not.
    (signed["keys"] / "root-3.pem").rename(tmp_path / "away-3.pem")
    again = run_cli("tuf", "rotate", "snapshot", "--keys", signed["keys"], cwd=signed["root"])
    assert again.code == 0, again.stderr
    (signed["keys"] / "root-2.pem").rename(tmp_path / "away-2.pem")
    alone = run_cli("tuf", "rotate", "snapshot", "--keys", signed["keys"], cwd=signed["root"])
    assert alone.code == 1 and "threshold" in alone.stderr, alone.stderr
    assert _download(signed, server, tmp_path / "three").code == 0


def test_keys_are_kept_out_of_the_repository_and_private(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh"
    shutil.copytree(signed["root"], fresh, ignore=shutil.ignore_patterns("tuf"))
    inside = run_cli("tuf", "init", "--keys", fresh / "keys", cwd=fresh)
    assert inside.code == 2 and "private keys never go into git" in inside.stderr
    (signed["keys"] / "targets.pem").chmod(0o644)
    loose = run_cli("tuf", "publish", "--keys", signed["keys"], cwd=signed["root"])
    assert loose.code == 1 and "can be read by others" in loose.stderr
    (signed["keys"] / "targets.pem").chmod(0o600)
    unsigned = run_cli("release", "--date", "2026-03-01", cwd=signed["root"])
    assert unsigned.code == 2 and "releases/ is signed" in unsigned.stderr


def _bin_with_gh(tmp_path: Path, script: str | None) -> str:
    """A PATH holding git (the rebuild needs it) and, unless None, a stand-in gh."""
    folder = tmp_path / "bin"
    folder.mkdir(parents=True)
    git = shutil.which("git")
    assert git is not None
    (folder / "git").symlink_to(git)
    if script is not None:
        gh = folder / "gh"
        gh.write_text("#!/bin/sh\n" + script, encoding="utf-8")
        gh.chmod(0o755)
    return str(folder)


def test_verify_explains_each_check(signed: dict[str, Path], tmp_path: Path) -> None:
    root = signed["root"]
    result = run_cli("verify", cwd=root)
    assert result.code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ok   v1.0.0"
    assert lines[1].startswith("  ok   checksums: all ") and "match SHA256SUMS" in lines[1]
    assert lines[2].startswith("  ok   rebuild: rebuilt from its git tag")
    assert lines[3].startswith("  ok   signed: every file is a target of releases/tuf/targets.json")
    assert lines[4] == "  skip attestation: not asked for (--attestations)"
    # No gh on the PATH: said so, not failed.
    path = _bin_with_gh(tmp_path / "none", None)
    plain = run_cli("verify", "--attestations", "--no-rebuild", cwd=root, env={"PATH": path})
    assert plain.code == 0
    assert "  skip attestation: the gh command is not installed" in plain.stdout
    # A gh that finds the attestation (it is given the release's SHA256SUMS and the repo).
    calls = tmp_path / "calls"
    ok = _bin_with_gh(tmp_path / "ok", f'echo "$@" >> {calls}\nexit 0\n')
    args = ("verify", "--attestations", "--repo", "un/safeguards", "--no-rebuild")
    attested = run_cli(*args, cwd=root, env={"PATH": ok})
    assert attested.code == 0, attested.output
    assert "  ok   attestation: gh attestation verify: SHA256SUMS has a build-provenance" in (
        attested.stdout
    )
    sums = signed["releases"] / "v1.0.0" / "SHA256SUMS"
    assert calls.read_text() == f"attestation verify {sums} --repo un/safeguards\n"
    # One that does not: the check fails, and so does verify.
    missing = _bin_with_gh(tmp_path / "no", 'echo "Error: no attestations found" >&2\nexit 1\n')
    refused = run_cli(*args, cwd=root, env={"PATH": missing})
    assert refused.code == 1
    assert "  FAIL attestation: gh attestation verify: Error: no attestations found" in (
        refused.stdout
    )
    # A file changed after signing fails the checksums and the signature check alike.
    page = signed["releases"] / "v1.0.0" / "framework.md"
    page.write_bytes(page.read_bytes() + b"\n")
    changed = run_cli("verify", "--no-rebuild", "--format", "json", cwd=root)
    assert changed.code == 1
    report = json.loads(changed.stdout)
    outcomes = {c["check"]: c["outcome"] for c in report["checks"]}
    assert outcomes == {
        "checksums": "failed",
        "rebuild": "skipped",
        "signed": "failed",
        "attestation": "skipped",
    }
    signed_check = next(c for c in report["checks"] if c["check"] == "signed")
    assert "v1.0.0/framework.md: differs from its signed length or hash" in signed_check["detail"]


def test_the_downstream_example_prints_the_canvas_of_the_latest_release(
    signed: dict[str, Path], server: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from tests.support.paths import REPO

    root_file = signed["releases"] / "tuf" / "1.root.json"
    args = [sys.executable, str(REPO / "examples" / "latest_canvas.py"), "--from", server]
    query = ["--authority", "Government", "--stage", "Strategy and Design"]
    done = subprocess.run(
        [*args, "--trusted-root", str(root_file), *query],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("release 1.0.0, ") and "files verified" in done.stderr
    expected = run_cli(
        "canvas", "-a", "Government", "-s", "Strategy and Design", cwd=signed["root"]
    )
    assert done.stdout == expected.stdout
    # A second run needs no trusted root: the client kept what it verified.
    again = subprocess.run([*args, *query], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stdout == expected.stdout, again.stderr
    # A tampered file on the server: refused, in one line.
    target = signed["releases"] / "v1.0.0" / "framework.json"
    target.write_bytes(target.read_bytes() + b" ")
    bad = subprocess.run([*args, *query], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: refused (tampered v1.0.0/framework.json)"), bad.stderr


def test_a_trusted_root_against_an_unsigned_source_is_refused(
    signed: dict[str, Path], tmp_path: Path
) -> None:
    unsigned = tmp_path / "unsigned"
    shutil.copytree(signed["releases"], unsigned, ignore=shutil.ignore_patterns("tuf"))
    root = signed["releases"] / "tuf" / "1.root.json"
    args = ("--trusted-root", root, "--metadata-dir", tmp_path / "m")
    result = run_cli("download", "--from", unsigned, "-o", tmp_path / "out", *args)
    _refused(result, "no signed metadata")
    assert not (tmp_path / "out").exists()
