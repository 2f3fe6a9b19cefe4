"""`crm seed`: the right number of rows, the same data for the same seed, exact money, and
every reference inside the seeded workspace; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from db.enums import (
    CampaignStatus,
    CaseStatus,
    ForecastCategory,
    LeadStatus,
    LifecycleStage,
    OpportunityStage,
)
from db.models import (
    Account,
    Campaign,
    Case,
    Contact,
    Lead,
    Opportunity,
    OpportunityLineItem,
    Product,
)
from db.session import make_session_factory
from resolvers import seed as seeding
from resolvers.opportunities import line_total

ACCOUNTS = 12

SEEDED_TABLES: list[Table] = [step.table for step in seeding.STEPS]


def new_name() -> str:
    return f"seed-{uuid.uuid4().hex[:10]}"


async def seed(engine: AsyncEngine, *, seed: int = 7, accounts: int = ACCOUNTS, name=None):
    async with make_session_factory(engine)() as session, session.begin():
        return await seeding.seed(
            session, workspace_name=name or new_name(), accounts=accounts, seed=seed
        )


async def count(engine: AsyncEngine, table: Table, workspace_id: int) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(
                select(func.count()).select_from(table).where(table.c.workspace_id == workspace_id)
            )
        )


async def test_counts_follow_the_number_of_accounts(engine):
    summary = await seed(engine)
    written = {
        table.name: await count(engine, table, summary.workspace_id) for table in SEEDED_TABLES
    }
    assert written == summary.rows
    assert written["account"] == ACCOUNTS
    assert written["contact"] == 10 * ACCOUNTS
    assert written["opportunity"] == 5 * ACCOUNTS
    assert written["product"] == 200
    assert written["campaign"] == 20
    assert 3 <= written["crm_user"] <= 40
    assert written["opportunity"] <= written["opportunity_line_item"] <= 3 * written["opportunity"]
    assert ACCOUNTS <= written["lead"] <= 4 * ACCOUNTS
    assert written["support_case"] <= 3 * ACCOUNTS
    assert ACCOUNTS <= written["activity"] <= 5 * ACCOUNTS


async def snapshot(engine: AsyncEngine, workspace_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every seeded row of a workspace, with ids replaced by their rank in their table."""
    rows: dict[str, list[dict[str, Any]]] = {}
    ranks: dict[str, dict[int, int]] = {}
    async with engine.connect() as connection:
        for table in SEEDED_TABLES:
            result = await connection.execute(
                select(table).where(table.c.workspace_id == workspace_id).order_by(table.c.id)
            )
            rows[table.name] = [dict(row._mapping) for row in result]
            ranks[table.name] = {row["id"]: rank for rank, row in enumerate(rows[table.name])}
    for table in SEEDED_TABLES:
        references = {
            fk.parent.name: fk.column.table.name
            for fk in table.foreign_keys
            if fk.column.table.name in ranks
        }
        for row in rows[table.name]:
            row["id"] = ranks[table.name][row["id"]]
            del row["workspace_id"]
            for column, target in references.items():
                if row[column] is not None:
                    row[column] = ranks[target][row[column]]
    # The history names its records by entity type and id, not by foreign keys.
    for row in rows.get("stage_change", []):
        row["record_id"] = ranks[HISTORY_TABLES[row["entity_type"]]][row["record_id"]]
        if row["account_id"] is not None:
            row["account_id"] = ranks["account"][row["account_id"]]
    return rows


HISTORY_TABLES = {
    "ACCOUNT": "account",
    "CONTACT": "contact",
    "LEAD": "lead",
    "OPPORTUNITY": "opportunity",
    "CASE": "support_case",
    "CAMPAIGN": "campaign",
}


async def test_the_same_seed_gives_the_same_data(engine):
    first = await seed(engine, seed=11)
    again = await seed(engine, seed=11)
    other = await seed(engine, seed=12)
    assert first.workspace_id != again.workspace_id
    expected = await snapshot(engine, first.workspace_id)
    assert await snapshot(engine, again.workspace_id) == expected
    different = await snapshot(engine, other.workspace_id)
    assert different["account"] != expected["account"]
    assert different["opportunity_line_item"] != expected["opportunity_line_item"]


async def test_money_is_exact_to_the_cent(engine):
    summary = await seed(engine, seed=3)
    async with make_session_factory(engine)() as session:
        items = (
            await session.scalars(
                select(OpportunityLineItem).where(
                    OpportunityLineItem.workspace_id == summary.workspace_id
                )
            )
        ).all()
        opportunities = (
            await session.scalars(
                select(Opportunity).where(Opportunity.workspace_id == summary.workspace_id)
            )
        ).all()
        prices = {
            product.id: product.unit_price
            for product in await session.scalars(
                select(Product).where(Product.workspace_id == summary.workspace_id)
            )
        }
    totals: dict[int, Decimal] = {}
    for item in items:
        assert item.unit_price == prices[item.product_id]
        assert item.total == line_total(item.quantity, item.unit_price, item.discount)
        totals[item.opportunity_id] = totals.get(item.opportunity_id, Decimal(0)) + item.total
    for opportunity in opportunities:
        assert isinstance(opportunity.amount, Decimal)
        assert opportunity.amount.as_tuple().exponent == -2
        assert opportunity.amount == totals[opportunity.id]
        assert opportunity.currency == summary.currency == "USD"
    # Cents survive (a float would lose them at these sizes); some deals are large.
    assert any(amount % 1 for amount in totals.values())
    assert max(totals.values()) > Decimal(10_000)


