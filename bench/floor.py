"""The floor: a bare Starlette endpoint per workload, one hand-written SQL statement each.

PostgreSQL builds the whole response JSON (json_build_object / json_agg) and the endpoint
returns it as it is: no GraphQL parsing, validation or per-field work, no ORM. It answers
with the same JSON as our API (same global ids, amounts as decimal strings), scoped to one
workspace, so it shows what the network, asyncpg and PostgreSQL cost on their own.

    FLOOR_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/db FLOOR_WORKSPACE_ID=1 \
        uvicorn floor:app --app-dir bench --workers 1

Requests are the GraphQL POST bodies of the workloads (only `variables` is read), at
/w1 ... /w4.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def gid(type_name: str, column: str) -> str:
    """SQL for our opaque global id, base64url("v1:<Type>:<pk>") without padding."""
    raw = f"convert_to('v1:{type_name}:' || {column}, 'UTF8')"
    return f"rtrim(translate(encode({raw}, 'base64'), '+/', '-_'), '=')"


def decode_gid(global_id: str, type_name: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        prefix, kind, pk = raw.split(":")
        return int(pk) if prefix == "v1" and kind == type_name else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def data(field: str, value: str) -> str:
    return f"json_build_object('data', json_build_object('{field}', {value}))::text"


def nodes(element: str, order: str) -> str:
    return f"json_build_object('nodes', coalesce(json_agg({element} ORDER BY {order}), '[]'))"


ACCOUNT_ROW = f"json_build_object('id', {gid('Account', 'a.id')}, 'name', a.name, "
CONTACT_ROW = (
    f"json_build_object('id', {gid('Contact', 'c.id')}, 'firstName', c.first_name, "
    "'lastName', c.last_name, 'email', c.email)"
)
OPPORTUNITY_ROW = (
    f"json_build_object('id', {gid('Opportunity', 'o.id')}, 'name', o.name, "
    "'stage', o.stage, 'amount', o.amount::text)"
)
# Active records of the workspace ($1 in every statement), by id, as our lists are.
ACCOUNTS_PAGE = """(SELECT id, name, industry, lifecycle_stage FROM account
    WHERE workspace_id = $1 AND archived_at IS NULL ORDER BY id LIMIT 50) a"""

W1 = "SELECT " + data(
    "node",
    """(SELECT json_build_object('name', a.name, 'lifecycleStage', a.lifecycle_stage)
        FROM account a WHERE a.id = $2 AND a.workspace_id = $1)""",
)

W2 = (
    "SELECT "
    + data(
        "accounts",
        nodes(ACCOUNT_ROW + "'industry', a.industry, 'lifecycleStage', a.lifecycle_stage)", "a.id"),
    )
    + " FROM "
    + ACCOUNTS_PAGE
)

CONTACTS = (
    "(SELECT "
    + nodes(CONTACT_ROW, "c.id")
    + """ FROM (SELECT id, first_name, last_name, email FROM contact
        WHERE account_id = a.id AND workspace_id = $1 AND archived_at IS NULL
        ORDER BY id LIMIT 10) c)"""
)
OPPORTUNITIES = (
    "(SELECT "
    + nodes(OPPORTUNITY_ROW, "o.id")
    + """ FROM (SELECT id, name, stage, amount FROM opportunity
        WHERE account_id = a.id AND workspace_id = $1 AND archived_at IS NULL
        ORDER BY id LIMIT 10) o)"""
)
W3 = (
    "SELECT "
    + data(
        "accounts",
        nodes(
            ACCOUNT_ROW + f"'contacts', {CONTACTS}, 'opportunities', {OPPORTUNITIES})",
            "a.id",
        ),
    )
    + " FROM "
    + ACCOUNTS_PAGE
)

# Opportunities of the accounts in one industry ($2), largest first.
W4 = (
    "SELECT "
    + data("opportunities", nodes(OPPORTUNITY_ROW, "o.amount DESC, o.id"))
    + """ FROM (SELECT o.id, o.name, o.stage, o.amount
      FROM opportunity o JOIN account a ON a.id = o.account_id
      WHERE o.workspace_id = $1 AND a.workspace_id = $1 AND a.industry = $2
        AND o.archived_at IS NULL AND a.archived_at IS NULL
      ORDER BY o.amount DESC, o.id LIMIT 50) o"""
)

WORKSPACE_ID = int(os.environ.get("FLOOR_WORKSPACE_ID", "1"))


async def variables(request: Request) -> dict[str, Any]:
    body = json.loads(await request.body() or b"{}")
    return dict(body.get("variables") or {})


def answer(text: str) -> Response:
    return Response(text, media_type="application/json")


async def w1(request: Request) -> Response:
    pk = decode_gid(str((await variables(request)).get("id", "")), "Account")
    return answer(await request.app.state.pool.fetchval(W1, WORKSPACE_ID, pk or 0))


async def w2(request: Request) -> Response:
    await variables(request)
    return answer(await request.app.state.pool.fetchval(W2, WORKSPACE_ID))


async def w3(request: Request) -> Response:
    await variables(request)
    return answer(await request.app.state.pool.fetchval(W3, WORKSPACE_ID))


async def w4(request: Request) -> Response:
    industry = str((await variables(request)).get("industry", ""))
    return answer(await request.app.state.pool.fetchval(W4, WORKSPACE_ID, industry))


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def keep_session(_connection: asyncpg.Connection) -> None:
    """Skip asyncpg's reset on release (a round trip): no request changes session state."""


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    size = int(os.environ.get("FLOOR_POOL_SIZE", "10"))
    app.state.pool = await asyncpg.create_pool(
        os.environ["FLOOR_DATABASE_URL"], min_size=size, max_size=size, reset=keep_session
    )
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/w1", w1, methods=["POST"]),
        Route("/w2", w2, methods=["POST"]),
        Route("/w3", w3, methods=["POST"]),
        Route("/w4", w4, methods=["POST"]),
        Route("/healthz", healthz),
    ],
    lifespan=lifespan,
)
