"""The renditions' settings: where they live, how much room they get, how many workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.errors import ValidationError
from retrovue.runtime.settings import StationSettings
from retrovue.runtime.station import build_parser, main


def settings(*argv: str) -> StationSettings:
    args = vars(build_parser().parse_args(list(argv)))
    options = {k: v for k, v in args.items() if k not in ("command", "debug")}
    return StationSettings.from_env({"XDG_DATA_HOME": "/srv/xdg"}, **options)


def test_renditions_live_under_the_data_directory_unless_told_otherwise() -> None:
    plain = settings("serve")
    assert plain.renditions_dir == Path("/srv/xdg/retrovue/renditions")
    assert (plain.prepare_workers, plain.renditions_budget, plain.prepare_hours) == (1, None, 48)
    chosen = settings("prepare", "--renditions", "/big/disk", "--hours", "6")
    assert (chosen.renditions_dir, chosen.prepare_hours) == (Path("/big/disk"), 6)


def test_the_budget_and_the_workers_are_read_from_the_command_line() -> None:
    serving = settings("serve", "--renditions-budget", "50G", "--prepare-workers", "2")
    assert serving.renditions_budget == 50 * 1024**3
    assert serving.prepare_workers == 2
    assert settings("prepare", "--renditions-budget", "1.5T").renditions_budget == 1.5 * 1024**4


@pytest.mark.parametrize(
    ("argv", "field"),
    [(("serve", "--prepare-workers", "-1"), "prepare_workers"),
     (("prepare", "--hours", "0"), "prepare_hours")],
)  # fmt: skip
def test_an_impossible_value_is_refused_naming_the_setting(
    argv: tuple[str, ...], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(*argv)
    assert raised.value.field == field


def test_a_budget_that_is_no_size_is_a_usage_error_naming_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["prepare", "--renditions-budget", "lots"])
    assert raised.value.code == 2
    assert "not a size: 'lots'" in capsys.readouterr().err
