"""The review database's engine: an SQLite file in the state folder unless GZMAP_DB_URL names
another (PostgreSQL for several processes), brought to the latest migration on first use.

SQLite: WAL (readers never wait for the writer), a 10 s busy timeout, foreign keys on, and every
transaction that writes begins IMMEDIATE, so two processes never both read a row and then fail to
upgrade to a write lock; a process killed mid-write leaves the last committed state (WAL).
"""
from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text

from geo.settings import settings

MIGRATIONS = Path(__file__).with_name("migrations")
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()
_PG_MIGRATION_LOCK = 774_211_905  # an advisory lock id: one process migrates at a time


def default_url() -> str:
    s = settings()
    if s.db_url:
        return s.db_url
    s.state.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{s.state / 'reviews.sqlite'}"


def _sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get("write")
                                   else "BEGIN")


def engine(*, url: str | None = None) -> Engine:
    """One engine per URL and process, migrated to the latest revision."""
    url = url or default_url()
    with _LOCK:
        if url not in _ENGINES:
            made = create_engine(url, pool_pre_ping=True)
            if made.dialect.name == "sqlite":
                _sqlite(made)
            migrate(made)
            _ENGINES[url] = made
        return _ENGINES[url]


def migrate(made: Engine) -> None:
    """Alembic's upgrade to head on this engine (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with made.connect().execution_options(write=True) as connection:
        if made.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _PG_MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if made.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _PG_MIGRATION_LOCK})
                connection.commit()


def dispose(*, url: str) -> None:
    """Closes and forgets this process's engine for `url`; the next use connects and migrates anew."""
    with _LOCK:
        made = _ENGINES.pop(url, None)
    if made is not None:
        made.dispose()
