"""The bundled framework read through the library: canonical files, the Guide's ids, where
the workspace is found (the commands on it: tests/cli/test_framework.py)."""

from __future__ import annotations

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


def test_workspace_found_from_subfolder() -> None:
    assert Workspace.find(None).root == REPO or (REPO / "framework").is_dir()


def test_readme_lists_every_finding_code() -> None:
    from dpi_safeguards.check.rules import all_codes

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [code for code in all_codes() if f"| `{code}` |" not in readme]
    assert not missing, f"README's code table lacks {missing}"
