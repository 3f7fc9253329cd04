"""The checks ``safeguards verify`` adds for distribution: that each release's files are
the signed TUF targets, and (where the gh command is present) that the release's
SHA256SUMS carries a build-provenance attestation from the repository's own workflow."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from dpi_safeguards.distribution.repository import is_signed
from dpi_safeguards.distribution.status import tuf_status
from dpi_safeguards.release.verify import VerifyResult

GH_TIMEOUT_SECONDS = 120
_GITHUB_REMOTE = re.compile(r"github\.com[:/]([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def add_signed_checks(result: VerifyResult, releases_dir: Path) -> None:
    """Per release: every file a signed target with its SHA-256 and length, the metadata
    verifying with the root's keys, nothing expired."""
    if not is_signed(releases_dir):
        for version in result.checked:
            result.record(
                version, "signed", "skipped", "releases/ is not signed (no releases/tuf/root.json)"
            )
        return
    status = tuf_status(releases_dir)
    versions = {r.role: r.version for r in status.roles}
    general = [p for p in status.problems if not p.startswith("v")]
    for version in result.checked:
        mine = [p for p in status.problems if p.startswith(f"v{version}/")]
        problems = general + mine
        if problems:
            result.record(version, "signed", "failed", "; ".join(problems[:5]))
            continue
        result.record(
            version,
            "signed",
            "ok",
            f"every file is a target of releases/tuf/targets.json (v{versions.get('targets')}) "
            "with the same SHA-256 and length; root, targets, snapshot and timestamp "
            f"(v{versions.get('timestamp')}) verify with the keys the root names, and none "
            "has expired",
        )


def github_repository(root: Path) -> str | None:
    """OWNER/NAME of the origin remote when it is on GitHub."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _GITHUB_REMOTE.search(done.stdout.strip())
    return found.group(1) if found else None


def add_attestation_checks(
    result: VerifyResult, releases_dir: Path, repository: str | None, root: Path
) -> None:
    """Per release: ``gh attestation verify`` on its SHA256SUMS (which names every other
    file's SHA-256, each checked already)."""
    gh = shutil.which("gh")
    repo = repository or github_repository(root)
    for version in result.checked:
        if gh is None:
            result.record(
                version,
                "attestation",
                "skipped",
                "the gh command is not installed (cli.github.com)",
            )
            continue
        if repo is None:
            result.record(
                version,
                "attestation",
                "skipped",
                "no --repo OWNER/NAME given and the origin remote is not on GitHub",
            )
            continue
        sums = releases_dir / f"v{version}" / "SHA256SUMS"
        try:
            done = subprocess.run(
                [gh, "attestation", "verify", str(sums), "--repo", repo],
                capture_output=True,
                text=True,
                timeout=GH_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            result.record(version, "attestation", "failed", f"gh did not finish: {exc}")
            continue
        if done.returncode == 0:
            result.record(
                version,
                "attestation",
                "ok",
                f"gh attestation verify: SHA256SUMS has a build-provenance attestation "
                f"signed (sigstore) for a GitHub Actions workflow of {repo}, for this "
                "very digest; SHA256SUMS in turn names every file's SHA-256",
            )
        else:
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
            result.record(version, "attestation", "failed", f"gh attestation verify: {last[0]}")
