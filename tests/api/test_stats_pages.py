"""The statistics page, its CSV open data and "who does what", generated from a known
year of tickets filed and worked through the real services (SQLite, the fixed clock):
what they show in each language, what they never show, and that they read the daily
records of the days they show and never a ticket."""

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.ticket import SYSTEM, Actor
from chalicelib.services import directory_admin, stats_pages, tickets
from chalicelib.services.ports import StatsStore
from tests.builders import make_resident, make_staff

SVG = "{http://www.w3.org/2000/svg}"
SECRET_TEXT = "Leaking pipe above, call Olena on her mobile"
REFUTATION = "Still no pressure, ask Olena Kovalenko"
NOTE = "Valve 77 replaced in the basement"
VODOKANAL = Actor("executor", "staff-vodokanal", "dniprovodokanal")
TEPLO = Actor("executor", "staff-teplo", "teploenergo")
LOW_PRESSURE, COLD = "water.low-pressure", "heating.low-temperature"  # short class: 24 hours


def at(day: str, hour: int = 8) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc)


@pytest.fixture
def resident(deps):
    person = make_resident(name="Olena Kovalenko", phone="+380501112233", email="olena@example.org")
    deps.storage.users.create(person)
    return person


def story(deps, clock, resident, filed_at: datetime, cause: str, executor: Actor, *steps) -> None:
    """File a ticket at `filed_at`, then take each (hours later, command, data) in turn: the
    executor's commands as the executor, the resident's through the resident's own service."""
    clock.set(filed_at)
    payload = {"cause": cause, "description": SECRET_TEXT,
               "address": {"street": "yavornytskoho-ave", "house": "8", "flat": "Flat 913", "note": "door code 4471"}}
    ticket_id = tickets.file_ticket(deps, resident, payload)["id"]
    for hours, command, data in steps:
        clock.advance(timedelta(hours=hours))
        if command in ("confirm", "refute", "rate"):
            getattr(tickets, command)(deps, resident, ticket_id, *([data] if command != "confirm" else []))
        else:
            actor = SYSTEM if command == "auto_close" else executor
            tickets.take_command(deps, actor, deps.storage.tickets.get(ticket_id), command, data)


ACCEPT, CONFIRM = ("accept", {}), ("confirm", {})
DONE = ("report_done", {"note": NOTE})


@pytest.fixture
def year(deps, clock, resident):
    """Seven tickets from November 2025 to November 2026, the clock back at NOW (23 November 2026).

    water (Dniprovodokanal): 2025-11 filed (before the 12 months shown); 2026-07 done late,
    confirmed, 32 h; 2026-09 done in time, confirmed, 6 h, 5 stars, and one done late and refuted;
    2026-10 done in time, closed by itself after 5 days; 2026-11 done in time, confirmed, 9 h, 4 stars.
    heating (Teploenergo): 2026-10 done in time, confirmed, 13 h, 3 stars; 2026-11 filed."""
    now = clock.now()
    story(deps, clock, resident, at("2025-11-14"), LOW_PRESSURE, VODOKANAL)
    story(deps, clock, resident, at("2026-07-01"), LOW_PRESSURE, VODOKANAL, (1, *ACCEPT), (30, *DONE), (1, *CONFIRM))
    story(deps, clock, resident, at("2026-09-10"), LOW_PRESSURE, VODOKANAL, (1, *ACCEPT), (4, *DONE), (1, *CONFIRM),
          (0, "rate", {"stars": 5, "comment": "Thanks to Olena's neighbour"}))
    story(deps, clock, resident, at("2026-09-10", 9), LOW_PRESSURE, VODOKANAL, (30, *ACCEPT), (2, *DONE),
          (2, "refute", {"comment": REFUTATION}))
    story(deps, clock, resident, at("2026-10-15"), LOW_PRESSURE, VODOKANAL, (1, *ACCEPT), (1, *DONE),
          (24 * 5, "auto_close", {}))
    story(deps, clock, resident, at("2026-10-15"), COLD, TEPLO, (2, *ACCEPT), (10, *DONE), (1, *CONFIRM),
          (0, "rate", {"stars": 3}))
    story(deps, clock, resident, at("2026-11-02"), LOW_PRESSURE, VODOKANAL, (2, *ACCEPT), (6, *DONE), (1, *CONFIRM),
          (0, "rate", {"stars": 4}))
    story(deps, clock, resident, at("2026-11-02"), COLD, TEPLO)
    clock.set(now)
    return resident


