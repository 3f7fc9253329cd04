"""One writer at a time: an advisory lock held for the whole of a merge or release.

``flock`` is released by the kernel when the holder dies, so a killed run never leaves a
stale lock; the pid written into the file only serves the message shown to the loser.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dpi_safeguards.core.errors import SafeguardsError

LOCK_NAME = ".safeguards.lock"


class LockedError(SafeguardsError):
    """Another merge or release is running on the same repository."""


@contextmanager
def repository_lock(root: Path, action: str) -> Iterator[None]:
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another run"
            raise LockedError(
                f"cannot {action}: {holder} holds the repository lock ({path.name}); "
                "wait for it to finish and run again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{action} (pid {os.getpid()})".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
