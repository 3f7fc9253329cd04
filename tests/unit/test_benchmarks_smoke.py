"""The benchmark generator at tiny sizes (no benchmark runs here: no timings are taken),
and the speed-ups' promise that nothing users see changes: the framework cache, the lazy
documents, the plain-scalar fast path and the cheaper path display."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.generate import generate
from dpi_safeguards import api
from dpi_safeguards.changes.diff import diff_frameworks
from dpi_safeguards.core.findings import Finding
from dpi_safeguards.core.ids import Kind
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load import cache
from dpi_safeguards.load.folder import load_framework
from dpi_safeguards.store import reader as reader_module
from tests.support.paths import REPO


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "data"
    generate(out, practices=120, proposals=60, seed=3)
    return out


def test_same_seed_gives_the_same_bytes(generated: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", practices=120, proposals=60, seed=3)
    assert _tree(tmp_path / "again") == _tree(generated)
    generate(tmp_path / "other", practices=120, proposals=60, seed=4)
    assert _tree(tmp_path / "other") != _tree(generated)


def test_generated_frameworks_validate(generated: Path) -> None:
    for version in ("v1", "v2"):
        root = generated / version
        report = api.validate(Workspace(root), [root / "framework"])
        assert report.findings == [], report.findings[:3]
    framework = load_framework(generated / "v1" / "framework").framework
    assert len(framework.practices) == 120
    assert {p.split(".")[0] for p in framework.processes} == set(framework.principles)
    assert len(framework.principles) == 18
    for practice in framework.practices.values():
        assert 15 <= len(practice.text.split()) <= 40


def test_proposals_give_the_planted_findings(generated: Path) -> None:
    truth = json.loads((generated / "truth.json").read_text(encoding="utf-8"))
    root = generated / "v1"
    report = api.validate(Workspace(root), [root / "contributions" / "proposed"])
    found: dict[str, set[str]] = {}
    for finding in report.findings:
        found.setdefault(Path(finding.file or "").name, set()).add(finding.code)
    for name, expected in truth["expected"].items():
        assert found.get(name, set()) == set(expected), name
    assert truth["near_duplicates"], "some near-duplicates are planted"


def test_second_version_differs_as_recorded(generated: Path) -> None:
    truth = json.loads((generated / "truth.json").read_text(encoding="utf-8"))["v2"]
    old = load_framework(generated / "v1" / "framework").framework
    new = load_framework(generated / "v2" / "framework").framework
    changes = diff_frameworks(old, new)
    by_type: dict[str, set[str]] = {}
    for change in changes.changes:
        by_type.setdefault(change.change, set()).add(change.id)
    assert by_type.get("added", set()) == set(truth["added"])
    assert by_type.get("deprecated", set()) == set(truth["deprecated"])
    assert by_type.get("changed", set()) == set(truth["edited"])


# ---- the framework cache -------------------------------------------------------------------


@pytest.fixture
def cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SAFEGUARDS_CACHE_DIR", str(folder))
    monkeypatch.delenv("SAFEGUARDS_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    return folder


def _slots(folder: Path) -> list[Path]:
    """The cache's slots (one per framework folder), without the files kept beside them."""
    return [p for p in folder.glob("*.pickle") if p.name.count(".") == 1]


def _summary(root: Path) -> tuple[object, ...]:
    loaded = load_framework(root, display_base=root.parent)
    fw = loaded.framework
    return (
        {kind: dict(fw.table(Kind(kind))) for kind in fw.counts()},
        fw.metadata,
        loaded.locations,
        loaded.filed_under,
        loaded.duplicates,
        {name: (doc.text, doc.data, doc.is_yaml) for name, doc in loaded.documents.items()},
        loaded.ok,
    )


