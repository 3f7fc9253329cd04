"""Releases: version bump, bundle, notes, index, feed, archives, verify and download.

docs/file-formats.md describes every format this package writes.
"""
