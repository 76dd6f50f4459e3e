"""`retrovue-station --loudness-target`: read once, checked, handed to every producer."""

from __future__ import annotations

import pytest

from retrovue.errors import ValidationError
from retrovue.runtime.settings import StationSettings
from retrovue.runtime.station import build_parser


def _settings(*argv: str) -> StationSettings:
    args = vars(build_parser().parse_args(list(argv)))
    options = {k: v for k, v in args.items() if k not in ("command", "debug")}
    return StationSettings.from_env({"XDG_DATA_HOME": "/srv/xdg"}, **options)


def test_the_station_airs_at_minus_24_lufs_unless_told_otherwise() -> None:
    assert _settings().loudness_target == -24.0
    assert _settings("serve", "--loudness-target", "-16").loudness_target == -16.0


@pytest.mark.parametrize("value", ["-60", "0"])
def test_a_loudness_target_no_station_airs_at_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValidationError, match="loudness target must be -40 to -5 LUFS"):
        _settings("serve", "--loudness-target", value)
