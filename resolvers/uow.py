"""The unit of work: one transaction per mutation, committed once, or nothing at all."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from db.session import is_dead_connection
from resolvers.errors import ErrorCode, UserInputError
from resolvers.events import CHANNEL, InProcessBus, pending, take_pending, to_json

# The advisory lock class of "appending to a workspace's lifecycle history".
HISTORY_LOCK = 7_301

Result = TypeVar("Result")


async def run_unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    bus: InProcessBus | None,
    work: Callable[[AsyncSession], Awaitable[Result]],
    *,
    history_of: int | None = None,
) -> Result:
    """`work` in one unit of work, run again once if its pooled connection was found dead
    before the work finished: the transaction then never committed, so nothing happened.
    A connection lost while committing is not retried (the commit may have landed)."""
    committing = False

    async def attempt() -> Result:
        nonlocal committing
        async with unit_of_work(sessions, bus, history_of=history_of) as session:
            result = await work(session)
            committing = True
        return result

    try:
        return await attempt()
    except DBAPIError as error:
        if committing or not is_dead_connection(error):
            raise
    return await attempt()


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession],
    bus: InProcessBus | None = None,
    *,
    history_of: int | None = None,
) -> AsyncIterator[AsyncSession]:
    """Commit when the block finishes; roll back on any error, so bad input changes nothing.

    Races the checks could not see surface here from the database, and are reported as
    the user errors they are. Events the writes queued are published only after the
    commit, so a change that did not happen is never announced.

    `history_of`: the workspace whose lifecycle history this work may append to. Writers
    of one workspace's history then take turns (a transaction-scoped advisory lock on
    PostgreSQL, taken first so that it never waits behind a row lock; SQLite has one
    writer anyway), so history ids are given out in commit order: a subscriber resuming
    after an id can never miss a change that committed later with a smaller one.
    """
    announce = bus is not None and bus.announces_through_database
    async with sessions() as session:
        async with _transaction(session):
            if history_of is not None and session.get_bind().dialect.name == "postgresql":
                await session.execute(select(func.pg_advisory_xact_lock(HISTORY_LOCK, history_of)))
            yield session
            if announce:
                await session.flush()
                for event in pending(session):  # delivered only if the commit succeeds
                    await session.execute(select(func.pg_notify(CHANNEL, to_json(event))))
        events = take_pending(session)
    if bus is not None and events and not announce:
        bus.publish(events)


@asynccontextmanager
async def _transaction(session: AsyncSession) -> AsyncIterator[None]:
    async with session.begin():
        try:
            yield
            await session.flush()
        except StaleDataError as error:
            raise UserInputError.single(
                ErrorCode.VERSION_CONFLICT,
                "The record was changed by someone else meanwhile. Read it again and retry.",
                ("expected_version",),
            ) from error
        except IntegrityError as error:
            message = str(error.orig)
            if "unique constraint" not in message.lower():
                raise  # not a race the checks could lose: a bug, masked and logged upstream
            field = _unique_field(message)
            raise UserInputError.single(
                ErrorCode.DUPLICATE,
                f"Another record already has this {field[0] if field else 'value'}.",
                field,
            ) from error


# PostgreSQL names the constraint (uq_product_workspace_id_sku); SQLite names the columns
# ("UNIQUE constraint failed: product.workspace_id, product.sku").
_UNIQUE_VIOLATION = re.compile(r"uq_\w+?_workspace_id_(\w+)|UNIQUE constraint failed: .*\.(\w+)$")


def _unique_field(message: str) -> tuple[str, ...] | None:
    """The input field whose uniqueness a constraint violation is about, when it names one."""
    match = _UNIQUE_VIOLATION.search(message.splitlines()[0] if message else "")
    if match is None:
        return None
    return (match.group(1) or match.group(2),)
