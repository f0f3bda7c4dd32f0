"""The public statistics' figures, from the daily records (domain.stats.DayCounts) alone:
what was filed by month, and how well the work was done, by topic or organisation.

Pure arithmetic over the records a page shows; the pages (services.stats_pages) read
the records and the directory, never a ticket.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from ..domain import stats

MONTHS_SHOWN = 12
ORGANISATION_DAYS = 90


@dataclass(frozen=True)
class Totals:
    """One group's counts summed over the days shown, and what follows from them."""

    counts: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(_sum((self.counts, other.counts)))

    @property
    def compliance(self) -> float | None:
        """The share of work reported done by its deadline; None when none was done."""
        return self[stats.MET] / self[stats.DONE] if self[stats.DONE] else None

    @property
    def median_close_hours(self) -> float | None:
        return stats.median_close_hours(self.counts)

    @property
    def outcomes(self) -> int:
        """Reported work that came to an end: confirmed, refuted or closed by itself."""
        return self[stats.CONFIRMED] + self[stats.REFUTED] + self[stats.AUTO_CLOSED]

    @property
    def confirmed_share(self) -> float | None:
        return self[stats.CONFIRMED] / self.outcomes if self.outcomes else None

    @property
    def average_rating(self) -> float | None:
        return self[stats.RATING_SUM] / self[stats.RATED] if self[stats.RATED] else None


def months(today: date, count: int = MONTHS_SHOWN) -> list:
    """The last `count` months up to and including today's, oldest first, as 'YYYY-MM'."""
    year, month = today.year, today.month
    shown = []
    for _ in range(count):
        shown.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return shown[::-1]


def statistics_window(today: date) -> tuple:
    """(first day, last day) of the statistics: the months shown, up to today."""
    return date.fromisoformat(f"{months(today)[0]}-01"), today


def organisation_window(today: date) -> tuple:
    """(first day, last day) of the organisations' record: the last 90 days, today included."""
    return today - timedelta(days=ORGANISATION_DAYS - 1), today


def totals(records, kind: str) -> dict:
    """{code: Totals} of every group of `kind` ('topic' or 'org') over the records."""
    found = {}
    for record in records:
        record_kind, code = stats.split_group(record.group)
        if record_kind == kind:
            found.setdefault(code, []).append(record.counts)
    return {code: Totals(_sum(counts)) for code, counts in found.items()}


def monthly(records, kind: str) -> dict:
    """{code: {'YYYY-MM': Totals}} of every group of `kind` over the records."""
    found = {}
    for record in records:
        record_kind, code = stats.split_group(record.group)
        if record_kind == kind:
            found.setdefault(code, {}).setdefault(record.day[:7], []).append(record.counts)
    return {code: {month: Totals(_sum(counts)) for month, counts in by_month.items()}
            for code, by_month in found.items()}


def _sum(many) -> dict:
    summed = {}
    for counts in many:
        for name, value in counts.items():
            summed[name] = summed.get(name, 0) + value
    return summed
