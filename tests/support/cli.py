"""Running the `safeguards` command in the tests.

``run_cli`` runs it in this process: the entry point ``main()`` inside click's CliRunner
isolation (stdin, stdout and stderr swapped for buffers, environment overrides applied and
restored), so every call goes through main()'s mapping of exceptions to exit codes 0/1/2
and its ``--root`` handling, as the installed script does, without starting an interpreter.

``run_process`` runs a real ``python -m dpi_safeguards`` (or the installed ``safeguards``
script): for the tests where a real process is the point (a kill, a lock held by another
process, an interpreter's start-up settings such as PYTHONHASHSEED, the entry points
themselves).

Both return the same ``Result``: the exit code, stdout and stderr apart, decoded as UTF-8
with CRLF folded to LF (``stdout_bytes`` keeps the exact bytes), and both drop the
test process's SAFEGUARDS_ROOT, so the repository is the one ``cwd`` (default: this
repository), ``--root`` or an ``env`` given to the call names.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from dpi_safeguards.cli.main import main
from tests.support.paths import REPO

# The console script pip installs beside the interpreter (pyproject.toml [project.scripts]).
SCRIPT = Path(sys.executable).parent / "safeguards"
# main() stands in a module for pydantic's plugin loader when plugins are off (see
# dpi_safeguards.cli.main._without_pydantic_plugins): process-wide state that run_cli
# takes back after each call, as the end of a process would.
_PLUGIN_LOADER = "pydantic.plugin._loader"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes = b""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\r\n", "\n")


def _input_bytes(data: str | bytes | None) -> bytes | None:
    return data.encode("utf-8") if isinstance(data, str) else data


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | bytes | None = None,
) -> Result:
    """Run ``safeguards ARGS`` in this process, in ``cwd`` (default: the repository), with
    ``env`` added to the environment (this process's SAFEGUARDS_ROOT removed) and ``input``
    as stdin."""
    overrides: dict[str, str | None] = {"SAFEGUARDS_ROOT": None, **(env or {})}
    # main() sets PYDANTIC_DISABLE_PLUGINS for its process: listed here, it is restored after.
    overrides.setdefault("PYDANTIC_DISABLE_PLUGINS", os.environ.get("PYDANTIC_DISABLE_PLUGINS"))
    loader_was_loaded = _PLUGIN_LOADER in sys.modules
    main_module = sys.modules["__main__"]
    runner = CliRunner()
    with (
        contextlib.chdir(cwd or REPO),
        runner.isolation(input=_input_bytes(input), env=overrides) as (out, err, _mixed),
    ):
        saved_argv, sys.argv = sys.argv, ["safeguards", *map(str, args)]
        # click names the program after sys.argv[0] unless __main__ is a package's (as it is
        # under `python -m pytest`): as the installed script, it is "safeguards".
        saved_package = main_module.__dict__.get("__package__")
        main_module.__package__ = None
        saved_gc = gc.get_threshold()  # main() sets its process's; the test run keeps its own
        try:
            main()
            code = 0  # main() always exits; not reached
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:  # sys.exit("message"): the interpreter prints it and exits 1
                print(exc.code, file=sys.stderr)
                code = 1
        except Exception:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            code = 1
        finally:
            sys.argv = saved_argv
            main_module.__package__ = saved_package
            gc.set_threshold(*saved_gc)
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    if not loader_was_loaded:
        sys.modules.pop(_PLUGIN_LOADER, None)
    return Result(code, _text(stdout), _text(stderr), stdout)


def run_process(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | bytes | None = None,
    timeout: float = 120,
    installed: bool = False,
) -> Result:
    """Run ``python -m dpi_safeguards ARGS`` (``installed``: the ``safeguards`` script) as a
    real process, as run_cli would run it in this one."""
    full_env = {key: value for key, value in os.environ.items() if key != "SAFEGUARDS_ROOT"}
    full_env.update(env or {})
    command = [str(SCRIPT)] if installed else [sys.executable, "-m", "dpi_safeguards"]
    completed = subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd or REPO,
        input=_input_bytes(input),
        capture_output=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return Result(
        completed.returncode, _text(completed.stdout), _text(completed.stderr), completed.stdout
    )
