"""The period a report covers: whole days in the school's time zone, from `from` to `to`
inclusive, and the period of the same length just before it for comparison."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from haven import clock
from haven.errors import APIError

# Five years and a leap day: a report over more would be slow and nobody reads it.
LONGEST = timedelta(days=5 * 365 + 2)


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    time_zone: str

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        """The first moment of the first day, in UTC."""
        return _midnight(self.first_day, self.time_zone)

    @property
    def end(self) -> datetime:
        """The first moment after the last day, in UTC (the period ends before it)."""
        return _midnight(self.last_day + timedelta(days=1), self.time_zone)

    def previous(self) -> Period:
        """The period of as many days that ends the day before this one starts."""
        last = self.first_day - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, self.time_zone)

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """("YYYY-MM", start, end) for each calendar month the period touches, cut to the
        period at either end; moments in UTC."""
        months, day = [], self.first_day
        while day <= self.last_day:
            following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            last = min(following - timedelta(days=1), self.last_day)
            months.append((f"{day:%Y-%m}", _midnight(day, self.time_zone),
                           _midnight(last + timedelta(days=1), self.time_zone)))
            day = following
        return months

    def in_words(self) -> str:
        """"01/09/2025 to 31/08/2026", as the reports print it."""
        return f"{self.first_day:%d/%m/%Y} to {self.last_day:%d/%m/%Y}"

    def as_json(self) -> dict:
        return {"from": self.first_day, "to": self.last_day, "time_zone": self.time_zone}


def _midnight(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def reporting_period(first_day: date | None, last_day: date | None, time_zone: str) -> Period:
    """The period asked for. Without `to`, it ends today (in the school's time zone);
    without `from`, it is the twelve months to `to`. Raises APIError 400 VALIDATION_ERROR
    when `to` is after today or before `from`, or the period is longer than five years."""
    today = clock.now().astimezone(ZoneInfo(time_zone)).date()
    if last_day is None:
        last_day = today
    if last_day > today:
        # Half a period against a whole one before it would read as a fall.
        raise _invalid(f"'to' ({last_day:%d/%m/%Y}) is after today: a period must have "
                       "happened to be compared with the one before.")
    if first_day is None:
        first_day = _year_before(last_day) + timedelta(days=1)
    if last_day < first_day:
        raise _invalid(f"'to' ({last_day:%d/%m/%Y}) is before 'from' ({first_day:%d/%m/%Y}).")
    if last_day - first_day >= LONGEST:
        raise _invalid("A report covers at most five years: choose a shorter period.")
    return Period(first_day, last_day, time_zone)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _invalid(message: str) -> APIError:
    return APIError(400, "VALIDATION_ERROR", message)
