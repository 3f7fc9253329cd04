"""`diff --from` a commit whose framework predates some files (as this repo's first does)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import git
import jsonschema

from tests.support.cli import run_cli
from tests.support.paths import FIXTURES, REPO


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


def test_diff_from_a_release_name_works_in_a_clone_without_tags(tmp_path: Path) -> None:
    """`diff --from v1.0.0` on a clone that did not fetch tags reads the release's own
    framework.json; a name that is neither a ref nor a release is still an error."""
    clone = tmp_path / "clone"
    git.Repo.clone_from(REPO, clone, no_tags=True)
    assert not git.Repo(clone).tags
    result = run_cli(
        "--root", clone, "diff", "--from", "v1.0.0", "--to", "v1.1.0", "--format", "json"
    )
    assert result.code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["process"]["added"] > 0 and counts["practice"]["added"] > 0
    missing = run_cli("--root", clone, "diff", "--from", "v9.9.9")
    assert missing.code != 0
    assert "is not a tag, branch or commit" in missing.output