def text(files: dict, path: str) -> str:
    return files[path][0].decode("utf-8")


def tables(page: str) -> dict:
    """{caption: [[cell text, ...] per row, the header row first]} of every table on the page."""
    found = {}
    for markup in re.findall(r"<table.*?</table>", page, re.S):
        table = ET.fromstring(markup)
        found[table.find("caption").text] = [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")]
    return found


def row(table: list, first: str) -> list:
    return next(cells[1:] for cells in table if cells[0] == first)


def charts(page: str) -> list:
    return [ET.fromstring(markup) for markup in re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart".*?</svg>',
                                                             page, re.S)]


def organisation(page: str, code: str) -> dict:
    """{term: description} of an organisation's card, with its name under 'name'."""
    card = ET.fromstring(re.search(rf'<li class="ticket organisation" id="{code}">.*?</li>', page, re.S).group(0))
    terms = {"name": card.find("h3").text}
    for pair in card.iter("div"):
        terms[pair.find("dt").text] = "".join(pair.find("dd").itertext())
    return terms


def test_the_files_are_a_page_per_language_and_two_csv_files(deps, year):
    files = {**stats_pages.stats_files(deps), **stats_pages.organisation_files(deps)}

    html_type, csv_type = "text/html; charset=utf-8", "text/csv; charset=utf-8"
    assert {path: kind for path, (_, kind) in files.items()} == {
        "uk/stats/index.html": html_type, "ru/stats/index.html": html_type, "en/stats/index.html": html_type,
        "uk/organisations/index.html": html_type, "ru/organisations/index.html": html_type,
        "en/organisations/index.html": html_type,
        "stats/tickets-by-month.csv": csv_type, "stats/organisations-by-month.csv": csv_type}


