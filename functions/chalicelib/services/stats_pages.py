"""The public statistics (`/{lang}/stats/`, with its figures as CSV under `/stats/`) and
"who does what" (`/{lang}/organisations/`), written by the nightly job.

Both are built from the daily statistics records of the days they show and from the
directory (catalogue, registry, organisations) alone: never a ticket, so no resident's
name, phone, address or text can reach them, and the cost grows with days × groups.
"""

import csv
import io
from datetime import date

from ..domain import stats
from .. import i18n
from ..i18n import N_, translate
from . import charts, reference, statistics
from .public_pages import HTML, UPDATED, render

CSV = "text/csv; charset=utf-8"
CSV_FILES = {stats.TOPIC: "stats/tickets-by-month.csv", stats.ORGANISATION: "stats/organisations-by-month.csv"}
CSV_COUNTS = (stats.FILED, stats.DONE, stats.MET, stats.CLOSED, stats.CONFIRMED, stats.REFUTED, stats.AUTO_CLOSED,
              stats.RATED, stats.RATING_SUM)
BEST_RATING = 5
KIND_ORDER = ("department", "executor", "inspectorate")

HOURS = N_("{hours} h")
PERIOD = N_("The last 12 months: from {first} to {last}.")
CATEGORY, TOTAL = N_("Category"), N_("Total")
STATS_TEXTS = {
    "title": N_("Statistics"),
    "no_data": N_("No data yet."),
    "open_data": N_("Open data"),
    "csv": N_("The same figures by month, as CSV files (UTF-8, comma-separated):"),
    "csv_topics": N_("tickets by category and month"),
    "csv_organisations": N_("organisations by month"),
}
# Each section of the statistics page: its title, the description its chart carries,
# and the headers of its table after the first column's.
SECTIONS = {
    "filed": (N_("Tickets by category and month"), N_("Tickets filed each month, by category.")),
    "compliance": (N_("Deadlines met, by organisation"),
                   N_("Of the work each organisation reported done, the share done by the deadline.")),
    "closing": (N_("Median time to close, by category"),
                N_("Half the tickets of each category closed within this time from filing.")),
    "confirmed": (N_("Work confirmed by residents, by category"),
                  N_("Of the work reported done, the share confirmed; the rest was refuted, or nobody answered"
                     " and the ticket closed by itself.")),
    "rating": (N_("Average rating, by category"), N_("Residents' ratings of finished work, from 1 to 5 stars.")),
}
HEADERS = {
    "compliance": (N_("Organisation"), N_("Done"), N_("By the deadline"), N_("Share met")),
    "closing": (CATEGORY, N_("Closed"), N_("Median time to close")),
    "confirmed": (CATEGORY, N_("Confirmed"), N_("Refuted"), N_("Closed without an answer"), N_("Share confirmed")),
    "rating": (CATEGORY, N_("Ratings"), N_("Average rating")),
}
ORGANISATION_TEXTS = {
    "title": N_("Who does what"),
    "lead": N_("The city's services: what each is responsible for, how to reach it, and how it has worked"
               " over the last 90 days."),
    "department": N_("City departments"),
    "executor": N_("Executors"),
    "inspectorate": N_("Inspectorate"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "area": N_("Area"),
    "whole_city": N_("The whole city"),
    "topics": N_("Topics"),
    "supervisor": N_("Supervised by"),
    "deadlines": N_("Deadlines met"),
    "rating": N_("Rating"),
    "supervised_deadlines": N_("Deadlines met by the organisations it supervises"),
    "supervised_rating": N_("Rating of the organisations it supervises"),
    "no_work": N_("No finished work in the last 90 days"),
    "no_rating": N_("No ratings in the last 90 days"),
}
MET = N_("{met} of {done} on time ({share})")
RATING = N_("{rating} of 5, ratings given: {count}")


def stats_files(deps) -> dict:
    """{path: (bytes, content type)}: the statistics page in each language and the CSV files."""
    ref, city, now = reference.load(deps.storage), deps.city, deps.clock.now()
    today = now.astimezone(city.zone).date()
    first, last = statistics.statistics_window(today)
    records = deps.storage.stats.read(first.isoformat(), last.isoformat())
    months = statistics.months(today)
    files = {}
    for lang in city.languages:
        say = _Formats(lang)
        texts = {name: translate(lang, text) for name, text in STATS_TEXTS.items()}
        texts["period"] = translate(lang, PERIOD, first=say.day(first), last=say.day(last))
        texts["updated"] = translate(lang, UPDATED, time=now.astimezone(city.zone).strftime("%d.%m.%Y %H:%M"))
        sections = _sections(records, months, ref, lang, say)
        files[f"{lang}/stats/index.html"] = (render(
            city, "stats.html", "stats", lang, texts, sections=sections,
            downloads=[("/" + CSV_FILES[stats.TOPIC], texts["csv_topics"]),
                       ("/" + CSV_FILES[stats.ORGANISATION], texts["csv_organisations"])]), HTML)
    for kind, path in CSV_FILES.items():
        files[path] = (_csv(records, kind, _names(ref, kind), city.languages), CSV)
    return files


def organisation_files(deps) -> dict:
    """{path: (bytes, content type)}: "who does what" in each language."""
    ref, city = reference.load(deps.storage), deps.city
    today = deps.clock.now().astimezone(city.zone).date()
    first, last = statistics.organisation_window(today)
    performance = statistics.totals(deps.storage.stats.read(first.isoformat(), last.isoformat()), stats.ORGANISATION)
    districts = {district.code: district for district in ref.registry.districts}
    files = {}
    for lang in city.languages:
        say = _Formats(lang)
        texts = {name: translate(lang, text) for name, text in ORGANISATION_TEXTS.items()}
        kinds = [(texts[kind], [_organisation(org, ref, districts, performance, lang, texts, say)
                                for org in sorted(ref.organisations.values(), key=lambda o: o.name(lang))
                                if org.kind == kind])
                 for kind in KIND_ORDER]
        files[f"{lang}/organisations/index.html"] = (render(
            city, "organisations.html", "organisations", lang, texts,
            kinds=[(heading, found) for heading, found in kinds if found]), HTML)
    return files


def _sections(records, months: list, ref, lang: str, say: "_Formats") -> list:
    """The statistics page's sections, in order: each a dict the template draws as a
    chart and a table, or as "no data yet" when it has no rows."""
    by_topic = statistics.totals(records, stats.TOPIC)
    by_month = statistics.monthly(records, stats.TOPIC)
    by_organisation = statistics.totals(records, stats.ORGANISATION)
    topics, organisations = _names(ref, stats.TOPIC), _names(ref, stats.ORGANISATION)

    def name(names: dict, code: str) -> str:
        return names.get(code, {}).get(lang, code)

    def ordered(found: dict, names: dict, keep) -> list:
        """(code, Totals) of the groups `keep` accepts: the catalogue's or directory's order, then unknown codes."""
        codes = [code for code in names if code in found] + sorted(code for code in found if code not in names)
        return [(code, found[code]) for code in codes if keep(found[code])]

    sections = []

    def section(ident: str, headers: tuple, rows: list, chart) -> dict:
        title, description = (translate(lang, text) for text in SECTIONS[ident])
        done = {"id": ident, "title": title, "description": description, "headers": headers, "rows": rows,
                "chart": chart(ident, title, description) if rows else "", "legend": []}
        sections.append(done)
        return done

    filed = [(code, [by_month[code].get(month, statistics.Totals())[stats.FILED] for month in months])
             for code, _ in ordered(by_topic, topics, lambda totals: totals[stats.FILED])]
    month_names = [say.month(month) for month in months]
    column_totals = [sum(counts[n] for _, counts in filed) for n in range(len(months))]
    rows = [[name(topics, code)] + [say.number(n) for n in counts] + [say.number(sum(counts))]
            for code, counts in filed]
    if rows:
        rows.append([translate(lang, TOTAL)] + [say.number(n) for n in column_totals]
                    + [say.number(sum(column_totals))])
    chosen = section("filed", (translate(lang, CATEGORY), *month_names, translate(lang, TOTAL)), rows,
                     lambda ident, title, description: charts.columns(
                         ident, title, description, [say.short_month(month) for month in months],
                         [(name(topics, code), counts) for code, counts in filed]))
    chosen["legend"] = [(f"series-{n % charts.SERIES_CLASSES}", name(topics, code))
                        for n, (code, _) in enumerate(filed)]

    def figures(ident: str, found: dict, names: dict, keep, value, cells, maximum=None) -> None:
        """A bar per group `keep` accepts, of length `value`, labelled with the last of its table `cells`."""
        kept = ordered(found, names, keep)
        section(ident, tuple(translate(lang, text) for text in HEADERS[ident]),
                [[name(names, code)] + cells(totals) for code, totals in kept],
                lambda chart_id, title, description: charts.bars(
                    chart_id, title, description,
                    [(name(names, code), value(totals), cells(totals)[-1]) for code, totals in kept],
                    maximum))

    figures("compliance", by_organisation, organisations, lambda t: t[stats.DONE], lambda t: t.compliance,
            lambda t: [say.number(t[stats.DONE]), say.number(t[stats.MET]), say.percent(t.compliance)], maximum=1)
    figures("closing", by_topic, topics, lambda t: t.median_close_hours is not None, lambda t: t.median_close_hours,
            lambda t: [say.number(t[stats.CLOSED]), say.hours(t.median_close_hours)])
    figures("confirmed", by_topic, topics, lambda t: t.outcomes, lambda t: t.confirmed_share,
            lambda t: [say.number(t[stats.CONFIRMED]), say.number(t[stats.REFUTED]), say.number(t[stats.AUTO_CLOSED]),
                       say.percent(t.confirmed_share)], maximum=1)
    figures("rating", by_topic, topics, lambda t: t[stats.RATED], lambda t: t.average_rating,
            lambda t: [say.number(t[stats.RATED]), say.decimal(t.average_rating)], maximum=BEST_RATING)
    return sections


def _organisation(org, ref, districts: dict, performance: dict, lang: str, texts: dict, say: "_Formats") -> dict:
    """What "who does what" shows of one organisation: its public contacts, what it serves, how it worked."""
    supervisor = ref.organisations.get(org.supervisor) if org.supervisor else None
    topics = [ref.catalogue.topic(code) for code in org.topics]
    shown = {"code": org.code, "name": org.name(lang), "phone": org.phone, "email": org.email,
             "area": ", ".join(districts[code].name(lang) if code in districts else code for code in org.districts)
             or texts["whole_city"],
             "topics": ", ".join(topic.name(lang) if topic else code for topic, code in zip(topics, org.topics)),
             "supervisor": supervisor.name(lang) if supervisor else "", "record": []}
    if org.kind == "executor":
        totals, labels = performance.get(org.code, statistics.Totals()), ("deadlines", "rating")
    elif org.kind == "department":
        totals = sum((performance.get(o.code, statistics.Totals()) for o in ref.organisations.values()
                      if o.supervisor == org.code), statistics.Totals())
        labels = ("supervised_deadlines", "supervised_rating")
    else:
        return shown
    met = (translate(lang, MET, met=say.number(totals[stats.MET]), done=say.number(totals[stats.DONE]),
                     share=say.percent(totals.compliance)) if totals[stats.DONE] else texts["no_work"])
    rating = (translate(lang, RATING, rating=say.decimal(totals.average_rating), count=say.number(totals[stats.RATED]))
              if totals[stats.RATED] else texts["no_rating"])
    shown["record"] = [(texts[labels[0]], met), (texts[labels[1]], rating)]
    return shown


def _names(ref, kind: str) -> dict:
    """{code: {lang: name}} of the topics (catalogue order) or organisations (directory order)."""
    named = ref.catalogue.topics if kind == stats.TOPIC else ref.organisations.values()
    return {item.code: dict(item.names) for item in named}


def _csv(records, kind: str, names: dict, languages) -> bytes:
    """One row per month and group with any count: codes, names in every language, the counts
    and the median time to close in hours."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "code", *(f"name_{lang}" for lang in languages), *CSV_COUNTS, "median_close_hours"])
    for code, by_month in sorted(statistics.monthly(records, kind).items()):
        for month, totals in sorted(by_month.items()):
            median = totals.median_close_hours
            writer.writerow([month, code, *(names.get(code, {}).get(lang, code) for lang in languages),
                             *(totals[field] for field in CSV_COUNTS), "" if median is None else f"{median:.1f}"])
    return out.getvalue().encode("utf-8")


class _Formats:
    """Numbers, shares and months as `lang` writes them."""

    def __init__(self, lang: str):
        self.lang = lang

    def number(self, n: int) -> str:
        return i18n.number(self.lang, n)

    def decimal(self, x: float) -> str:
        return i18n.number(self.lang, x, decimals=1)

    def percent(self, share: float) -> str:
        return i18n.percent(self.lang, share)

    def hours(self, hours: float) -> str:
        return translate(self.lang, HOURS, hours=self.decimal(hours))

    def month(self, month: str) -> str:
        return i18n.month_name(self.lang, month)

    @staticmethod
    def short_month(month: str) -> str:
        """Two lines under a chart's column: the month's number, then the year ("11\n2026")."""
        year, n = month.split("-")
        return f"{n}\n{year}"

    @staticmethod
    def day(day: date) -> str:
        return day.strftime("%d.%m.%Y")