def test_cache_hit_gives_the_same_load(generated: Path, cache_on: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "fw"
    shutil.copytree(generated / "v1" / "framework", root)
    fresh = _summary(root)
    assert len(_slots(cache_on)) == 1
    assert _summary(root) == fresh  # from the cache
    # One byte changed: a miss, and the change is seen.
    principle = root / "principles" / "F1.yaml"
    principle.write_text(principle.read_text(encoding="utf-8").replace("Principle F1", "P F1"))
    changed = load_framework(root).framework
    assert changed.principles["F1"].name == "P F1"
    assert len(_slots(cache_on)) == 1  # one slot per folder


def test_cache_keeps_no_broken_load(generated: Path, cache_on: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "fw"
    shutil.copytree(generated / "v1" / "framework", root)
    risks = root / "risks.yaml"
    risks.write_text(risks.read_text(encoding="utf-8") + "extra: field\n", encoding="utf-8")
    first = load_framework(root)
    assert not first.ok
    assert not list(cache_on.glob("*.pickle"))
    assert [p.error.errors()[0]["type"] for p in load_framework(root).schema_problems] == [
        p.error.errors()[0]["type"] for p in first.schema_problems
    ]


def test_cache_is_off_on_request(
    generated: Path, cache_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEGUARDS_NO_CACHE", "1")
    load_framework(generated / "v1" / "framework")
    assert not cache_on.exists() or not list(cache_on.glob("*.pickle"))


def test_a_foreign_or_damaged_slot_is_a_miss(generated: Path, cache_on: Path) -> None:
    root = generated / "v2" / "framework"
    expected = _summary(root)
    (slot,) = _slots(cache_on)
    slot.write_bytes(slot.read_bytes()[:100])
    assert _summary(root) == expected
    os.chmod(slot, 0o666)
    assert _summary(root) == expected


def test_tiny_frameworks_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFEGUARDS_CACHE_DIR", str(tmp_path / "cache"))
    load_framework(REPO / "tests" / "fixtures" / "mini" / "framework")
    assert not (tmp_path / "cache").exists()
    load_framework(REPO / "framework")  # the v1.0 framework is big enough
    assert len(_slots(tmp_path / "cache")) == 1


def test_cache_keeps_a_bounded_number_of_slots(
    generated: Path, cache_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setattr(cache, "MAX_SLOTS", 2)
    for index in range(4):
        shutil.copytree(generated / "v1" / "framework", tmp_path / f"fw{index}")
        load_framework(tmp_path / f"fw{index}")
    assert len(_slots(cache_on)) == 2


# ---- fast paths that must change nothing ---------------------------------------------------


@given(
    st.one_of(
        st.text(alphabet="~nNoOyYtTfFrueals.+-0123456789:_xbeEiIaA", max_size=8),
        st.text(max_size=12),
    )
)
def test_plain_scalar_fast_path_agrees(value: str) -> None:
    """A value the fast path calls a string is one every pattern leaves a string."""
    if reader_module._certainly_string(value):
        assert reader_module._resolve_plain_patterns(value, (1, 1), "f") == value


def test_display_matches_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / "contributions" / "proposed").mkdir(parents=True)
    outside = tmp_path / "outside.yaml"
    outside.write_text("x: 1\n", encoding="utf-8")
    inside = root / "contributions" / "proposed" / "a.yaml"
    inside.write_text("x: 1\n", encoding="utf-8")
    link = root / "contributions" / "proposed" / "link.yaml"
    link.symlink_to(outside)
    workspace = Workspace(root)
    monkeypatch.chdir(root)
    for path in (
        inside,
        Path("contributions/proposed/a.yaml"),
        Path("contributions/proposed/link.yaml"),
        Path("contributions/proposed/../proposed/a.yaml"),
        outside,
        Path("missing/file.yaml"),
    ):
        try:
            expected = str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            expected = str(path)
        assert workspace.display(path) == expected, path
    assert workspace.display(link) == str(link)


@pytest.mark.parametrize("packing", ["dict", "packed", "packed+bulk", "packed+bulk file"])
def test_lazy_entries_behave_as_a_dict(packing: str) -> None:
    import copy
    import pickle

    from dpi_safeguards.load.cache import LazyEntries, PackedTable

    plain = {f"F1.1.{i}": {"n": i} for i in range(1, 6)}

    def lazy() -> LazyEntries:
        raw = {k: pickle.dumps(v) for k, v in plain.items()}
        if packing == "dict":
            return LazyEntries(raw)
        # a packed table goes through pickle, as it does through the cache
        packed = pickle.loads(pickle.dumps(PackedTable(raw)))
        if packing == "packed":
            return LazyEntries(packed)
        bulk = pickle.dumps(plain)
        return LazyEntries(packed, bulk if packing == "packed+bulk" else lambda: bulk)

    table = lazy()
    assert len(table) == 5 and "F1.1.2" in table and list(table) == list(plain)
    assert table["F1.1.2"] == {"n": 2} and table.get("F1.1.3") == {"n": 3}
    assert table.get("F9.9.9") is None and table.get("F9.9.9", 1) == 1
    with pytest.raises(KeyError):
        table["F9.9.9"]
    assert dict(table) == plain and {**lazy()} == plain and lazy().copy() == plain
    assert list(lazy().items()) == list(plain.items())
    assert list(lazy().values()) == list(plain.values())
    assert lazy() == plain and lazy() == lazy() and lazy() != {"F1.1.1": 1}
    assert (lazy() | {"x": 1}) == plain | {"x": 1}
    assert ({"x": 1} | lazy()) == {"x": 1} | plain
    assert pickle.loads(pickle.dumps(lazy())) == plain
    assert copy.deepcopy(lazy()) == plain and copy.copy(lazy()) == plain
    changed = lazy()
    changed["F1.1.1"] = {"n": 0}
    changed.update({"F1.1.2": {"n": -1}})
    assert changed["F1.1.1"] == {"n": 0} and changed["F1.1.2"] == {"n": -1}
    assert changed.pop("F1.1.3") == {"n": 3} and "F1.1.3" not in changed
    del changed["F1.1.4"]
    assert changed.setdefault("F1.1.5", None) == {"n": 5}
    assert changed == {"F1.1.1": {"n": 0}, "F1.1.2": {"n": -1}, "F1.1.5": {"n": 5}}
    assert repr(lazy()) == repr(plain)


def test_cache_hit_restores_only_what_is_read(
    generated: Path, cache_on: Path, tmp_path: Path
) -> None:
    import shutil

    from dpi_safeguards.load.cache import LazyEntries

    root = tmp_path / "fw"
    shutil.copytree(generated / "v1" / "framework", root)
    load_framework(root)
    fw = load_framework(root).framework
    assert isinstance(fw.practices, LazyEntries)
    some = next(iter(fw.practices))
    assert fw.get(some) is fw.practices[some]
    assert len(fw.practices._raw) == len(fw.practices) - 1
    assert fw.counts()["practice"] == 120


def test_cache_hit_without_its_bulk_file_restores_entry_by_entry(
    generated: Path, cache_on: Path, tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "fw"
    shutil.copytree(generated / "v1" / "framework", root)
    fresh = _summary(root)
    bulk_files = list(cache_on.glob("*.bulk.pickle"))
    assert len(bulk_files) == 1
    assert _summary(root) == fresh
    bulk_files[0].unlink()
    assert _summary(root) == fresh
    bulk_files[0].write_bytes(b"damaged")
    assert _summary(root) == fresh


# ---- the cache without reading the files: stat records, mapped entries, lazy places ---------


def _copy(generated: Path, tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "fw"
    shutil.copytree(generated / "v1" / "framework", root)
    return root


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    from dpi_safeguards.load import folder as layout

    reads: list[Path] = []
    real = reader_module.read_bytes  # what the folder loader calls as read_bytes

    def counting(path: Path, max_bytes: int = 0) -> bytes:
        reads.append(path)
        return real(path, max_bytes)

    monkeypatch.setattr(layout, "read_bytes", counting)
    return reads


def test_files_changed_since_the_stat_record_are_read_again(
    generated: Path, cache_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(generated, tmp_path)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # the files just written count as settled
    fresh = _summary(root)
    reads = _count_reads(monkeypatch)
    assert load_framework(root).framework.counts()["practice"] == 120
    assert reads == []  # the stat record gave the key: no framework file was read
    assert _summary(root) == fresh  # texts are read when asked for, and are the same
    principle = root / "principles" / "F1.yaml"
    text = principle.read_text(encoding="utf-8")
    # Same size, and the old modification time put back: the change time still differs.
    info = principle.stat()
    principle.write_text(text.replace("Principle F1", "Principle G1"), encoding="utf-8")
    os.utime(principle, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert principle.stat().st_size == info.st_size
    reads.clear()
    assert load_framework(root).framework.principles["F1"].name == "Principle G1"
    assert reads  # read and hashed again


def test_a_stat_record_of_files_just_changed_is_not_trusted(
    generated: Path, cache_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(generated, tmp_path)
    fresh = _summary(root)
    assert list(cache_on.glob("*.stat.json")) == []  # the files are seconds old: racy
    reads = _count_reads(monkeypatch)
    assert _summary(root) == fresh
    assert reads  # so the key comes from the bytes


def test_a_stat_record_of_other_code_or_other_files_is_not_used(
    generated: Path, cache_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(generated, tmp_path)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    load_framework(root)
    (record,) = cache_on.glob("*.stat.json")
    data = json.loads(record.read_text(encoding="utf-8"))
    shown = [(f[0], root.parent / f[0]) for f in data["files"]]
    assert cache.slot_by_stat(root, cache.stat_files(shown) or []) is not None
    record.write_text(json.dumps({**data, "fingerprint": "00"}), encoding="utf-8")
    assert cache.slot_by_stat(root, cache.stat_files(shown) or []) is None
    record.write_text(json.dumps({**data, "files": data["files"][1:]}), encoding="utf-8")
    assert cache.slot_by_stat(root, cache.stat_files(shown) or []) is None
    record.write_text("not json", encoding="utf-8")
    assert cache.slot_by_stat(root, cache.stat_files(shown) or []) is None


@pytest.mark.parametrize("damage", ["missing", "truncated", "other key"])
def test_a_slot_without_its_entries_file_is_a_miss(
    generated: Path, cache_on: Path, tmp_path: Path, damage: str
) -> None:
    root = _copy(generated, tmp_path)
    fresh = _summary(root)
    (entries,) = cache_on.glob("*.entries.bin")
    data = entries.read_bytes()
    if damage == "missing":
        entries.unlink()
    elif damage == "truncated":
        entries.write_bytes(data[: len(data) // 2])
    else:
        entries.write_bytes(data[:40] + bytes([data[40] ^ 1]) + data[41:])
    assert _summary(root) == fresh
    assert entries.read_bytes() == data  # written again by the full load
    assert _summary(root) == fresh


def test_lazy_dict_behaves_as_a_dict() -> None:
    import copy
    import pickle

    from dpi_safeguards.load.cache import LazyDict

    plain = {"a": (1, 2), "b": (3,)}
    calls: list[int] = []

    def lazy() -> LazyDict:
        def load() -> dict[str, tuple[int, ...]]:
            calls.append(1)
            return dict(plain)

        return LazyDict(load)

    table = lazy()
    assert calls == []
    assert table == plain and calls == [1]
    assert table.get("a") == (1, 2) and "b" in table and len(table) == 2 and calls == [1]
    assert dict(lazy()) == plain and {**lazy()} == plain and list(lazy()) == ["a", "b"]
    assert list(lazy().items()) == list(plain.items()) and bool(lazy())
    assert pickle.loads(pickle.dumps(lazy())) == plain and copy.deepcopy(lazy()) == plain
    assert lazy().copy() == plain and repr(lazy()) == repr(plain)
    assert (lazy() | {"c": ()}) == plain | {"c": ()}
    changed = lazy()
    changed["c"] = ()
    assert changed == {**plain, "c": ()}
    changed = lazy()
    del changed["a"]
    assert changed == {"b": (3,)}
    assert lazy().setdefault("a", ()) == (1, 2) and lazy().pop("b") == (3,)


def test_a_few_files_query_the_index_in_place_with_the_same_findings(
    generated: Path, cache_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dpi_safeguards.check import validate as validate_module

    root = generated / "v1"
    proposed = sorted((root / "contributions" / "proposed").iterdir())

    def findings(in_place: bool) -> list[object]:
        monkeypatch.setattr(validate_module, "IN_PLACE_MAX_FILES", 10**6 if in_place else -1)
        return [api.validate(Workspace(root), [path]).sorted() for path in proposed]

    loaded_whole = findings(in_place=False)
    assert not list(cache_on.glob("*.sqlite"))
    in_place = findings(in_place=True)
    assert len(list(cache_on.glob("*.similarity.sqlite"))) == 1
    assert in_place == loaded_whole
    assert any(f.code == "CON008" for found in in_place for f in found)  # type: ignore[attr-defined]
    assert any(f.code == "CON009" for found in in_place for f in found)  # type: ignore[attr-defined]


_PLUGIN_PROBE = """
import sys
sys.argv = ["safeguards", "--root", sys.argv[1], "validate", sys.argv[2]]
from dpi_safeguards.cli.main import main
try:
    main()
except SystemExit as exit:
    code = exit.code
loader = sys.modules.get("pydantic.plugin._loader")
print(code, "importlib.metadata" in sys.modules, hasattr(loader, "entry_points"))
"""


@pytest.mark.parametrize(("setting", "expected"), [(None, "0 False False"), ("", "0 True True")])
def test_the_cli_skips_pydantic_plugin_discovery_unless_asked(
    setting: str | None, expected: str
) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if setting is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = setting  # empty: let pydantic look for plugins
    example = REPO / "contributions" / "examples" / "add-practice.yaml"
    done = subprocess.run(
        [sys.executable, "-c", _PLUGIN_PROBE, str(REPO), str(example)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.stdout.splitlines()[-1] == expected, done.stderr


@pytest.mark.parametrize("bisections", [256, 1])
def test_lazy_entries_answer_before_laying_out_their_keys(
    bisections: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A packed table answers `in`, len and reads without laying out every id, and the
    ids come out in the framework's order (not the sorted order it searches in); the
    same after many lookups (an index of the ids, the keys laid out)."""
    import pickle

    from dpi_safeguards.load.cache import LazyEntries, PackedTable

    monkeypatch.setattr(cache, "BISECTIONS", bisections)

    # natural order: F1.1.10 after F1.1.9, while sorted text puts it after F1.1.1
    plain = {f"F1.1.{i}": {"n": i} for i in (2, 9, 10, 1, 11)}
    packed = pickle.loads(pickle.dumps(PackedTable({k: pickle.dumps(v) for k, v in plain.items()})))
    assert len(packed) == 5 and "F1.1.10" in packed and "F1.1.3" not in packed
    assert 10 not in packed and None not in packed
    table = LazyEntries(packed)
    assert dict.__len__(table) == 0  # nothing laid out yet
    assert len(table) == 5 and "F1.1.11" in table and "F1.1.12" not in table
    assert table["F1.1.10"] == {"n": 10} and table.get("F1.1.1") == {"n": 1}
    assert len(table) == 5 and "F1.1.10" in table and "F1.1.9" in table
    assert dict.__len__(table) == (2 if bisections > 10 else 5)
    with pytest.raises(KeyError):
        table["F1.1.12"]
    assert list(table) == list(plain)  # laid out in the framework's order
    assert list(reversed(table)) == list(reversed(plain))
    assert table == plain and list(table.items()) == list(plain.items())
    emptied = LazyEntries(pickle.loads(pickle.dumps(PackedTable({"F1.1.1": b"x"}))))
    emptied.clear()
    assert len(emptied) == 0 and "F1.1.1" not in emptied and emptied == {}


def test_entries_are_read_where_files_cannot_be_mapped(
    generated: Path, cache_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mmap

    root = _copy(generated, tmp_path)
    fresh = _summary(root)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("mmap not supported here")

    monkeypatch.setattr(mmap, "mmap", refuse)
    (entries,) = cache_on.glob("*.entries.bin")
    written = entries.stat().st_mtime_ns
    assert _summary(root) == fresh
    assert entries.stat().st_mtime_ns == written  # a hit, not a rebuild


def test_a_run_of_many_files_reads_parent_dimensions_off_their_index(
    generated: Path, cache_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CON006 reads a parent process's authorities and stages from the small index kept
    beside the cached framework when a run checks many files: the same findings as from
    the processes themselves, on the run that builds the index and on the one that
    loads it."""
    from dpi_safeguards.check import validate as validate_module

    root = generated / "v1"
    proposed = root / "contributions" / "proposed"

    def findings(limit: int) -> list[Finding]:
        monkeypatch.setattr(validate_module, "IN_PLACE_MAX_FILES", limit)
        return api.validate(Workspace(root), [proposed]).sorted()

    from_processes = findings(10**6)
    assert not list(cache_on.glob("*.process-dimensions.pickle"))
    built = findings(-1)
    assert len(list(cache_on.glob("*.process-dimensions.pickle"))) == 1
    loaded = findings(-1)
    assert built == from_processes and loaded == from_processes
    assert any(f.code == "CON006" for f in loaded)
