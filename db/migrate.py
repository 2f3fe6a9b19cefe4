"""Alembic, driven from code: `crm serve` and `crm migrate` bring the database to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """What autogenerate compares: not the search structures the models cannot describe
    (SQLite's FTS5 tables, PostgreSQL's expression indexes); see the search migration."""
    if type_ == "table" and name and name.startswith("search_index"):
        return False
    return not (type_ == "index" and name and name.endswith("_search"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, alembic_config())


def _upgrade(connection: Connection, config: Config) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
