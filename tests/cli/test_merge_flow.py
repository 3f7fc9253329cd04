"""Review and merge, driven through a real git repository and the real command."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dpi_safeguards import api
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.store.lock import repository_lock
from tests.support.cli import run_cli, run_process
from tests.support.paths import REPO
from tests.support.review_helpers import (
    commit,
    edit,
    make_repo,
    practice,
    snapshot,
    write_contribution,
)

DATE = "2026-03-01"


def cli(root: Path, *args: str | Path) -> tuple[int, str]:
    result = run_cli("--root", root, *args, cwd=root)
    return result.code, result.output


def framework_bytes(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(root).items() if k.startswith("framework/")}


def test_two_practices_under_one_process_get_consecutive_ids(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    first = write_contribution(
        root, "mobile", [practice("Run mobile service points on a weekly schedule.")]
    )
    second = write_contribution(
        root,
        "helpline",
        [practice("Offer a free telephone helpline staffed by trained agents.")],
        contributor="Dana Developer",
        github="dana",
    )
    commit(root, "two proposals")

    for path in (first, second):
        code, out = cli(root, "review", path, "--accept", "--reviewer", "rita", "--date", DATE)
        assert code == 0, out
        assert "moved to contributions/accepted/" in out
    assert not list((root / "contributions" / "proposed").glob("*.yaml"))

    code, out = cli(root, "merge", "--date", "2026-03-02")
    assert code == 0, out
    assert "F3.1.3" in out and "F3.1.4" in out

    principle = yaml.safe_load((root / "framework/principles/F3.yaml").read_text())
    practices = {p["id"]: p for p in principle["processes"][0]["practices"]}
    assert sorted(practices) == ["F3.1.1", "F3.1.2", "F3.1.3", "F3.1.4"]
    # contributions merge in file-name order: helpline.yaml before mobile.yaml
    assert practices["F3.1.3"]["text"].startswith("Offer a free telephone helpline")
    assert practices["F3.1.4"]["text"].startswith("Run mobile service points")
    provenance = practices["F3.1.3"]["provenance"]
    assert provenance == [
        {
            "source": "contributions/merged/helpline.yaml",
            "contributors": ["Dana Developer"],
            "reviewers": ["Rita Reviewer"],
            "date": "2026-03-02",
        }
    ]
    merged = yaml.safe_load((root / "contributions/merged/mobile.yaml").read_text())
    assert merged["merged"] == {"date": "2026-03-02", "added": ["F3.1.4"]}
    assert merged["reviews"][0]["reviewer"] == "Rita Reviewer"
    assert not list((root / "contributions" / "accepted").glob("*.yaml"))

    code, out = cli(root, "validate")
    assert code == 0 and "all clean" in out, out
    code, out = cli(root, "format", "--check")
    assert code == 0, out

    # Running merge again merges nothing twice.
    before = snapshot(root)
    code, out = cli(root, "merge", "--date", "2026-03-03")
    assert code == 0 and "nothing to merge" in out
    assert snapshot(root) == before


# ---- refusals: nothing changes, a clear message, exit 1 ----------------------------------


def test_stale_edit_is_refused_with_the_current_text(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "stale",
        [
            edit(
                "F3.1.1",
                "text",
                "Establish physical service points in underserved areas.",
                "Establish staffed service points in every underserved district.",
            )
        ],
    )
    commit(root, "proposal")
    code, out = cli(
        root, "review", "contributions/proposed/stale.yaml", "--accept", "--reviewer", "rita"
    )
    assert code == 0, out
    # Someone else's change lands first.
    f3 = root / "framework/principles/F3.yaml"
    f3.write_text(f3.read_text().replace("in underserved areas", "in remote areas"))
    before = snapshot(root)
    code, out = cli(root, "merge", "--date", DATE)
    assert code == 1
    assert "stale" in out and "Establish physical service points in remote areas." in out
    assert "nothing was merged" in out
    assert snapshot(root) == before


def test_unknown_reviewer_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    before = snapshot(root)
    code, out = cli(root, "review", path, "--accept", "--reviewer", "mallory")
    assert code == 1
    assert "'mallory' is not a reviewer listed in contributions/reviewers.yaml" in out
    assert snapshot(root) == before


@pytest.mark.parametrize("who", ["carla", "@CARLA", "carla contributor", "Carla  Contributor"])
def test_self_review_is_refused(tmp_path: Path, who: str) -> None:
    reviewers = "reviewers:\n- name: Carla Contributor\n  github: carla\n"
    root = make_repo(tmp_path, reviewers=reviewers)
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    before = snapshot(root)
    code, out = cli(root, "review", path, "--reject", "--reviewer", who)
    assert code == 1
    assert "is a contributor of contributions/proposed/x.yaml and cannot review it" in out
    assert snapshot(root) == before


def test_self_review_matches_github_handle_across_names(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(
        root, "x", [practice("Post notices about offline options.")], github="RITA"
    )
    before = snapshot(root)
    code, out = cli(root, "review", path, "--accept", "--reviewer", "Rita Reviewer")
    assert code == 1 and "cannot review it" in out
    assert snapshot(root) == before


def test_invalid_contribution_cannot_be_accepted(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(root, "x", [practice("Post notices offline.", parent="F3.9")])
    before = snapshot(root)
    code, out = cli(root, "review", path, "--accept", "--reviewer", "rita")
    assert code == 1
    assert "does not validate" in out and "F3.9 is not a process" in out
    assert snapshot(root) == before


def test_failing_contribution_in_a_batch_stops_the_whole_merge(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    accepted = {"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]}
    write_contribution(
        root,
        "a-good",
        [practice("Post notices about offline options.")],
        state="accepted",
        extra=accepted,
    )
    write_contribution(
        root,
        "b-bad",
        [{"op": "deprecate", "target": "F3.1.9", "reason": "Gone."}],
        state="accepted",
        extra=accepted,
    )
    commit(root, "accepted")
    before = snapshot(root)
    code, out = cli(root, "merge", "--date", DATE)
    assert code == 1
    assert "contributions/accepted/b-bad.yaml" in out and "F3.1.9" in out
    assert "nothing was merged" in out
    assert snapshot(root) == before


def test_hand_moved_contribution_without_approval_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root, "x", [practice("Post notices about offline options.")], state="accepted"
    )
    before = snapshot(root)
    code, out = cli(root, "merge")
    assert code == 1 and "0 approval(s) by listed reviewers" in out
    assert snapshot(root) == before


def test_concurrent_merge_is_refused_by_the_lock(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "x",
        [practice("Post notices about offline options.")],
        state="accepted",
        extra={"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]},
    )
    before = snapshot(root)
    with repository_lock(root, "release"):  # held by this process; the merge is another one
        completed = run_process("--root", root, "merge", "--date", DATE)
    assert completed.code == 1
    assert "cannot merge" in completed.stderr and "holds the repository lock" in completed.stderr
    assert snapshot(root) == before
    # Once the lock is free, the merge goes through.
    assert api.merge(Workspace(root), api.MergeOptions(date=DATE)).merged[0].added == ["F3.1.3"]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "x",
        [practice("Post notices about offline options.")],
        state="accepted",
        extra={"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]},
    )
    before = snapshot(root)
    code, out = cli(root, "merge", "--dry-run", "--format", "md")
    assert code == 0
    assert "**F3.1.3**" in out and "Post notices about offline options" in out
    assert snapshot(root) == before


# ---- diff ---------------------------------------------------------------------------------


def test_diff_from_first_commit_and_json_schema(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    first = str(__import__("git").Repo(root).head.commit.hexsha)
    write_contribution(
        root,
        "x",
        [
            practice("Post notices about offline options."),
            edit(
                "F3.1.1",
                "text",
                "Establish physical service points in underserved areas.",
                "Establish staffed service points in underserved rural areas.",
            ),
            edit("F3.1", "risks", ["RI2"], ["RI2", "SV1"]),
        ],
        state="accepted",
        extra={"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]},
    )
    api.merge(Workspace(root), api.MergeOptions(date=DATE))
    commit(root, "merged")

    code, out = cli(root, "diff", "--from", first)
    assert code == 0, out
    assert "+ F3.1.3" in out
    assert "[-physical-]{+staffed+}" in out and "{+rural+}" in out
    assert "risks: [RI2] -> [RI2, SV1] (+SV1)" in out

    code, out = cli(root, "diff", "--from", first, "--to", "HEAD", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    schema = json.loads((REPO / "schemas" / "changes.schema.json").read_text())
    jsonschema.validate(data, schema)
    by_id = {c["id"]: c for c in data["changes"]}
    assert by_id["F3.1.3"]["change"] == "added"
    assert by_id["F3.1"]["fields"][0]["added"] == ["SV1"]
    assert data["counts"]["practice"]["changed"] == 1

    code, out = cli(root, "diff", "--from", first, "--format", "md")
    assert "~~physical~~ **staffed**" in out

    code, out = cli(root, "diff", "--from", "no-such-tag")
    assert code == 1 and "'no-such-tag' is not a tag, branch or commit" in out


def test_diff_against_a_framework_folder_and_a_release(tmp_path: Path) -> None:
    from dpi_safeguards.exports.framework_json import framework_to_data
    from dpi_safeguards.store.writer import dump_json

    root = make_repo(tmp_path)
    ws = Workspace(root)
    release = root / "releases" / "v1.0.0"
    release.mkdir(parents=True)
    (release / "framework.json").write_text(dump_json(framework_to_data(api.load(ws))))
    assert api.diff(ws, str(release)).changes.is_empty
    assert api.diff(ws, str(root / "framework")).changes.is_empty
    code, out = cli(root, "diff", "--from", "releases/v1.0.0")
    assert code == 0 and "No changes." in out


def test_diff_of_a_proposed_contribution(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "x",
        [
            practice("Establish physical service points in the underserved areas."),
            practice("Set up a second channel by post.", parent="F3.1"),
        ],
    )
    commit(root, "proposal")
    before = snapshot(root)
    code, out = cli(root, "diff", "contributions/proposed/x.yaml")
    assert code == 0, out
    assert "+ F3.1.3" in out and "+ F3.1.4" in out
    assert "CON008" in out and "similar to F3.1.1" in out
    code, out = cli(root, "diff", "contributions/proposed/x.yaml", "--format", "json")
    jsonschema.validate(
        json.loads(
            run_cli(
                "--root",
                root,
                "diff",
                "contributions/proposed/x.yaml",
                "--format",
                "json",
                cwd=root,
            ).stdout
        ),
        json.loads((REPO / "schemas" / "changes.schema.json").read_text()),
    )
    assert snapshot(root) == before


def test_diff_of_a_stale_contribution_exits_1(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "x",
        [edit("F3.1.1", "text", "Something older.", "Something newer.")],
    )
    code, out = cli(root, "diff", "contributions/proposed/x.yaml")
    assert code == 1
    assert "stale" in out and "Establish physical service points in underserved areas." in out


def test_diff_usage_errors(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    code, out = cli(root, "diff")
    assert code == 2 and "--from" in out
    path = write_contribution(root, "x", [practice("Post notices.")])
    code, out = cli(root, "diff", path, "--from", "HEAD")
    assert code == 2


def test_reviewers_file_is_validated(tmp_path: Path) -> None:
    root = make_repo(tmp_path, reviewers="approvals_required: 0\nreviewers: []\n")
    report = api.validate(Workspace(root))
    assert {f.file for f in report.errors} == {"contributions/reviewers.yaml"}
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    code, out = cli(root, "review", path, "--accept", "--reviewer", "rita")
    assert code == 1 and "does not fit reviewers.schema.json" in out


def test_review_refuses_files_outside_proposed(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(
        root, "x", [practice("Post notices about offline options.")], state="accepted"
    )
    code, out = cli(root, "review", path, "--accept", "--reviewer", "rita")
    assert code == 1 and "it is in accepted/" in out
    code, out = cli(root, "review", path, "--reviewer", "rita")
    assert code == 2 and "--accept or --reject" in out
    code, out = cli(
        root,
        "review",
        "contributions/proposed/x.yaml",
        "--accept",
        "--reviewer",
        "rita",
        "--date",
        "2026-13-01",
    )
    assert code == 2
