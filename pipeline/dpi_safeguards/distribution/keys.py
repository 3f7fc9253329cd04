"""The secretariat's signing keys: one Ed25519 key per file, ``<role>.pem`` (the root may
have several: ``root.pem``, ``root-2.pem``, ... for a threshold), PKCS#8 PEM, readable by
their owner only, kept outside the repository (the key ceremony in docs/distribution.md).

A key folder may hold only some keys: the release machine holds the online ones (targets,
snapshot, timestamp); the root keys stay offline and are brought in to sign a new root.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner

from dpi_safeguards.core.errors import SafeguardsError, UsageError

ROLES = ("root", "targets", "snapshot", "timestamp")
ONLINE_ROLES = ("targets", "snapshot", "timestamp")
_KEY_FILE = re.compile(r"(root|targets|snapshot|timestamp)(?:-([0-9]{1,2}))?\.pem")
KEY_MODE = 0o600


class KeyProblem(SafeguardsError):
    """A key folder or key file that cannot be used."""


@dataclass
class KeyRing:
    """The signers found in a key folder, by role."""

    folder: Path
    signers: dict[str, list[CryptoSigner]] = field(default_factory=dict)

    def of(self, role: str) -> list[CryptoSigner]:
        return self.signers.get(role, [])

    def require(self, role: str) -> list[CryptoSigner]:
        found = self.of(role)
        if not found:
            raise KeyProblem(
                f"{self.folder} holds no {role} key ({role}.pem); the {role} metadata "
                "cannot be signed without it"
            )
        return found


def _signer(private: Ed25519PrivateKey) -> CryptoSigner:
    return CryptoSigner(private)


def generate(role: str) -> tuple[CryptoSigner, bytes]:
    """A new key for ``role``: its signer and its PEM bytes."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _signer(private), pem


def key_file_name(role: str, number: int = 1) -> str:
    return f"{role}.pem" if number == 1 else f"{role}-{number}.pem"


def check_outside(folder: Path, repository: Path) -> None:
    """A key folder inside the repository would be committed with it: refused."""
    try:
        folder.resolve().relative_to(repository.resolve())
    except ValueError:
        return
    raise UsageError(
        f"--keys {folder} is inside the repository ({repository}); private keys never go "
        "into git: keep them outside it (docs/distribution.md, the key ceremony)"
    )


def write_key(folder: Path, name: str, pem: bytes) -> Path:
    """Write a new key file readable by its owner only; an existing one is never replaced."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def load_keys(folder: Path) -> KeyRing:
    """Every ``<role>[-n].pem`` in ``folder``; a key readable by others is refused."""
    if not folder.is_dir():
        raise UsageError(f"--keys {folder} is not a folder of keys")
    ring = KeyRing(folder)
    for path in sorted(folder.iterdir()):
        match = _KEY_FILE.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyProblem(
                f"{path} can be read by others (mode {mode:o}); run 'chmod 600 {path}'"
            )
        try:
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise KeyProblem(f"{path} is not an unencrypted PEM private key: {exc}") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyProblem(f"{path} is not an Ed25519 key")
        ring.signers.setdefault(match.group(1), []).append(_signer(private))
    if not ring.signers:
        raise UsageError(f"--keys {folder} holds no key file (root.pem, targets.pem, ...)")
    return ring
