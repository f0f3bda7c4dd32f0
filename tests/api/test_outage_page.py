"""The public "Emergency works now" page, outages.json and outages.atom: what they
show in each language, what they never show, and that a notice's change reaches
the site by the next minute tick."""

import html
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from chalicelib import bootstrap
from chalicelib.domain.ticket import Address, State
from chalicelib.jobs import tick
from chalicelib.services import public_pages
from chalicelib.adapters.site import RecordingSite
from tests.builders import make_resident, store_ticket

ATOM = "{http://www.w3.org/2005/Atom}"
NOTICE = {"kind": "heating", "area": "Around the Opera House",
          "addresses": [{"street": "yavornytskoho-ave", "houses": ["8", "44"]}, {"street": "voskresenska"}],
          "reason": "Heating main replaced after a burst.", "starts_at": "2026-11-23T06:00:00Z",
          "expected_end": "2026-11-24T18:00:00Z"}
SECRET_TEXT = "The neighbour above floods us, call Olena"
PUBLIC_TEXT = "Water gushing from the road by the bus stop."


@pytest.fixture
def site():
    return RecordingSite()


@pytest.fixture
def deps(settings, clock, sms, email, site):
    return replace(bootstrap.build(settings, clock=clock, sms=sms, email=email), site=site)


@pytest.fixture
def works(api, deps):
    """A notice and two emergency tickets in progress, beside what must not show: a
    closed notice, an emergency ticket not yet taken up, a short-class one in progress."""
    operator = api.staff("operator")
    api.post("/api/admin/outages", NOTICE, headers=operator)
    closed = api.json(api.post("/api/admin/outages", {**NOTICE, "area": "Closed area"}, headers=operator))
    api.patch(f"/api/admin/outages/{closed['id']}", {"version": 1, "closed": True}, headers=operator)
    resident = make_resident(name="Olena Kovalenko", phone="+380501112233", email="olena@example.org")
    deps.storage.users.create(resident)
    private = dict(reporter_id=resident.id, address=Address("yavornytskoho-ave", "12", entrance="3", flat="Flat 913",
                                                            note="door code 4471"))
    store_ticket(deps.storage, cause="water.main-burst", sla_class="emergency", state=State.IN_PROGRESS,
                 description=SECRET_TEXT, **private)
    store_ticket(deps.storage, cause="water.main-burst", sla_class="emergency", state=State.IN_PROGRESS,
                 description=PUBLIC_TEXT, description_public=True, **private)
    store_ticket(deps.storage, cause="water.main-burst", sla_class="emergency", state=State.NEW,
                 address=Address("voskresenska", "99"))
    store_ticket(deps.storage, cause="water.low-pressure", sla_class="short", state=State.IN_PROGRESS,
                 address=Address("voskresenska", "98"))
    return resident


def text(files, path) -> str:
    return files[path][0].decode("utf-8")


def page(files, lang) -> str:
    return html.unescape(text(files, f"{lang}/outages/index.html"))


def test_the_files_are_a_page_per_language_and_the_json_and_atom_data(deps, works):
    files = public_pages.outage_files(deps)

    assert {path: kind for path, (_, kind) in files.items()} == {
        "uk/outages/index.html": "text/html; charset=utf-8", "ru/outages/index.html": "text/html; charset=utf-8",
        "en/outages/index.html": "text/html; charset=utf-8", "outages.json": "application/json",
        "outages.atom": "application/atom+xml", "outages-summary.json": "application/json"}


