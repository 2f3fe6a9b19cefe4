"""Stage events without GraphQL: published once per history row, only after the commit, and a
slow subscriber is cut off rather than allowed to hold up the others."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text

from db.enums import LifecycleStage, OpportunityStage
from db.models import Account, Opportunity, StageChange
from db.session import make_session_factory
from resolvers import accounts, contacts, events, global_ids, opportunities, stage_changes
from resolvers.events import InProcessBus, StageChanged, SubscriberOverflowError
from resolvers.pagination import PageArgs
from resolvers.stage_changes import HistoryFilter
from resolvers.transitions import move
from resolvers.uow import HISTORY_LOCK, unit_of_work
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


async def test_history_writers_commit_in_id_order_so_a_resume_cannot_skip_a_late_commit(
    sessions, bus, tenant, database_url
):
    """Two writers try to commit in the opposite order of their history ids: the first takes
    its id and holds its transaction open, the second must wait for it, not overtake it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time anyway; the advisory lock is PostgreSQL's")
    principal = tenant.principal
    first_account = (await customer_and_deal(sessions, bus, principal))["account"]
    second_account = (await customer_and_deal(sessions, bus, principal))["account"]
    last_seen = (await history_of(sessions, principal))[-1]
    cursor = stage_changes.ORDERING.encode_cursor(last_seen)

    first_has_its_id, let_first_commit = asyncio.Event(), asyncio.Event()
    ids: dict[str, int] = {}
    committed: list[str] = []

    async def write(name: str, account: str) -> None:
        async with unit_of_work(sessions, bus, history_of=principal.workspace_id) as session:
            _, change = await move(
                session,
                Account,
                actor=principal,
                global_id=account,
                expected_version=None,
                to=LifecycleStage.ACQUISITION,
            )
            ids[name] = change.id
            if name == "first":
                first_has_its_id.set()
                await let_first_commit.wait()  # the pause inside the first transaction
        committed.append(name)

    first = asyncio.create_task(write("first", first_account))
    await asyncio.wait_for(first_has_its_id.wait(), timeout=10)
    second = asyncio.create_task(write("second", second_account))

    # A subscriber resumes now, with the first transaction open and the second trying.
    resumed = stage_changes.follow(
        sessions, bus, principal=principal, history=HistoryFilter(), after=cursor
    )
    pending = asyncio.ensure_future(anext(resumed))
    async with sessions() as session:  # the second writer is waiting on the history lock
        while not await session.scalar(text(WAITING_FOR_HISTORY_LOCK), {"lock": HISTORY_LOCK}):
            assert not second.done(), "the second writer did not wait for the first"
            await asyncio.sleep(0.05)
    assert "second" not in ids, "the second writer took a history id before the first committed"

    let_first_commit.set()
    await asyncio.wait_for(asyncio.gather(first, second), timeout=10)
    assert committed == ["first", "second"]
    assert ids["first"] < ids["second"]

    live = [await asyncio.wait_for(pending, timeout=10), await anext(resumed)]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(resumed), timeout=0.5)  # nothing twice
    await resumed.aclose()
    assert [row.id for row in live] == [ids["first"], ids["second"]]

    # A subscriber that disconnected before both and resumes after them gets both, in order.
    replay = stage_changes.follow(
        sessions, bus, principal=principal, history=HistoryFilter(), after=cursor
    )
    replayed = [await anext(replay), await anext(replay)]
    await replay.aclose()
    assert [row.id for row in replayed] == [ids["first"], ids["second"]]


WAITING_FOR_HISTORY_LOCK = """
SELECT count(*) > 0 FROM pg_locks
WHERE locktype = 'advisory' AND classid = :lock AND NOT granted
"""
