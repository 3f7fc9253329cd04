"""Issue form -> contribution file.

GitHub renders a submitted issue form as Markdown: each field is a ``### <label>`` heading
followed by its value, ``_No response_`` for an empty optional field, ticked checkboxes as
``- [X] text``, and a multiple-choice dropdown as comma-separated option labels. The body
is parsed with mistune's AST (never with regular expressions over the Markdown), mapped to
a :class:`~dpi_safeguards.models.contribution.Contribution`, written in canonical YAML, checked
with exactly the validation of ``safeguards validate``, and only then put in place.

Every problem is reported under the label the contributor saw in the form, so a bot can
answer them in their own terms.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mistune
from pydantic import ValidationError

from dpi_safeguards.check.rules.contribution import build_text_index
from dpi_safeguards.check.validate import checked_framework, contribution_findings
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.findings import Finding, Severity
from dpi_safeguards.core.ids import Kind, is_valid_id, sorted_ids
from dpi_safeguards.core.options import IntakeOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.load.folder import LoadedFramework, load_framework
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.store.writer import TEMP_PREFIX, atomic_write, dump_yaml, to_data

# The labels of the "Propose a practice" issue form (.github/ISSUE_TEMPLATE/propose-practice.yml).
# A test checks that the form and this list agree.
WHERE = "Process or principle"
TEXT = "Proposed text"
AUTHORITIES = "Responsible authorities"
STAGES = "Life-cycle stages"
RISKS = "Risks it mitigates"
REFERENCES = "References"
WHY = "Why it matters"
SOURCE = "Source of the text"
NAME = "Your name"
AFFILIATION = "Affiliation"
OTHERS = "Other contributors"
CONSENT = "Licence consent"
FORM_LABELS: tuple[str, ...] = (
    WHERE,
    TEXT,
    AUTHORITIES,
    STAGES,
    RISKS,
    REFERENCES,
    WHY,
    SOURCE,
    NAME,
    AFFILIATION,
    OTHERS,
    CONSENT,
)
REQUIRED_LABELS = frozenset({WHERE, TEXT, NAME, CONSENT})
# Values that do not come from the body but from the issue itself (passed by the workflow).
ISSUE_TITLE = "Issue title"
ISSUE_AUTHOR = "Issue author"

NO_RESPONSE = "No response"
MAX_BODY_CHARS = 262_144  # GitHub caps an issue body at 65,536 characters; be generous
TITLE_PREFIXES = ("[practice]:", "[practice]", "practice:")
DEFAULT_REFERENCE_KIND = "reference"
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_ID_TOKEN = re.compile(r"[A-Za-z]{1,3}[0-9]+(?:\.[0-9]+){0,2}")


@dataclass(frozen=True)
class Problem:
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


def _form_order(problem: Problem) -> int:
    return FORM_LABELS.index(problem.label) if problem.label in FORM_LABELS else -1


class IntakeError(SafeguardsError):
    """The form cannot become a contribution; ``problems`` lists every reason, in the
    order of the form's fields."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=_form_order)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class IntakeResult:
    contribution: Contribution
    text: str  # the canonical YAML
    path: Path | None  # where it was written (None: not written)
    warnings: list[Problem] = field(default_factory=list)


# --- Markdown -> sections ----------------------------------------------------------------


