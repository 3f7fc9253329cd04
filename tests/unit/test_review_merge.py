"""Review and merge through the facade (api.review, api.merge, api.diff) in a real git
repository: ids, approvals, refusals, crash recovery (the commands:
tests/cli/test_merge_flow.py)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from dpi_safeguards import api
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.workspace import Workspace
from tests.support.review_helpers import (
    commit,
    edit,
    make_repo,
    practice,
    snapshot,
    write_contribution,
)

DATE = "2026-03-01"
REVIEWERS_WITH_CARLA = "reviewers:\n- name: Rita Reviewer\n- name: Carla Contributor\n"


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
            edit("O3.2", "text", None, "Minimise the personal data collected at every step."),
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
    second = api.review(
        ws, path, api.ReviewOptions("accept", "sam second", note="Good.", date=DATE)
    )
    assert second.state == "accepted"
    assert second.path == root / "contributions/accepted/x.yaml"
    data = yaml.safe_load(second.path.read_text())
    assert [r["reviewer"] for r in data["reviews"]] == ["Rita Reviewer", "Sam Second"]


def test_reject_moves_to_rejected(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    path = write_contribution(root, "x", [practice("Post notices about offline options.")])
    result = api.review(
        Workspace(root), path, api.ReviewOptions("reject", "sam-2", note="Out of scope.")
    )
    assert result.state == "rejected" and not path.exists()
    assert yaml.safe_load(result.path.read_text())["reviews"][0]["note"] == "Out of scope."
    assert api.validate(Workspace(root)).exit_code == 0


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

    monkeypatch.setattr(os, "replace", crashing_replace)
    with pytest.raises(KeyboardInterrupt):
        api.merge(Workspace(root), api.MergeOptions(date=DATE))
    monkeypatch.setattr(os, "replace", real_replace)
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
    rejected = api.review(
        ws, accepted.path, api.ReviewOptions("reject", "rita", note="A repeat.", date=DATE)
    )
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
