"""Multi-file changes are all-or-nothing across a crash at any point."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dpi_safeguards.store import transaction as tx
from dpi_safeguards.store.transaction import JOURNAL_NAME, Transaction, recover


def _state(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _setup(root: Path) -> Transaction:
    (root / "framework").mkdir(parents=True)
    (root / "contributions" / "accepted").mkdir(parents=True)
    (root / "framework" / "a.yaml").write_text("old a\n")
    (root / "framework" / "b.yaml").write_text("old b\n")
    (root / "contributions" / "accepted" / "c.yaml").write_text("contribution\n")
    t = Transaction(root)
    t.write(root / "framework" / "a.yaml", "new a\n")
    t.write(root / "framework" / "new.yaml", "brand new\n")
    t.move(
        root / "contributions" / "accepted" / "c.yaml",
        root / "contributions" / "merged" / "c.yaml",
        "contribution, merged\n",
    )
    return t


def test_commit_applies_everything(tmp_path: Path) -> None:
    _setup(tmp_path).commit()
    assert _state(tmp_path) == {
        "contributions/merged/c.yaml": b"contribution, merged\n",
        "framework/a.yaml": b"new a\n",
        "framework/b.yaml": b"old b\n",
        "framework/new.yaml": b"brand new\n",
    }


@pytest.mark.parametrize("fail_at", [1, 2, 3])
def test_crash_during_renames_rolls_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """A crash after the journal is written: the next run finishes the change."""
    t = _setup(tmp_path)
    real_replace = os.replace
    calls = {"n": 0}

    def crashing_replace(src: object, dst: object) -> None:
        if str(dst).endswith(JOURNAL_NAME):
            real_replace(src, dst)  # type: ignore[arg-type]
            return
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", crashing_replace)
    with pytest.raises(KeyboardInterrupt):
        t.commit()
    monkeypatch.setattr(os, "replace", real_replace)
    assert (tmp_path / JOURNAL_NAME).exists()
    recover(tmp_path, [tmp_path / "framework", tmp_path / "contributions"])
    assert not (tmp_path / JOURNAL_NAME).exists()
    assert _state(tmp_path)["framework/a.yaml"] == b"new a\n"
    assert "contributions/accepted/c.yaml" not in _state(tmp_path)


def test_crash_before_journal_leaves_before_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = _setup(tmp_path)
    before = _state(tmp_path)

    def crash(*_: object) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(tx, "_write_journal", crash)
    with pytest.raises(KeyboardInterrupt):
        t.commit()
    removed = recover(tmp_path, [tmp_path / "framework", tmp_path / "contributions"])
    assert removed, "temp files of the killed run are swept"
    assert _state(tmp_path) == before
