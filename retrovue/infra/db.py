"""Database engines, sessions and migrations: SQLite by default, PostgreSQL through psycopg 3."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool

from retrovue.errors import DatabaseError, RetroVueError
from retrovue.places import default_database_url

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
SCHEMAS: Final = ("broadcast", "library")


def normalise_url(url: str) -> str:
    """Plain `postgresql://` URLs are served by psycopg 3, the driver we ship."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine with our dialect settings: SQLite pragmas, schemas translated away on SQLite."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except exc.ArgumentError as error:
        raise DatabaseError(f"not a database URL: {url!r}") from error
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine.execution_options(schema_translate_map={s: None for s in SCHEMAS})
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
        )
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


@functools.cache
def _head_revision() -> str | None:
    """The newest migration (read once: loading the scripts compiles every one of them)."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (Alembic is the only way the schema is made)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def database_error(error: exc.SQLAlchemyError) -> DatabaseError:
    """A driver error as our one-line operator message (drivers add DETAIL/HINT lines); an
    error of SQLAlchemy's own (a pool that timed out, a closed connection) is an outage."""
    if not isinstance(error, exc.DBAPIError):
        lines = str(error).strip().splitlines()
        return DatabaseError(f"database unavailable: {lines[0] if lines else type(error).__name__}")
    detail = str(error.orig).strip().splitlines()
    reason = detail[0] if detail else type(error.orig).__name__
    if isinstance(error, exc.OperationalError | exc.InterfaceError):
        return DatabaseError(f"database unavailable: {reason}")
    return DatabaseError(f"database refused the change: {reason}")


def _generic_plans(dbapi_connection: Any, _record: object) -> None:
    """Hot reads keep one plan per prepared statement.

    psycopg prepares a statement run five times; PostgreSQL then plans each execution afresh
    for its parameters while it judges a generic plan dearer, which it did for
    `what_is_airing` once the playlog had statistics: about 1 ms of planning for a 0.1 ms
    read (at 1,000,000 playlog rows, through psycopg alone: p50 0.60 ms, p99 1.12 ms; with a
    generic plan 0.23 and 0.49 ms). Each of these reads is an index lookup whatever its
    parameters, so one plan serves them all. A server that lacks the setting (before
    PostgreSQL 12) plans as it did."""
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        dbapi_connection.commit()
    except psycopg.Error:
        dbapi_connection.rollback()


@dataclass(frozen=True)
class Database:
    """An engine and its session factory; `transaction()` is one unit of work.

    `reads` (PostgreSQL) is a second pool for `first`, the hot single reads: in autocommit,
    without the ping the main pool makes before lending a connection, and with generic plans
    for its prepared statements (see `_generic_plans`)."""

    engine: Engine
    sessions: sessionmaker[Session]
    reads: Engine | None = None

    @classmethod
    def of(cls, engine: Engine) -> Database:
        reads = None
        if engine.dialect.name == "postgresql":
            reads = create_engine(
                engine.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=2
            )
            event.listen(reads, "connect", _generic_plans)
        return cls(engine, sessionmaker(engine, expire_on_commit=False), reads)

    @property
    def threads_share_data(self) -> bool:
        """Whether every thread sees the same database (not so for in-memory SQLite, which
        SQLAlchemy gives each thread its own of)."""
        return not isinstance(self.engine.pool, SingletonThreadPool)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit when the block ends normally, roll back when it raises."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except exc.SQLAlchemyError as error:
            session.rollback()
            raise database_error(error) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only; nothing it does is committed."""
        session = self.sessions()
        try:
            yield session
        except exc.SQLAlchemyError as error:
            raise database_error(error) from error
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare connection for one hot indexed read, its driver errors translated too.

        It runs in autocommit: a single read needs no transaction, and on PostgreSQL that
        saves the BEGIN and ROLLBACK round trips around it."""
        try:
            with self.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                yield connection
        except exc.SQLAlchemyError as error:
            raise database_error(error) from error

    def first(self, statement: Executable, params: dict[str, Any] | None = None) -> Row[Any] | None:
        """The first row of one hot indexed read (what is airing, the gating count).

        The ping before each read would be a round trip as long as the read itself, so the
        reads pool makes none; a connection the server dropped (a restart) fails its read,
        the pool is renewed, and the read runs once more on a new connection."""
        engine = self.reads or self.engine
        for last in (False, True):
            try:
                with engine.connect() as connection:
                    if self.reads is None:
                        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                    return connection.execute(statement, params or {}).first()
            except exc.DBAPIError as error:
                if not last and error.connection_invalidated:
                    continue
                raise database_error(error) from error
            except exc.SQLAlchemyError as error:
                raise database_error(error) from error
        raise AssertionError("unreachable: the second try returns or raises")

    def dispose(self) -> None:
        self.engine.dispose()
        if self.reads is not None:
            self.reads.dispose()


def upgrade_database(url: str | None = None) -> tuple[str | None, str | None]:
    """Migrate the database at `url` (or the default) to head: (revision before, after)."""
    engine = create_db_engine(url or default_database_url())
    try:
        before = current_revision(engine)
        if before != _head_revision():
            migrate(engine)
        return before, current_revision(engine)
    except exc.DBAPIError as error:
        raise database_error(error) from error
    finally:
        engine.dispose()


def open_database(url: str | None = None, *, migrate_schema: bool = True) -> Database:
    """Open (and on first use create and migrate) the station database."""
    engine = create_db_engine(url or default_database_url())
    if migrate_schema:
        try:
            if current_revision(engine) != _head_revision():
                migrate(engine)
        except exc.DBAPIError as error:
            engine.dispose()
            raise database_error(error) from error
        except RetroVueError:
            engine.dispose()
            raise
    return Database.of(engine)


UPGRADE_HINT: Final = "run `retrovue db upgrade`"


def open_current_database(url: str | None = None) -> Database:
    """Open a database already at the current schema, running no DDL; DatabaseError naming
    the command to run when it is empty or older (the station serves, it never migrates)."""
    target = url or default_database_url()
    parsed = make_url(normalise_url(target)) if "://" in target else None
    where = parsed.render_as_string(hide_password=True) if parsed is not None else target
    if parsed is not None and parsed.get_backend_name() == "sqlite":
        file = parsed.database
        if file and file != ":memory:" and not Path(file).expanduser().is_file():
            raise DatabaseError(f"the database {where} does not exist: {UPGRADE_HINT}")
    engine = create_db_engine(target)
    try:
        found = current_revision(engine)
    except exc.DBAPIError as error:
        engine.dispose()
        raise database_error(error) from error
    head = _head_revision()
    if found != head:
        engine.dispose()
        state = "is empty" if found is None else f"is at schema {found}, not {head}"
        raise DatabaseError(f"the database {where} {state}: {UPGRADE_HINT}")
    return Database.of(engine)
