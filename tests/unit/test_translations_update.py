"""How ``translations update`` carries translations across English changes, on real PO
files written and read back (the msgmerge rules of translations/update.py)."""

from __future__ import annotations

from pathlib import Path

from dpi_safeguards.core.ids import Kind
from dpi_safeguards.translations.catalogue import (
    Catalogue,
    CatalogueEntry,
    default_metadata,
    read_catalogue,
    render_catalogue,
)
from dpi_safeguards.translations.fields import SourceText, make_context
from dpi_safeguards.translations.update import update_entries


def _text(entry_id: str, field: str, text: str, index: int | None = None) -> SourceText:
    kind = Kind.STAGE if field == "activities" else Kind.PRACTICE
    return SourceText(make_context(entry_id, field, index), text, kind, entry_id, field, index)


def _round_trip(tmp_path: Path, catalogue: Catalogue, entries: list[CatalogueEntry]) -> Catalogue:
    """The entries written as fr.po and read back, as the next run of the tool sees them."""
    path = tmp_path / "fr.po"
    path.write_text(render_catalogue(catalogue, entries), encoding="utf-8")
    return read_catalogue(path, "translations/fr.po")


def _start(tmp_path: Path, texts: list[SourceText], translated: dict[str, str]) -> Catalogue:
    empty = Catalogue(
        "fr", tmp_path / "fr.po", "translations/fr.po", metadata=default_metadata("fr")
    )
    entries = update_entries(empty, texts).entries
    for entry in entries:
        entry.text = translated.get(entry.context, "")
    return _round_trip(tmp_path, empty, entries)


def test_a_changed_text_is_fuzzy_and_remembers_the_english_it_was_made_from(
    tmp_path: Path,
) -> None:
    v1 = [_text("F1.1.1", "text", "Publish the rules."), _text("F1.1.2", "text", "Keep it.")]
    catalogue = _start(
        tmp_path, v1, {"F1.1.1:text": "Publier les règles.", "F1.1.2:text": "Garder."}
    )
    v2 = [_text("F1.1.1", "text", "Publish the rules online."), v1[1]]
    result = update_entries(catalogue, v2)
    assert result.became_fuzzy == ["F1.1.1:text"]
    catalogue = _round_trip(tmp_path, catalogue, result.entries)
    changed = catalogue.entries["F1.1.1:text"]
    assert changed.fuzzy and changed.text == "Publier les règles."
    assert changed.previous == "Publish the rules."
    assert catalogue.entries["F1.1.2:text"].translated
    # A second change before review: still the English the translation was made from.
    v3 = [_text("F1.1.1", "text", "Publish every rule online."), v1[1]]
    result = update_entries(catalogue, v3)
    assert result.became_fuzzy == []  # fuzzy already
    again = _round_trip(tmp_path, catalogue, result.entries).entries["F1.1.1:text"]
    assert again.fuzzy and again.previous == "Publish the rules."
    # The translator reviews it: the flag goes, the translation counts again.
    again.fuzzy = False
    again.text = "Publier toutes les règles en ligne."
    reviewed = update_entries(_round_trip(tmp_path, catalogue, [again]), v3)
    entry = reviewed.entries[0]
    assert entry.translated and entry.previous is None


def test_an_item_inserted_in_a_list_moves_the_translations_with_their_texts(
    tmp_path: Path,
) -> None:
    before = [_text("L1", "activities", t, i) for i, t in enumerate(["Plan.", "Scope."])]
    catalogue = _start(
        tmp_path, before, {"L1:activities[0]": "Planifier.", "L1:activities[1]": "Cadrer."}
    )
    after = [_text("L1", "activities", t, i) for i, t in enumerate(["Consult.", "Plan.", "Scope."])]
    result = update_entries(catalogue, after)
    by_context = {e.context: e for e in result.entries}
    assert by_context["L1:activities[0]"].text == "" or by_context["L1:activities[0]"].fuzzy
    assert by_context["L1:activities[1]"].text == "Planifier."
    assert by_context["L1:activities[1]"].translated
    assert by_context["L1:activities[2]"].text == "Cadrer."
    assert by_context["L1:activities[2]"].translated


def test_a_removed_text_is_kept_obsolete_and_comes_back_translated(tmp_path: Path) -> None:
    texts = [_text("F1.1.1", "text", "Publish the rules."), _text("F1.1.2", "text", "Keep it.")]
    catalogue = _start(tmp_path, texts, {"F1.1.2:text": "Garder."})
    result = update_entries(catalogue, texts[:1])
    assert result.obsoleted == ["F1.1.2:text"]
    written = render_catalogue(catalogue, result.entries)
    assert '#~ msgctxt "F1.1.2:text"' in written
    catalogue = _round_trip(tmp_path, catalogue, result.entries)
    assert "F1.1.2:text" in catalogue.obsolete
    back = update_entries(catalogue, texts)
    assert back.revived == ["F1.1.2:text"]
    assert {e.context: e.text for e in back.entries}["F1.1.2:text"] == "Garder."


def test_update_is_idempotent_and_byte_stable(tmp_path: Path) -> None:
    texts = [_text("F1.1.1", "text", "Publish the rules.\nEvery one of them.")]
    catalogue = _start(tmp_path, texts, {"F1.1.1:text": "Publier les règles.\nToutes."})
    first = render_catalogue(catalogue, update_entries(catalogue, texts).entries)
    again = _round_trip(tmp_path, catalogue, update_entries(catalogue, texts).entries)
    assert render_catalogue(again, update_entries(again, texts).entries) == first
    assert first == (tmp_path / "fr.po").read_text(encoding="utf-8")
