"""Stage events without GraphQL: published once per history row, only after the commit, and a
slow subscriber is cut off rather than allowed to hold up the others."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import LifecycleStage, OpportunityStage
from db.models import Account, Opportunity, StageChange
from db.session import make_session_factory
from resolvers import accounts, contacts, events, global_ids, opportunities, stage_changes
from resolvers.events import InProcessBus, StageChanged, SubscriberOverflowError
from resolvers.pagination import PageArgs
from resolvers.stage_changes import HistoryFilter
from resolvers.transitions import move
from resolvers.uow import unit_of_work
from tests.conftest import make_tenant


class AbortedError(Exception):
    """Raised inside a unit of work to make it roll back."""


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


@pytest.fixture
def bus():
    return InProcessBus()


def of_workspace(principal):
    return lambda event: event.workspace_id == principal.workspace_id


async def history_of(sessions, principal) -> list[StageChange]:
    async with sessions() as session:
        rows = await session.scalars(
            select(StageChange)
            .where(StageChange.workspace_id == principal.workspace_id)
            .order_by(StageChange.id)
        )
        return list(rows)


def drain(subscription) -> list[StageChanged]:
    received = []
    while not subscription.queue.empty():
        received.append(subscription.queue.get_nowait())
    return received


async def customer_and_deal(sessions, bus, principal) -> dict[str, str]:
    """An account, its contact and an open deal with both, created in one unit of work."""
    async with unit_of_work(sessions, bus) as session:
        account = await accounts.create(session, actor=principal, data={"name": "Acme"})
        account_id = global_ids.encode("Account", account.id)
        contact = await contacts.create(
            session, actor=principal, data={"last_name": "Doe", "account_id": account_id}
        )
        contact_id = global_ids.encode("Contact", contact.id)
        deal = await opportunities.create(
            session,
            actor=principal,
            data={"name": "Deal", "account_id": account_id, "primary_contact_id": contact_id},
        )
    return {
        "account": account_id,
        "contact": contact_id,
        "opportunity": global_ids.encode("Opportunity", deal.id),
    }


FIELDS = (
    "workspace_id",
    "stage_change_id",
    "entity_type",
    "record_id",
    "account_id",
    "from_stage",
    "to_stage",
    "occurred_at",
    "cause",
    "reason",
    "actor_api_key_id",
)


def described(event: StageChanged) -> dict[str, Any]:
    return {name: getattr(event, name) for name in FIELDS}


def expected_event(row: StageChange) -> dict[str, Any]:
    """What the event of a history row must say."""
    return {
        "workspace_id": row.workspace_id,
        "stage_change_id": row.id,
        "entity_type": row.entity_type.value,
        "record_id": row.record_id,
        "account_id": row.account_id,
        "from_stage": row.from_stage,
        "to_stage": row.to_stage,
        "occurred_at": row.occurred_at,
        "cause": row.cause.value,
        "reason": row.reason,
        "actor_api_key_id": row.actor_api_key_id,
    }


async def test_creations_publish_one_event_per_history_row(sessions, bus, tenant):
    subscription = bus.subscribe(of_workspace(tenant.principal))
    await customer_and_deal(sessions, bus, tenant.principal)
    rows = await history_of(sessions, tenant.principal)
    assert len(rows) == 3
    assert [described(event) for event in drain(subscription)] == [
        expected_event(row) for row in rows
    ]


async def test_a_committed_win_publishes_each_move_after_the_commit(sessions, bus, tenant):
    principal = tenant.principal
    ids = await customer_and_deal(sessions, bus, principal)
    subscription = bus.subscribe(of_workspace(principal))
    written_before = len(await history_of(sessions, principal))

    async with unit_of_work(sessions, bus) as session:
        await move(
            session,
            Opportunity,
            actor=principal,
            global_id=ids["opportunity"],
            expected_version=None,
            to=OpportunityStage.CLOSED_WON,
        )
        assert subscription.queue.empty(), "announced before the commit"

    rows = (await history_of(sessions, principal))[written_before:]
    received = drain(subscription)
    assert [described(event) for event in received] == [expected_event(row) for row in rows]
    summary = [(e.entity_type, e.from_stage, e.to_stage, e.cause) for e in received]
    assert summary == [
        ("OPPORTUNITY", "PROSPECTING", "CLOSED_WON", "MANUAL"),
        ("ACCOUNT", "REACH", "CONVERSION", "FIRST_PURCHASE"),
        ("CONTACT", "REACH", "CONVERSION", "FIRST_PURCHASE"),
    ]
    deal = global_ids.decode_as(ids["opportunity"], "Opportunity")
    account = global_ids.decode_as(ids["account"], "Account")
    assert received[0].record_id == deal
    assert {event.account_id for event in received} == {account}
    assert {event.occurred_at for event in received} == {rows[0].occurred_at}
    assert {event.actor_api_key_id for event in received} == {principal.api_key_id}
    # Every announced row is already visible to any other reader.
    async with sessions() as session:
        for event in received:
            assert await session.get(StageChange, event.stage_change_id) is not None


async def test_a_no_op_move_publishes_nothing(sessions, bus, tenant):
    ids = await customer_and_deal(sessions, bus, tenant.principal)
    subscription = bus.subscribe(of_workspace(tenant.principal))
    async with unit_of_work(sessions, bus) as session:
        await move(
            session,
            Opportunity,
            actor=tenant.principal,
            global_id=ids["opportunity"],
            expected_version=None,
            to=OpportunityStage.PROSPECTING,
        )
    assert subscription.queue.empty()


async def test_a_rolled_back_unit_of_work_publishes_nothing(sessions, bus, tenant):
    principal = tenant.principal
    ids = await customer_and_deal(sessions, bus, principal)
    subscription = bus.subscribe(of_workspace(principal))
    written_before = await history_of(sessions, principal)

    async def move_then_fail() -> None:
        async with unit_of_work(sessions, bus) as session:
            await move(
                session,
                Account,
                actor=principal,
                global_id=ids["account"],
                expected_version=None,
                to=LifecycleStage.ADVOCACY,
            )
            raise AbortedError

    with pytest.raises(AbortedError):
        await move_then_fail()

    assert subscription.queue.empty()
    assert [row.id for row in await history_of(sessions, principal)] == [
        row.id for row in written_before
    ]
    # The next unit of work does not carry the rolled-back events either.
    async with unit_of_work(sessions, bus) as session:
        await move(
            session,
            Account,
            actor=principal,
            global_id=ids["account"],
            expected_version=None,
            to=LifecycleStage.ACQUISITION,
        )
    assert [event.to_stage for event in drain(subscription)] == ["ACQUISITION"]


async def test_subscribers_see_only_what_they_accept(sessions, bus, tenant, engine):
    other = await make_tenant(engine)
    mine = bus.subscribe(of_workspace(tenant.principal))
    theirs = bus.subscribe(of_workspace(other.principal))
    await customer_and_deal(sessions, bus, tenant.principal)
    assert len(drain(mine)) == 3
    assert theirs.queue.empty()


async def test_a_full_subscriber_is_cut_off_without_blocking_others(
    sessions, bus, tenant, monkeypatch
):
    principal = tenant.principal
    keeping_up = bus.subscribe(of_workspace(principal))
    monkeypatch.setattr(events, "SUBSCRIBER_QUEUE_SIZE", 2)
    slow = bus.subscribe(of_workspace(principal))
    monkeypatch.undo()
    late = bus.subscribe(of_workspace(principal))

    # Three creations, then three moves: more than the slow subscriber's queue holds.
    ids = await asyncio.wait_for(customer_and_deal(sessions, bus, principal), timeout=30)
    async with unit_of_work(sessions, bus) as session:
        await move(
            session,
            Opportunity,
            actor=principal,
            global_id=ids["opportunity"],
            expected_version=None,
            to=OpportunityStage.CLOSED_WON,
        )

    rows = await history_of(sessions, principal)
    assert [event.stage_change_id for event in drain(keeping_up)] == [row.id for row in rows]
    assert len(drain(late)) == 6
    assert slow.overflowed

    # The slow reader gets what fitted, then is told to resume from the history.
    received: list[StageChanged] = []

    async def read_slow() -> None:
        async for event in slow.events():
            received.append(event)  # noqa: PERF401  (kept up to the overflow error)

    with pytest.raises(SubscriberOverflowError):
        await asyncio.wait_for(read_slow(), timeout=10)
    assert [event.stage_change_id for event in received] == [row.id for row in rows[:2]]

    # Cut off means unsubscribed; the others keep receiving.
    async with unit_of_work(sessions, bus) as session:
        await move(
            session,
            Account,
            actor=principal,
            global_id=ids["account"],
            expected_version=None,
            to=LifecycleStage.ADVOCACY,
        )
    assert [event.to_stage for event in drain(keeping_up)] == ["ADVOCACY"]
    assert slow.queue.empty()


async def test_an_event_tells_where_to_resume_the_history(sessions, bus, tenant):
    """A subscriber that missed events resumes `stageChanges` right after the last one it saw."""
    principal = tenant.principal
    subscription = bus.subscribe(of_workspace(principal))
    ids = await customer_and_deal(sessions, bus, principal)
    first, *rest = drain(subscription)
    cursor: Any = getattr(first, "cursor", None)
    assert cursor, "StageChanged carries no history cursor"
    page = await stage_changes.list_(
        sessions,
        principal=principal,
        args=PageArgs(first=10, after=cursor),
        history=HistoryFilter(account_id=ids["account"]),
    )
    assert [row.id for row in page.rows] == [event.stage_change_id for event in rest]
