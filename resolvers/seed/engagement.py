"""Builders for what happens around the accounts: leads, support cases, activities."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from db.enums import ActivityType, CaseOrigin, CasePriority, CaseStatus, UserRole
from resolvers.cases import DEFAULT_TARGETS
from resolvers.seed import vocabulary as words
from resolvers.seed.context import Row, Seeding, company, email, phone

Status = CaseStatus
# Where the seeded cases stand: most are long done, some still in the queue.
CASE_STATUS_WEIGHTS = {
    Status.NEW: 4, Status.OPEN: 8, Status.PENDING: 5, Status.ESCALATED: 3,
    Status.RESOLVED: 15, Status.CLOSED: 65,
}  # fmt: skip
WORKING = (Status.OPEN, Status.PENDING, Status.ESCALATED)
CASE_REOPENED = 0.2  # resolved, then reopened (once) before its final resolution
CASE_ESCALATED = 0.15
SATISFACTION_ASKED = 0.55  # resolved cases whose customer gave a score
SATISFACTION_WEIGHTS = (5, 7, 13, 35, 40)  # for scores 1 to 5


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
            priority = s.rng.choices(priorities, (30, 45, 18, 7))[0]
            row = s.row(
                s.moment(account["created_at"]),
                subject=subject,
                description=f"{contact['first_name']} reports: {subject.lower()}.",
                priority=priority,
                origin=s.rng.choice(origins),
                account_id=account["id"],
                contact_id=contact["id"],
                owner_id=s.rng.choice(agents),
            )
            _work(s, row, priority)
            rows.append(row)
    return rows


def _case_path(s: Seeding, final: CaseStatus) -> list[CaseStatus]:
    """The statuses a case went through: answered, waiting on the customer now and then,
    sometimes escalated, resolved, sometimes reopened, then closed."""

    def working() -> list[CaseStatus]:
        steps = [Status.OPEN]
        for _ in range(s.rng.choices((0, 1, 2, 3, 4), (25, 30, 25, 12, 8))[0]):
            steps += [Status.PENDING, Status.OPEN]
        if s.chance(CASE_ESCALATED):
            steps.append(Status.ESCALATED)
        return steps

    if final is Status.NEW:
        return [Status.NEW]
    path = [Status.NEW, *working()]
    if final in WORKING:
        return path if path[-1] is final else [*path, final]
    path.append(Status.RESOLVED)
    if s.chance(CASE_REOPENED):
        path += [*working(), Status.RESOLVED]
    return [*path, Status.CLOSED] if final is Status.CLOSED else path


def _work(s: Seeding, case: Row, priority: CasePriority) -> None:
    """Give `case` a status, the history that led to it (the `moves` note the history
    builder writes out), and the dates the lifecycle engine derives from that history."""
    first_minutes, resolution_minutes = DEFAULT_TARGETS[priority]
    created: datetime = case["created_at"]
    final = s.rng.choices(list(CASE_STATUS_WEIGHTS), list(CASE_STATUS_WEIGHTS.values()))[0]
    path = _case_path(s, final)
    # Gaps scaled on the priority's targets: about on time, sometimes late.
    gaps = [first_minutes * s.rng.lognormvariate(-0.3, 0.8) for _ in path[1:2]]
    gaps += [resolution_minutes / 3 * s.rng.lognormvariate(-0.5, 0.9) for _ in path[2:]]
    room = (s.as_of - created).total_seconds() / 60
    squeeze = min(1.0, room / sum(gaps)) if gaps else 1.0  # a young case has had less time
    moves: list[tuple[Any, datetime]] = [(path[0], created)]
    at = created
    for status, minutes in zip(path[1:], gaps, strict=True):
        at = min(at + timedelta(seconds=int(minutes * squeeze * 60)), s.as_of)
        moves.append((status, at))
    case.update(
        status=final,
        moves=moves,
        updated_at=at,
        first_response_due_at=created + timedelta(minutes=first_minutes),
        resolution_due_at=created + timedelta(minutes=resolution_minutes),
        first_responded_at=moves[1][1] if len(moves) > 1 else None,
        resolved_at=None,
        satisfaction_score=None,
        satisfaction_recorded_at=None,
    )
    if final in (Status.RESOLVED, Status.CLOSED):
        resolved = max(moment for status, moment in moves if status is Status.RESOLVED)
        case["resolved_at"] = resolved
        if s.chance(SATISFACTION_ASKED):
            case["satisfaction_score"] = s.rng.choices(range(1, 6), SATISFACTION_WEIGHTS)[0]
            case["satisfaction_recorded_at"] = s.moment(resolved, resolved + timedelta(days=3))


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
