"""A country framework's life, through the real commands on a real git repository:
select -> add -> review (validate) -> release -> an upstream release with a changed, a
deprecated and a new practice -> rebase -> resolve -> release again; with golden outputs.
And every bad input gives a clear error and writes nothing.

Regenerate the golden files after an intended change of an output with
``UPDATE_GOLDEN=1 python -m pytest tests/cli/test_country.py`` and review the diff.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

from dpi_safeguards import api
from dpi_safeguards.check.schemas import generate
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import write_framework
from dpi_safeguards.models.base import Deprecation
from tests.support.cli import run_cli
from tests.support.paths import GOLDEN, REPO
from tests.support.release_support import (
    add_practice,
    commit_all,
    compare_golden,
    init_repo,
    tree_bytes,
)

GOLDEN_COUNTRY = GOLDEN / "country"

COUNTRY = """\
# A test country framework (namespace XX).
format_version: 1
country: Testland
namespace: XX
title: Testland DPI Safeguards Framework
description: A country framework for the tests.
upstream:
  version: 1.0.0
  sha256: {sha256}
select:
- principles: [F3]
- ids: [O3.2]
exclude:
- id: O3.2
  reason: Covered by the national data protection act.
processes:
- id: F3.XX1
  text: Keep a paper register where the network is down.
  risks: [RI2]
  authorities: [R1]
  stages: [L2]
  provenance:
  - source: Testland ministry
practices:
- id: F3.1.XX1
  text: Open a service point in every district.
  provenance:
  - source: Testland ministry
- id: F3.XX1.1
  text: Reconcile the paper register weekly.
  provenance:
  - source: Testland ministry
tracking:
  F3.1.2:  # tracked by the id the upstream release will replace
    owner: Ministry of Interior
    due: 2026-06-30
    status: in-progress
  F3.1.XX1:
    owner: District offices
    due: 2026-03-31
    status: done
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _golden(name: str, files: dict[str, bytes]) -> None:
    compare_golden(GOLDEN_COUNTRY / name, files)


def _bundle_files(folder: Path) -> dict[str, bytes]:
    # The site page is pinned by its own tests; SHA256SUMS and datapackage.json hash it.
    skip = ("site/", "SHA256SUMS")
    return {p: b for p, b in tree_bytes(folder).items() if not p.startswith(skip)}


def _upstream_release_two(root: Path) -> None:
    """v1.1.0: F3.1.1's text changed, F3.1.2 deprecated for the new F3.1.3, F3.1.4 new."""
    workspace = Workspace(root)
    framework = api.load(workspace)
    practice = framework.practices["F3.1.1"]
    framework.practices["F3.1.1"] = practice.model_copy(
        update={"text": practice.text.replace("underserved", "remote")}
    )
    write_framework(framework, workspace.framework_dir)
    add_practice(root, "Serve people in their own language at every service point.", "F3.1.3")
    add_practice(root, "Publish the opening hours of offline service points.", "F3.1.4")
    framework = api.load(workspace)
    framework.practices["F3.1.2"] = framework.practices["F3.1.2"].model_copy(
        update={
            "deprecated": Deprecation(
                version="unreleased", reason="Reworded as F3.1.3.", replaced_by="F3.1.3"
            )
        }
    )
    write_framework(framework, workspace.framework_dir)
    commit_all(root, "framework: F3.1 revised")
    api.release(workspace, api.ReleaseOptions(date="2026-05-01", tag=True))


@pytest.fixture
def country_repo(mini_root: Path) -> Path:
    """The mini framework in git, released once (v1.0.0), with a country framework."""
    init_repo(mini_root)
    api.release(Workspace(mini_root), api.ReleaseOptions(date="2026-01-15", tag=True))
    folder = mini_root / "countries" / "XX"
    folder.mkdir(parents=True)
    sha = _sha256(mini_root / "releases" / "v1.0.0" / "framework.json")
    (folder / "country.yaml").write_text(COUNTRY.format(sha256=sha), encoding="utf-8")
    commit_all(mini_root, "countries/XX: Testland")
    return mini_root