LANGUAGES = {
    "uk": {"title": "Статистика", "water": "Водопостачання", "heating": "Опалення", "first": "грудень 2025",
           "last": "листопад 2026", "total": "Усього", "vodokanal": "КП «Дніпроводоканал»",
           "teplo": "КП «Теплоенерго»", "filed": "Звернення за категоріями та місяцями",
           "compliance": "Дотримання строків за організаціями", "closing": "Медіанний час до закриття за категоріями",
           "confirmed": "Роботи, підтверджені мешканцями, за категоріями",
           "rating": "Середня оцінка за категоріями", "hours": ("12,0 год", "15,0 год"), "ratings": ("4,5", "3,0")},
    "ru": {"title": "Статистика", "water": "Водоснабжение", "heating": "Отопление", "first": "декабрь 2025",
           "last": "ноябрь 2026", "total": "Всего", "vodokanal": "КП «Днепроводоканал»", "teplo": "КП «Теплоэнерго»",
           "filed": "Обращения по категориям и месяцам", "compliance": "Соблюдение сроков по организациям",
           "closing": "Медианное время до закрытия по категориям",
           "confirmed": "Работы, подтверждённые жителями, по категориям",
           "rating": "Средняя оценка по категориям", "hours": ("12,0 ч", "15,0 ч"), "ratings": ("4,5", "3,0")},
    "en": {"title": "Statistics", "water": "Water supply", "heating": "Heating", "first": "December 2025",
           "last": "November 2026", "total": "Total", "vodokanal": "Dniprovodokanal Municipal Water Utility",
           "teplo": "Teploenergo Municipal Heating Utility", "filed": "Tickets by category and month",
           "compliance": "Deadlines met, by organisation", "closing": "Median time to close, by category",
           "confirmed": "Work confirmed by residents, by category", "rating": "Average rating, by category",
           "hours": ("12.0 h", "15.0 h"), "ratings": ("4.5", "3.0")},
}


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_the_statistics_page_counts_tickets_by_category_and_month_in_each_language(deps, year, lang):
    say = LANGUAGES[lang]
    page = html.unescape(text(stats_pages.stats_files(deps), f"{lang}/stats/index.html"))

    assert f'<html lang="{lang}">' in page and f"<h1>{say['title']}</h1>" in page
    filed = tables(page)[say["filed"]]
    assert filed[0][1] == say["first"] and filed[0][-2] == say["last"] and len(filed[0]) == 14
    # December 2025 to November 2026: July, September, October, November; the total last.
    assert row(filed, say["water"]) == ["0"] * 7 + ["1", "0", "2", "1", "1", "5"]
    assert row(filed, say["heating"]) == ["0"] * 10 + ["1", "1", "2"]
    assert row(filed, say["total"]) == ["0"] * 7 + ["1", "0", "2", "2", "2", "7"]


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_the_statistics_page_shows_deadlines_closing_times_confirmations_and_ratings(deps, year, lang):
    say = LANGUAGES[lang]
    found = tables(html.unescape(text(stats_pages.stats_files(deps), f"{lang}/stats/index.html")))

    # Of Dniprovodokanal's five reports, July's and September's second were late.
    assert row(found[say["compliance"]], say["vodokanal"]) == ["5", "3", "60%"]
    assert row(found[say["compliance"]], say["teplo"]) == ["1", "1", "100%"]
    # Water closed in 6, 9, 32 and 122 hours: the middle falls in the 8-12 hours band, at its top.
    assert row(found[say["closing"]], say["water"]) == ["4", say["hours"][0]]
    assert row(found[say["closing"]], say["heating"]) == ["1", say["hours"][1]]
    assert row(found[say["confirmed"]], say["water"]) == ["3", "1", "1", "60%"]
    assert row(found[say["confirmed"]], say["heating"]) == ["1", "0", "0", "100%"]
    assert row(found[say["rating"]], say["water"]) == ["2", say["ratings"][0]]
    assert row(found[say["rating"]], say["heating"]) == ["1", say["ratings"][1]]
    assert len(found) == 5


def test_every_table_has_a_caption_and_scoped_headers(deps, year):
    page = text(stats_pages.stats_files(deps), "en/stats/index.html")

    for markup in re.findall(r"<table.*?</table>", page, re.S):
        table = ET.fromstring(markup)
        assert table.find("caption").text
        assert all(cell.get("scope") == "col" for cell in table.find("thead").iter("th"))
        assert all(body_row.find("th").get("scope") == "row" for body_row in table.find("tbody").iter("tr"))


def test_each_chart_is_a_well_formed_svg_image_with_a_title_and_a_description(deps, year):
    page = text(stats_pages.stats_files(deps), "en/stats/index.html")

    drawn = charts(page)
    assert [chart.find(f"{SVG}title").text for chart in drawn] == [
        "Tickets by category and month", "Deadlines met, by organisation", "Median time to close, by category",
        "Work confirmed by residents, by category", "Average rating, by category"]
    assert all(chart.get("role") == "img" and chart.find(f"{SVG}desc").text for chart in drawn)
    assert all(element.get("style") is None for chart in drawn for element in chart.iter())
    # The month chart stacks water and heating in their own colours; a bar per organisation.
    assert {rect.get("class") for rect in drawn[0].iter(f"{SVG}rect")} == {"series-0", "series-1"}
    assert len(list(drawn[1].iter(f"{SVG}rect"))) == 2
    assert "style=" not in page


