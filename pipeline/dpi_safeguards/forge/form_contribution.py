"""The sections of an issue form -> the data of a
:class:`~dpi_safeguards.models.contribution.Contribution`, with every problem named by the
form label it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dpi_safeguards.core.ids import Kind, is_valid_id, sorted_ids
from dpi_safeguards.forge.issue_form import (
    AFFILIATION,
    AUTHORITIES,
    CONSENT,
    DEFAULT_REFERENCE_KIND,
    ID_TOKEN,
    ISSUE_AUTHOR,
    ISSUE_TITLE,
    NAME,
    OTHERS,
    REFERENCES,
    REQUIRED_LABELS,
    RISKS,
    SOURCE,
    STAGES,
    TEXT,
    TITLE_PREFIXES,
    URL_PATTERN,
    WHERE,
    WHY,
    Problem,
    block_text,
    inline_text,
    is_no_response,
    item_lines,
    label_key,
)
from dpi_safeguards.models.framework import Framework


@dataclass
class Builder:
    framework: Framework
    sections: dict[str, list[dict[str, Any]]]
    problems: list[Problem] = field(default_factory=list)
    # finding field (as `safeguards validate` names it) -> the form label it came from
    labels: dict[str, str] = field(default_factory=dict)

    def problem(self, label: str, message: str) -> None:
        self.problems.append(Problem(label, message))

    def value(self, label: str) -> list[dict[str, Any]] | None:
        """The section's blocks, or None when empty / "_No response_" / absent."""
        tokens = self.sections.get(label)
        if tokens is None or is_no_response(tokens):
            if label in REQUIRED_LABELS:
                self.problem(label, "this field is required; please fill it in")
            return None
        return tokens

    def text(self, label: str) -> str | None:
        tokens = self.value(label)
        if tokens is None:
            return None
        text = block_text(tokens).strip()
        if not text:
            if label in REQUIRED_LABELS:
                self.problem(label, "this field is required; please fill it in")
            return None
        return text

    def line(self, label: str) -> str | None:
        text = self.text(label)
        return " ".join(text.split()) if text is not None else None

    def choices(self, label: str, kind: Kind) -> list[str]:
        """A dropdown's comma-separated options; ids ("R1"), names ("Government") or the
        option labels of the form ("R1 Government") are accepted."""
        text = self.line(label)
        if text is None:
            return []
        table = self.framework.table(kind)
        names = {label_key(str(getattr(e, "name", ""))): key for key, e in table.items()}
        found: list[str] = []
        for raw in text.split(","):
            choice = raw.strip().strip(".;")
            if not choice:
                continue
            entry_id = _resolve(choice, table, names)
            if entry_id is None:
                valid = ", ".join(_option(key, table[key]) for key in sorted_ids(table))
                self.problem(
                    label,
                    f"{choice!r} is not {_article(kind.value)} of the framework; choose from "
                    f"{valid}",
                )
            elif entry_id not in found:
                found.append(entry_id)
        return found

    def build(self, *, title: str | None, github: str | None) -> dict[str, Any]:
        # The fields are read in the form's order, so problems are listed in that order.
        where = self.line(WHERE)
        text = self.text(TEXT)
        authorities = self.choices(AUTHORITIES, Kind.AUTHORITY)
        stages = self.choices(STAGES, Kind.STAGE)
        risks = self.choices(RISKS, Kind.RISK)
        references, new_references = self.references()
        consent = self.consent()
        contributors = self.contributors(github)

        target_kind, where_id = self.resolve_where(where) if where is not None else (None, None)
        if target_kind is Kind.PRINCIPLE:
            change = self.process_change(where_id, text, risks, authorities, stages)
        else:
            change = self.practice_change(where_id, text, risks, authorities, stages)
        if references:
            change["references"] = references
        changes = [change]
        for reference in new_references:
            self.labels[f"changes[{len(changes)}]"] = REFERENCES
            changes.append(reference)

        data: dict[str, Any] = {
            "title": self.title(
                title, where_id or where, text, process=target_kind is Kind.PRINCIPLE
            ),
        }
        summary = self.text(WHY)
        if summary is not None:
            data["summary"] = summary
            self.labels["summary"] = WHY
        data["contributors"] = contributors
        data["licence"] = "CC-BY-SA-4.0"
        data["licence_consent"] = consent
        source = self.text(SOURCE)
        if source is not None:
            data["source"] = source
            self.labels["source"] = SOURCE
        data["changes"] = changes
        self.labels["title"] = ISSUE_TITLE
        self.labels["licence_consent"] = CONSENT
        self.labels["licence"] = CONSENT
        return data

    def _label_first_change(self, *where_fields: str) -> None:
        """Findings on the first change (the one the form describes) name its fields."""
        for name in where_fields:
            self.labels[f"changes[0].{name}"] = WHERE
        self.labels["changes[0]"] = TEXT
        for name, label in (
            ("text", TEXT),
            ("risks", RISKS),
            ("authorities", AUTHORITIES),
            ("stages", STAGES),
            ("references", REFERENCES),
        ):
            self.labels[f"changes[0].{name}"] = label

    def process_change(
        self,
        principle: str | None,
        text: str | None,
        risks: list[str],
        authorities: list[str],
        stages: list[str],
    ) -> dict[str, Any]:
        """A new process under ``principle``: it must name its risks, authorities and
        stages."""
        if not risks:
            self.problem(
                RISKS, "choose at least one risk: a new process must name the risks it mitigates"
            )
        if not authorities:
            self.problem(
                AUTHORITIES,
                "choose at least one: a new process must name who is responsible for it",
            )
        if not stages:
            self.problem(
                STAGES,
                "choose at least one: a new process must name the life-cycle stages it applies to",
            )
        self._label_first_change("principle", "placeholder")
        return {
            "op": "add-process",
            "placeholder": "$new-process",
            "principle": principle,
            "text": text,
            "risks": risks,
            "authorities": authorities,
            "stages": stages,
        }

    def practice_change(
        self,
        parent: str | None,
        text: str | None,
        risks: list[str],
        authorities: list[str],
        stages: list[str],
    ) -> dict[str, Any]:
        """A new practice under the process ``parent``, narrowing its authorities and
        stages if it names any."""
        if risks:
            self.problem(
                RISKS,
                "a practice takes the risks of its process; leave this empty, or write a "
                "principle (e.g. F3) under 'Process or principle' to propose a new process",
            )
        change: dict[str, Any] = {"op": "add-practice", "parent": parent, "text": text}
        if authorities:
            change["authorities"] = authorities
        if stages:
            change["stages"] = stages
        self._label_first_change("parent")
        return change

    def resolve_where(self, where: str) -> tuple[Kind | None, str | None]:
        """A process (add a practice under it) or a principle (add a process under it);
        the id may be followed by its text or name, and a principle may be named."""
        token = ID_TOKEN.match(where)
        candidate = token.group(0).upper() if token else ""
        if candidate in self.framework.processes:
            return Kind.PROCESS, candidate
        if candidate in self.framework.principles:
            return Kind.PRINCIPLE, candidate
        names = {label_key(p.name): key for key, p in self.framework.principles.items()}
        named = names.get(label_key(where))
        if named is not None:
            return Kind.PRINCIPLE, named
        example = next(iter(sorted_ids(self.framework.processes)), "F3.1")
        self.problem(
            WHERE,
            f"{where!r} is not a process (like {example}) or a principle (like "
            f"{example.split('.')[0]}) of the framework; write the id shown in the framework",
        )
        return None, None

    def references(self) -> tuple[list[str], list[dict[str, Any]]]:
        tokens = self.value(REFERENCES)
        if tokens is None:
            return [], []
        ids: list[str] = []
        new: list[dict[str, Any]] = []
        for line in item_lines(tokens):
            links = [c for c in line if c["type"] == "link"]
            plain = " ".join(inline_text(line).split())
            candidate = plain.strip(" .;").upper()
            if is_valid_id(Kind.REFERENCE, candidate):
                if candidate not in self.framework.references:
                    self.problem(REFERENCES, f"{candidate} is not a reference of the framework")
                elif candidate not in ids:
                    ids.append(candidate)
                continue
            if links:
                url = str(links[0].get("attrs", {}).get("url", ""))
                title = " ".join(inline_text(links[0].get("children", [])).split())
                rest = " ".join(inline_text([c for c in line if c is not links[0]]).split())
                if not title or title == url:
                    title = rest.strip(" -:–—") or url
            else:
                match = URL_PATTERN.search(plain)
                if match is None:
                    self.problem(
                        REFERENCES,
                        f"{plain[:80]!r} has no web address; write one reference per line as "
                        "'Title https://address' or an existing id like REF-1",
                    )
                    continue
                url = match.group(0).rstrip(").,;>")
                title = (plain[: match.start()] + plain[match.end() :]).strip(" -:–—()<>")
                title = title or url
            placeholder = f"$ref-{len(new) + 1}"
            new.append(
                {
                    "op": "add-reference",
                    "placeholder": placeholder,
                    "title": title,
                    "url": url,
                    "kind": DEFAULT_REFERENCE_KIND,
                }
            )
            ids.append(placeholder)
        return ids, new

    def consent(self) -> bool:
        tokens = self.sections.get(CONSENT)
        boxes = [
            item
            for token in tokens or []
            if token["type"] == "list"
            for item in token.get("children", [])
            if item["type"] == "task_list_item"
        ]
        if not boxes or not all(b.get("attrs", {}).get("checked") for b in boxes):
            self.problem(
                CONSENT,
                "you must tick the box to license your text under CC BY-SA 4.0: everything "
                "in the framework is published under that licence",
            )
            return False
        return True

    def contributors(self, github: str | None) -> list[dict[str, Any]]:
        people: list[dict[str, Any]] = []
        name = self.line(NAME)
        first: dict[str, Any] = {"name": name if name is not None else ""}
        affiliation = self.line(AFFILIATION)
        if affiliation is not None:
            first["affiliation"] = affiliation
        if github:
            first["github"] = github.lstrip("@")
        people.append(first)
        self.labels["contributors"] = NAME
        self.labels["contributors[0]"] = NAME
        self.labels["contributors[0].name"] = NAME
        self.labels["contributors[0].affiliation"] = AFFILIATION
        self.labels["contributors[0].github"] = ISSUE_AUTHOR
        tokens = self.value(OTHERS)
        for line in item_lines(tokens or []):
            text = " ".join(inline_text(line).split())
            person_name, _, rest = text.partition(",")
            if "(" in person_name and person_name.endswith(")") and not rest:
                person_name, _, rest = person_name[:-1].partition("(")
            person: dict[str, Any] = {"name": person_name.strip()}
            if rest.strip():
                person["affiliation"] = rest.strip()
            self.labels[f"contributors[{len(people)}]"] = OTHERS
            people.append(person)
        return people

    def title(
        self, given: str | None, under: str | None, text: str | None, *, process: bool = False
    ) -> str:
        if given is not None:
            cleaned = " ".join(given.split())
            lowered = cleaned.casefold()
            for prefix in TITLE_PREFIXES:
                if lowered.startswith(prefix):
                    cleaned = cleaned[len(prefix) :].strip()
                    break
            if cleaned:
                return cleaned[:300]
        under = under or "the framework"
        words = " ".join((text or "").split())
        if len(words) > 60:
            words = words[:60].rsplit(" ", 1)[0] + "..."
        what = "New process" if process else "Practice"
        return f"{what} under {under}: {words}" if words else f"{what} under {under}"


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _option(key: str, entry: Any) -> str:
    name = getattr(entry, "name", None)
    return f"{key} {name}" if name else key


def _resolve(choice: str, table: dict[str, Any], names: dict[str, str]) -> str | None:
    token = choice.split(maxsplit=1)[0].upper()
    if token in table:
        rest = choice.split(maxsplit=1)[1:] or [""]
        name = label_key(rest[0].strip(" -:–—"))
        if not name or names.get(name) == token:
            return token
        return None
    return names.get(label_key(choice))
