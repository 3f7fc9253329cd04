"""The TUF repository of the releases folder: ``releases/tuf/`` holds the root (every
version, ``N.root.json``, and the current one as ``root.json``), ``targets.json``,
``snapshot.json`` and ``timestamp.json``, written with python-tuf's Metadata API.

Every file under ``releases/`` but ``tuf/`` is a target, by its path there
(``v1.2.0/framework.json``, ``index.json``): so the same folder, served as it is (a web
server, GitHub Pages, a local copy), is both the mirror of the releases and the TUF
repository. Snapshots are not consistent (``consistent_snapshot: false``): the files keep
their names, and a client reading in the middle of a publication at worst refuses, never
accepts, a mixed state.

Expiry is the one place where the clock enters signed files: a timestamp that never
expired would let an attacker freeze a client on an old release. Each publication renews
the timestamp, and any other role whose expiry is less than half its period away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.distribution.keys import (
    ONLINE_ROLES,
    KeyRing,
    check_outside,
    generate,
    key_file_name,
    write_key,
)
from dpi_safeguards.store.transaction import Transaction

TUF_DIR = "tuf"
# How long each role's signature holds, in days.
EXPIRY_DAYS = {"root": 365, "targets": 365, "snapshot": 30, "timestamp": 7}
_SERIALIZER = JSONSerializer(compact=False)


class TufError(SafeguardsError):
    """The repository's metadata cannot be read, written or signed as asked."""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _expires(role: str, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=EXPIRY_DAYS[role])


def metadata_dir(releases_dir: Path) -> Path:
    return releases_dir / TUF_DIR


def is_signed(releases_dir: Path) -> bool:
    return (metadata_dir(releases_dir) / "root.json").is_file()


def _read(path: Path) -> Metadata[Any]:
    try:
        return Metadata.from_file(str(path))
    except Exception as exc:  # python-tuf raises several kinds for a bad file
        raise TufError(f"{path} is not TUF metadata: {exc}") from None


def _bytes(metadata: Metadata[Any]) -> bytes:
    return metadata.to_bytes(_SERIALIZER) + b"\n"