def test_the_page_links_the_open_data_and_each_csv_names_codes_in_every_language(deps, year):
    files = stats_pages.stats_files(deps)
    page = text(files, "en/stats/index.html")
    assert 'href="/stats/tickets-by-month.csv"' in page and 'href="/stats/organisations-by-month.csv"' in page

    by_topic = list(csv.DictReader(io.StringIO(text(files, "stats/tickets-by-month.csv"))))
    assert [(r["month"], r["code"], r["filed"]) for r in by_topic] == [
        ("2026-10", "heating", "1"), ("2026-11", "heating", "1"), ("2026-07", "water", "1"), ("2026-09", "water", "2"),
        ("2026-10", "water", "1"), ("2026-11", "water", "1")]
    september = by_topic[3]
    assert (september["name_uk"], september["name_ru"], september["name_en"]) == (
        "Водопостачання", "Водоснабжение", "Water supply")
    assert {name: september[name] for name in ("done", "met", "closed", "confirmed", "refuted", "auto_closed",
                                               "rated", "rating_sum", "median_close_hours")} == {
        "done": "2", "met": "1", "closed": "1", "confirmed": "1", "refuted": "1", "auto_closed": "0",
        "rated": "1", "rating_sum": "5", "median_close_hours": "5.0"}
    assert by_topic[0]["median_close_hours"] == "15.0" and by_topic[1]["median_close_hours"] == ""

    by_organisation = list(csv.DictReader(io.StringIO(text(files, "stats/organisations-by-month.csv"))))
    assert [(r["month"], r["code"], r["done"], r["met"]) for r in by_organisation] == [
        ("2026-07", "dniprovodokanal", "1", "0"), ("2026-09", "dniprovodokanal", "2", "1"),
        ("2026-10", "dniprovodokanal", "1", "1"), ("2026-11", "dniprovodokanal", "1", "1"),
        ("2026-10", "teploenergo", "1", "1"), ("2026-11", "teploenergo", "0", "0")]
    assert by_organisation[0]["name_en"] == "Dniprovodokanal Municipal Water Utility"


ORGANISATIONS = {
    "uk": {"met": "3 з 4 у строк (75%)", "rating": "4,5 з 5, оцінок: 2", "teplo": "1 з 1 у строк (100%)",
           "department": "4 з 5 у строк (80%)", "department_rating": "4,0 з 5, оцінок: 3",
           "idle": "Жодної завершеної роботи за останні 90 днів", "whole": "Усе місто",
           "area": "Соборний район, Центральний район", "topics": "Водопостачання, Водовідведення",
           "supervisor": "Департамент житлово-комунального господарства"},
    "ru": {"met": "3 из 4 в срок (75%)", "rating": "4,5 из 5, оценок: 2", "teplo": "1 из 1 в срок (100%)",
           "department": "4 из 5 в срок (80%)", "department_rating": "4,0 из 5, оценок: 3",
           "idle": "Ни одной завершённой работы за последние 90 дней", "whole": "Весь город",
           "area": "Соборный район, Центральный район", "topics": "Водоснабжение, Канализация",
           "supervisor": "Департамент жилищно-коммунального хозяйства"},
    "en": {"met": "3 of 4 on time (75%)", "rating": "4.5 of 5, ratings given: 2", "teplo": "1 of 1 on time (100%)",
           "department": "4 of 5 on time (80%)", "department_rating": "4.0 of 5, ratings given: 3",
           "idle": "No finished work in the last 90 days", "whole": "The whole city",
           "area": "Sobornyi District, Tsentralnyi District", "topics": "Water supply, Sewerage",
           "supervisor": "Housing and Utilities Department"},
}


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_who_does_what_shows_each_organisation_with_its_contacts_area_and_last_90_days(deps, year, lang):
    say = ORGANISATIONS[lang]
    page = html.unescape(text(stats_pages.organisation_files(deps), f"{lang}/organisations/index.html"))

    # July's late report is older than 90 days: of the four since, one was late.
    vodokanal = list(organisation(page, "dniprovodokanal").values())
    assert vodokanal == [LANGUAGES[lang]["vodokanal"], "+380567000201", "vodokanal@dnipro.example", say["whole"],
                         say["topics"], say["supervisor"], say["met"], say["rating"]]
    assert say["teplo"] in organisation(page, "teploenergo").values()
    assert list(organisation(page, "dept-housing").values())[-2:] == [say["department"], say["department_rating"]]
    assert say["area"] in organisation(page, "zhek-12").values()
    assert say["idle"] in organisation(page, "dniprosvitlo").values()
    inspectorate = organisation(page, "housing-inspectorate")
    assert say["idle"] not in inspectorate.values() and "+380567000140" in inspectorate.values()
    assert f'<a href="/{lang}/organisations/" aria-current="page">' in page
    assert all(f'href="/{code}/organisations/"' in page for code in ("uk", "ru", "en"))


