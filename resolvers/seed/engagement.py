"""Builders for what happens around the accounts: leads, support cases, activities."""

from __future__ import annotations

from datetime import timedelta

from db.enums import ActivityType, CaseOrigin, CasePriority, UserRole
from resolvers.seed import vocabulary as words
from resolvers.seed.context import Row, Seeding, company, email, phone


def leads(s: Seeding) -> list[Row]:
    marketers = s.owners(UserRole.MARKETING, UserRole.SALES)
    names: set[str] = set()
    rows = []
    for account in s.rows["account"]:
        for _ in range(s.rng.choices((0, 1, 2, 3, 4), (15, 25, 25, 20, 15))[0]):
            first, last = s.rng.choice(words.FIRST_NAMES), s.rng.choice(words.LAST_NAMES)
            firm, domain = company(s, names)
            # Some come from campaigns, some are referred by a customer's contact.
            campaign = s.rng.choice(s.rows["campaign"]) if s.chance(0.45) else None
            referrer = None
            if campaign is None and s.chance(0.35):
                referrer = s.rng.choice(s.children("contact", "account_id")[account["id"]])
            rows.append(
                s.row(
                    s.moment(campaign["created_at"]) if campaign else s.since_start(),
                    first_name=first,
                    last_name=last,
                    company=firm,
                    title=s.rng.choice(words.LEAD_TITLES),
                    email=email(first, last, domain, set()),
                    phone=phone(s, s.rng.choice(words.PLACES)[1]),
                    campaign_id=campaign["id"] if campaign else None,
                    referred_by_id=referrer["id"] if referrer else None,
                    owner_id=s.rng.choice(marketers),
                )
            )
    return rows


def cases(s: Seeding) -> list[Row]:
    agents = s.owners(UserRole.SUPPORT)
    priorities, origins = list(CasePriority), list(CaseOrigin)
    rows = []
    for account in s.rows["account"]:
        for _ in range(s.rng.choices((0, 1, 2, 3), (35, 40, 18, 7))[0]):
            subject = s.rng.choice(words.CASE_SUBJECTS)
            contact = s.rng.choice(s.children("contact", "account_id")[account["id"]])
            rows.append(
                s.row(
                    s.moment(account["created_at"]),
                    subject=subject,
                    description=f"{contact['first_name']} reports: {subject.lower()}.",
                    priority=s.rng.choices(priorities, (30, 45, 18, 7))[0],
                    origin=s.rng.choice(origins),
                    account_id=account["id"],
                    contact_id=contact["id"],
                    owner_id=s.rng.choice(agents),
                )
            )
    return rows


def activities(s: Seeding) -> list[Row]:
    deals_of = s.children("opportunity", "account_id")
    kinds = list(ActivityType)
    rows = []
    for account in s.rows["account"]:
        for _ in range(s.rng.randint(1, 5)):
            kind = s.rng.choices(kinds, (25, 30, 20, 10, 10, 5))[0]
            contact: Row | None = s.rng.choice(s.children("contact", "account_id")[account["id"]])
            contact = contact if s.chance(0.7) else None
            deal = s.rng.choice(deals_of[account["id"]]) if s.chance(0.5) else None
            occurred = s.moment(account["created_at"])
            due = occurred + timedelta(days=s.rng.randint(1, 21))
            rows.append(
                s.row(
                    occurred,
                    type=kind,
                    subject=_activity_subject(s, kind, contact or account, deal),
                    body=f"Notes for {account['name']}." if kind is ActivityType.NOTE else None,
                    occurred_at=None if kind is ActivityType.TASK else occurred,
                    due_at=due if kind is ActivityType.TASK else None,
                    completed=kind is not ActivityType.TASK or due < s.as_of,
                    account_id=account["id"],
                    contact_id=contact["id"] if contact else None,
                    opportunity_id=deal["id"] if deal else None,
                    owner_id=account["owner_id"],
                )
            )
    return rows


def _activity_subject(s: Seeding, kind: ActivityType, party: Row, deal: Row | None) -> str:
    """`party` is a contact, or the account when the activity names no one."""
    person = (
        f"{party['first_name']} {party['last_name']}" if "last_name" in party else party["name"]
    )
    topic = s.rng.choice(words.MEETING_TOPICS)
    if kind is ActivityType.TASK:
        return f"Follow up with {person}" + (f" on {deal['name']}" if deal else "")
    if kind is ActivityType.EMAIL:
        return f"Re: {topic} ({person})"
    return f"{topic} with {person}"
