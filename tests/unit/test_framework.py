"""The bundled framework read through the library: canonical files, the Guide's ids, where
the workspace is found (the commands on it: tests/cli/test_framework.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpi_safeguards.core.errors import UsageError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import load_framework, render_framework
from tests.support.paths import REPO


def test_render_is_canonical_for_loaded_data() -> None:
    loaded = load_framework(REPO / "framework")
    assert loaded.ok
    for name, text in render_framework(loaded.framework).items():
        assert (REPO / "framework" / name).read_text(encoding="utf-8") == text, name


def test_risk_and_principle_ids_are_the_guides() -> None:
    framework = load_framework(REPO / "framework").framework
    assert list(framework.risks) == [
        *(f"RS{n}" for n in range(1, 5)),
        *(f"RI{n}" for n in range(1, 5)),
        *(f"SV{n}" for n in range(1, 6)),
    ]
    assert sorted(framework.principles) == sorted(
        [f"F{n}" for n in range(1, 10)] + [f"O{n}" for n in range(1, 10)]
    )
    assert [a.name for a in framework.authorities.values()] == [
        "Government",
        "Regulator",
        "Donor",
        "Technology Provider",
        "Advocates",
    ]
    # Every text comes from a seed; a process without one comes from a Hub page (facts only).
    for entry in (*framework.processes.values(), *framework.practices.values()):
        source = entry.provenance[0].source
        if getattr(entry, "text", None) is not None:
            assert source.startswith("seed"), entry.id
        elif not source.startswith("seed"):  # seed-001 processes are implied by their practices
            assert source.startswith("Resource Hub (facts only"), entry.id
            assert (entry.provenance[0].id_source or "").startswith("https://safedpi.gitbook.io/")


def test_workspace_found_from_subfolder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a root, the nearest folder upwards holding framework/framework.yaml."""
    monkeypatch.delenv("SAFEGUARDS_ROOT", raising=False)
    monkeypatch.chdir(REPO / "framework" / "principles")
    assert Workspace.find(None).root == REPO
    monkeypatch.chdir(REPO / "pipeline" / "dpi_safeguards")
    assert Workspace.find(None).root == REPO
    # the nearest one: the fixture framework inside this repository is a repository itself
    mini = REPO / "tests" / "fixtures" / "mini"
    monkeypatch.chdir(mini / "framework" / "principles")
    assert Workspace.find(None).root == mini


def test_workspace_outside_any_repository_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAFEGUARDS_ROOT", raising=False)
    nowhere = tmp_path / "a" / "b"
    nowhere.mkdir(parents=True)
    monkeypatch.chdir(nowhere)
    with pytest.raises(UsageError, match="no framework found") as caught:
        Workspace.find(None)
    assert caught.value.exit_code == 2


def test_workspace_given_root_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A given root, else $SAFEGUARDS_ROOT, is taken as it is (resolved), not searched."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAFEGUARDS_ROOT", str(REPO / "tests" / "fixtures" / "mini"))
    assert Workspace.find(None).root == REPO / "tests" / "fixtures" / "mini"
    assert Workspace.find(REPO / "framework" / "..").root == REPO  # the argument comes first
    with pytest.raises(UsageError, match="is not a framework repository"):
        Workspace.find(REPO / "framework")
    monkeypatch.setenv("SAFEGUARDS_ROOT", str(tmp_path))
    with pytest.raises(UsageError, match="is not a framework repository"):
        Workspace.find(None)


def test_the_docs_list_every_finding_code() -> None:
    from dpi_safeguards import api

    page = (REPO / "docs" / "validation-codes.md").read_text(encoding="utf-8")
    missing = [code for code, _ in api.rule_codes() if f"| `{code}` |" not in page]
    assert not missing, f"docs/validation-codes.md's code table lacks {missing}"
