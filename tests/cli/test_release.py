"""End to end: cutting releases of the mini fixture in a real git repository."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import git
import pytest

from dpi_safeguards import api
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.workspace import Workspace
from tests.support.cli import run_cli, run_process
from tests.support.paths import REPO
from tests.support.release_support import (
    CONTRIBUTION,
    NEW_PRACTICE_TEXT,
    add_practice,
    commit_all,
    deprecate,
    fix_text,
    init_repo,
    tree_bytes,
)

DATE1 = "2026-01-15"
DATE2 = "2026-02-15"


@pytest.fixture(autouse=True)
def _temp_in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dry runs leave their bundle in a temp folder: keep those inside the test's tmp_path."""
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))


def cut(root: Path, *args: str | Path) -> tuple[int, str]:
    result = run_cli("--root", root, "release", *args)
    return result.code, result.output


@pytest.fixture
def released(mini_root: Path) -> Path:
    """The mini fixture in a git repo with v1.0.0 cut and tagged."""
    init_repo(mini_root)
    code, output = cut(mini_root, "--date", DATE1, "--tag")
    assert code == 0, output
    assert "released v1.0.0" in output
    return mini_root


def index_of(root: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / "releases/index.json").read_text())
    return data


def test_first_release_is_1_0_0_with_every_file(released: Path) -> None:
    bundle = released / "releases/v1.0.0"
    names = set(tree_bytes(bundle))
    expected = {
        "framework.json",
        "framework.md",
        "RELEASE_NOTES.md",
        "changes.json",
        "datapackage.json",
        "SHA256SUMS",
        "schemas/framework.schema.json",
        "schemas/changes.schema.json",
        "schemas/release-index.schema.json",
        *(
            f"{k}.csv"
            for k in [
                "risks",
                "principles",
                "stages",
                "authorities",
                "processes",
                "practices",
                "kpis",
                "references",
                "recommendations",
            ]
        ),
    }
    assert expected <= names
    changes = json.loads((bundle / "changes.json").read_text())
    assert changes["from"] is None and changes["to"] == "1.0.0"
    assert {c["change"] for c in changes["changes"]} == {"added"}
    index = index_of(released)
    assert index["latest"] == "1.0.0"
    entry = index["releases"][0]  # type: ignore[index]
    assert entry["counts"]["practice"] == 2 and entry["date"] == DATE1
    assert {f["path"] for f in entry["files"]} == names
    repo = git.Repo(released)
    assert repo.tags["v1.0.0"].commit == repo.head.commit
    assert not repo.is_dirty(path="releases") and not repo.is_dirty(path="framework")
    for path in bundle.rglob("*"):
        assert (path.stat().st_mode & 0o777) == (0o755 if path.is_dir() else 0o644)


def test_added_practice_gives_minor_release_crediting_contributor(released: Path) -> None:
    add_practice(released)
    commit_all(released, "merge contribution")
    code, output = cut(released, "--bump", "auto", "--date", DATE2, "--tag")
    assert code == 0, output
    assert "released v1.1.0" in output
    notes = (released / "releases/v1.1.0/RELEASE_NOTES.md").read_text()
    assert "F3.1.3" in notes
    assert NEW_PRACTICE_TEXT in notes
    assert "Asha Rao (Open Access Lab)" in notes
    assert "Secretariat Reviewer" in notes
    assert CONTRIBUTION in notes
    assert "### F3 Do not exclude" in notes
    changes = json.loads((released / "releases/v1.1.0/changes.json").read_text())
    assert changes["from"] == "1.0.0" and changes["to"] == "1.1.0"
    assert [(c["id"], c["change"]) for c in changes["changes"]] == [("F3.1.3", "added")]
    index = index_of(released)
    assert index["latest"] == "1.1.0"
    releases = index["releases"]
    assert isinstance(releases, list)
    assert [r["version"] for r in releases] == ["1.1.0", "1.0.0"]
    changelog = (released / "releases/CHANGELOG.md").read_text()
    assert changelog.index("1.1.0") < changelog.index("1.0.0")
    assert "(v1.1.0/changes.json)" in changelog
    verify = run_cli("--root", released, "verify")
    assert verify.code == 0, verify.output
    assert "ok   v1.0.0" in verify.output and "ok   v1.1.0" in verify.output


