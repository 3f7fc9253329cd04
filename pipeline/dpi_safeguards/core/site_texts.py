"""The knowledge library's own words (headings, buttons, labels), by key: the English
the page shows, and what a catalogue translates (context ``site:<key>``). A placeholder
in braces (``{n}``) is filled in by the page, and a translation keeps every one of them
(``translations check``, TRN008). The CSV and Markdown the page downloads stay in
English, byte for byte what ``safeguards canvas`` writes."""

from __future__ import annotations

import re

SITE_TEXTS: dict[str, str] = {
    "skip": "Skip to the recommendations",
    "intro": (
        "{framework}. Choose who you are (responsible authority), where you are (life-cycle "
        "stage) and, if you like, a risk or a principle: the canvas below lists the "
        "recommendations that apply. Choices within a group widen the selection; choices "
        "in different groups narrow it."
    ),
    "filters_heading": "Choose dimensions",
    "clear": "Clear all choices",
    "noscript": "This page needs JavaScript to filter the recommendations.",
    "results_heading": "Canvas",
    "download_csv": "Download CSV",
    "download_md": "Download Markdown",
    "empty": (
        "No recommendation matches this selection. Try fewer choices: a process whose "
        "sources do not name its stages, authorities or risks matches no choice in that group."
    ),
    "more": "Show more recommendations",
    "more_count": "Show more recommendations ({n} not shown yet)",
    "footer": (
        "Framework text licensed CC BY-SA 4.0. This page works offline and sends no request."
    ),
    "jump_one": "Show the recommendation",
    "jump_many": "Show the {n} recommendations",
    "jump_none": "Show the result",
    "count_some": "{n} of {total} selected",
    "count_none": "Any (none selected)",
    "summary": "Selected dimensions: {dimensions}",
    "total": "Total recommendations {n}",
    "any": "Any",
    "card_title": "Recommendation {n} of {total}",
    "term_principle": "Principle",
    "term_process": "Process recommendation",
    "term_risk": "Mitigated risk",
    "term_practices": "Illustrative practices",
    "term_authority": "Responsible authority",
    "term_stage": "Life-cycle stage",
    "term_references": "Additional resources / reference",
    "dimension_authority": "Responsible authority",
    "dimension_stage": "Life-cycle stage",
    "dimension_risk": "Risk",
    "dimension_principle": "Principle",
    "none_given": "(not given in the sources)",
    "no_practice": "None for this selection.",
    "text_gap": "(not given in the sources)",
    "only_for": "(only for {parts})",
    "reference": "reference: {references}",
    "no_reference": "n.d.",
    "languages": "Languages",
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders(text: str) -> list[str]:
    """The placeholders of a text, sorted (``{n}`` -> ``n``)."""
    return sorted(_PLACEHOLDER.findall(text))
