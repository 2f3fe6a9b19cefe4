"""The `crm` command: serve, migrate, apikey create, seed, schema."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

import click
import uvicorn
from rich.progress import Progress, TaskID

from api.settings import Settings
from db.enums import ApiKeyRole
from db.migrate import upgrade_to_head
from db.session import make_engine, make_session_factory
from resolvers import api_keys
from resolvers import seed as seeding


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
        # The graphql-transport-ws pings of api/graphql_ws.py find dead peers already; a
        # second, WebSocket-level ping per connection would double that traffic.
        ws_ping_interval=None,
        # Compressing each message for each subscriber costs more CPU than a fan-out to
        # thousands can spare; stage changes are small.
        ws_per_message_deflate=False,
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


@main.command()
@click.option("--accounts", type=click.IntRange(min=1), required=True, help="Accounts to create.")
@click.option(
    "--workspace",
    default="default",
    show_default=True,
    help="Workspace name; created if it does not exist, refused if it has records.",
)
@click.option("--seed", "seed_value", default=42, show_default=True, help="Random seed.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=seeding.DEFAULT_AS_OF.strftime("%Y-%m-%d"),
    show_default=True,
    help="The day the seeded two years of history end (UTC).",
)
def seed(accounts: int, workspace: str, seed_value: int, as_of: datetime) -> None:
    """Fill a workspace with realistic sample data: the same seed gives the same data.

    Each account gets 10 contacts and 5 opportunities with line items; products,
    campaigns, leads, cases, activities and users come in proportion.
    """
    settings = Settings()

    async def run(progress: Progress) -> seeding.SeedSummary:
        engine = make_engine(settings.database_url)
        tasks: dict[str, TaskID] = {}

        def advance(table: str, rows: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table, total=total)
            progress.advance(tasks[table], rows)

        try:
            await upgrade_to_head(engine)
            async with make_session_factory(engine)() as session, session.begin():
                return await seeding.seed(
                    session,
                    workspace_name=workspace,
                    accounts=accounts,
                    seed=seed_value,
                    as_of=as_of.replace(tzinfo=UTC),
                    progress=advance,
                )
        finally:
            await engine.dispose()

    started = time.perf_counter()
    try:
        with Progress(transient=True) as progress:
            summary = asyncio.run(run(progress))
    except seeding.WorkspaceNotEmptyError as error:
        raise click.ClickException(str(error)) from error
    elapsed = time.perf_counter() - started
    click.echo(
        f"Seeded workspace {summary.workspace_name!r} (id {summary.workspace_id}, "
        f"{summary.currency}) in {elapsed:.1f} s:"
    )
    for table, count in summary.rows.items():
        click.echo(f"  {table:<24}{count:>10,}")
    click.echo(f"  {'total':<24}{sum(summary.rows.values()):>10,}")


@main.command("schema")
def print_schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from schema.root import schema  # noqa: PLC0415  (api may import schema; only this command needs it)

    click.echo(schema.as_str())
