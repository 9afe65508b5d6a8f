"""Database engine and sessions: one engine per process, built from the configured URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from hygate_app.config import get_settings


def build_engine(url: str, *, connect_timeout: int | None = None, statement_timeout: float = 0) -> Engine:
    """`statement_timeout` (seconds, PostgreSQL only, 0 for none) ends a runaway query instead of letting it hold
    a web thread or a worker and its locks; the migrations' engine is built without one."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # Foreign keys are off by default in SQLite; WAL lets the worker write while pages read.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    connect_args: dict[str, object] = {}
    if connect_timeout:
        connect_args["connect_timeout"] = connect_timeout
    if statement_timeout > 0 and url.startswith("postgresql"):
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=30,
                         connect_args=connect_args)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    settings = get_settings()
    return build_engine(settings.sqlalchemy_url, connect_timeout=settings.db_connect_timeout,
                        statement_timeout=settings.db_statement_timeout)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
