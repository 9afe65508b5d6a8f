"""The migrations build exactly the schema the models describe, on PostgreSQL (the suite's database was made
by `alembic upgrade head`) and on SQLite (the embedded default), so no index or constraint lives only in one."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import hygate_app.models  # noqa: F401
from hygate_app.db import get_engine
from hygate_app.models import Location


def schema_drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        return compare_metadata(context, SQLModel.metadata)


def test_postgresql_schema_matches_the_models():
    assert schema_drift(get_engine()) == []


# SQLite cannot reflect an expression index (lower(name)); the PostgreSQL test compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_sqlite_schema_matches_the_models(tmp_path, monkeypatch):
    from hygate_app import cli, config, db

    url = f"sqlite:///{tmp_path / 'hygate.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        cli.migrate()
        assert schema_drift(create_engine(url)) == []
    finally:
        db.get_engine().dispose()
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()


def test_location_names_are_unique_whatever_their_case(pg):
    pg.add(Location(name="Case Test Laundry"))
    pg.flush()
    pg.add(Location(name="case test LAUNDRY"))
    with pytest.raises(IntegrityError):
        pg.flush()
    pg.rollback()
