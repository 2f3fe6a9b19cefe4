"""Builders for the sales pipeline: accounts, their contacts, opportunities, line items.

Accounts are spread over the customer lifecycle and their deals over the pipeline
consistently: a customer has won a deal, a prospect has not.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from db.enums import LifecycleStage, OpportunityStage, UserRole
from resolvers.lifecycle import STAGE_FORECAST
from resolvers.opportunities import line_total
from resolvers.seed import vocabulary as words
from resolvers.seed.context import HISTORY, Row, Seeding, company, email, phone

CONTACTS_PER_ACCOUNT = 10
OPPORTUNITIES_PER_ACCOUNT = 5

Stage = OpportunityStage
CLOSED_STAGES = (Stage.CLOSED_WON, Stage.CLOSED_LOST)

Life = LifecycleStage
LIFECYCLE_WEIGHTS = {
    Life.REACH: 30, Life.ACQUISITION: 25, Life.CONVERSION: 12,
    Life.RETENTION: 20, Life.ADVOCACY: 6, Life.CHURNED: 7,
}  # fmt: skip
# How an account's deals went, given where the account is in its lifecycle; weights in the
# order of DEAL_STAGES. A deal gets the probability and forecast category the lifecycle
# engine gives its stage.
DEAL_STAGES = (
    Stage.PROSPECTING, Stage.QUALIFICATION, Stage.PROPOSAL, Stage.NEGOTIATION,
    Stage.CLOSED_WON, Stage.CLOSED_LOST,
)  # fmt: skip
DEAL_WEIGHTS = {
    Life.REACH: (50, 25, 0, 0, 0, 25),
    Life.ACQUISITION: (20, 25, 25, 15, 0, 15),
    Life.CONVERSION: (15, 20, 20, 15, 10, 20),
    Life.RETENTION: (10, 10, 15, 10, 35, 20),
    Life.ADVOCACY: (10, 10, 15, 10, 40, 15),
    Life.CHURNED: (10, 5, 0, 0, 20, 65),
}
# How long an account has been known at least, by where it is now.
CUSTOMER_FOR = {
    Life.REACH: timedelta(0), Life.ACQUISITION: timedelta(days=14),
    Life.CONVERSION: timedelta(days=60), Life.RETENTION: timedelta(days=180),
    Life.ADVOCACY: timedelta(days=270), Life.CHURNED: timedelta(days=270),
}  # fmt: skip
# Seats bought on a line item, the large ones rarely; never more than the account has people.
SEAT_COUNTS = (1, 1, 2, 3, 5, 5, 10, 10, 10, 15, 20, 25, 25, 50, 50, 100, 250, 1000)
# Every account past acquisition has bought at least once.
CUSTOMERS = (Life.CONVERSION, Life.RETENTION, Life.ADVOCACY, Life.CHURNED)


def accounts(s: Seeding) -> list[Row]:
    sellers = s.owners(UserRole.SALES, UserRole.MANAGER)
    names: set[str] = set()
    stages, weights = list(LIFECYCLE_WEIGHTS), list(LIFECYCLE_WEIGHTS.values())
    rows = []
    for _ in range(s.accounts):
        name, domain = company(s, names)
        country, prefix, cities = s.rng.choice(words.PLACES)
        city, state, postal = s.rng.choice(cities)
        employees = max(1, min(250_000, int(s.rng.lognormvariate(4.5, 1.6))))
        revenue = Decimal(employees * s.rng.randint(60, 400)) * 1000
        stage = s.rng.choices(stages, weights)[0]
        created = s.moment(s.as_of - HISTORY, s.as_of - CUSTOMER_FOR[stage])
        s.deals.append(_deals(s, stage, created))
        rows.append(
            s.row(
                created,
                name=name,
                website=f"https://www.{domain}",
                industry=s.rng.choice(words.INDUSTRIES),
                employee_count=employees,
                annual_revenue=revenue,
                currency=s.currency,
                phone=phone(s, prefix),
                billing_street=f"{s.rng.randint(1, 2400)} {s.rng.choice(words.STREETS)}",
                billing_city=city,
                billing_state=state,
                billing_postal_code="".join(
                    str(s.rng.randint(0, 9)) if char == "#" else char for char in postal
                ),
                billing_country=country,
                lifecycle_stage=stage,
                owner_id=s.rng.choice(sellers),
                # Notes for later builders, not columns.
                domain=domain,
                phone_prefix=prefix,
            )
        )
    return rows


def _deals(
    s: Seeding, stage: LifecycleStage, since: datetime
) -> list[tuple[OpportunityStage, datetime]]:
    stages = s.rng.choices(DEAL_STAGES, DEAL_WEIGHTS[stage], k=OPPORTUNITIES_PER_ACCOUNT)
    if stage in CUSTOMERS and Stage.CLOSED_WON not in stages:
        stages[0] = Stage.CLOSED_WON
    # Closed deals are older than open ones, which started in the last half year.
    recent = max(since, s.as_of - timedelta(days=180))
    return [(deal, s.moment(since if deal in CLOSED_STAGES else recent)) for deal in stages]


def contacts(s: Seeding) -> list[Row]:
    rows = []
    for account in s.rows["account"]:
        taken: set[str] = set()
        for _ in range(CONTACTS_PER_ACCOUNT):
            first, last = s.rng.choice(words.FIRST_NAMES), s.rng.choice(words.LAST_NAMES)
            rows.append(
                s.row(
                    s.moment(account["created_at"], account["created_at"] + timedelta(days=90)),
                    first_name=first,
                    last_name=last,
                    email=email(first, last, account["domain"], taken),
                    phone=phone(s, account["phone_prefix"]),
                    job_title=s.rng.choice(words.JOB_TITLES),
                    account_id=account["id"],
                    owner_id=account["owner_id"],
                )
            )
    return rows


def opportunities(s: Seeding) -> list[Row]:
    contacts_of = s.children("contact", "account_id")
    active = [row for row in s.rows["product"] if row.get("active", True)]
    campaign_rows = s.rows["campaign"]
    rows = []
    for account, deals in zip(s.rows["account"], s.deals, strict=True):
        for stage, created in deals:
            items = _line_items(s, active, created, account["employee_count"])
            probability, forecast = STAGE_FORECAST[stage]
            closed_at = lost_reason = None
            if stage in CLOSED_STAGES:
                closed_at = s.moment(created, created + timedelta(days=s.rng.randint(14, 150)))
            if stage is Stage.CLOSED_LOST:
                lost_reason = s.rng.choice(words.LOST_REASONS)
            closes = closed_at or s.as_of + timedelta(days=s.rng.randint(7, 150))
            contact = s.rng.choice(contacts_of[account["id"]])
            campaign = s.rng.choice(campaign_rows) if s.chance(0.2) else None
            row = s.row(
                created,
                name=f"{account['name']}: {s.rng.choice(words.OPPORTUNITY_KINDS)}",
                account_id=account["id"],
                primary_contact_id=contact["id"] if s.chance(0.85) else None,
                campaign_id=campaign["id"] if campaign else None,
                amount=sum((item["total"] for item in items), Decimal(0)),
                currency=s.currency,
                expected_close_date=closes.date(),
                stage=stage,
                probability=probability,
                forecast_category=forecast,
                closed_at=closed_at,
                lost_reason=lost_reason,
                owner_id=account["owner_id"],
            )
            row["updated_at"] = closed_at or created
            s.line_items.append(items)
            rows.append(row)
    return rows


def _line_items(s: Seeding, catalogue: list[Row], created: datetime, seats: int) -> list[Row]:
    quantities = [size for size in SEAT_COUNTS if size <= max(seats, 1)]
    items = []
    for product in s.rng.sample(catalogue, s.rng.randint(1, 3)):
        quantity = Decimal(s.rng.choice(quantities))
        discount = Decimal(s.rng.choices((0, 5, 10, 15, 20), (50, 15, 20, 10, 5))[0])
        price = product["unit_price"]
        items.append(
            s.row(
                created,
                product_id=product["id"],
                quantity=quantity,
                unit_price=price,
                discount=discount,
                total=line_total(quantity, price, discount),
            )
        )
    return items


def line_items(s: Seeding) -> list[Row]:
    rows = []
    for opportunity, items in zip(s.rows["opportunity"], s.line_items, strict=True):
        for item in items:
            item["opportunity_id"] = opportunity["id"]
            rows.append(item)
    return rows