def iter_targets(releases_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every file under the releases folder but the TUF metadata, by its path there."""
    for path in sorted(releases_dir.rglob("*")):
        relative = path.relative_to(releases_dir).as_posix()
        if relative == TUF_DIR or relative.startswith(TUF_DIR + "/"):
            continue
        if path.is_symlink():
            raise TufError(f"{path} is a symlink; a release holds regular files only")
        if path.is_file() and not relative.startswith("."):
            yield relative, path


@dataclass
class Signing:
    """The metadata as read, and what is written back (role -> new metadata)."""

    releases_dir: Path
    root: Metadata[Any]
    current: dict[str, Metadata[Any]] = field(default_factory=dict)
    written: dict[str, Metadata[Any]] = field(default_factory=dict)

    def version(self, role: str) -> int:
        found = self.written.get(role) or self.current.get(role)
        return found.signed.version if found is not None else 0


def _sign(role: str, metadata: Metadata[Any], ring: KeyRing, root: Root) -> None:
    metadata.signatures.clear()
    for signer in ring.require(role):
        metadata.sign(signer, append=True)
    result = root.get_verification_result(role, metadata.signed_bytes, metadata.signatures)
    if not result.verified:
        raise TufError(
            f"the {role} keys in {ring.folder} are not the ones the root names for {role} "
            f"(threshold {root.roles[role].threshold}); sign with the right keys, or rotate"
        )


def _due(metadata: Metadata[Any] | None, role: str, now: dt.datetime) -> bool:
    """A role is re-signed when missing or within half its period of expiring."""
    if metadata is None:
        return True
    half = dt.timedelta(days=EXPIRY_DAYS[role]) / 2
    expires: dt.datetime = metadata.signed.expires
    return expires - now < half


def _renew(
    signing: Signing,
    ring: KeyRing,
    role: str,
    moment: dt.datetime,
    force: frozenset[str],
    *,
    unchanged: Callable[[Any], bool],
    build: Callable[[int, dt.datetime], Any],
) -> None:
    """Sign a new version of ``role`` unless its current one says the same (``unchanged``)
    and is not near its expiry or forced."""
    old = signing.current.get(role)
    if (
        old is not None
        and unchanged(old.signed)
        and not _due(old, role, moment)
        and role not in force
    ):
        return
    new = Metadata(build(signing.version(role) + 1, _expires(role, moment)))
    _sign(role, new, ring, signing.root.signed)
    signing.written[role] = new


@dataclass
class PublishResult:
    written: dict[str, int]  # role -> new version
    targets: int


def publish(
    releases_dir: Path,
    ring: KeyRing,
    workspace_root: Path,
    *,
    now: dt.datetime | None = None,
    force: frozenset[str] = frozenset(),
) -> PublishResult:
    """Bring targets.json up to the files under the releases folder and sign what changed
    or nears its expiry (or is in ``force``); the timestamp always. Written in one
    journaled transaction."""
    moment = now or now_utc()
    folder = metadata_dir(releases_dir)
    if not is_signed(releases_dir):
        raise UsageError(
            f"{releases_dir.name}/{TUF_DIR} has no root.json: this releases folder is not "
            "signed yet (start it with 'safeguards tuf init --keys DIR')"
        )
    root_md = _read(folder / "root.json")
    if not isinstance(root_md.signed, Root):
        raise TufError(f"{folder / 'root.json'} is not root metadata")
    signing = Signing(releases_dir, root_md)
    for role in ONLINE_ROLES:
        path = folder / f"{role}.json"
        if path.is_file():
            signing.current[role] = _read(path)
    targets = {
        name: TargetFile.from_file(name, str(path), ["sha256"])
        for name, path in iter_targets(releases_dir)
    }
    _renew(
        signing, ring, "targets", moment, force,
        unchanged=lambda signed: isinstance(signed, Targets) and signed.targets == targets,
        build=lambda version, expires: Targets(version=version, expires=expires, targets=targets),
    )  # fmt: skip
    meta = {"targets.json": MetaFile(version=signing.version("targets"))}
    _renew(
        signing, ring, "snapshot", moment, force,
        unchanged=lambda signed: isinstance(signed, Snapshot) and signed.meta == meta,
        build=lambda version, expires: Snapshot(version=version, expires=expires, meta=meta),
    )  # fmt: skip
    timestamp = Metadata(
        Timestamp(
            version=signing.version("timestamp") + 1,
            expires=_expires("timestamp", moment),
            snapshot_meta=MetaFile(version=signing.version("snapshot")),
        )
    )
    _sign("timestamp", timestamp, ring, signing.root.signed)
    signing.written["timestamp"] = timestamp
    transaction = Transaction(workspace_root)
    for role, metadata in signing.written.items():
        transaction.write(folder / f"{role}.json", _bytes(metadata))
    transaction.commit()
    return PublishResult(
        {role: md.signed.version for role, md in signing.written.items()}, len(targets)
    )


@dataclass
class InitResult:
    keys: list[Path]
    root_version: int
    published: PublishResult


def initialise(
    releases_dir: Path,
    keys_dir: Path,
    workspace_root: Path,
    *,
    root_keys: int = 1,
    root_threshold: int = 1,
    now: dt.datetime | None = None,
) -> InitResult:
    """The key ceremony's first step: new keys in ``keys_dir`` (outside the repository),
    the first root (``1.root.json``), then targets, snapshot and timestamp."""
    if not 1 <= root_threshold <= root_keys <= 9:
        raise UsageError(
            f"--root-threshold {root_threshold} of --root-keys {root_keys}: the threshold "
            "is at least 1 and at most the number of root keys (at most 9)"
        )
    folder = metadata_dir(releases_dir)
    if folder.exists():
        raise UsageError(
            f"{releases_dir.name}/{TUF_DIR} exists already: this releases folder is signed"
        )
    check_outside(keys_dir, workspace_root)
    if keys_dir.exists() and any(keys_dir.iterdir()):
        raise UsageError(f"--keys {keys_dir} must be a new or empty folder")
    moment = now or now_utc()
    root = Root(expires=_expires("root", moment), consistent_snapshot=False)
    written: list[Path] = []
    ring = KeyRing(keys_dir)
    plan = [("root", n) for n in range(1, root_keys + 1)] + [(r, 1) for r in ONLINE_ROLES]
    for role, number in plan:
        signer, pem = generate(role)
        written.append(write_key(keys_dir, key_file_name(role, number), pem))
        ring.signers.setdefault(role, []).append(signer)
        root.add_key(signer.public_key, role)
    root.roles["root"].threshold = root_threshold
    root_md = Metadata(root)
    for signer in ring.require("root"):
        root_md.sign(signer, append=True)
    data = _bytes(root_md)
    transaction = Transaction(workspace_root)
    transaction.write(folder / "1.root.json", data)
    transaction.write(folder / "root.json", data)
    transaction.commit()
    published = publish(releases_dir, ring, workspace_root, now=moment)
    return InitResult(written, 1, published)


def rotate(
    releases_dir: Path,
    ring: KeyRing,
    workspace_root: Path,
    role: str,
    *,
    now: dt.datetime | None = None,
    root_keys: int = 1,
    root_threshold: int = 1,
) -> tuple[list[Path], int]:
    """New keys for ``role`` in place of its current ones (the root: ``root_keys`` keys,
    ``root_threshold`` of them needed): a new root version signed by the current root keys
    (and by the new ones when the root itself rotates), the old key files renamed
    ``<name>.retired-<root version>.pem``, then the role re-signed."""
    count = root_keys if role == "root" else 1
    if role == "root" and not 1 <= root_threshold <= root_keys <= 9:
        raise UsageError(
            f"--root-threshold {root_threshold} of --root-keys {root_keys}: the threshold "
            "is at least 1 and at most the number of root keys (at most 9)"
        )
    moment = now or now_utc()
    folder = metadata_dir(releases_dir)
    root_md = _read(folder / "root.json")
    root = root_md.signed
    if not isinstance(root, Root):
        raise TufError(f"{folder / 'root.json'} is not root metadata")
    old_root_signers = ring.require("root")
    previous = Metadata.from_bytes(root_md.to_bytes()).signed  # before the edits below
    fresh = [generate(role) for _ in range(count)]
    for keyid in list(root.roles[role].keyids):
        root.revoke_key(keyid, role)
    for signer, _ in fresh:
        root.add_key(signer.public_key, role)
    if role == "root":
        root.roles["root"].threshold = root_threshold
    root.version += 1
    root.expires = _expires("root", moment)
    new_root = Metadata(root)
    signers = [*old_root_signers, *([s for s, _ in fresh] if role == "root" else [])]
    for each in signers:
        new_root.sign(each, append=True)
    checked = root.get_root_verification_result(
        previous, new_root.signed_bytes, new_root.signatures
    )
    if not checked.verified:
        raise TufError(
            f"the root keys in {ring.folder} do not meet the threshold of the current root "
            f"({previous.roles['root'].threshold} of {len(previous.roles['root'].keyids)}): "
            "bring the other custodians' keys; nothing was changed"
        )
    transaction = Transaction(workspace_root)
    data = _bytes(new_root)
    transaction.write(folder / f"{root.version}.root.json", data)
    transaction.write(folder / "root.json", data)
    transaction.commit()
    for path in sorted(ring.folder.glob(f"{role}*.pem")):
        if ".retired-" not in path.name:
            path.rename(path.with_name(f"{path.stem}.retired-{root.version}.pem"))
    new_keys = [
        write_key(ring.folder, key_file_name(role, number), pem)
        for number, (_, pem) in enumerate(fresh, 1)
    ]
    ring.signers[role] = [signer for signer, _ in fresh]
    if role in ONLINE_ROLES:
        publish(releases_dir, ring, workspace_root, now=moment, force=frozenset({role}))
    return new_keys, root.version
