"""Issue form -> contribution file: the form read (:mod:`.issue_form`), mapped to a
contribution (:mod:`.form_contribution`), written in canonical YAML, checked with exactly
the validation of ``safeguards validate``, and only then put in place (a free name; an
existing file is never replaced).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dpi_safeguards.check.rules.contribution import build_text_index
from dpi_safeguards.check.validate import checked_framework, contribution_findings
from dpi_safeguards.core.errors import SafeguardsError
from dpi_safeguards.core.findings import Finding, Severity
from dpi_safeguards.core.options import IntakeOptions
from dpi_safeguards.core.workspace import Workspace
from dpi_safeguards.forge.form_contribution import Builder
from dpi_safeguards.forge.issue_form import (
    MAX_BODY_CHARS,
    TEXT,
    WHERE,
    IntakeError,
    IntakeResult,
    Problem,
    normalise_body,
    parse_markdown,
    split_sections,
)
from dpi_safeguards.load.folder import LoadedFramework, load_framework
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.store.writer import TEMP_PREFIX, atomic_write, dump_yaml, to_data

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
    checked_framework(loaded, "the framework")
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
