"""Writes without GraphQL: optimistic locking under a real race, and all-or-nothing units of work."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from db.models import Account
from db.session import make_session_factory
from resolvers import accounts, global_ids, records
from resolvers.errors import ErrorCode, UserInputError
from resolvers.uow import unit_of_work


async def create_account(sessions, principal, name="Acme"):
    async with unit_of_work(sessions) as session:
        account = await accounts.create(session, actor=principal, data={"name": name})
    return global_ids.encode("Account", account.id)


async def test_two_writers_with_the_same_version_cannot_both_win(engine, tenant, monkeypatch):
    sessions = make_session_factory(engine)
    account_id = await create_account(sessions, tenant.principal)
    if engine.dialect.name == "sqlite":
        # SQLite has no row locks: make both writers read version 1 before either writes,
        # so that the guarded UPDATE (WHERE version = 1) is what stops the second.
        # PostgreSQL locks the row on read, so there the second writer waits and then
        # sees version 2.
        both_have_read = asyncio.Barrier(2)
        original = records.get_for_write

        async def read_then_wait(*args, **kwargs):
            record = await original(*args, **kwargs)
            await both_have_read.wait()
            return record

        monkeypatch.setattr(records, "get_for_write", read_then_wait)

    async def rename(name):
        try:
            async with unit_of_work(sessions) as session:
                await accounts.update(
                    session,
                    actor=tenant.principal,
                    global_id=account_id,
                    expected_version=1,
                    data={"name": name},
                )
        except UserInputError as refused:
            return refused.errors[0].code
        return name

    outcomes = await asyncio.wait_for(asyncio.gather(rename("Left"), rename("Right")), timeout=60)
    winners = [outcome for outcome in outcomes if outcome in ("Left", "Right")]
    assert len(winners) == 1
    assert ErrorCode.VERSION_CONFLICT in outcomes
    async with sessions() as session:
        stored = await session.scalar(select(Account).where(Account.name.in_(["Left", "Right"])))
    assert stored is not None
    assert stored.name == winners[0]
    assert stored.version == 2


async def test_a_refused_write_leaves_nothing_behind(engine, tenant):
    sessions = make_session_factory(engine)

    async def two_creates_the_second_invalid():
        async with unit_of_work(sessions) as session:
            await accounts.create(session, actor=tenant.principal, data={"name": "Written"})
            await accounts.create(session, actor=tenant.principal, data={"name": ""})

    with pytest.raises(UserInputError):
        await two_creates_the_second_invalid()
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).where(Account.workspace_id == tenant.principal.workspace_id)
        )
    assert count == 0
