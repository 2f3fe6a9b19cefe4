"""The time windows a metrics report covers: the whole range, then one per interval bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from resolvers.errors import BadRequestError
from resolvers.validation import InvalidValueError, to_utc

# One year of days; also keeps every statement's list of windows well inside SQLite's limit
# on compound SELECTs (500).
MAX_BUCKETS = 366


class Interval(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time, [start, end), in UTC."""

    start: datetime
    end: datetime


def earliest_start(windows: Sequence[Window]) -> datetime:
    """Where a report's windows begin: its first bucket may start before the range."""
    return min(window.start for window in windows)


def checked_range(start: datetime, end: datetime) -> Window:
    try:
        window = Window(to_utc(start), to_utc(end))
    except InvalidValueError as error:
        raise BadRequestError(f"range: the time {error.message}.") from error
    if window.start >= window.end:
        raise BadRequestError("range: `from` must be before `to`.")
    return window


def boundary(moment: datetime, interval: Interval) -> datetime:
    """The start, in UTC, of the interval that holds `moment`."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if interval is Interval.DAY:
        return day
    if interval is Interval.WEEK:  # ISO weeks start on Monday
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def following(start: datetime, interval: Interval) -> datetime:
    """The start of the interval after the one starting at `start`."""
    if interval is Interval.DAY:
        return start + timedelta(days=1)
    if interval is Interval.WEEK:
        return start + timedelta(weeks=1)
    months = 1 if interval is Interval.MONTH else 3
    month_index = start.month - 1 + months
    return start.replace(year=start.year + month_index // 12, month=month_index % 12 + 1)


def buckets(span: Window, interval: Interval) -> list[Window]:
    """Whole intervals, from the one holding `span.start` to the one holding its last instant."""
    result: list[Window] = []
    start = boundary(span.start, interval)
    while start < span.end:
        if len(result) == MAX_BUCKETS:
            raise BadRequestError(
                f"range: at most {MAX_BUCKETS} {interval.lower()} buckets; "
                "choose a shorter range or a longer interval."
            )
        end = following(start, interval)
        result.append(Window(start, end))
        start = end
    return result
