"""validate works out where each file is once per folder; the answers must be those of
the one-file functions (Workspace.display, resolved_path, submodule_of)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dpi_safeguards.check.places import ARCHIVED_STATES, TargetPlaces, submodule_of
from dpi_safeguards.core.workspace import Workspace, resolved_path


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "repo"
    for state in ("proposed", "merged", "rejected"):
        (root / "contributions" / state).mkdir(parents=True)
        (root / "contributions" / state / "a.yaml").write_text("x: 1\n")
    (root / "contributions" / "proposed" / "deep" / "nested").mkdir(parents=True)
    (root / "contributions" / "proposed" / "deep" / "nested" / "b.json").write_text("{}")
    (root / "contributions" / "proposed" / "deep" / ".git").write_text("gitdir: x\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "c.yaml").write_text("x: 1\n")
    # a folder link into merged/, a file link to an outside file, a link to a folder outside
    (root / "contributions" / "via").symlink_to(root / "contributions" / "merged")
    (root / "contributions" / "proposed" / "link.yaml").symlink_to(outside / "c.yaml")
    (root / "contributions" / "out").symlink_to(outside)
    return Workspace(root.resolve())


def test_places_agree_with_the_one_file_functions(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace.root
    monkeypatch.chdir(root / "contributions")
    paths = [
        root / "contributions" / "proposed" / "a.yaml",
        root / "contributions" / "merged" / "a.yaml",
        root / "contributions" / "rejected" / "a.yaml",
        root / "contributions" / "via" / "a.yaml",
        root / "contributions" / "proposed" / "link.yaml",
        root / "contributions" / "out" / "c.yaml",
        root / "contributions" / "proposed" / "deep" / "nested" / "b.json",
        root.parent / "elsewhere" / "c.yaml",
        Path("proposed/a.yaml"),
        Path("proposed/../merged/a.yaml"),
        Path("via/a.yaml"),
        Path("../contributions/proposed/missing.yaml"),
    ]
    archived = {resolved_path(workspace.state_dir(s)) for s in ARCHIVED_STATES}
    places = TargetPlaces(workspace)
    for path in paths:
        place = places.of(path)
        assert place.resolved == os.path.realpath(path), path
        assert place.display == workspace.display(path), path
        assert place.archived == (resolved_path(path).parent in archived), path
        assert place.nested == submodule_of(path), path
    assert places.of(paths[1]).archived and places.of(paths[3]).archived
    assert not places.of(paths[0]).archived
    assert places.of(paths[6]).nested is not None
    assert places.of(paths[7]).display == str(paths[7])


def test_places_of_a_listing_are_those_of_each_file(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A listed folder's places are worked out from the listing's strings; they are the
    places of its files given one by one (links, archived and nested folders included),
    whether the folder is given absolute or relative."""
    from dpi_safeguards.check.places import contribution_files

    root = workspace.root
    monkeypatch.chdir(root)
    for folder in (root / "contributions", Path("contributions"), Path("contributions/./")):
        places = TargetPlaces(workspace)
        listed = places.listed(folder)
        files = contribution_files(folder)
        assert [Path(place.path) for place in listed] == files
        assert len(files) >= 5 and any(place.nested for place in listed)
        assert any(place.archived for place in listed)
        one_by_one = [TargetPlaces(workspace).of(path) for path in files]
        assert [(p.resolved, p.display, p.archived, p.nested) for p in listed] == [
            (p.resolved, p.display, p.archived, p.nested) for p in one_by_one
        ]


def test_contribution_files_as_rglob_finds_them(tmp_path: Path) -> None:
    """The scandir walk lists what ``sorted(rglob('*'))`` filtered by suffix and type
    listed: links to files, folders and nowhere included, link targets not entered,
    FIFOs and names without a real suffix left out, in Path order."""
    from dpi_safeguards.check.places import CONTRIBUTION_SUFFIXES, contribution_files

    for rel in ("a.yaml", "a-b/x.json", "a/x.yaml", "A/y.YML", ".yaml", "x.", "n.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x: 1\n")
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    (tmp_path / "sub" / "deep" / "z.yml").write_text("x: 1\n")
    (tmp_path / "linkdir.yaml").symlink_to(tmp_path / "a")
    (tmp_path / "broken.json").symlink_to(tmp_path / "missing")
    (tmp_path / "subl").symlink_to(tmp_path / "sub")
    os.mkfifo(tmp_path / "fifo.yaml")
    expected = sorted(
        p
        for p in tmp_path.rglob("*")
        if p.suffix.lower() in CONTRIBUTION_SUFFIXES and (p.is_file() or p.is_symlink())
    )
    found = contribution_files(tmp_path)
    assert found == expected
    assert tmp_path / "linkdir.yaml" in found and tmp_path / "subl" / "deep" / "z.yml" not in found
