"""A misspelt command or id gets the nearest valid ones, not only "no such"."""

from __future__ import annotations

from tests.support.cli import run_cli


def test_a_misspelt_command_names_the_one_meant() -> None:
    result = run_cli("valdate")
    assert result.code == 2
    assert "no command 'valdate'; did you mean 'validate'?" in result.stderr


def test_an_unknown_command_lists_the_commands() -> None:
    result = run_cli("frobnicate")
    assert result.code == 2
    assert "no command 'frobnicate'; the commands are bundle, canvas," in result.stderr


def test_options_and_real_commands_are_untouched() -> None:
    assert run_cli("--version").code == 0
    assert run_cli("stats").code == 0


def test_show_of_an_unknown_id_lists_the_ids_near_it() -> None:
    result = run_cli("show", "F3.9")
    assert result.code == 1
    assert "no entry has the id 'F3.9'; ids near it: F3, F3.1," in result.stderr
    spelt = run_cli("show", "RS9")
    assert "ids near it: RS1, RS2" in spelt.stderr


def test_an_id_like_nothing_gets_no_made_up_suggestion() -> None:
    result = run_cli("show", "zzz")
    assert result.code == 1
    assert result.stderr == "error: no entry has the id 'zzz'\n"
