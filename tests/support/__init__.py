"""Helpers shared by the tests (tests/cli/ and tests/unit/): paths, the CLI runners,
repositories and frameworks to test on. Nothing here is collected by pytest."""
