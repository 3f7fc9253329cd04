"""Releases: version bump, bundle, notes, index, feed, archives, verify and download.

See docs/README-release.md for every format this package writes.
"""
