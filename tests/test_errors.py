"""Errors at the edge: each shows itself with its exit code; template overrides fail as usage errors."""

from __future__ import annotations

import pickle

from click.testing import CliRunner

from notewriter.cli import main
from notewriter.errors import CheckFailed, DataError, UsageError


def _write(args):
    return CliRunner().invoke(main, ["write", "IJR", "--as-of", "2025-10-31", *args])


def test_template_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "sections").mkdir()
    bad = tmp_path / "sections" / "lede.md.j2"
    bad.write_text("First line.\n{% if %}\n", encoding="utf-8")
    result = _write(["--templates", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert f"{bad}, line 2" in result.output and "internal error" not in result.output


def test_template_undefined_name_names_file_and_line(tmp_path):
    (tmp_path / "sections").mkdir()
    bad = tmp_path / "sections" / "risk_assessment.md.j2"
    bad.write_text("Fine.\nStill fine.\n{{ no_such_thing.attr }}\n", encoding="utf-8")
    result = _write(["--templates", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert f"{bad}, line 3" in result.output and "no_such_thing" in result.output


def test_invented_number_is_check_failed_exit_1(tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "key_catalysts.md.j2").write_text(
        "Analysts expect $987.6 million more next week.\n", encoding="utf-8")
    result = _write(["--templates", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "not published" in result.output and "$987.6 million" in result.output


def test_errors_survive_pickling_with_their_fields():
    err = pickle.loads(pickle.dumps(DataError("prices/XLF.csv", "expected a number, got 'oops'", row=6)))
    assert isinstance(err, DataError) and err.row == 6 and err.path == "prices/XLF.csv"
    assert str(err) == "prices/XLF.csv, row 6: expected a number, got 'oops'" and err.exit_code == 2
    failed = pickle.loads(pickle.dumps(CheckFailed("the IJR note", [{"text": "$9.9 billion", "reason": "no fact"}])))
    assert failed.exit_code == 1 and failed.findings[0]["text"] == "$9.9 billion" and "the IJR note" in str(failed)
    assert str(pickle.loads(pickle.dumps(UsageError("bad date")))) == "bad date"


def _group_interrupted_while_parsing():
    import click

    from notewriter.cli_base import Group

    def interrupt(ctx, param, value):  # the interrupt lands while click parses the arguments
        raise KeyboardInterrupt

    @click.group(cls=Group)
    def group():
        pass

    @group.command()
    @click.option("--when", callback=interrupt)
    def run(when):
        raise AssertionError("not reached")

    return group


def test_an_interrupt_while_arguments_are_parsed_is_exit_130():
    result = CliRunner().invoke(_group_interrupted_while_parsing(), ["run", "--when", "now"])
    assert result.exit_code == 130, result.output
    assert "notewriter: interrupted" in result.output and "Aborted!" not in result.output


def test_usage_errors_and_version_keep_their_exit_codes():
    assert CliRunner().invoke(main, ["write"]).exit_code == 2  # missing TICKER: click's usage error
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0 and "version" in version.output
    assert CliRunner().invoke(main, ["funds"]).exit_code == 0
