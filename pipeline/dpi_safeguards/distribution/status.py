"""``safeguards tuf status``: what the releases folder's signed metadata says, checked the
way a client checks it (signatures against the root, expiry, the files against targets)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, TargetFile

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.distribution.repository import (
    TUF_DIR,
    is_signed,
    iter_targets,
    metadata_dir,
    now_utc,
)

ROLES = ("root", "targets", "snapshot", "timestamp")


@dataclass(frozen=True)
class RoleStatus:
    role: str
    version: int
    expires: str
    days_left: float
    keys: list[str]  # short key ids
    threshold: int
    verified: bool


@dataclass
class TufStatus:
    roles: list[RoleStatus] = field(default_factory=list)
    targets: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def tuf_status(releases_dir: Path, *, now: dt.datetime | None = None) -> TufStatus:
    moment = now or now_utc()
    if not is_signed(releases_dir):
        raise UsageError(
            f"{releases_dir.name}/{TUF_DIR} has no root.json: the releases are not signed "
            "('safeguards tuf init --keys DIR' starts)"
        )
    folder = metadata_dir(releases_dir)
    result = TufStatus()
    loaded: dict[str, Metadata[Any]] = {}
    for role in ROLES:
        path = folder / f"{role}.json"
        try:
            loaded[role] = Metadata.from_file(str(path))
        except Exception as exc:
            result.problems.append(f"{role}.json: cannot be read: {exc}")
    root_md = loaded.get("root")
    if root_md is None or not isinstance(root_md.signed, Root):
        return result
    root = root_md.signed
    for role, metadata in loaded.items():
        delegation = root.roles[role]
        if role == "root":
            verified = bool(
                root.get_root_verification_result(None, metadata.signed_bytes, metadata.signatures)
            )
        else:
            verified = bool(
                root.get_verification_result(role, metadata.signed_bytes, metadata.signatures)
            )
        expires: dt.datetime = metadata.signed.expires
        left = (expires - moment).total_seconds() / 86400
        result.roles.append(
            RoleStatus(
                role,
                metadata.signed.version,
                expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                round(left, 1),
                [k[:12] for k in delegation.keyids],
                delegation.threshold,
                verified,
            )
        )
        if not verified:
            result.problems.append(f"{role}.json: its signatures do not meet the threshold")
        if left < 0:
            result.problems.append(f"{role}.json expired on {expires:%Y-%m-%d}: clients refuse it")
    targets_md = loaded.get("targets")
    if targets_md is not None:
        signed: dict[str, TargetFile] = targets_md.signed.targets
        result.targets = len(signed)
        on_disk = dict(iter_targets(releases_dir))
        for name, path in on_disk.items():
            target = signed.get(name)
            if target is None:
                result.problems.append(f"{name}: not signed ('safeguards tuf publish')")
                continue
            try:
                target.verify_length_and_hashes(path.read_bytes())
            except Exception:
                result.problems.append(f"{name}: differs from its signed length or hash")
        for name in sorted(set(signed) - set(on_disk)):
            result.problems.append(f"{name}: signed but missing from the releases folder")
    return result


def render_status_text(status: TufStatus) -> str:
    lines = ["role       version  expires               days left  keys (threshold)  signed"]
    for r in status.roles:
        keys = ", ".join(r.keys) + f" ({r.threshold})"
        lines.append(
            f"{r.role:<10} {r.version:>7}  {r.expires:<20}  {r.days_left:>9}  {keys}  "
            f"{'yes' if r.verified else 'NO'}"
        )
    lines.append(f"{status.targets} targets")
    lines += [f"problem: {p}" for p in status.problems] or ["every file signed, nothing expired"]
    return "\n".join(lines) + "\n"
