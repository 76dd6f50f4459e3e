"""The station's settings, read once at the edge (environment and command line)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrovue.domain.errors import ValidationError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8420


def _data_dir(env: Mapping[str, str]) -> Path:
    if env.get("RETROVUE_DATA_DIR"):
        return Path(env["RETROVUE_DATA_DIR"]).expanduser()
    xdg = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "retrovue"


@dataclass(frozen=True)
class StationSettings:
    """Typed settings of `retrovue-station`; None for the database means the default URL."""

    database_url: str | None
    data_dir: Path
    ffmpeg: str | None
    admin_token: str | None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    linger_s: float = 30.0
    max_live_channels: int = 4
    plan_every_s: float = 300.0
    horizon_hours: float = 72.0

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **options: object
    ) -> StationSettings:
        """Settings from RETROVUE_* variables, overridden by command-line `options`."""
        env = os.environ if environ is None else environ
        given = {k: v for k, v in options.items() if v is not None}
        settings = cls(
            database_url=env.get("RETROVUE_DATABASE_URL") or None,
            data_dir=_data_dir(env),
            ffmpeg=env.get("RETROVUE_FFMPEG") or None,
            admin_token=env.get("RETROVUE_ADMIN_TOKEN") or None,
        )
        settings = cls(**{**settings.__dict__, **given})
        settings.check()
        return settings

    def check(self) -> None:
        if not 0 < self.port < 65536:
            raise ValidationError(f"port must be 1-65535, not {self.port}", "port")
        if self.linger_s < 0:
            raise ValidationError("linger must not be negative", "linger")
        if self.max_live_channels < 1:
            raise ValidationError("max live channels must be 1 or more", "max_live_channels")
