"""The throwaway database of a run: created, seeded with `crm seed`, scoped, dropped."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import workloads as wl

WORKSPACE = "bench"


def crm_command() -> list[str]:
    beside = Path(sys.executable).parent / "crm"
    found = str(beside) if beside.exists() else shutil.which("crm")
    if found is None:
        sys.exit("the crm command is missing: pip install -e . in this Python environment")
    return [found]


def crm(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [*crm_command(), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout


def with_database(
    url: str,
    name: str,
    *,
    scheme: str | None = None,
    user: str | None = None,
    port: int | None = None,
) -> str:
    """`url` to database `name`, optionally as another user, scheme or port (the proxy's)."""
    parts = urlsplit(url)
    login = user or parts.username or ""
    if user is None and parts.password:
        login += f":{parts.password}"  # `user` may carry its own, as user:password
    netloc = f"{login}@{parts.hostname}:{port or parts.port or 5432}"
    return urlunsplit((scheme or parts.scheme, netloc, f"/{name}", parts.query, ""))


@dataclass
class Database:
    """The throwaway database, its seeded workspace, and PostGraphile's scoped role."""

    admin_url: str
    name: str = field(default_factory=lambda: f"crm_bench_{uuid.uuid4().hex[:10]}")
    workspace_id: int = 0
    api_key: str = ""
    seconds_to_seed: float = 0.0
    seed_summary: str = ""
    role_password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def role(self) -> str:
        return f"{self.name}_postgraphile"

    def url(self, *, scheme: str = "postgresql", port: int | None = None) -> str:
        return with_database(self.admin_url, self.name, scheme=scheme, port=port)

    def role_url(self, *, port: int | None = None) -> str:
        """PostGraphile's: as the role that sees the seeded workspace only."""
        login = f"{self.role}:{self.role_password}"
        return with_database(self.admin_url, self.name, user=login, port=port)

    async def admin(self, *statements: str, database: str | None = None) -> None:
        url = self.admin_url if database is None else with_database(self.admin_url, database)
        connection = await asyncpg.connect(url)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def create_and_seed(self, accounts: int) -> None:
        asyncio.run(self.admin(f'CREATE DATABASE "{self.name}"'))
        env = {**os.environ, "CRM_DATABASE_URL": self.url(scheme="postgresql+asyncpg")}
        started = time.perf_counter()
        self.seed_summary = crm(
            "seed", "--accounts", str(accounts), "--workspace", WORKSPACE, env=env
        )
        self.seconds_to_seed = time.perf_counter() - started
        self.api_key = crm("apikey", "create", "--workspace", WORKSPACE, "--name", "bench", env=env)
        self.api_key = self.api_key.strip()
        match = re.search(r"\(id (\d+)", self.seed_summary)
        self.workspace_id = int(match.group(1)) if match else 0
        asyncio.run(self._scope_postgraphile())

    async def _scope_postgraphile(self) -> None:
        """A role that sees the seeded workspace only, through row-level security."""
        connection = await asyncpg.connect(self.url())
        try:
            tables = [
                row["table_name"]
                for row in await connection.fetch(
                    "SELECT table_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND column_name = 'workspace_id'"
                )
            ]
            statements = [
                f"CREATE ROLE \"{self.role}\" LOGIN PASSWORD '{self.role_password}'",
                f'GRANT USAGE ON SCHEMA public TO "{self.role}"',
                f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{self.role}"',
                (
                    f'ALTER ROLE "{self.role}" IN DATABASE "{self.name}"'
                    f" SET crm.workspace_id = '{self.workspace_id}'"
                ),
                "ALTER TABLE workspace ENABLE ROW LEVEL SECURITY",
                (
                    f'CREATE POLICY bench ON workspace TO "{self.role}"'
                    " USING (id = current_setting('crm.workspace_id')::bigint)"
                ),
            ]
            for table in tables:
                statements += [
                    f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
                    (
                        f'CREATE POLICY bench ON "{table}" TO "{self.role}"'
                        " USING (workspace_id = current_setting('crm.workspace_id')::bigint)"
                    ),
                ]
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def sample(self) -> wl.Sample:
        async def column(connection: asyncpg.Connection, sql: str) -> list[Any]:
            return [row[0] for row in await connection.fetch(sql, self.workspace_id)]

        async def fetch() -> wl.Sample:
            connection = await asyncpg.connect(self.url())
            try:
                return wl.Sample(
                    account_ids=await column(
                        connection, "SELECT id FROM account WHERE workspace_id = $1 ORDER BY id"
                    ),
                    opportunity_ids=await column(
                        connection, "SELECT id FROM opportunity WHERE workspace_id = $1 ORDER BY id"
                    ),
                    industries=await column(
                        connection,
                        "SELECT DISTINCT industry FROM account WHERE workspace_id = $1 ORDER BY 1",
                    ),
                )
            finally:
                await connection.close()

        return asyncio.run(fetch())

    def drop(self) -> None:
        asyncio.run(
            self.admin(
                f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                f'DROP ROLE IF EXISTS "{self.role}"',
            )
        )
