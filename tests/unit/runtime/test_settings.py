"""StationSettings: read once from the environment and the command line, typed and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.errors import ValidationError
from retrovue.runtime.settings import StationSettings
from retrovue.runtime.station import build_parser


def settings(env: dict[str, str] | None = None, *argv: str) -> StationSettings:
    args = vars(build_parser().parse_args(list(argv)))
    options = {k: v for k, v in args.items() if k not in ("command", "debug")}
    return StationSettings.from_env(env or {"XDG_DATA_HOME": "/srv/xdg"}, **options)


def test_defaults_listen_on_loopback_with_four_tuners_and_no_discovery() -> None:
    plain = settings()
    assert (plain.host, plain.port, plain.tuner_count) == ("127.0.0.1", 8420, 4)
    assert plain.data_dir == Path("/srv/xdg/retrovue")
    assert plain.public_url is None
    assert plain.discovery_enabled is False


def test_listening_on_every_interface_turns_discovery_on_unless_refused() -> None:
    assert settings(None, "serve", "--host", "0.0.0.0").discovery_enabled is True
    refused = settings(None, "serve", "--host", "0.0.0.0", "--no-discovery")
    assert refused.discovery_enabled is False
    assert settings(None, "serve", "--discovery").discovery_enabled is True


def test_the_tuner_count_and_the_old_live_channel_flag_are_one_setting() -> None:
    assert settings(None, "serve", "--tuner-count", "2").tuner_count == 2
    assert settings(None, "serve", "--max-live-channels", "3").tuner_count == 3
    env = {"RETROVUE_TUNER_COUNT": "6", "RETROVUE_PUBLIC_URL": "http://tv.lan:8420"}
    from_env = settings(env)
    assert (from_env.tuner_count, from_env.public_url) == (6, "http://tv.lan:8420")
    assert settings(env, "serve", "--tuner-count", "1").tuner_count == 1


def test_a_bad_environment_value_names_its_variable() -> None:
    with pytest.raises(ValidationError, match="RETROVUE_TUNER_COUNT") as raised:
        settings({"RETROVUE_TUNER_COUNT": "four"})
    assert raised.value.field == "RETROVUE_TUNER_COUNT"


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (("serve", "--tuner-count", "0"), "tuner_count"),
        (("serve", "--port", "70000"), "port"),
        (("serve", "--public-url", "tv.lan:8420"), "public_url"),
        (("serve", "--linger", "-1"), "linger"),
        (("plan", "--horizon-hours", "0"), "horizon_hours"),
    ],
)
def test_an_impossible_value_is_refused_with_the_setting_named(
    argv: tuple[str, ...], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        settings(None, *argv)
    assert raised.value.field == field


def test_an_unknown_option_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="tuners"):
        StationSettings.from_env({}, tuners=2)