def normalise_body(text: str) -> str:
    """LF line endings, no BOM: GitHub sends issue bodies with CRLF."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_markdown(text: str) -> list[dict[str, Any]]:

    markdown = mistune.create_markdown(renderer=None, plugins=["task_lists"])
    tokens: list[dict[str, Any]] = markdown(text)  # type: ignore[assignment]
    return tokens


def _label_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


_KNOWN = {_label_key(label): label for label in FORM_LABELS}


def split_sections(
    tokens: Iterable[dict[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], list[Problem]]:
    """Top-level ``### label`` headings of the form's labels start a field; anything else
    (including other headings a contributor typed into a text box) belongs to the field
    it is in."""
    sections: dict[str, list[dict[str, Any]]] = {}
    problems: list[Problem] = []
    current: list[dict[str, Any]] | None = None
    for token in tokens:
        if token["type"] == "heading" and token.get("attrs", {}).get("level") == 3:
            label = _KNOWN.get(_label_key(inline_text(token.get("children", []))))
            if label is not None:
                if label in sections:
                    problems.append(
                        Problem(label, "appears more than once in the issue; keep only one")
                    )
                    current = []  # the repeat is ignored
                else:
                    current = sections[label] = []
                continue
        if current is not None and token["type"] != "blank_line":
            current.append(token)
    return sections, problems


def inline_text(children: Iterable[dict[str, Any]], *, breaks: str = " ") -> str:
    """The text a reader sees, markup removed; a link keeps its address."""
    out: list[str] = []
    for child in children:
        kind = child["type"]
        if kind == "codespan":
            out.append(f"`{child.get('raw', '')}`")
        elif kind in ("text", "inline_html", "block_html"):
            out.append(child.get("raw", ""))
        elif kind == "softbreak":
            out.append(breaks)
        elif kind == "linebreak":
            out.append("\n")
        elif kind == "link":
            label = inline_text(child.get("children", []), breaks=breaks)
            url = child.get("attrs", {}).get("url", "")
            out.append(label if not url or label == url else f"{label} ({url})")
        elif kind == "image":
            out.append(inline_text(child.get("children", []), breaks=breaks))
        else:
            out.append(inline_text(child.get("children", []), breaks=breaks))
    return "".join(out)


def block_text(tokens: Iterable[dict[str, Any]]) -> str:
    """Blocks as plain text: paragraphs separated by a blank line, lists one item a line."""
    parts: list[str] = []
    for token in tokens:
        kind = token["type"]
        if kind == "blank_line":
            continue
        if kind in ("paragraph", "block_text", "heading"):
            parts.append(inline_text(token.get("children", [])).strip())
        elif kind == "list":
            lines = []
            for item in token.get("children", []):
                mark = ""
                if item["type"] == "task_list_item":
                    mark = "[x] " if item.get("attrs", {}).get("checked") else "[ ] "
                lines.append("- " + mark + block_text(item.get("children", [])))
            parts.append("\n".join(lines))
        elif kind in ("block_code", "block_html"):
            parts.append(str(token.get("raw", "")).strip("\n"))
        elif kind == "block_quote":
            parts.append(block_text(token.get("children", [])))
        elif kind == "thematic_break":
            continue
        else:
            parts.append(block_text(token.get("children", [])))
    return "\n\n".join(p for p in parts if p)


def is_no_response(tokens: Sequence[dict[str, Any]]) -> bool:
    if not tokens:
        return True
    if len(tokens) != 1 or tokens[0]["type"] != "paragraph":
        return False
    children = tokens[0].get("children", [])
    return (
        len(children) == 1
        and children[0]["type"] == "emphasis"
        and inline_text(children[0].get("children", [])).strip() == NO_RESPONSE
    )


def item_lines(tokens: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One entry per list item or per line of a paragraph, as inline tokens."""
    lines: list[list[dict[str, Any]]] = []
    for token in tokens:
        if token["type"] == "list":
            for item in token.get("children", []):
                inline: list[dict[str, Any]] = []
                for block in item.get("children", []):
                    inline += block.get("children", []) or [block]
                lines.append(inline)
        elif token["type"] in ("paragraph", "block_text"):
            current: list[dict[str, Any]] = []
            for child in token.get("children", []):
                if child["type"] in ("softbreak", "linebreak"):
                    lines.append(current)
                    current = []
                else:
                    current.append(child)
            lines.append(current)
        else:
            lines.append([{"type": "text", "raw": block_text([token])}])
    return [line for line in lines if inline_text(line).strip()]


# --- sections -> contribution data ---------------------------------------------------------


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
        names = {_label_key(str(getattr(e, "name", ""))): key for key, e in table.items()}
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
        where = self.line(WHERE)
        text = self.text(TEXT)
        authorities = self.choices(AUTHORITIES, Kind.AUTHORITY)
        stages = self.choices(STAGES, Kind.STAGE)
        risks = self.choices(RISKS, Kind.RISK)
        references, new_references = self.references()
        consent = self.consent()
        contributors = self.contributors(github)

        changes: list[dict[str, Any]] = []
        target_kind, where_id = self.resolve_where(where) if where is not None else (None, None)
        first = len(changes)
        if target_kind is Kind.PRINCIPLE:
            if not risks:
                self.problem(
                    RISKS,
                    "choose at least one risk: a new process must name the risks it mitigates",
                )
            if not authorities:
                self.problem(
                    AUTHORITIES,
                    "choose at least one: a new process must name who is responsible for it",
                )
            if not stages:
                self.problem(
                    STAGES,
                    "choose at least one: a new process must name the "
                    "life-cycle stages it applies to",
                )
            change: dict[str, Any] = {
                "op": "add-process",
                "placeholder": "$new-process",
                "principle": where_id,
                "text": text,
                "risks": risks,
                "authorities": authorities,
                "stages": stages,
            }
            self.labels[f"changes[{first}].principle"] = WHERE
            self.labels[f"changes[{first}].placeholder"] = WHERE
        else:
            if risks:
                self.problem(
                    RISKS,
                    "a practice takes the risks of its process; leave this empty, or write a "
                    "principle (e.g. F3) under 'Process or principle' to propose a new process",
                )
            change = {"op": "add-practice", "parent": where_id, "text": text}
            if authorities:
                change["authorities"] = authorities
            if stages:
                change["stages"] = stages
            self.labels[f"changes[{first}].parent"] = WHERE
        if references:
            change["references"] = references
        changes.append(change)
        self.labels[f"changes[{first}]"] = TEXT
        for name, label in (
            ("text", TEXT),
            ("risks", RISKS),
            ("authorities", AUTHORITIES),
            ("stages", STAGES),
            ("references", REFERENCES),
        ):
            self.labels[f"changes[{first}].{name}"] = label
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

    def resolve_where(self, where: str) -> tuple[Kind | None, str | None]:
        """A process (add a practice under it) or a principle (add a process under it);
        the id may be followed by its text or name, and a principle may be named."""
        token = _ID_TOKEN.match(where)
        candidate = token.group(0).upper() if token else ""
        if candidate in self.framework.processes:
            return Kind.PROCESS, candidate
        if candidate in self.framework.principles:
            return Kind.PRINCIPLE, candidate
        names = {_label_key(p.name): key for key, p in self.framework.principles.items()}
        named = names.get(_label_key(where))
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
                match = _URL.search(plain)
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
        name = _label_key(rest[0].strip(" -:–—"))
        if not name or names.get(name) == token:
            return token
        return None
    return names.get(_label_key(choice))


