"""The real entry points: `python -m dpi_safeguards` and the installed `safeguards` script.

The other command tests run the command in-process (tests.support.cli.run_cli); here real
processes check that what they see is what a user sees: the same exit code for each kind
of ending (a clean run, a finding, the package's error, click's usage error), the same
stdout and the same stderr.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from dpi_safeguards import __version__
from tests.support.cli import SCRIPT, run_cli, run_process
from tests.support.paths import CASES

# (arguments, exit code): 0 clean, 1 an error of the package (SafeguardsError), 2 a usage
# error raised by click and one raised by the package (UsageError).
ENDINGS = [
    (("--version",), 0),
    (("show", "F3.1"), 0),
    (("show", "F99.1"), 1),
    (("validate", "--format", "xml"), 2),
    (("--root", "no-such-folder", "validate"), 2),
]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder in no repository: the command finds no framework there."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(("args", "code"), ENDINGS, ids=[" ".join(a) for a, _ in ENDINGS])
def test_installed_script_and_run_cli_agree(args: tuple[str, ...], code: int) -> None:
    if not SCRIPT.is_file():
        pytest.skip(f"no installed script at {SCRIPT} (pip install -e .)")
    real = run_process(*args, installed=True)
    here = run_cli(*args)
    assert real.code == code, real.output
    assert (here.code, here.stdout, here.stderr) == (real.code, real.stdout, real.stderr)
    assert "Traceback" not in real.output


def test_no_framework_found_is_a_usage_error_in_both(outside: Path) -> None:
    real = run_process("validate", cwd=outside)
    here = run_cli("validate", cwd=outside)
    assert real.code == here.code == 2
    assert "no framework found" in real.stderr
    assert here.stderr == real.stderr and here.stdout == real.stdout == ""


def test_python_m_runs_the_command() -> None:
    result = run_process("--version")
    assert result.code == 0, result.output
    assert result.stdout == f"safeguards, version {__version__}\n"
    usage = run_process("validate", "--format", "xml")
    assert usage.code == 2
    assert usage.stderr.startswith("Usage: python -m dpi_safeguards validate")


def test_stdin_reaches_the_command_in_both(mini_root: Path) -> None:
    body = (CASES / "intake" / "valid" / "minimal.md").read_bytes()
    args = ("--root", mini_root, "intake", "-", "-o", "-")
    real = run_process(*args, input=body)
    here = run_cli(*args, input=body)
    assert real.code == here.code == 0, real.output
    assert here.stdout_bytes == real.stdout_bytes != b""


# ---- the in-process runner itself ---------------------------------------------------------


def test_run_cli_applies_cwd_and_env_and_leaves_this_process_as_it_was(
    mini_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFEGUARDS_ROOT", str(mini_root))  # dropped, as for a real process
    state = (dict(os.environ), Path.cwd(), list(sys.argv), sys.stdin, sys.stdout, sys.stderr)
    loader_loaded = "pydantic.plugin._loader" in sys.modules
    # cwd: the mini fixture's F3.1.1, not the repository's
    mini = run_cli("show", "F3.1.1", cwd=mini_root)
    assert mini.code == 0, mini.output
    assert "Establish physical service points in underserved areas." in mini.stdout
    # SAFEGUARDS_ROOT dropped: the repository (the default cwd), which has F8.1
    assert run_cli("show", "F8.1").code == 0
    # env reaches the command: SAFEGUARDS_ROOT given back points it at the mini fixture
    given = run_cli("show", "F3.1.1", env={"SAFEGUARDS_ROOT": str(mini_root)}, cwd=tmp_path)
    assert "Establish physical service points in underserved areas." in given.stdout
    after = (dict(os.environ), Path.cwd(), list(sys.argv), sys.stdin, sys.stdout, sys.stderr)
    assert after == state
    assert ("pydantic.plugin._loader" in sys.modules) == loader_loaded


def test_run_cli_reports_an_uncaught_exception_as_the_interpreter_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dpi_safeguards import api

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "load", broken)
    result = run_cli("show", "F3.1")
    assert result.code == 1
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.rstrip().endswith("RuntimeError: boom")
