"""Trusted distribution: TUF metadata for the releases folder (python-tuf's Metadata API)
and the client that downloads through it (python-tuf's ngclient)."""