# --- mapping validation findings back to the form -------------------------------------


_LAST_PART = re.compile(r"(?:\.[^.\[]+|\[[0-9]+\])$")


def label_for(field_name: str | None, labels: dict[str, str]) -> str:
    key = field_name or ""
    while key:
        if key in labels:
            return labels[key]
        shorter = _LAST_PART.sub("", key)
        if shorter == key:
            break
        key = shorter
    return "Form"


def finding_problems(findings: Iterable[Finding], labels: dict[str, str]) -> Iterator[Problem]:
    for finding in findings:
        yield Problem(label_for(finding.field, labels), f"{finding.message} ({finding.code})")


# --- the whole step ---------------------------------------------------------------------


def slugify(text: str, *, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or "contribution"


def contribution_from_body(
    body: str,
    loaded: LoadedFramework,
    *,
    title: str | None = None,
    github: str | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The contribution data and the field -> form label map; raises IntakeError."""
    if len(body) > MAX_BODY_CHARS:
        too_long = f"the issue is longer than {MAX_BODY_CHARS} characters"
        raise IntakeError([Problem("Form", too_long)])
    text = normalise_body(body)
    if "\x00" in text:
        raise IntakeError([Problem("Form", "the issue holds NUL characters")])
    sections, problems = split_sections(parse_markdown(text))
    if TEXT not in sections and WHERE not in sections:
        raise IntakeError(
            [
                Problem(
                    "Form",
                    "this issue was not made with the 'Propose a practice' form (no "
                    f"'{WHERE}' or '{TEXT}' field); open a new issue with that form",
                )
            ]
        )
    builder = Builder(loaded.framework, sections, problems)
    data = builder.build(title=title, github=github)
    if builder.problems:
        raise IntakeError(builder.problems)
    return data, builder.labels


def run_intake(workspace: Workspace, body: str, options: IntakeOptions) -> IntakeResult:
    """Turn a rendered issue form into a validated contribution file.

    ``output`` None: ``contributions/proposed/<slug>.yaml`` (a free name: an existing file is
    never replaced). ``write`` False: check only. Raises IntakeError with every problem.
    """

    title, github, issue, output = options.title, options.github, options.issue, options.output
    write = options.write
    loaded = load_framework(workspace.framework_dir, display_base=workspace.root)
    checked_framework(loaded, "the framework", " (run 'safeguards validate' for every finding)")
    data, labels = contribution_from_body(body, loaded, title=title, github=github)
    try:
        text = dump_yaml(to_data(Contribution.model_validate(data)))
    except ValidationError:
        text = dump_yaml(data)  # the validation below names each problem

    with tempfile.TemporaryDirectory(prefix="safeguards-intake-") as scratch:
        candidate = Path(scratch) / "contribution.yaml"
        atomic_write(candidate, text)
        findings = list(
            contribution_findings(
                candidate, loaded, build_text_index(loaded.framework), "contribution.yaml"
            )
        )
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise IntakeError(list(finding_problems(errors, labels)))
    warnings = list(
        finding_problems((f for f in findings if f.severity is Severity.WARNING), labels)
    )
    contribution = Contribution.model_validate(data)
    if not write:
        return IntakeResult(contribution, text, None, warnings)

    if output is None:
        stem = slugify(contribution.title)
        if issue is not None:
            stem = f"issue-{issue}-{stem}"[:70].rstrip("-")
        path = create_new(workspace.state_dir("proposed"), stem, ".yaml", text)
    else:
        path = output
        if not link_new(path, text):
            raise SafeguardsError(f"{path} already exists; intake never replaces a file")
    return IntakeResult(contribution, text, path, warnings)


def link_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically unless ``path`` exists (False then).

    The content goes through atomic_write to a temp file beside ``path`` and is then
    hard-linked into place: the link fails if the name is taken, even by a file created a
    moment ago by another process, so nothing is ever overwritten.
    """
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f"{TEMP_PREFIX}intake-{os.getpid()}-{path.name}"
    atomic_write(temp, text)
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    except OSError:
        # No hard links here (some network or FUSE file systems): reserve the name with
        # O_EXCL, then replace our own empty reservation atomically.
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            return False
        atomic_write(path, text)
    finally:
        temp.unlink(missing_ok=True)
    return True


def create_new(folder: Path, stem: str, suffix: str, text: str) -> Path:
    for number in range(1, 1000):
        name = f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}"
        path = folder / name
        if link_new(path, text):
            return path
    raise SafeguardsError(f"no free file name for {stem}{suffix} in {folder}")
