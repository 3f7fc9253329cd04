"""Country frameworks: a pinned universal release, selected, excluded, extended, tracked."""