def test_with_no_records_yet_every_section_says_so_instead_of_a_chart(deps):
    files = {**stats_pages.stats_files(deps), **stats_pages.organisation_files(deps)}

    page = text(files, "en/stats/index.html")
    assert page.count("No data yet.") == 5 and not charts(page) and "<table" not in page
    assert text(files, "stats/tickets-by-month.csv").splitlines()[0].startswith("month,code,name_uk,name_ru,name_en")
    assert len(text(files, "stats/tickets-by-month.csv").splitlines()) == 1
    assert "No finished work in the last 90 days" in text(files, "en/organisations/index.html")
    assert "Немає" not in text(files, "uk/stats/index.html") and "Даних поки немає." in text(files, "uk/stats/index.html")


def test_no_personal_data_of_the_residents_appears_in_any_file(deps, year):
    files = {**stats_pages.stats_files(deps), **stats_pages.organisation_files(deps)}
    numbers = [ticket.number for ticket in deps.storage.tickets.by_reporter(year.id)]
    ids = [ticket.id for ticket in deps.storage.tickets.by_reporter(year.id)]

    for path in files:
        published = html.unescape(text(files, path))
        for secret in ("Olena", "Kovalenko", "+380501112233", "501112233", "olena@example.org", year.id,
                       "Flat 913", "4471", SECRET_TEXT, REFUTATION, NOTE, "neighbour", *numbers, *ids):
            assert secret not in published, (path, secret)


class Refusing:
    """A ticket store any use of which fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the pages read tickets: {name}")


class CountingStats(StatsStore):
    def __init__(self, real):
        self.real, self.reads = real, []

    def read(self, first_day: str, last_day: str) -> list:
        self.reads.append((first_day, last_day))
        return self.real.read(first_day, last_day)


def test_generating_reads_the_days_shown_and_never_a_ticket(deps, year):
    counting = CountingStats(deps.storage.stats)
    blind = replace(deps, storage=replace(deps.storage, tickets=Refusing(), stats=counting))

    assert stats_pages.stats_files(blind) == stats_pages.stats_files(deps)
    assert stats_pages.organisation_files(blind) == stats_pages.organisation_files(deps)
    # The 12 months up to 23 November 2026; the 90 days up to it.
    assert counting.reads == [("2025-12-01", "2026-11-23"), ("2026-08-26", "2026-11-23")]


def test_an_admins_edit_of_an_organisation_keeps_the_area_it_serves(deps):
    admin = make_staff(role="admin")
    stored = next(o for o in deps.storage.directory.organisations() if o.code == "zhek-27")
    data = {**stored.to_data(), "phone": "+380567000399"}
    del data["districts"]

    directory_admin.update_organisation(deps, Actor("admin", admin.id), "zhek-27", data)

    page = html.unescape(text(stats_pages.organisation_files(deps), "en/organisations/index.html"))
    assert organisation(page, "zhek-27")["Area"] == "Chechelivskyi District, Shevchenkivskyi District"
    assert organisation(page, "zhek-27")["Phone"] == "+380567000399"


def test_every_executors_area_names_districts_of_the_registry(deps):
    known = {district.code for district in deps.storage.directory.registry().districts}

    for org in deps.storage.directory.organisations():
        assert set(org.districts) <= known, org.code
