"""Where the repository and the test data are."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
# Inputs by outcome (valid/, invalid/, hostile/, intake/), collected by parametrize.
CASES = TESTS / "cases"
# Small repositories to copy: mini/ (the review/merge/release fixture), canvas/.
FIXTURES = TESTS / "fixtures"
# Expected outputs compared byte for byte; UPDATE_GOLDEN=1 rewrites them.
GOLDEN = TESTS / "golden"
