"""The test suite: tests/cli/ (commands as a user runs them), tests/unit/ (library
modules), tests/support/ (shared helpers); see tests/README.md."""