async def test_every_reference_stays_inside_the_workspace(engine):
    summary = await seed(engine, seed=5)
    await seed(engine, seed=5)  # a neighbour with the very same shape
    checked = 0
    async with engine.connect() as connection:
        for table in SEEDED_TABLES:
            for fk in table.foreign_keys:
                target = fk.column.table
                if "workspace_id" not in target.c:
                    continue
                other = aliased(target)
                outside = await connection.scalar(
                    select(func.count())
                    .select_from(table)
                    .join(other, fk.parent == other.c.id)
                    .where(
                        table.c.workspace_id == summary.workspace_id,
                        other.c.workspace_id != summary.workspace_id,
                    )
                )
                assert outside == 0, f"{table.name}.{fk.parent.name} leaves the workspace"
                checked += 1
    assert checked >= 20


async def test_references_are_related(engine):
    summary = await seed(engine, seed=9)
    ws = summary.workspace_id
    async with engine.connect() as connection:
        # A deal's primary contact works at the deal's account; so does a case's contact.
        for model, contact_column in (
            (Opportunity, Opportunity.primary_contact_id),
            (Case, Case.contact_id),
        ):
            stray = await connection.scalar(
                select(func.count())
                .select_from(model)
                .join(Contact, Contact.id == contact_column)
                .where(model.workspace_id == ws, Contact.account_id != model.account_id)
            )
            assert stray == 0
        sources = (
            await connection.execute(
                select(
                    func.count(Lead.campaign_id), func.count(Lead.referred_by_id), func.count()
                ).where(Lead.workspace_id == ws)
            )
        ).one()
    from_campaigns, referred, leads = sources
    assert 0 < from_campaigns < leads
    assert 0 < referred < leads


async def test_stages_are_spread_and_consistent(engine):
    summary = await seed(engine, seed=21, accounts=60)
    ws = summary.workspace_id
    async with make_session_factory(engine)() as session:
        deals = (
            await session.scalars(select(Opportunity).where(Opportunity.workspace_id == ws))
        ).all()
        accounts = (await session.scalars(select(Account).where(Account.workspace_id == ws))).all()
        contact_stages = set(
            await session.scalars(select(Contact.lifecycle_stage).where(Contact.workspace_id == ws))
        )
        lead_statuses = set(
            await session.scalars(select(Lead.status).where(Lead.workspace_id == ws))
        )
        case_statuses = set(
            await session.scalars(select(Case.status).where(Case.workspace_id == ws))
        )
        campaign_statuses = set(
            await session.scalars(select(Campaign.status).where(Campaign.workspace_id == ws))
        )
    forecast = {
        OpportunityStage.PROSPECTING: (10, ForecastCategory.PIPELINE),
        OpportunityStage.QUALIFICATION: (20, ForecastCategory.PIPELINE),
        OpportunityStage.PROPOSAL: (50, ForecastCategory.BEST_CASE),
        OpportunityStage.NEGOTIATION: (80, ForecastCategory.COMMIT),
        OpportunityStage.CLOSED_WON: (100, ForecastCategory.CLOSED),
        OpportunityStage.CLOSED_LOST: (0, ForecastCategory.OMITTED),
    }
    assert {deal.stage for deal in deals} == set(OpportunityStage)
    for deal in deals:
        assert (deal.probability, deal.forecast_category) == forecast[deal.stage]
        closed = deal.stage in {OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST}
        assert (deal.closed_at is not None) == closed
        assert (deal.lost_reason is not None) == (deal.stage is OpportunityStage.CLOSED_LOST)
        if deal.closed_at is not None:
            assert deal.created_at <= deal.closed_at <= seeding.DEFAULT_AS_OF
            assert deal.expected_close_date == deal.closed_at.date()
    assert len({account.lifecycle_stage for account in accounts}) >= 5
    won = {deal.account_id for deal in deals if deal.stage is OpportunityStage.CLOSED_WON}
    for account in accounts:
        customer = account.lifecycle_stage not in {
            LifecycleStage.REACH,
            LifecycleStage.ACQUISITION,
        }
        assert (account.id in won) == customer, account.lifecycle_stage
    # Cases went through their workflow; everything else stays where the models start it.
    assert case_statuses == set(CaseStatus)
    assert contact_stages == {LifecycleStage.REACH}
    assert lead_statuses == {LeadStatus.OPEN}
    assert campaign_statuses == {CampaignStatus.PLANNED}


async def test_a_workspace_with_records_is_refused(engine):
    name = new_name()
    await seed(engine, name=name, accounts=1)
    with pytest.raises(seeding.WorkspaceNotEmptyError):
        await seed(engine, name=name, accounts=1)


