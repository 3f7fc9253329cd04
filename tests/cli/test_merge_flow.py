"""Review and merge, driven through a real git repository and the real command."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from dpi_safeguards import api
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.store.lock import repository_lock
from tests.support.cli import run_cli
from tests.support.paths import REPO
from tests.support.review_helpers import commit, make_repo, practice, snapshot, write_contribution

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


def test_ids_never_reuse_history_or_releases(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    # F3.1.3 and F3.1.4 existed once (a hand edit removed them again); a release held F3.1.7.
    f3 = root / "framework/principles/F3.yaml"
    original = f3.read_text()
    extra = textwrap.indent(
        "- id: F3.1.3\n  text: Old three.\n  provenance:\n  - source: x\n"
        "- id: F3.1.4\n  text: Old four.\n  provenance:\n  - source: x\n",
        "  ",
    )
    f3.write_text(original + extra)
    commit(root, "hand edit")
    f3.write_text(original)
    commit(root, "revert")
    release = root / "releases/v1.0.0"
    release.mkdir(parents=True)
    (release / "framework.json").write_text(json.dumps({"practices": [{"id": "F3.1.7"}]}))
    write_contribution(
        root,
        "one",
        [practice("Publish service point opening hours in local languages.")],
        state="accepted",
        extra={"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]},
    )
    result = api.merge(Workspace(root), api.MergeOptions(date=DATE))
    assert result.merged[0].added == ["F3.1.8"]


def test_add_process_with_practice_reference_and_gap_fill(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "bundle",
        [
            {
                "op": "add-reference",
                "placeholder": "$guide",
                "title": "A field guide to assisted access",
                "url": "https://example.org/guide",
                "kind": "toolkit",
            },
            {
                "op": "add-process",
                "placeholder": "$assist",
                "principle": "F3",
                "text": "Provide assisted access for people who cannot use the system alone.",
                "risks": ["RI2"],
                "authorities": ["R1"],
                "stages": ["L2"],
                "references": ["$guide"],
            },
            practice("Train community volunteers as access helpers.", parent="$assist"),
            {
                "op": "edit",
                "target": "O3.2",
                "field": "text",
                "expected": None,
                "value": "Minimise the personal data collected at every step.",
            },
            {"op": "deprecate", "target": "F3.1.2", "reason": "Folded into the new process."},
        ],
        state="accepted",
        extra={"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]},
    )
    result = api.merge(Workspace(root), api.MergeOptions(date=DATE))
    item = result.merged[0]
    assert item.ids == {"$guide": "REF-2", "$assist": "F3.2"}
    assert item.added == ["REF-2", "F3.2", "F3.2.1"]
    assert item.changed == ["O3.2", "F3.1.2"]
    fw = api.load(Workspace(root))
    assert fw.processes["F3.2"].references == ["REF-2"]
    assert fw.processes["O3.2"].gaps == []
    assert fw.processes["O3.2"].text == "Minimise the personal data collected at every step."
    assert fw.processes["O3.2"].provenance[-1].source == "contributions/merged/bundle.yaml"
    assert fw.practices["F3.1.2"].deprecated is not None
    assert api.validate(Workspace(root)).exit_code == 0
    counts = result.changes.counts
    assert counts["process"]["added"] == 1 and counts["process"]["changed"] == 1
    assert counts["practice"] == {
        "added": 1,
        "deprecated": 1,
        "changed": 0,
        "moved": 0,
        "removed": 0,
    }


# ---- refusals: nothing changes, a clear message, exit 1 ----------------------------------


def test_stale_edit_is_refused_with_the_current_text(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write_contribution(
        root,
        "stale",
        [
            {
                "op": "edit",
                "target": "F3.1.1",
                "field": "text",
                "expected": "Establish physical service points in underserved areas.",
                "value": "Establish staffed service points in every underserved district.",
            }
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


def test_two_approvals_required(tmp_path: Path) -> None:
    reviewers = (
        "approvals_required: 2\nreviewers:\n- name: Rita Reviewer\n  github: rita\n"
        "- name: Sam Second\n"
    )
    root = make_repo(tmp_path, reviewers=reviewers)
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    ws = Workspace(root)
    first = api.review(ws, path, api.ReviewOptions("accept", "rita", date=DATE))
    assert first.state == "proposed" and first.approvals == 1 and first.path == path
    with pytest.raises(SafeguardsError, match="already reviewed"):
        api.review(ws, path, api.ReviewOptions("accept", "Rita Reviewer", date=DATE))
    options = api.ReviewOptions("accept", "sam second", note="Good.", date=DATE)
    second = api.review(ws, path, options)
    assert second.state == "accepted"
    assert second.path == root / "contributions/accepted/x.yaml"
    data = yaml.safe_load(second.path.read_text())
    assert [r["reviewer"] for r in data["reviews"]] == ["Rita Reviewer", "Sam Second"]


def test_reject_moves_to_rejected(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    options = api.ReviewOptions("reject", "sam-2", note="Out of scope.")
    result = api.review(Workspace(root), path, options)
    assert result.state == "rejected" and not path.exists()
    assert yaml.safe_load(result.path.read_text())["reviews"][0]["note"] == "Out of scope."
    assert api.validate(Workspace(root)).exit_code == 0


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


def test_merged_framework_must_validate(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    # Deprecating REF-1 with a replacement of another kind passes the contribution rules
    # only if the kind is right; a replaced_by naming a practice is caught by the merge.
    write_contribution(
        root,
        "x",
        [{"op": "deprecate", "target": "REF-1", "reason": "Moved.", "replaced_by": "F3.1.1"}],
        state="accepted",
        extra={"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]},
    )
    before = snapshot(root)
    with pytest.raises(SafeguardsError, match="nothing was merged"):
        api.merge(Workspace(root), api.MergeOptions(date=DATE))
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
    with repository_lock(root, "release"):
        completed = subprocess.run(
            [sys.executable, "-m", "dpi_safeguards", "--root", str(root), "merge", "--date", DATE],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 1
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
            {
                "op": "edit",
                "target": "F3.1.1",
                "field": "text",
                "expected": "Establish physical service points in underserved areas.",
                "value": "Establish staffed service points in underserved rural areas.",
            },
            {
                "op": "edit",
                "target": "F3.1",
                "field": "risks",
                "expected": ["RI2"],
                "value": ["RI2", "SV1"],
            },
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
        [
            {
                "op": "edit",
                "target": "F3.1.1",
                "field": "text",
                "expected": "Something older.",
                "value": "Something newer.",
            }
        ],
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


def test_json_contribution_round_trip(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = root / "contributions/proposed/j.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "title": "KPI",
                "contributors": [{"name": "Carla Contributor"}],
                "licence": "CC-BY-SA-4.0",
                "licence_consent": True,
                "changes": [
                    {
                        "op": "add-kpi",
                        "placeholder": "$k",
                        "area": "people",
                        "phase": "design",
                        "text": "Share of women among the people consulted during design.",
                    }
                ],
            }
        )
    )
    ws = Workspace(root)
    accepted = api.review(ws, path, api.ReviewOptions("accept", "rita", date=DATE))
    assert accepted.path.suffix == ".json"
    result = api.merge(ws, api.MergeOptions(date=DATE))
    assert result.merged[0].ids == {"$k": "KPI-PEO-DES-2"}
    merged = json.loads((root / "contributions/merged/j.json").read_text())
    assert merged["merged"]["ids"] == {"$k": "KPI-PEO-DES-2"}
    # Previewing an already merged contribution says so.
    preview = api.diff(ws, contribution=root / "contributions/merged/j.json")
    assert preview.exit_code == 1 and "already merged" in preview.problems[0]


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


def test_merge_killed_half_way_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from dpi_safeguards.store import transaction as tx

    root = make_repo(tmp_path)
    accepted = {"reviews": [{"reviewer": "Rita Reviewer", "date": DATE, "decision": "accept"}]}
    for name, text in (("a", "Post notices about offline options."), ("b", "Staff a helpline.")):
        write_contribution(root, name, [practice(text)], state="accepted", extra=accepted)
    real_replace = os.replace
    calls = {"n": 0}

    def crashing_replace(src: object, dst: object) -> None:
        if not str(dst).endswith(tx.JOURNAL_NAME):
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt("killed")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(tx.os, "replace", crashing_replace)
    with pytest.raises(KeyboardInterrupt):
        api.merge(Workspace(root), api.MergeOptions(date=DATE))
    monkeypatch.setattr(tx.os, "replace", real_replace)
    # The next run replays the journal first: both merged, nothing merged twice.
    result = api.merge(Workspace(root), api.MergeOptions(date=DATE))
    assert result.merged == []
    fw = api.load(Workspace(root))
    assert sorted(fw.practices) == ["F3.1.1", "F3.1.2", "F3.1.3", "F3.1.4"]
    assert sorted(p.name for p in (root / "contributions/merged").iterdir()) == ["a.yaml", "b.yaml"]
    assert not list((root / "contributions/accepted").glob("*.yaml"))
    assert api.validate(Workspace(root)).exit_code == 0


def test_accepted_contribution_can_still_be_rejected(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    ws = Workspace(root)
    accepted = api.review(ws, path, api.ReviewOptions("accept", "rita", date=DATE))
    with pytest.raises(SafeguardsError, match="it is in accepted/"):
        api.review(ws, accepted.path, api.ReviewOptions("accept", "sam-2", date=DATE))
    options = api.ReviewOptions("reject", "rita", note="A repeat.", date=DATE)
    rejected = api.review(ws, accepted.path, options)
    assert rejected.state == "rejected"
    decisions = [r["decision"] for r in yaml.safe_load(rejected.path.read_text())["reviews"]]
    assert decisions == ["accept", "reject"]
    assert api.merge(ws, api.MergeOptions(date=DATE)).merged == []


def test_preview_of_a_move(tmp_path: Path) -> None:
    """A deprecation replaced by a new entry of the same contribution is a move; the moved
    text is not a near-duplicate of the entry it replaces."""
    root = make_repo(tmp_path)
    text = "Train staff to serve people in their own language, also online."
    path = write_contribution(
        root,
        "mv",
        [
            {"op": "add-practice", "placeholder": "$p", "parent": "O3.2", "text": text},
            {"op": "deprecate", "target": "F3.1.2", "reason": "Moved.", "replaced_by": "$p"},
        ],
    )
    result = api.diff(Workspace(root), contribution=path)
    assert [(c.id, c.change, c.moved_from) for c in result.changes.changes] == [
        ("O3.2.1", "moved", "F3.1.2")
    ]
    assert result.findings == [] and result.exit_code == 0


@pytest.mark.parametrize("reviewer", ["Carla Contributor", "Mallory Unlisted"])
def test_hand_written_approval_does_not_count(tmp_path: Path, reviewer: str) -> None:
    root = make_repo(tmp_path, reviewers=REVIEWERS_WITH_CARLA)
    write_contribution(
        root,
        "x",
        [practice("Post notices about offline options.")],
        state="accepted",
        extra={"reviews": [{"reviewer": reviewer, "date": DATE, "decision": "accept"}]},
    )
    before = snapshot(root)
    with pytest.raises(SafeguardsError, match="0 approval"):
        api.merge(Workspace(root), api.MergeOptions(date=DATE))
    assert snapshot(root) == before


REVIEWERS_WITH_CARLA = "reviewers:\n- name: Rita Reviewer\n- name: Carla Contributor\n"
