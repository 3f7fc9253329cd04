"""Translations of the framework's texts: gettext PO catalogues, one per language."""
