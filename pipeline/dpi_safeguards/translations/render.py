"""The status and update reports as text, Markdown (a pull request's job summary) and
JSON (``translations-status.schema.json``)."""

from __future__ import annotations

from dpi_safeguards.core.text import md_cell
from dpi_safeguards.models.translations import TranslationsStatus
from dpi_safeguards.store.writer import dump_json
from dpi_safeguards.translations.write import UpdateReport

_COLUMNS = ("language", "translated", "fuzzy", "missing", "total", "percent", "published")


def _rows(status: TranslationsStatus) -> list[list[str]]:
    return [
        [
            f"{s.language} ({s.name})",
            str(s.translated),
            str(s.fuzzy),
            str(s.missing),
            str(s.total),
            f"{s.percent}%",
            "yes" if s.published else f"no: {s.reason}",
        ]
        for s in status.languages
    ]


def render_status_text(status: TranslationsStatus) -> str:
    if not status.languages:
        return (
            "no catalogue in translations/; start one with "
            "'safeguards translations update --add LANG'\n"
        )
    rows = [list(_COLUMNS), *_rows(status)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = [
        "  ".join(
            [
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row[:-1])
            ]
            + [row[-1]]
        )
        for row in rows
    ]
    lines.append(
        f"a release publishes a language from {status.publish_from_percent}% translated "
        "(translations/translations.yaml); fuzzy texts are given in English until reviewed"
    )
    return "\n".join(lines) + "\n"


def render_status_markdown(status: TranslationsStatus) -> str:
    out = ["## Translations", ""]
    if not status.languages:
        return "\n".join([*out, "No catalogue in translations/.", ""])
    out.append("| " + " | ".join(_COLUMNS) + " |")
    out.append("|" + "---|" * len(_COLUMNS))
    out += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in _rows(status)]
    out += [
        "",
        f"A release publishes a language from {status.publish_from_percent}% translated; "
        "fuzzy texts (the English changed since) are given in English until a translator "
        "reviews them.",
        "",
    ]
    return "\n".join(out)


def render_status_json(status: TranslationsStatus) -> str:
    return dump_json(status.model_dump(mode="json", by_alias=True))


def render_update_text(report: UpdateReport, shown: dict[str, str]) -> str:
    """``shown``: each written path as the user sees it."""
    lines = []
    verb = "would change" if not report.written else "wrote"
    for path in report.changed:
        lines.append(f"{verb} {shown[str(path)]}")
    for item in report.languages:
        parts = []
        if item.created:
            parts.append("new catalogue")
        if item.became_fuzzy:
            parts.append(
                f"{len(item.became_fuzzy)} now fuzzy ({', '.join(item.became_fuzzy[:10])}"
                + (", ..." if len(item.became_fuzzy) > 10 else "")
                + ")"
            )
        if item.added:
            parts.append(f"{len(item.added)} new")
        if item.obsoleted:
            parts.append(f"{len(item.obsoleted)} obsolete")
        if parts:
            lines.append(f"  {item.language}: " + "; ".join(parts))
    if not report.changed:
        lines.append("the template and every catalogue are up to date")
    return "\n".join(lines) + "\n"
