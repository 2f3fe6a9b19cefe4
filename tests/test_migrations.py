"""Alembic: an empty database migrated to head matches the models exactly, on both backends."""

from __future__ import annotations

import os

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

import db.models  # noqa: F401
from db.base import Base
from db.migrate import alembic_config, include_name, upgrade_to_head
from db.session import make_engine
from tests.conftest import POSTGRES_ENV, throwaway_postgres_database


async def _migrate_and_compare(url: str) -> tuple[list, str | None]:
    engine = make_engine(url)
    try:
        await upgrade_to_head(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "include_name": include_name}
                    ),
                    Base.metadata,
                )
            )
            revision = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
    finally:
        await engine.dispose()
    return differences, revision


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_empty_database_migrates_to_head_and_matches_models(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        differences, revision = await _migrate_and_compare(
            f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        )
    else:
        async with throwaway_postgres_database(os.environ[POSTGRES_ENV]) as url:
            differences, revision = await _migrate_and_compare(url)
    assert differences == []
    assert revision == _head()


async def test_migrating_twice_is_harmless(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'twice.db'}"
    await _migrate_and_compare(url)
    differences, revision = await _migrate_and_compare(url)
    assert differences == []
    assert revision == _head()
