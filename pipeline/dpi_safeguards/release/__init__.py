"""Releases: version bump, bundle, notes, index, feed, archives, verify and download.

See the README section "Releases" for every format this package writes.
"""
