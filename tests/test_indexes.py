"""The main list queries use an index on PostgreSQL (checked with EXPLAIN).

A workspace gets a few thousand rows and fresh statistics, so that the planner weighs
real selectivities; sequential scans are discouraged so that a plan without any usable
index would show as one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects import postgresql

from db.enums import CaseStatus, LeadStatus, OpportunityStage
from db.models import Account, Case, Contact, Lead, Opportunity, StageChange
from resolvers import catalog, search
from resolvers.queryable import filtered, ordering
from resolvers.stage_changes import HistoryFilter, scoped
from tests.conftest import make_tenant

ROWS = 1000


@pytest.fixture(scope="module")
async def populated(database_url, engine):
    """The tenant's workspace with ROWS accounts, contacts, leads, opportunities and cases, analyzed,
    beside a larger neighbouring workspace, so that the workspace filter is selective."""
    if not database_url.startswith("postgresql"):
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    tenant = await make_tenant(engine)
    workspaces = [(tenant.principal.workspace_id, ROWS)]
    workspaces.append(((await make_tenant(engine)).principal.workspace_id, 5 * ROWS))
    stages = list(OpportunityStage)
    rows = [(workspace, n) for workspace, count in workspaces for n in range(count)]
    async with engine.begin() as connection:
        await connection.execute(
            insert(Account),
            [
                {
                    "workspace_id": w,
                    "name": f"Account {n}",
                    "currency": "USD",
                    "lifecycle_stage": "REACH",
                    "version": 1,
                }
                for w, n in rows
            ],
        )
        await connection.execute(
            insert(Contact),
            [
                {
                    "workspace_id": w,
                    "last_name": f"Person {n}",
                    "email": f"p{n}@example.com",
                    "lifecycle_stage": "REACH",
                    "version": 1,
                }
                for w, n in rows
            ],
        )
        await connection.execute(
            insert(Opportunity),
            [
                {
                    "workspace_id": w,
                    "name": f"Deal {n}",
                    "currency": "USD",
                    "stage": stages[n % len(stages)],
                    "probability": 10,
                    "forecast_category": "PIPELINE",
                    "version": 1,
                }
                for w, n in rows
            ],
        )
        lead_statuses, case_statuses = list(LeadStatus), list(CaseStatus)
        await connection.execute(
            insert(Lead),
            [
                {
                    "workspace_id": w,
                    "last_name": f"Prospect {n}",
                    "email": f"lead{n}@example.com",
                    "status": lead_statuses[n % len(lead_statuses)],
                    "version": 1,
                }
                for w, n in rows
            ],
        )
        await connection.execute(
            insert(Case),
            [
                {
                    "workspace_id": w,
                    "subject": f"Problem {n}",
                    "priority": "MEDIUM",
                    "status": case_statuses[n % len(case_statuses)],
                    "version": 1,
                }
                for w, n in rows
            ],
        )
        # A history like the records': a creation row each, then some moves, so that the
        # planner weighs the history indexes on real selectivities too.
        await connection.execute(
            insert(StageChange),
            [
                {
                    "workspace_id": w,
                    "entity_type": "ACCOUNT",
                    "record_id": n + 1,
                    "from_stage": None if step == 0 else "REACH",
                    "to_stage": "REACH" if step == 0 else "ACQUISITION",
                    "occurred_at": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n + step),
                    "cause": "CREATED" if step == 0 else "MANUAL",
                }
                for w, n in rows
                for step in range(1 + n % 2)
            ],
        )
        tables = ("account", "contact", "lead", "opportunity", "support_case", "stage_change")
        for table in tables:
            await connection.execute(text(f"ANALYZE {table}"))
    return tenant


async def plan_of(engine, statement) -> str:
    sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    async with engine.connect() as connection, connection.begin():
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        rows = (await connection.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"))).scalar()
    return json.dumps(rows)


def page(queryable, principal, criteria=None, order_by=()):
    order = ordering(queryable, order_by)
    return filtered(queryable, principal, criteria or {}).order_by(*order.order_by()).limit(21)


@pytest.mark.parametrize(
    ("name", "statement", "index"),
    [
        (
            "accounts, default order",
            lambda p: page(catalog.ACCOUNT, p),
            "ix_account_workspace_list",
        ),
        (
            "accounts by creation",
            lambda p: page(catalog.ACCOUNT, p, order_by=[("created_at", False)]),
            "ix_account_workspace_created",
        ),
        (
            "how many opportunities in a stage",
            lambda p: select(func.count()).select_from(
                filtered(
                    catalog.OPPORTUNITY, p, {"stage": {"eq": OpportunityStage.PROPOSAL}}
                ).subquery()
            ),
            "ix_opportunity_stage",
        ),
        (
            "contacts of some accounts",
            lambda p: select(Contact).where(Contact.account_id.in_([1, 2, 3])),
            "ix_contact_account_id",
        ),
        (
            "contact by email",
            lambda p: page(catalog.CONTACT, p, {"email": {"eq": "ada@example.com"}}),
            "ix_contact_email",
        ),
        (
            "leads in a status",
            lambda p: page(catalog.LEAD, p, {"status": {"eq": LeadStatus.CONTACTED}}),
            ("ix_lead_status", "ix_lead_workspace_list"),
        ),
        (
            "how many leads in a status",
            lambda p: select(func.count()).select_from(
                filtered(catalog.LEAD, p, {"status": {"eq": LeadStatus.CONTACTED}}).subquery()
            ),
            "ix_lead_status",
        ),
        (
            "lead by email",
            lambda p: page(catalog.LEAD, p, {"email": {"eq": "ada@example.com"}}),
            "ix_lead_email",
        ),
        (
            "cases being worked on",
            lambda p: page(
                catalog.CASE,
                p,
                {"status": {"in_": [CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.ESCALATED]}},
            ),
            ("ix_support_case_status", "ix_support_case_workspace_list"),
        ),
        (
            "how many cases in a status",
            lambda p: select(func.count()).select_from(
                filtered(catalog.CASE, p, {"status": {"eq": CaseStatus.ESCALATED}}).subquery()
            ),
            "ix_support_case_status",
        ),
        (
            "a record's history",
            lambda p: scoped(
                p,
                HistoryFilter(
                    extra=[StageChange.entity_type == "ACCOUNT", StageChange.record_id == 1]
                ),
            ),
            "ix_stage_change_record",
        ),
    ],
)
async def test_list_queries_use_an_index(populated, engine, name, statement, index):
    plan = await plan_of(engine, statement(populated.principal))
    acceptable = index if isinstance(index, tuple) else (index,)
    assert "Seq Scan" not in plan, f"{name}: {plan}"
    assert any(f'"Index Name": "{option}"' in plan for option in acceptable), f"{name}: {plan}"


async def test_search_expression_matches_the_gin_index(populated, engine):
    # Without the workspace condition (which the planner may prefer to serve from the
    # workspace index in a database full of other tenants), only the GIN index can
    # serve the match: this checks that search's expression is the indexed one.
    searchable = search.SEARCHABLE[search.EntityType.ACCOUNT]
    document = searchable.document()
    statement = select(searchable.model.id).where(
        document.op("@@")(text("to_tsquery('simple', 'acme:*')")),
    )
    plan = await plan_of(engine, statement)
    assert "ix_account_search" in plan, plan