@pytest.mark.parametrize("lang, title, district, kinds, street, cause, updated, when", [
    ("uk", "Аварійні роботи зараз", "Центральний район", ("Опалення", "Водопостачання"),
     "проспект Дмитра Яворницького", "Порив водогону: вода б'є з-під землі", "Оновлено: 23.11.2026 11:00",
     "З 23.11.2026 08:00, орієнтовне завершення до 24.11.2026 20:00"),
    ("ru", "Аварийные работы сейчас", "Центральный район", ("Отопление", "Водоснабжение"),
     "проспект Дмитрия Яворницкого", "Порыв водопровода: вода бьёт из-под земли", "Обновлено: 23.11.2026 11:00",
     "С 23.11.2026 08:00, ориентировочное завершение до 24.11.2026 20:00"),
    ("en", "Emergency works now", "Tsentralnyi District", ("Heating", "Water supply"),
     "Dmytra Yavornytskoho Avenue", "Burst water main: water gushing from the ground", "Last updated: 23.11.2026 11:00",
     "From 23.11.2026 08:00, expected to end by 24.11.2026 20:00"),
])
def test_the_page_shows_notices_and_emergency_works_by_district_and_kind_in_each_language(
        deps, works, lang, title, district, kinds, street, cause, updated, when):
    shown = page(public_pages.outage_files(deps), lang)

    assert f'<html lang="{lang}">' in shown
    assert f"<h1>{title}</h1>" in shown and f"<h2>{district}</h2>" in shown
    assert all(f"<h3>{kind}</h3>" in shown for kind in kinds)
    assert f"{street}: 8, 44" in shown and f"{street}: 12" in shown
    assert shown.count(cause) == 2
    assert updated in shown and when in shown  # Kyiv time, two hours ahead of UTC in November
    assert "Around the Opera House" in shown and "Heating main replaced after a burst." in shown
    assert PUBLIC_TEXT in shown
    assert '<link rel="stylesheet" href="/css/site.css">' in shown
    assert all(f'href="/{code}/outages/"' in shown for code in ("uk", "ru", "en"))


def test_what_is_closed_not_yet_taken_up_or_not_an_emergency_is_not_shown(deps, works):
    files = public_pages.outage_files(deps)

    shown = json.loads(text(files, "outages.json"))["outages"]
    assert [(item["type"], [a["houses"] for a in item["addresses"]]) for item in shown] == [
        ("notice", [["8", "44"], []]), ("ticket", [["12"]]), ("ticket", [["12"]])]
    assert not any("Closed area" in text(files, path) for path in files)


def test_no_personal_data_appears_in_any_file(deps, works):
    files = public_pages.outage_files(deps)

    for path in files:
        published = html.unescape(text(files, path))
        for secret in ("Olena", "Kovalenko", "+380501112233", "501112233", "olena@example.org", works.id,
                       "Flat 913", "4471", SECRET_TEXT, "Weak cold water pressure"):
            assert secret not in published, (path, secret)


def test_the_json_has_the_same_data_with_utc_times(deps, works):
    data = json.loads(text(public_pages.outage_files(deps), "outages.json"))

    assert data["updated_at"] == "2026-11-23T09:00:00Z"
    notice, burst, published = data["outages"]
    assert notice == {
        "type": "notice", "id": notice["id"],
        "kind": {"code": "heating", "name": {"uk": "Опалення", "ru": "Отопление", "en": "Heating"}},
        "districts": [{"code": "tsentralnyi", "name": {"uk": "Центральний район", "ru": "Центральный район",
                                                        "en": "Tsentralnyi District"}}],
        "title": {"uk": "Around the Opera House", "ru": "Around the Opera House", "en": "Around the Opera House"},
        "text": "Heating main replaced after a burst.",
        "addresses": [
            {"street": "yavornytskoho-ave", "name": {"uk": "проспект Дмитра Яворницького",
                                                     "ru": "проспект Дмитрия Яворницкого",
                                                     "en": "Dmytra Yavornytskoho Avenue"}, "houses": ["8", "44"]},
            {"street": "voskresenska", "name": {"uk": "вулиця Воскресенська", "ru": "улица Воскресенская",
                                                "en": "Voskresenska Street"}, "houses": []}],
        "starts_at": "2026-11-23T06:00:00Z", "expected_end": "2026-11-24T18:00:00Z",
        "updated_at": "2026-11-23T09:00:00Z"}
    assert (burst["type"], burst["kind"]["code"], burst["text"]) == ("ticket", "water", "")
    assert burst["title"]["en"] == "Burst water main: water gushing from the ground"
    assert burst["addresses"] == [{**notice["addresses"][0], "houses": ["12"]}]
    assert (burst["starts_at"], burst["expected_end"]) == ("2026-11-23T09:00:00Z", "2026-11-23T15:00:00Z")
    assert published["text"] == PUBLIC_TEXT


