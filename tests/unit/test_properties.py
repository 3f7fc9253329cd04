"""Property tests (hypothesis): for generated frameworks, contributions and bytes.

- load -> write -> load is the identity, and writing is byte-stable;
- ``apply_changes(a, diff_frameworks(a, b)) == b``;
- merging generated contributions never gives two entries one id;
- any bytes as a contribution file give findings through the whole validate path, never
  another exception.

Example counts are modest: the suite runs in CI on two cores.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dpi_safeguards.changes.diff import apply_changes, diff_frameworks
from dpi_safeguards.check.rules.contribution import build_text_index
from dpi_safeguards.check.validate import contribution_findings
from dpi_safeguards.core.findings import Finding
from dpi_safeguards.core.ids import Kind, child_number, natural_key, sorted_ids
from dpi_safeguards.load.folder import load_framework, render_framework, write_framework
from dpi_safeguards.merge.apply import apply_contribution
from dpi_safeguards.merge.ids import IdAllocator
from dpi_safeguards.models.base import Deprecation, ProvenanceRecord
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.models.framework import Framework, Practice, Process, copy_framework
from tests.support.paths import CASES, FIXTURES

BASE = load_framework(FIXTURES / "mini" / "framework").framework
PROVENANCE = [ProvenanceRecord(source="generated", contributors=["Gen"], date="2025-01-01")]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable text without control characters, not starting or ending with a space.
texts = (
    st.text(
        alphabet=st.characters(
            categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029\x85"
        ),
        min_size=1,
        max_size=30,
    )
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)
subsets = st.lists(st.sampled_from(["R1", "R4"]), unique=True, max_size=2)


@st.composite
def frameworks(draw: st.DrawFn) -> Framework:
    """The mini fixture plus generated processes (under F3) and practices, all valid."""
    fw = copy_framework(BASE)
    unique = draw(st.lists(texts, min_size=12, max_size=12, unique_by=str.casefold))
    used = iter(unique)
    principles = sorted(fw.principles)
    for number in range(2, 2 + draw(st.integers(0, 2))):
        principle = draw(st.sampled_from(principles))
        process_id = f"{principle}.{number + 10}"
        fw.processes[process_id] = Process(
            id=process_id,
            text=next(used),
            risks=[draw(st.sampled_from(sorted(fw.risks)))],
            authorities=["R1", "R4"],
            stages=[draw(st.sampled_from(sorted(fw.stages)))],
            provenance=PROVENANCE,
        )
    for process_id in sorted(fw.processes):
        for number in range(1, 1 + draw(st.integers(0, 2))):
            practice_id = f"{process_id}.{number + 20}"
            fw.practices[practice_id] = Practice(
                id=practice_id,
                text=next(used),
                authorities=sorted(draw(subsets)),
                provenance=PROVENANCE,
            )
    return fw


@st.composite
def edited(draw: st.DrawFn, fw: Framework) -> Framework:
    """``fw`` with random additions, text changes, narrowings and deprecations. (A change
    of provenance alone is bookkeeping: by design no change list reports it.)"""
    new = copy_framework(fw)
    fresh = iter(draw(st.lists(texts, min_size=6, max_size=6, unique_by=str.casefold)))
    practices = sorted(new.practices)
    for practice_id in draw(st.lists(st.sampled_from(practices), unique=True, max_size=3)):
        entry = new.practices[practice_id]
        action = draw(st.sampled_from(["text", "narrow", "deprecate", "text+provenance"]))
        update: dict[str, Any]
        if action == "text":
            update = {"text": next(fresh)}
        elif action == "narrow":
            update = {"authorities": sorted(draw(subsets))}
        elif action == "deprecate":
            update = {"deprecated": Deprecation(version="unreleased", reason=next(fresh))}
        else:  # a contribution's edit: new text and a provenance record for it
            update = {"text": next(fresh), "provenance": [*entry.provenance, *PROVENANCE]}
        new.practices[practice_id] = entry.model_copy(update=update)
    process_id = draw(st.sampled_from(sorted(new.processes)))
    for number in range(draw(st.integers(0, 2))):
        practice_id = f"{process_id}.{90 + number}"
        new.practices[practice_id] = Practice(
            id=practice_id, text=next(fresh), provenance=PROVENANCE
        )
    return new


def rendered(fw: Framework) -> dict[str, str]:
    return render_framework(fw)


@SETTINGS
@given(frameworks())
def test_load_write_load_is_identity_and_byte_stable(fw: Framework) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "framework"
        folder.mkdir()
        write_framework(fw, folder)
        first = {p.name: p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}
        loaded = load_framework(folder)
        assert loaded.ok, loaded.load_errors
        again = loaded.framework
        for kind in Kind:
            assert again.table(kind) == fw.table(kind), kind
        assert rendered(again) == rendered(fw)
        write_framework(again, folder)
        assert {p.name: p.read_bytes() for p in sorted(folder.rglob("*.yaml"))} == first


@SETTINGS
@given(st.data())
def test_applying_the_diff_gives_the_newer_version(data: st.DataObject) -> None:
    old = data.draw(frameworks())
    new = data.draw(edited(old))
    changes = diff_frameworks(old, new)
    rebuilt = apply_changes(old, changes)
    for kind in Kind:
        assert rebuilt.table(kind) == new.table(kind), kind
    assert diff_frameworks(rebuilt, new).is_empty


def contribution(texts_: list[str], parents: list[str], with_process: bool) -> Contribution:
    changes: list[dict[str, Any]] = [
        {"op": "add-practice", "parent": parent, "text": text}
        for parent, text in zip(parents, texts_, strict=False)
    ]
    if with_process:
        changes.append(
            {
                "op": "add-process",
                "principle": "F3",
                "placeholder": "$p",
                "text": texts_[-1] + " (process)",
                "risks": ["RI2"],
                "authorities": ["R1"],
                "stages": ["L1"],
            }
        )
        changes.append({"op": "add-practice", "parent": "$p", "text": texts_[-1] + " (child)"})
    return Contribution.model_validate(
        {
            "title": "Generated",
            "contributors": [{"name": "Gen"}],
            "licence": "CC-BY-SA-4.0",
            "licence_consent": True,
            "changes": changes,
        }
    )


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(["F3.1", "F3.2", "O3.1"]), min_size=1, max_size=3),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    ),
    st.lists(texts, min_size=16, max_size=16, unique_by=str.casefold),
)
def test_merging_generated_contributions_never_reuses_an_id(
    plan: list[tuple[list[str], bool]], pool: list[str]
) -> None:
    fw = copy_framework(BASE)
    processes = sorted(fw.processes)
    allocator = IdAllocator({e for kind in Kind for e in fw.table(kind)})
    before = {e for kind in Kind for e in fw.table(kind)}
    added: list[str] = []
    words = iter(pool)
    for parents, with_process in plan:
        parents = [p if p in processes else processes[0] for p in parents]
        item = contribution([next(words) for _ in parents], parents, with_process)
        applied = apply_contribution(
            fw, item, source="generated", date="2025-01-01", allocator=allocator, reviewers=[]
        )
        added.extend(applied.added)
    assert len(added) == len(set(added)), added
    assert not set(added) & before
    assert sum(len(fw.table(kind)) for kind in Kind) == len(before) + len(added)


MINI = load_framework(FIXTURES / "mini" / "framework")
TEXT_INDEX = build_text_index(MINI.framework)
VALID = CASES / "valid" / "add-practice" / "contribution.yaml"


def findings_for(data: bytes, suffix: str) -> list[Finding]:
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "contributions" / "proposed" / f"x{suffix}"
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
        return list(contribution_findings(path, MINI, TEXT_INDEX, "x"))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([".yaml", ".json"]))
def test_any_bytes_through_validate_give_findings_never_an_exception(
    data: bytes, suffix: str
) -> None:
    for finding in findings_for(data, suffix):
        assert finding.code and finding.message and finding.file == "x"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_valid_contribution_gives_findings_never_an_exception(
    data: st.DataObject,
) -> None:
    """A valid file with a few bytes replaced, inserted or removed: deep into the schema
    and the rules, still only findings."""
    original = bytearray(VALID.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(original) - 1))
        action = data.draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = data.draw(st.integers(0, 255))
        if action == "replace":
            original[at] = byte
        elif action == "insert":
            original.insert(at, byte)
        else:
            del original[at]
    for finding in findings_for(bytes(original), ".yaml"):
        assert finding.code and finding.message


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_the_quick_text_check_agrees_with_text_problem(value: str) -> None:
    """IDX007 rules out printable ASCII strings without the pattern's search; for any
    string (and every ASCII character in one), it flags exactly what text_problem does."""
    from dpi_safeguards.check.rules.indexing import _any_text_problem, text_problem

    assert _any_text_problem({"a": [value]}) == (text_problem(value) is not None)
    for code in range(128):
        text = f"a{chr(code)}b"
        assert _any_text_problem(text) == (text_problem(text) is not None), code


_PREFIXES = st.sampled_from(["F", "O", "RS", "RI", "SV", "L", "R", "X", "AB"])
_NUMBERS = st.from_regex(r"0?[0-9]{1,3}", fullmatch=True)
_DOTTED_IDS = st.builds(
    lambda prefix, numbers: prefix + ".".join(numbers),
    _PREFIXES,
    st.lists(_NUMBERS, min_size=1, max_size=4),
)
_ANY_IDS = _DOTTED_IDS | st.sampled_from(
    ["KPI-PEO-DES-1", "REF-12", "REF-2", "f3", "F", "", "3F", "F3.1.MW2", "F3.MW1", "F3.MW1.1"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DOTTED_IDS, max_size=30) | st.lists(_ANY_IDS, max_size=30))
@example(["F3.0", "F3", "F03", "F3.1", "F10", "F2", "O1", "SV1", "RI1", "RS1", "L2", "R1"])
def test_sorted_ids_is_the_natural_order(ids: list[str]) -> None:
    """sorted_ids takes a faster key when every id is letters-number(.number)*; the
    order, ties included (F03 and F3), must be natural_key's."""
    assert sorted_ids(ids) == sorted(ids, key=natural_key)


_MARKDOWN_TEXT = st.text(
    alphabet=st.sampled_from("ab 1234567890.)#>+-=*_`[]{}<>|~&!\\\n\r\t\u2028\x1c\x85")
    | st.characters(),
    max_size=12,
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_MARKDOWN_TEXT, max_size=6))
@example(["1. a", "-b", "  # c", "", "\n=", "12) x", "a\n2. b"])
def test_md_oneline_all_is_md_oneline_of_each(texts: list[str]) -> None:
    """framework.md escapes a process's practices in one go; each must read as alone."""
    from dpi_safeguards.core.text import md_oneline, md_oneline_all

    assert md_oneline_all(texts) == [md_oneline(t) for t in texts]


_SIBLINGS = st.lists(
    st.builds(
        lambda ns, n: f"F3.1.{ns}{n}",
        st.sampled_from(["", "", "MW", "LS", "MWI"]),
        st.integers(1, 120),
    ),
    max_size=20,
    unique=True,
)


@settings(max_examples=300, deadline=None)
@given(_SIBLINGS)
def test_child_number_orders_siblings_naturally(ids: list[str]) -> None:
    """Siblings by child_number: the universal ones by number, then each country's."""
    assert sorted(ids, key=child_number) == sorted(ids, key=natural_key)
