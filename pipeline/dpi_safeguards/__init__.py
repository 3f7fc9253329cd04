"""Contribution review, merge and release pipeline for the Universal DPI Safeguards Framework."""

__version__ = "0.1.0"
