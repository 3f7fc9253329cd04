"""Sphinx configuration for the documentation (Markdown pages, read by MyST-Parser).

Build: python -m sphinx -W --keep-going -n -b html docs docs/_build/html
(requirements: docs/requirements.txt)
"""

project = "Universal DPI Safeguards Framework: review and release pipeline"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"

# `page.md#heading-slug` links resolve for headings down to level 3.
myst_heading_anchors = 3

# Every unresolved reference is a warning (and, with -W, an error).
nitpicky = True

exclude_patterns = ["_build", "requirements.txt", "Thumbs.db", ".DS_Store"]

# A theme that ships with Sphinx: no extra dependency.
html_theme = "alabaster"
html_title = "DPI Safeguards pipeline"
