"""`diff --from` a commit whose framework predates some files (as this repo's first does)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import git
import jsonschema

from tests.conftest import FIXTURES, REPO, run_cli


def test_diff_from_a_commit_before_the_data(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "framework").mkdir(parents=True)
    shutil.copy(FIXTURES / "mini" / "framework" / "framework.yaml", root / "framework")
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.org")
    repo.index.add(["framework/framework.yaml"])
    first = repo.index.commit("skeleton").hexsha
    shutil.copytree(FIXTURES / "mini" / "framework", root / "framework", dirs_exist_ok=True)
    repo.git.add("--all")
    repo.index.commit("data")

    text = run_cli("diff", "--from", first, cwd=root)
    assert text.code == 0, text.output
    assert "practice" in text.stdout and "added" in text.stdout
    as_json = run_cli("diff", "--from", first, "--format", "json", cwd=root)
    assert as_json.code == 0, as_json.output
    changes = json.loads(as_json.stdout)
    schema = json.loads((REPO / "schemas" / "changes.schema.json").read_text())
    jsonschema.validate(changes, schema)
    assert changes["counts"]["practice"]["added"] == 2
    assert {c["id"] for c in changes["changes"] if c["kind"] == "risk"} == {"RS1", "RI2", "SV1"}