def test_deprecated_principle_gives_major_release(released: Path) -> None:
    deprecate(released, "O3.2", "Folded into another process.")
    deprecate(released, "O3", "Folded into F3.")
    code, output = cut(released, "--date", DATE2)
    assert code == 0, output
    assert "released v2.0.0" in output
    assert "principle O3 deprecated" in output
    # the framework files and the bundle carry the release version, not 'unreleased'
    principle_file = (released / "framework/principles/O3.yaml").read_text()
    assert "version: 2.0.0" in principle_file and "unreleased" not in principle_file
    data = json.loads((released / "releases/v2.0.0/framework.json").read_text())
    o3 = next(p for p in data["principles"] if p["id"] == "O3")
    assert o3["deprecated"]["version"] == "2.0.0"
    csv_text = (released / "releases/v2.0.0/principles.csv").read_text()
    assert (
        "O3,Ensure data privacy by design,operational,Fixture operational principle.,"
        "deprecated,2.0.0,Folded into F3.," in csv_text
    )
    notes = (released / "releases/v2.0.0/RELEASE_NOTES.md").read_text()
    assert "## Deprecated" in notes and "Folded into F3." in notes


def test_deprecated_practice_gives_minor_release(released: Path) -> None:
    deprecate(released, "F3.1.2")
    code, output = cut(released, "--date", DATE2)
    assert code == 0, output
    assert "released v1.1.0" in output


def test_text_fix_gives_patch_release(released: Path) -> None:
    fix_text(released)
    code, output = cut(released, "--date", DATE2)
    assert code == 0, output
    assert "released v1.0.1" in output
    notes = (released / "releases/v1.0.1/RELEASE_NOTES.md").read_text()
    assert "## Changed" in notes and "F3.1.1" in notes and "(changed: text)" in notes


def test_version_too_low_for_an_addition_is_refused(released: Path) -> None:
    add_practice(released)
    before = tree_bytes(released)
    code, output = cut(released, "--version", "1.0.1", "--date", DATE2)
    assert code == 1
    assert "1.0.1 is a patch release" in output
    assert "require a minor release" in output
    assert "practice F3.1.3 added" in output
    assert "use 1.1.0 or later" in output
    assert tree_bytes(released) == before
    code, output = cut(released, "--version", "2.0.0", "--date", DATE2)
    assert code == 0, output
    assert "released v2.0.0" in output


def test_nothing_changed_is_refused(released: Path) -> None:
    code, output = cut(released, "--date", DATE2)
    assert code == 1
    assert "nothing to release" in output


def test_preview_of_an_unchanged_framework_is_not_a_failure(released: Path) -> None:
    """The README's main job (`release --dry-run`) must succeed on a fresh clone."""
    before = tree_bytes(released)
    code, output = cut(released, "--dry-run", "--date", DATE2)
    assert code == 0, output
    assert "nothing to release: nothing changed since 1.0.0" in output
    assert tree_bytes(released) == before


def test_published_release_is_never_overwritten(released: Path) -> None:
    add_practice(released)
    code, output = cut(released, "--version", "1.0.0", "--date", DATE2)
    assert code == 1
    assert "not later than the latest release 1.0.0" in output
    # a leftover folder the index does not list is not overwritten either
    (released / "releases/v1.1.0").mkdir()
    (released / "releases/v1.1.0/stray.txt").write_text("x")
    code, output = cut(released, "--date", DATE2)
    assert code == 1
    assert "never overwritten" in output
    assert (released / "releases/v1.1.0/stray.txt").read_text() == "x"


def test_interrupted_release_is_completed_when_bytes_match(released: Path) -> None:
    add_practice(released)
    # a run that died after renaming the bundle into place but before writing the index
    options = api.ReleaseOptions(date=DATE2, dry_run=True, output=released / "releases/v1.1.0")
    api.release(Workspace(released), options)
    code, output = cut(released, "--date", DATE2)
    assert code == 0, output
    assert "its bytes match" in output
    assert index_of(released)["latest"] == "1.1.0"