def test_the_command_migrates_seeds_and_prints_a_summary(tmp_path):
    env = {**os.environ, "CRM_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}"}
    command = [sys.executable, "-c", "from api.cli import main; main()", "seed"]
    result = subprocess.run(
        [*command, "--accounts", "3", "--workspace", "demo", "--seed", "1"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    assert "Seeded workspace 'demo'" in result.stdout
    assert "contact" in result.stdout
    assert "30" in result.stdout
    again = subprocess.run(
        [*command, "--accounts", "3", "--workspace", "demo"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert again.returncode == 1
    assert "already has records" in again.stderr


async def test_seeded_records_have_the_history_that_led_to_their_stage(engine):
    from db.models import StageChange

    summary = await seed(engine, seed=5)
    async with make_session_factory(engine)() as session:
        accounts = (
            await session.scalars(
                select(Account).where(Account.workspace_id == summary.workspace_id)
            )
        ).all()
        history = (
            await session.scalars(
                select(StageChange)
                .where(StageChange.workspace_id == summary.workspace_id)
                .order_by(StageChange.id)
            )
        ).all()
    by_account: dict[int, list[StageChange]] = {}
    for change in history:
        if change.entity_type == "ACCOUNT":
            by_account.setdefault(change.record_id, []).append(change)
    for account in accounts:
        changes = by_account[account.id]
        assert changes[0].from_stage is None
        assert changes[0].occurred_at == account.created_at
        assert changes[-1].to_stage == account.lifecycle_stage
        assert all(a.to_stage == b.from_stage for a, b in itertools.pairwise(changes))
        assert [c.occurred_at for c in changes] == sorted(c.occurred_at for c in changes)


async def test_every_seeded_move_is_one_the_lifecycle_engine_allows(engine):
    from db.models import StageChange
    from resolvers.lifecycle import LIFECYCLES, Needs

    summary = await seed(engine, seed=11, accounts=40)
    ws = summary.workspace_id
    async with make_session_factory(engine)() as session:
        history = (
            await session.scalars(
                select(StageChange).where(StageChange.workspace_id == ws).order_by(StageChange.id)
            )
        ).all()
        current: dict[tuple[str, int], str] = {}
        for lifecycle in LIFECYCLES.values():
            model = lifecycle.model
            column = getattr(model, lifecycle.attribute)
            for pk, stage in await session.execute(
                select(model.id, column).where(model.workspace_id == ws)
            ):
                current[(lifecycle.entity_type.value, pk)] = str(stage)
    tables = {lc.entity_type.value: lc.table for lc in LIFECYCLES.values()}
    stages = {lc.entity_type.value: lc.stages for lc in LIFECYCLES.values()}
    records: dict[tuple[str, int], list[StageChange]] = {}
    for change in history:
        records.setdefault((change.entity_type.value, change.record_id), []).append(change)
    assert records.keys() == current.keys()
    moves = 0
    for key, changes in records.items():
        entity = key[0]
        assert changes[0].from_stage is None
        assert changes[-1].to_stage == current[key]
        # In the order they happened, as the engine writes them.
        assert [c.occurred_at for c in changes] == sorted(c.occurred_at for c in changes)
        for before, after in itertools.pairwise(changes):
            assert after.from_stage == before.to_stage
            needs = tables[entity][stages[entity](before.to_stage)][stages[entity](after.to_stage)]
            assert (after.reason is not None) == (needs is Needs.REASON), (key, after.to_stage)
            moves += 1
    # Histories that are not straight lines: deals slip back, customers come back.
    backward = [c for c in history if c.reason is not None]
    assert moves > 3 * len(records) // 2
    assert {c.entity_type.value for c in backward} >= {"ACCOUNT", "OPPORTUNITY", "CASE"}


async def test_seeded_cases_carry_the_dates_their_history_gives_them(engine):
    from db.models import StageChange

    summary = await seed(engine, seed=3, accounts=40)
    ws = summary.workspace_id
    async with make_session_factory(engine)() as session:
        cases = (await session.scalars(select(Case).where(Case.workspace_id == ws))).all()
        history = (
            await session.scalars(
                select(StageChange)
                .where(StageChange.workspace_id == ws, StageChange.entity_type == "CASE")
                .order_by(StageChange.id)
            )
        ).all()
    by_case: dict[int, list[StageChange]] = {}
    for change in history:
        by_case.setdefault(change.record_id, []).append(change)
    scored = 0
    for case in cases:
        changes = by_case[case.id]
        first_move = changes[1].occurred_at if len(changes) > 1 else None
        assert case.first_responded_at == first_move
        resolutions = [c.occurred_at for c in changes if c.to_stage == CaseStatus.RESOLVED]
        done = case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        assert case.resolved_at == (max(resolutions) if done else None)
        assert case.first_response_due_at is not None
        assert case.first_response_due_at > case.created_at
        if case.satisfaction_score is not None:
            scored += 1
            assert done
            assert case.resolved_at <= case.satisfaction_recorded_at <= seeding.DEFAULT_AS_OF
        assert changes[-1].occurred_at <= seeding.DEFAULT_AS_OF
    assert scored > 0