def test_a_country_framework_from_selection_to_rebase(country_repo: Path) -> None:
    root = country_repo
    country = "countries/XX"
    # review: what the pull-request check runs
    checked = run_cli("country", "validate", country, "--strict", cwd=root)
    assert checked.code == 0, checked.output
    status = run_cli("country", "status", country, "--as-of", "2026-07-01", cwd=root)
    assert status.code == 0, status.output
    first = run_cli("country", "release", country, "--date", "2026-02-01", cwd=root)
    assert first.code == 0, first.output
    assert "released 1.0.0 into" in first.stdout
    own = root / country / "releases"
    _golden("release-1.0.0", _bundle_files(own / "v1.0.0"))
    commit_all(root, "countries/XX: release 1.0.0")

    _upstream_release_two(root)
    preview = run_cli("country", "rebase", country, "--to", "1.1.0", "--dry-run", cwd=root)
    assert preview.code == 0, preview.output
    before = (root / country / "country.yaml").read_text(encoding="utf-8")
    rebased = run_cli("country", "rebase", country, "--to", "1.1.0", cwd=root)
    assert rebased.code == 0, rebased.output
    after = (root / country / "country.yaml").read_text(encoding="utf-8")
    json_report = run_cli(
        "country", "rebase", country, "--to", "1.1.0", "--dry-run", "--format", "json", cwd=root
    )
    assert json_report.code == 2, "once rebased, 1.1.0 is not later than the pin"
    resolved = root / "resolved"
    result = run_cli(
        "country", "resolve", country, "-o", str(resolved), "--version", "1.1.0",
        "--date", "2026-05-02", cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.output
    second = run_cli("country", "release", country, "--date", "2026-05-02", cwd=root)
    assert second.code == 0, second.output
    assert "released 1.1.0 (after 1.0.0)" in second.stdout
    status_json = run_cli(
        "country", "status", country, "--as-of", "2026-07-01", "--format", "json", cwd=root
    )
    assert status_json.code == 0
    jsonschema.Draft202012Validator(generate("country-status")).validate(
        json.loads(status_json.stdout)
    )
    _golden(
        "outputs",
        {
            "status.txt": status.stdout_bytes,
            "status-after-rebase.json": status_json.stdout_bytes,
            "rebase-dry-run.txt": preview.stdout_bytes,
            "rebase.txt": rebased.stdout_bytes,
            "country-before.yaml": before.encode(),
            "country-after.yaml": after.encode(),
        },
    )
    _golden("resolved-1.1.0", _bundle_files(resolved))
    _golden("release-1.1.0", _bundle_files(own / "v1.1.0"))
    assert (own / "index.json").is_file() and (own / "CHANGELOG.md").is_file()
    sums = (resolved / "SHA256SUMS").read_text("ascii").splitlines()
    for line in sums:
        digest, _, name = line.partition("  ")
        assert _sha256(resolved / name) == digest, name


def test_what_the_rebase_reports_and_rewrites(country_repo: Path) -> None:
    _upstream_release_two(country_repo)
    result = api.country_rebase(
        api.CountryOptions(country_repo / "countries" / "XX"), "1.1.0", dry_run=True
    )
    assert {(i.id, i.change) for i in result.items} == {
        ("F3.1.1", "changed"),
        ("F3.1.2", "moved"),
        ("F3.1.3", "new"),
        ("F3.1.4", "new"),
    }
    assert [(r.where, r.old, r.new) for r in result.rewrites] == [
        ("tracking.F3.1.2", "F3.1.2", "F3.1.3")
    ]
    assert not result.conflicts and not result.written
    shown = run_cli(
        "country", "rebase", "countries/XX", "--to", "1.1.0", "--dry-run", "--format", "json",
        cwd=country_repo,
    )  # fmt: skip
    assert shown.code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["exit_code"] == 0 and report["written"] is False
    assert {"id": "F3.1.2", "change": "moved", "detail": "Reworded as F3.1.3. (use: F3.1.3)"} in (
        report["items"]
    )


def test_a_deprecation_without_replacement_is_a_conflict_and_nothing_is_written(
    country_repo: Path,
) -> None:
    root = country_repo
    workspace = Workspace(root)
    framework = api.load(workspace)
    framework.practices["F3.1.2"] = framework.practices["F3.1.2"].model_copy(
        update={"deprecated": Deprecation(version="unreleased", reason="No longer needed.")}
    )
    write_framework(framework, workspace.framework_dir)
    commit_all(root, "framework: F3.1.2 deprecated")
    api.release(workspace, api.ReleaseOptions(date="2026-05-01"))
    file = root / "countries" / "XX" / "country.yaml"
    before = file.read_bytes()
    result = run_cli("country", "rebase", "countries/XX", "--to", "1.1.0", cwd=root)
    assert result.code == 1
    assert "tracking.F3.1.2: F3.1.2 is deprecated in v1.1.0 (No longer needed.;" in result.stdout
    assert "nothing was written" in result.stdout
    assert file.read_bytes() == before


def test_selecting_a_deprecated_id_warns_with_its_replacement(country_repo: Path) -> None:
    root = country_repo
    _upstream_release_two(root)
    file = root / "countries" / "XX" / "country.yaml"
    sha = _sha256(root / "releases" / "v1.1.0" / "framework.json")
    text = file.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.1.0")
    text = text.replace(text.split("sha256: ")[1].split("\n")[0], sha)
    text = text.replace("- ids: [O3.2]", "- ids: [O3.2, F3.1.2]").replace(
        "F3.1.2:  #", "F3.1.3:  #"
    )
    file.write_text(text, encoding="utf-8")
    result = run_cli("country", "validate", "countries/XX", cwd=root)
    assert result.code == 0, result.output
    assert (
        "warning CTY006 [select[1].ids[1]]: F3.1.2 is deprecated in v1.1.0 (moved: Reworded as "
        "F3.1.3.); select F3.1.3 instead"
    ) in result.stdout


@pytest.mark.parametrize(
    ("pattern", "replacement", "message"),
    [
        (r"- ids: \[O3.2\]", "- ids: [O3.2, F3.7]", "F3.7 is not a process or practice of v1.0.0"),
        (r"- id: F3.1.XX1", "- id: F3.1.3", "F3.1.3 is not in the namespace XX"),
        (r"sha256: [0-9a-f]{64}", "sha256: " + "a" * 64, "the pinned sha256 does not match"),
    ],
    ids=["unknown-id", "outside-namespace", "checksum"],
)
def test_a_bad_country_framework_is_refused_and_nothing_is_written(
    country_repo: Path, pattern: str, replacement: str, message: str
) -> None:
    root = country_repo
    file = root / "countries" / "XX" / "country.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(re.sub(pattern, replacement, text, count=1), encoding="utf-8")
    checked = run_cli("country", "validate", "countries/XX", cwd=root)
    assert checked.code == 1 and message in checked.stdout, checked.output
    assert "countries/XX/country.yaml:" in checked.stdout
    resolved = run_cli("country", "resolve", "countries/XX", "-o", "out", cwd=root)
    assert resolved.code == 1 and message in resolved.stderr, resolved.output
    assert "nothing was written" in resolved.stderr
    released = run_cli("country", "release", "countries/XX", cwd=root)
    assert released.code == 1 and message in released.stderr
    assert not (root / "out").exists()
    assert not (root / "countries" / "XX" / "releases").exists()


def test_propose_turns_a_local_practice_into_a_valid_contribution(country_repo: Path) -> None:
    root = country_repo
    result = run_cli(
        "country", "propose", "countries/XX", "F3.1.XX1", "--contributor", "Testland ministry",
        "--licence-consent", "-o", "contributions/proposed/from-xx.yaml", cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.output
    text = (root / "contributions" / "proposed" / "from-xx.yaml").read_text(encoding="utf-8")
    assert "parent: F3.1\n" in text and "F3.1.XX1" in text  # provenance names the local id
    checked = run_cli("validate", "contributions/proposed/from-xx.yaml", cwd=root)
    assert checked.code == 0, checked.output
    process = run_cli(
        "country", "propose", "countries/XX", "F3.XX1", "--contributor", "Testland ministry",
        cwd=root,
    )  # fmt: skip
    assert process.code == 0, process.output
    assert "op: add-process" in process.stdout and "parent: $f3-xx1" in process.stdout
    unknown = run_cli(
        "country", "propose", "countries/XX", "F3.1.1", "--contributor", "x", cwd=root
    )
    assert unknown.code == 2 and "not one of the country's own" in unknown.stderr


def test_the_examples_in_the_repository_are_clean() -> None:
    for country in ("MW", "LS"):
        result = run_cli("country", "validate", f"countries/{country}", "--strict", cwd=REPO)
        assert result.code == 0, result.output


def test_without_a_universal_repository_upstream_is_asked_for(tmp_path: Path) -> None:
    (tmp_path / "country.yaml").write_text(COUNTRY.format(sha256="0" * 64), encoding="utf-8")
    result = run_cli("country", "validate", str(tmp_path), cwd=tmp_path)
    assert result.code == 2 and "pass --upstream DIR" in result.stderr