def test_invalid_framework_is_refused(released: Path) -> None:
    path = released / "framework/principles/F3.yaml"
    path.write_text(path.read_text().replace("  - RI2\n", "  - RI9\n"))
    code, output = cut(released, "--date", DATE2)
    assert code == 1
    assert "not valid" in output and "F3.yaml" in output


def test_unmerged_accepted_contribution_is_refused_unless_allowed(released: Path) -> None:
    accepted = released / "contributions/accepted"
    accepted.mkdir(parents=True)
    (accepted / "waiting.yaml").write_text("title: waiting\n")
    fix_text(released)
    code, output = cut(released, "--date", DATE2)
    assert code == 1
    assert "not merged yet" in output and "waiting.yaml" in output
    code, output = cut(released, "--date", DATE2, "--allow-unmerged")
    assert code == 0, output


def test_dry_run_writes_nothing(released: Path) -> None:
    add_practice(released)
    deprecate(released, "F3.1.2")
    before = tree_bytes(released)
    temps_before = set(Path(tempfile.gettempdir()).glob("safeguards-release-*"))
    code, output = cut(released, "--dry-run", "--date", DATE2)
    assert code == 0, output
    assert "would release v1.1.0" in output
    assert "1 added" in output and "1 deprecated" in output
    assert "dry run: nothing was written" in output
    assert "bundle: built, not kept (--output DIR keeps it)" in output
    assert set(Path(tempfile.gettempdir()).glob("safeguards-release-*")) == temps_before
    measured = output.split("bundle: built, not kept (--output DIR keeps it) ")[1].split("\n")[0]
    kept = released.parent / "kept"
    code, output = cut(released, "--dry-run", "--date", DATE2, "--output", kept)
    assert code == 0, output
    assert f"bundle: {kept} (" in output
    # The bundle only measured has the files and bytes of the one kept.
    assert f"bundle: {kept} {measured}" in output, (measured, output)
    assert (kept / "SHA256SUMS").is_file() and (kept / "framework.json").is_file()
    # a folder holding anything is refused, and --output without --dry-run too
    code, output = cut(released, "--dry-run", "--date", DATE2, "--output", kept)
    assert code == 2 and "must be a new or empty folder" in output
    code, output = cut(released, "--date", DATE2, "--output", kept)
    assert code == 2 and "--output is for --dry-run" in output
    assert tree_bytes(released) == before


def test_date_before_latest_release_is_refused(released: Path) -> None:
    fix_text(released)
    code, output = cut(released, "--date", "2025-12-31")
    assert code == 1
    assert "before the latest release" in output
    code, output = cut(released, "--date", "2026-13-01")
    assert code == 2


def test_lock_held_refuses_a_second_release(released: Path) -> None:
    from dpi_safeguards.store.lock import LockedError, repository_lock

    fix_text(released)
    with repository_lock(released, "merge"), pytest.raises(LockedError):
        api.release(Workspace(released), api.ReleaseOptions(date=DATE2))


def test_removed_entry_is_refused(released: Path) -> None:
    path = released / "framework/principles/F3.yaml"
    text = path.read_text()
    start = text.index("  - id: F3.1.2")
    path.write_text(text[:start])
    with pytest.raises(SafeguardsError, match="removed"):
        api.release(Workspace(released), api.ReleaseOptions(date=DATE2))


def test_verify_fails_on_a_tampered_file(released: Path) -> None:
    ok = run_cli("--root", released, "verify", "v1.0.0")
    assert ok.code == 0, ok.output
    csv_path = released / "releases/v1.0.0/practices.csv"
    csv_path.write_bytes(csv_path.read_bytes().replace(b"underserved", b"well served"))
    bad = run_cli("--root", released, "verify")
    assert bad.code == 1
    assert "practices.csv: does not match its SHA256SUMS checksum" in bad.output
    assert "practices.csv: does not match its index.json checksum" in bad.output
    assert "practices.csv: differs from the rebuild from its tag" in bad.output
    (released / "releases/v1.0.0/extra.txt").write_text("x")
    bad = run_cli("--root", released, "verify", "--no-rebuild")
    assert "extra.txt: not listed in SHA256SUMS" in bad.output


