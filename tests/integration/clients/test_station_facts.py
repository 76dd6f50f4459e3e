"""What the client routes read from a real database: the seeded device id and the playlog token."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import cast

from hdhomerun_tool import STATION_DEVICE_ID, accepted_ids, corrupted

from retrovue.infra.db import Database
from retrovue.schedule_manager.schedule_service import ScheduleService

ROOT = Path(__file__).resolve().parents[3]
SEED_MIGRATION = ROOT / "retrovue/infra/migrations/versions/68fecbe0ea79_broadcast_domain.py"
CLIENT_FAKES = ROOT / "tests/unit/runtime/clients/client_fakes.py"


def _load(path: Path) -> ModuleType:
    """A module by its path (a migration, a fake of another test folder), imported once."""
    if path.stem in sys.modules:
        return sys.modules[path.stem]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def test_the_seeded_device_id_is_stable_and_hdhomerun_config_accepts_it(
    migrated: Database,
) -> None:
    seeded = ScheduleService(migrated).device_id()
    assert re.fullmatch(r"[0-9A-F]{8}", seeded)
    assert ScheduleService(migrated).device_id() == seeded
    # The same id with its check nibble changed is refused: the tool does judge.
    assert accepted_ids([seeded, corrupted(seeded)]) == {seeded: True, corrupted(seeded): False}


def test_every_id_the_seeding_migration_makes_is_accepted_and_its_corruption_refused() -> None:
    new_id = cast(Callable[[], str], _load(SEED_MIGRATION)._new_device_id)
    made = {new_id() for _ in range(16)}
    verdicts = accepted_ids([*made, *(corrupted(i) for i in made)])
    assert {i for i, ok in verdicts.items() if ok} == made


def test_the_device_ids_the_client_tests_serve_are_valid() -> None:
    fakes = str(_load(CLIENT_FAKES).DEVICE_ID)
    assert accepted_ids([STATION_DEVICE_ID, fakes]) == {STATION_DEVICE_ID: True, fakes: True}


def test_an_empty_playlog_has_a_stable_token(database: Database) -> None:
    assert ScheduleService(database).guide_token() == (0, 0)
    assert ScheduleService(database).guide_token() == ScheduleService(database).guide_token()
