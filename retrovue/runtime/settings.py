"""The station's settings, read once at the edge (environment and command line)."""

from __future__ import annotations

import dataclasses
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from retrovue.errors import ValidationError
from retrovue.places import data_dir
from retrovue.runtime.clients import discovery_by_default
from retrovue.runtime.item_shape import DEFAULT_LOUDNESS_TARGET

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8420
DEFAULT_TUNER_COUNT = 4
MIN_LOUDNESS_TARGET, MAX_LOUDNESS_TARGET = -40.0, -5.0

T = TypeVar("T")


def _typed(env: Mapping[str, str], key: str, kind: Callable[[str], T]) -> T | None:
    """`env[key]` converted by `kind`; None when unset or empty; a bad value names the key."""
    raw = env.get(key, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        name = getattr(kind, "__name__", "value")
        raise ValidationError(f"{key} must be a {name}, not {raw!r}", key) from None


@dataclass(frozen=True)
class StationSettings:
    """Typed settings of `retrovue-station`; None for the database means the default URL.

    `tuner_count` is the one limit on channels streaming at once: HDHomeRun's TunerCount and
    the playout cap are the same number. `discovery` None means "on when listening beyond
    loopback"; `discovery_enabled` resolves it.
    """

    database_url: str | None
    data_dir: Path
    ffmpeg: str | None
    admin_token: str | None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    discovery: bool | None = None
    linger_s: float = 30.0
    tuner_count: int = DEFAULT_TUNER_COUNT
    plan_every_s: float = 300.0
    horizon_hours: float = 48.0  # the playlog tier, every event with its spots
    epg_days: float = 14.0  # the EPG tier, what the guides and XMLTV show
    node: str | None = None
    hdhr_port: int | None = None
    loudness_target: float = DEFAULT_LOUDNESS_TARGET
    renditions: Path | None = None
    renditions_budget: int | None = None
    # One worker at idle priority, paused while live transcodes run: 0 turns preparing off.
    prepare_workers: int = 1
    prepare_hours: float = 48.0

    @property
    def node_name(self) -> str:
        """What this station writes on its as-run rows: `--node`, else host name and port."""
        return self.node or f"{socket.gethostname()}:{self.port}"

    @property
    def renditions_dir(self) -> Path:
        """Where prepared renditions are kept: `--renditions`, else under the data directory."""
        return self.renditions or self.data_dir / "renditions"

    @property
    def asrun_journal(self) -> Path:
        """Where as-run entries wait while the database is away (one file per node)."""
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.node_name)
        return self.data_dir / "asrun" / f"{safe}.jsonl"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **options: object
    ) -> StationSettings:
        """Settings from RETROVUE_* variables, overridden by command-line `options`."""
        env = os.environ if environ is None else environ
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValidationError(f"unknown station setting {unknown[0]!r}", unknown[0])
        from_env: dict[str, object] = {
            "database_url": env.get("RETROVUE_DATABASE_URL") or None,
            "data_dir": data_dir(env),
            "ffmpeg": env.get("RETROVUE_FFMPEG") or None,
            "admin_token": env.get("RETROVUE_ADMIN_TOKEN") or None,
            "public_url": env.get("RETROVUE_PUBLIC_URL") or None,
            "node": env.get("RETROVUE_NODE") or None,
        }
        tuners = _typed(env, "RETROVUE_TUNER_COUNT", int)
        if tuners is not None:
            from_env["tuner_count"] = tuners
        from_env["hdhr_port"] = _typed(env, "RETROVUE_HDHR_PORT", int)
        given = {k: v for k, v in options.items() if v is not None}
        settings = cls(**{**from_env, **given})  # type: ignore[arg-type]
        settings.check()
        return settings

    @property
    def discovery_enabled(self) -> bool:
        """Whether SSDP and HDHomeRun UDP discovery run beside the server."""
        if self.discovery is None:
            return discovery_by_default(self.host)
        return self.discovery

    def check(self) -> None:
        """Refuse impossible values, naming the setting."""
        if not 0 < self.port < 65536:
            raise ValidationError(f"port must be 1-65535, not {self.port}", "port")
        if self.hdhr_port is not None and not 0 < self.hdhr_port < 65536:
            raise ValidationError(
                f"HDHomeRun port must be 1-65535, not {self.hdhr_port}", "hdhr_port"
            )
        if self.hdhr_port == self.port:
            raise ValidationError(
                f"HDHomeRun port {self.hdhr_port} is the station's own port: pick another, or "
                "leave it out (the station's port serves the HDHomeRun documents too)",
                "hdhr_port",
            )
        if self.linger_s < 0:
            raise ValidationError("linger must not be negative", "linger")
        if self.tuner_count < 1:
            raise ValidationError(
                f"tuner count must be 1 or more, not {self.tuner_count}", "tuner_count"
            )
        if self.plan_every_s < 0:
            raise ValidationError("plan-every must not be negative", "plan_every")
        if self.horizon_hours <= 0:
            raise ValidationError("horizon hours must be more than 0", "horizon_hours")
        if self.epg_days <= 0:
            raise ValidationError("EPG days must be more than 0", "epg_days")
        if not MIN_LOUDNESS_TARGET <= self.loudness_target <= MAX_LOUDNESS_TARGET:
            raise ValidationError(
                f"loudness target must be {MIN_LOUDNESS_TARGET:g} to {MAX_LOUDNESS_TARGET:g} "
                f"LUFS, not {self.loudness_target:g}",
                "loudness_target",
            )
        if self.prepare_workers < 0:
            raise ValidationError("prepare workers must not be negative", "prepare_workers")
        if self.prepare_hours <= 0:
            raise ValidationError("prepare hours must be more than 0", "prepare_hours")
        if self.renditions_budget is not None and self.renditions_budget <= 0:
            raise ValidationError("renditions budget must be more than 0", "renditions_budget")
        if self.node is not None and not 0 < len(self.node) <= 200:
            raise ValidationError("node name must be 1-200 characters", "node")
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError(
                    f"public URL must look like http://host:port, not {self.public_url!r}",
                    "public_url",
                )
