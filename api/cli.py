"""The `crm` command: serve, migrate, apikey create, schema."""

from __future__ import annotations

import asyncio
import logging

import click
import uvicorn

from api.settings import Settings
from db.enums import ApiKeyRole
from db.migrate import upgrade_to_head
from db.session import make_engine, make_session_factory
from resolvers import api_keys


async def _migrate(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


@click.group()
def main() -> None:
    """A GraphQL CRM backend. CRM_DATABASE_URL selects the database (SQLite ./crm.db by default)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1, CRM_HOST).")
@click.option("--port", default=None, type=int, help="Port (default 8000, CRM_PORT).")
@click.option(
    "--workers", default=None, type=int, help="Worker processes (default 1, CRM_WORKERS)."
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Migrate the database to the latest schema and serve /graphql."""
    settings = Settings()
    asyncio.run(_migrate(settings.database_url))
    host = host or settings.host
    port = port or settings.port
    click.echo(f"GraphQL API at http://{host}:{port}/graphql (GraphiQL in a browser)")
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        proxy_headers=True,
    )


@main.command()
def migrate() -> None:
    """Bring the database to the latest schema."""
    settings = Settings()
    asyncio.run(_migrate(settings.database_url))
    click.echo("Database is at the latest schema.")


@main.group()
def apikey() -> None:
    """Manage API keys."""


@apikey.command("create")
@click.option(
    "--role",
    type=click.Choice([role.value for role in ApiKeyRole]),
    default=ApiKeyRole.ADMIN.value,
    show_default=True,
)
@click.option(
    "--workspace",
    default="default",
    show_default=True,
    help="Workspace name; created if it does not exist.",
)
@click.option("--name", default=None, help="A label to recognise the key by.")
def apikey_create(role: str, workspace: str, name: str | None) -> None:
    """Create an API key and print it (only the key; it is shown once and stored hashed)."""
    settings = Settings()

    async def create() -> str:
        engine = make_engine(settings.database_url)
        try:
            await upgrade_to_head(engine)
            async with make_session_factory(engine)() as session, session.begin():
                secret, _ = await api_keys.create(
                    session, workspace_name=workspace, role=ApiKeyRole(role), name=name
                )
            return secret
        finally:
            await engine.dispose()

    click.echo(asyncio.run(create()))


@main.command("schema")
def print_schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from schema.root import schema  # noqa: PLC0415  (api may import schema; only this command needs it)

    click.echo(schema.as_str())
