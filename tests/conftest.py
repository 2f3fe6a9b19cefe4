"""Fixtures: one migrated database per backend, a fresh workspace and API key per test.

Every test runs on SQLite and, when CRM_TEST_POSTGRES_URL is set (CI sets it), on
PostgreSQL too. Tests isolate through workspaces: each gets its own, so they share one
database without seeing each other's rows, exactly as tenants do.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.settings import Settings
from db.enums import ApiKeyRole
from db.migrate import upgrade_to_head
from db.session import make_engine, make_session_factory
from resolvers import api_keys
from resolvers.principal import Principal

POSTGRES_ENV = "CRM_TEST_POSTGRES_URL"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'crm.db'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        if os.environ.get("CRM_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"CRM_TEST_REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not")
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres)"
        )
    async with throwaway_postgres_database(admin_url) as url:
        yield url


class throwaway_postgres_database:  # noqa: N801  (used as a context manager, like a function)
    """Creates a uniquely named database on the server of `admin_url`, drops it afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.name = f"crm_test_{uuid.uuid4().hex[:12]}"

    async def _admin(self, statement: str) -> None:
        engine = make_engine(self.admin_url)
        try:
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text(statement))
        finally:
            await engine.dispose()

    async def __aenter__(self) -> str:
        await self._admin(f'CREATE DATABASE "{self.name}"')
        return (
            make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)
        )

    async def __aexit__(self, *_exc: object) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade_to_head(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def app(engine: AsyncEngine, database_url: str) -> Any:
    return create_app(Settings(database_url=database_url), engine=engine)


@dataclass
class Tenant:
    key: str
    principal: Principal
    workspace_name: str


async def make_tenant(engine: AsyncEngine, role: ApiKeyRole = ApiKeyRole.ADMIN) -> Tenant:
    name = f"ws-{uuid.uuid4().hex[:10]}"
    async with make_session_factory(engine)() as session, session.begin():
        secret, key = await api_keys.create(session, workspace_name=name, role=role)
    return Tenant(
        key=secret,
        principal=Principal(workspace_id=key.workspace_id, role=role, api_key_id=key.id),
        workspace_name=name,
    )


@pytest.fixture
async def tenant(engine: AsyncEngine) -> Tenant:
    return await make_tenant(engine)


def key_client(app: Any, secret: str) -> httpx.AsyncClient:
    """An HTTP client of the app calling with the API key `secret`."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest.fixture
async def client(app: Any, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    async with key_client(app, tenant.key) as client:
        yield client


@pytest.fixture
async def other_client(app: Any, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a second workspace."""
    other = await make_tenant(engine)
    async with key_client(app, other.key) as client:
        yield client


@pytest.fixture
async def member_client(
    app: Any, engine: AsyncEngine, tenant: Tenant
) -> AsyncIterator[httpx.AsyncClient]:
    """A MEMBER key of the same workspace as `client`."""
    async with make_session_factory(engine)() as session, session.begin():
        secret, _ = await api_keys.create(
            session, workspace_name=tenant.workspace_name, role=ApiKeyRole.MEMBER
        )
    async with key_client(app, secret) as client:
        yield client


@pytest.fixture
async def anonymous_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(engine: AsyncEngine) -> Any:
    """`with count_statements() as counter:` counts the SQL statements run inside the block."""

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            counter.statements.append(statement)

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)

    return counting


@pytest.fixture(params=["forward", "rewound"])
def history_direction(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Metrics read the state at each window's end forward from the history's start or
    backward from now, whichever reads fewer changes; tests that use this fixture run both
    ways, so each way is checked against the same hand-worked numbers."""
    import resolvers.metrics

    rewind = request.param == "rewound"
    monkeypatch.setattr(resolvers.metrics, "cheaper_to_rewind", lambda _ends, _start: rewind)
    return str(request.param)