def test_the_atom_feed_is_valid_xml_with_an_entry_per_notice_and_ticket(deps, works):
    feed = ET.fromstring(public_pages.outage_files(deps)["outages.atom"][0])

    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}updated").text == "2026-11-23T09:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == 3
    assert entries[0].find(f"{ATOM}title").text == "Опалення: Around the Opera House"
    assert all(entry.find(f"{ATOM}updated").text.endswith("Z") for entry in entries)


def test_the_home_page_summary_counts_the_works_by_kind_most_first_and_names_no_place(deps, works):
    summary = json.loads(text(public_pages.outage_files(deps), "outages-summary.json"))

    assert summary == {
        "updated_at": "2026-11-23T09:00:00Z", "count": 3,
        "kinds": [{"code": "water", "name": {"uk": "Водопостачання", "ru": "Водоснабжение", "en": "Water supply"},
                   "count": 2},
                  {"code": "heating", "name": {"uk": "Опалення", "ru": "Отопление", "en": "Heating"}, "count": 1}]}


def test_with_nothing_going_on_the_summary_counts_none(deps):
    summary = json.loads(text(public_pages.outage_files(deps), "outages-summary.json"))

    assert (summary["count"], summary["kinds"]) == (0, [])


def test_with_nothing_going_on_the_page_says_so(deps):
    assert "No emergency works are going on now." in page(public_pages.outage_files(deps), "en")


def test_republishing_hands_every_file_to_the_site_publisher(deps, site):
    paths = public_pages.republish_outages(deps)

    assert paths == sorted(public_pages.outage_files(deps))
    assert len(site.batches) == 1


def test_a_notice_changed_through_the_staff_api_is_republished_by_the_next_tick_and_only_once(api, deps, site):
    operator = api.staff("operator")
    assert "outage_page" not in tick.minute(deps)

    outage = api.json(api.post("/api/admin/outages", NOTICE, headers=operator))
    assert tick.minute(deps)["outage_page"] == sorted(site.batches[0])
    assert "Around the Opera House" in page(site.batches[-1], "en")
    assert "outage_page" not in tick.minute(deps)

    api.patch(f"/api/admin/outages/{outage['id']}", {"version": 1, "area": "Near the circus"}, headers=operator)
    tick.minute(deps)
    assert "Near the circus" in page(site.batches[-1], "en")

    api.patch(f"/api/admin/outages/{outage['id']}", {"version": 2, "closed": True}, headers=operator)
    tick.minute(deps)
    assert "No emergency works are going on now." in page(site.batches[-1], "en")
    assert len(site.batches) == 3
    assert "outage_page" not in tick.minute(deps)


class ChangingSite(RecordingSite):
    """An operator changes a notice while each batch is being published."""

    def __init__(self, deps):
        super().__init__()
        self.deps = deps

    def publish(self, files: dict) -> list:
        public_pages.outages_changed(self.deps)
        return super().publish(files)


def test_a_change_made_while_the_page_is_republished_keeps_it_dirty(deps):
    deps = replace(deps, site=ChangingSite(deps))
    public_pages.outages_changed(deps)

    tick.minute(deps)

    assert tick.minute(deps)["outage_page"]
    assert len(deps.site.batches) == 2


def test_an_emergency_ticket_taken_into_work_is_on_the_page_by_the_next_tick(api, deps, site):
    ticket = store_ticket(deps.storage, cause="water.main-burst", sla_class="emergency", state=State.ASSIGNED,
                          organisation="dniprovodokanal")
    executor = api.staff("executor", organisation="dniprovodokanal")

    answer = api.post(f"/api/admin/tickets/{ticket.id}/accept", {"version": ticket.version}, headers=executor)
    assert answer.status_code == 200, answer.body
    tick.minute(deps)

    assert "Burst water main: water gushing from the ground" in page(site.batches[-1], "en")


def test_a_short_class_ticket_taken_into_work_leaves_the_page_alone(api, deps, site):
    ticket = store_ticket(deps.storage, state=State.ASSIGNED, organisation="dniprovodokanal")
    executor = api.staff("executor", organisation="dniprovodokanal")

    api.post(f"/api/admin/tickets/{ticket.id}/accept", {"version": ticket.version}, headers=executor)

    assert "outage_page" not in tick.minute(deps)