def test_verify_fails_when_the_tag_rebuilds_differently(released: Path) -> None:
    """Files edited by hand with consistent checksums still differ from the tag's rebuild."""
    import hashlib

    from dpi_safeguards.release.bundle import read_bundle, render_sums
    from dpi_safeguards.release.listing import read_index, render_listing

    notes = released / "releases/v1.0.0/RELEASE_NOTES.md"
    notes.write_text(notes.read_text() + "edited\n")
    files = read_bundle(released / "releases/v1.0.0")
    files["SHA256SUMS"] = render_sums(files)
    (released / "releases/v1.0.0/SHA256SUMS").write_bytes(files["SHA256SUMS"])
    index = read_index(released / "releases")
    entry = index.releases[0]
    entry.files = [
        f.model_copy(
            update={"sha256": hashlib.sha256(files[f.path]).hexdigest(), "size": len(files[f.path])}
        )
        for f in entry.files
    ]
    listing = render_listing(released / "releases", index, "Universal DPI Safeguards Framework")
    for name, text in listing.items():
        (released / "releases" / name).write_text(text, encoding="utf-8")
    result = run_cli("--root", released, "verify", "--no-rebuild")
    assert result.code == 0, result.output
    result = run_cli("--root", released, "verify")
    assert result.code == 1
    assert "RELEASE_NOTES.md: differs from the rebuild from its tag" in result.output
    assert "framework.json" not in result.output


def test_verify_without_tag_fails(mini_root: Path) -> None:
    code, output = cut(mini_root, "--date", DATE1)
    assert code == 0, output
    result = run_cli("--root", mini_root, "verify")
    assert result.code == 1
    assert "FAIL v1.0.0: (rebuild): not in a git repository: cannot rebuild from a tag" in (
        result.output
    )
    assert run_cli("--root", mini_root, "verify", "--no-rebuild").code == 0


def test_tag_refused_outside_git_and_when_tag_exists(mini_root: Path, released: Path) -> None:
    fix_text(released)
    git.Repo(released).create_tag("v1.0.1")
    code, output = cut(released, "--date", DATE2, "--tag")
    assert code == 1 and "tag v1.0.1 exists already" in output


