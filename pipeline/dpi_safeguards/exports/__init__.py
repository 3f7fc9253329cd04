"""Exports of a framework: full JSON, CSV, Markdown, HTML, Data Package."""