def test_bundle_archives_are_reproducible(released: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = run_cli("--root", released, "bundle", "v1.0.0", "-o", out)
        assert result.code == 0, result.output
    assert tree_bytes(first) == tree_bytes(second)
    names = sorted(tree_bytes(first))
    assert names == [
        "SHA256SUMS",
        "dpi-safeguards-framework-v1.0.0.tar.gz",
        "dpi-safeguards-framework-v1.0.0.zip",
    ]
    import gzip
    import tarfile
    import zipfile

    gz = (first / names[1]).read_bytes()
    assert gz[:4] == b"\x1f\x8b\x08\x00"  # no FNAME flag
    assert gz[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    with tarfile.open(first / names[1]) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == sorted(m.name for m in members)
        assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
        assert {m.mtime for m in members} == {1768435200}  # 2026-01-15T00:00:00Z
        assert {m.mode for m in members if m.isfile()} == {0o644}
        framework = tar.extractfile("dpi-safeguards-framework-v1.0.0/framework.json")
        assert framework is not None
        assert framework.read() == (released / "releases/v1.0.0/framework.json").read_bytes()
    with zipfile.ZipFile(first / names[2]) as archive:
        infos = archive.infolist()
        assert {i.date_time for i in infos} == {(2026, 1, 15, 0, 0, 0)}
        assert archive.testzip() is None
    sums = (first / "SHA256SUMS").read_text().splitlines()
    assert [line.split("  ")[1] for line in sums] == names[1:]
    assert gzip.decompress(gz)
    # a tampered release is not archived
    csv_path = released / "releases/v1.0.0/kpis.csv"
    csv_path.write_bytes(csv_path.read_bytes() + b"x")
    result = run_cli("--root", released, "bundle", "v1.0.0", "-o", tmp_path / "c")
    assert result.code == 1 and "kpis.csv" in result.output


def test_same_framework_and_date_give_identical_bundles(mini_root: Path, tmp_path: Path) -> None:
    workspace = Workspace(mini_root)
    one_dir, two_dir, other_dir = (tmp_path / name for name in ("one", "two", "other"))
    one = api.release(workspace, api.ReleaseOptions(date=DATE1, dry_run=True, output=one_dir))
    old_umask = os.umask(0o077)
    try:
        env_tz = os.environ.get("TZ")
        os.environ["TZ"] = "Pacific/Kiritimati"
        two = api.release(workspace, api.ReleaseOptions(date=DATE1, dry_run=True, output=two_dir))
    finally:
        os.umask(old_umask)
        if env_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = env_tz
    assert one.bundle_dir == one_dir and two.bundle_dir == two_dir
    assert tree_bytes(one_dir) == tree_bytes(two_dir)
    for path in two_dir.rglob("*"):
        assert (path.stat().st_mode & 0o777) == (0o755 if path.is_dir() else 0o644)
    # Another interpreter, with another locale, time zone and hash seed: a real process.
    other = run_process(
        "--root",
        mini_root,
        "release",
        "--dry-run",
        "--date",
        DATE1,
        "--output",
        other_dir,
        env={"LC_ALL": "C", "LANG": "C", "TZ": "America/Los_Angeles", "PYTHONHASHSEED": "123"},
    )
    assert other.code == 0, other.output
    assert tree_bytes(other_dir) == tree_bytes(one_dir)


def test_release_after_merge_contribution(mini_root: Path) -> None:
    """The real merge (from the merge branch): review, merge, then release 1.1.0."""
    pytest.importorskip("dpi_safeguards.merge.run")
    from dpi_safeguards import api

    init_repo(mini_root)
    code, output = cut(mini_root, "--date", DATE1, "--tag")
    assert code == 0, output
    proposed = mini_root / "contributions/proposed"
    proposed.mkdir(parents=True)
    (mini_root / "contributions/reviewers.yaml").write_text(
        "approvals_required: 1\nreviewers:\n- name: Secretariat Reviewer\n  github: sec-reviewer\n"
    )
    path = proposed / "offline-hours.yaml"
    path.write_text(
        "title: Publish opening hours of offline service points\n"
        "contributors:\n"
        "- name: Asha Rao\n"
        "  affiliation: Open Access Lab\n"
        "licence: CC-BY-SA-4.0\n"
        "licence_consent: true\n"
        "changes:\n"
        "- op: add-practice\n"
        "  parent: F3.1\n"
        f"  text: {NEW_PRACTICE_TEXT}\n"
    )
    commit_all(mini_root, "proposal")
    workspace = Workspace(mini_root)
    api.review(workspace, path, api.ReviewOptions("accept", "Secretariat Reviewer"))
    api.merge(workspace, api.MergeOptions(date="2026-02-01"))
    commit_all(mini_root, "merge")
    code, output = cut(mini_root, "--bump", "auto", "--date", DATE2, "--tag")
    assert code == 0, output
    assert "released v1.1.0" in output
    notes = (mini_root / "releases/v1.1.0/RELEASE_NOTES.md").read_text()
    assert "F3.1.3" in notes and "Asha Rao" in notes and "Secretariat Reviewer" in notes
    assert run_cli("--root", mini_root, "verify").code == 0


def test_verify_checks_changelog_and_feed(released: Path) -> None:
    changelog = released / "releases/CHANGELOG.md"
    changelog.write_text(changelog.read_text() + "\nInjected line.\n")
    result = run_cli("--root", released, "verify", "--no-rebuild")
    assert result.code == 1
    assert "releases/CHANGELOG.md: differs from the index and release notes" in result.output
    (released / "releases/feed.xml").unlink()
    result = run_cli("--root", released, "verify", "--no-rebuild")
    assert "releases/feed.xml: missing" in result.output


def test_release_killed_mid_transaction_is_finished_by_the_next_run(
    released: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dpi_safeguards.store.transaction as transaction

    add_practice(released)
    real_replay = transaction.replay

    def killed(root: Path) -> bool:
        if (root / transaction.JOURNAL_NAME).exists():
            raise KeyboardInterrupt  # as if killed after the journal was written
        return False

    monkeypatch.setattr(transaction, "replay", killed)
    with pytest.raises(KeyboardInterrupt):
        api.release(Workspace(released), api.ReleaseOptions(date=DATE2))
    assert (released / transaction.JOURNAL_NAME).exists()
    assert index_of(released)["latest"] == "1.0.0"
    assert (released / "releases/v1.1.0/SHA256SUMS").exists()
    monkeypatch.setattr(transaction, "replay", real_replay)
    with pytest.raises(SafeguardsError, match="nothing to release"):
        api.release(Workspace(released), api.ReleaseOptions(date=DATE2))
    assert index_of(released)["latest"] == "1.1.0"
    assert not (released / transaction.JOURNAL_NAME).exists()
    result = run_cli("--root", released, "verify", "--no-rebuild")
    assert result.code == 0, result.output


def test_progress_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from dpi_safeguards.cli.commands.release import progress_printer

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    assert progress_printer() is not None
    monkeypatch.setenv("CI", "true")
    assert progress_printer() is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert progress_printer() is None


def test_verify_rebuilds_from_the_release_commit_when_the_tag_is_missing(
    released: Path,
) -> None:
    """Tags do not travel with every clone: the commit that added the release stands in."""
    import git

    repo = git.Repo(released)
    repo.delete_tag(repo.tags["v1.0.0"])
    result = run_cli("--root", released, "verify", "v1.0.0")
    assert result.code == 0, result.output
    notes = released / "releases/v1.0.0/RELEASE_NOTES.md"
    notes.write_text(notes.read_text() + "edited\n")
    assert run_cli("--root", released, "verify", "v1.0.0").code == 1


def test_verify_rebuilds_with_the_code_the_tag_holds(mini_root: Path) -> None:
    """A repository that holds the tool's source is rebuilt by the code at the tag, not by
    the installed tool: a release cut by an older copy of the code (here one whose site
    style differs) still verifies after the installed code has changed."""
    import shutil
    import subprocess
    import sys

    from dpi_safeguards.load.folder import load_framework
    from dpi_safeguards.release.bundle import build_bundle, read_bundle

    source = REPO
    shutil.copy(source / "pyproject.toml", mini_root / "pyproject.toml")
    shutil.copytree(
        source / "pipeline", mini_root / "pipeline", ignore=shutil.ignore_patterns("__pycache__")
    )
    css = mini_root / "pipeline/dpi_safeguards/exports/site_assets/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "/* the tag's own style */\n")
    init_repo(mini_root)
    # Cut the release with the repository's copy of the code, as its own CI would.
    env = {**os.environ, "PYTHONPATH": str(mini_root / "pipeline"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-P", "-m", "dpi_safeguards", "release", "--date", DATE1, "--tag"],
        cwd=mini_root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The installed code would build a different site page from the same data ...
    loaded = load_framework(mini_root / "framework")
    mine = build_bundle(
        loaded.framework, None, version="1.0.0", date=DATE1, previous_version=None
    ).files
    published = read_bundle(mini_root / "releases/v1.0.0")
    assert mine["site/index.html"] != published["site/index.html"]
    # ... yet the release verifies: it is rebuilt by the code its tag holds.
    result = run_cli("--root", mini_root, "verify")
    assert result.code == 0, result.output
    assert "ok   v1.0.0\n" in result.output
    assert "  ok   rebuild: rebuilt from its git tag" in result.output
    # A changed file is still caught.
    page = mini_root / "releases/v1.0.0/site/index.html"
    page.write_bytes(mine["site/index.html"])
    result = run_cli("--root", mini_root, "verify", "v1.0.0")
    assert result.code == 1
    assert "site/index.html" in result.output


def test_verify_names_the_commit_whose_code_cannot_rebuild(mini_root: Path) -> None:
    """The tag's code failing is a finding that names the commit, not a traceback."""
    import shutil

    source = REPO
    shutil.copy(source / "pyproject.toml", mini_root / "pyproject.toml")
    broken = mini_root / "pipeline/dpi_safeguards/release"
    broken.mkdir(parents=True)
    (mini_root / "pipeline/dpi_safeguards/__init__.py").write_text("")
    (broken / "__init__.py").write_text("")
    (broken / "bundle.py").write_text("# this copy has no publish module\n")
    init_repo(mini_root)
    code, output = cut(mini_root, "--date", DATE1, "--tag")
    assert code == 0, output
    result = run_cli("--root", mini_root, "verify", "v1.0.0")
    assert result.code == 1
    assert "the code at v1.0.0 could not rebuild the release" in result.output
    assert "No module named 'dpi_safeguards.store.layout'" in result.output
