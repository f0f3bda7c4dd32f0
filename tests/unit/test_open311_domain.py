"""Open311 in the domain's terms: the one status table, the notes and updates a history
gives, the address id, and reading an address written out onto the street registry."""

import json
from pathlib import Path

import pytest

from chalicelib.domain import open311
from chalicelib.domain.address import Registry
from chalicelib.domain.ticket import FINAL, Actor, Command, State, apply
from chalicelib.services.permissions import MAY, can_see, check
from chalicelib.domain.errors import Forbidden
from tests.builders import NOW, OPERATOR, filed_ticket

DATA = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "data"
PARTNER = Actor("open311", "key-1")


@pytest.fixture(scope="module")
def registry():
    load = lambda name: json.loads((DATA / name).read_text(encoding="utf-8"))  # noqa: E731
    return Registry.from_data(load("city.json")["districts"], load("streets.json"), load("buildings.json"))


def test_every_state_has_an_extended_status_and_a_request_is_open_exactly_while_its_ticket_is():
    assert set(open311.UPDATE_STATUSES) == set(State)
    for state in State:
        ticket, _ = filed_ticket(state=state)
        assert open311.status(ticket) == ("closed" if state in FINAL else "open")


@pytest.mark.parametrize("command, data, status", [
    ("confirm", {}, "FIXED"),
    ("callback_satisfied", {}, "FIXED"),
    ("auto_close", {}, "FIXED"),
])
def test_closing_after_the_work_was_done_is_fixed(command, data, status):
    ticket, _ = filed_ticket(state=State.DONE)

    _, [event] = apply(ticket, Command(command, OPERATOR, data), NOW)

    assert open311.update_status(event) == status


def test_the_inspectorates_closing_is_closed_since_it_says_nothing_of_the_work():
    ticket, _ = filed_ticket(state=State.INSPECTION)

    _, [event] = apply(ticket, Command("resolve", Actor("inspector", "i-1")), NOW)

    assert open311.update_status(event) == "CLOSED"


def test_the_filing_is_a_note_opening_the_request_and_no_update():
    _, [filing] = filed_ticket()

    assert open311.is_note(filing) and not filing.changes_state
    assert open311.note_type(filing) == "opened"


def test_a_comment_is_neither_a_note_nor_an_update_and_a_closing_is_a_closed_note():
    ticket, _ = filed_ticket()
    commented, [comment] = apply(ticket, Command("comment", OPERATOR, {"text": "Flat 14 called again."}), NOW)
    _, [rejection] = apply(commented, Command("reject", OPERATOR, {"reason": "Not ours."}), NOW)

    assert not open311.is_note(comment) and not comment.changes_state
    assert open311.is_note(rejection) and open311.note_type(rejection) == "closed"


@pytest.mark.parametrize("text, expected", [
    ("yavornytskoho-ave:8", ("yavornytskoho-ave", "8")),
    ("voskresenska:12/1", ("voskresenska", "12/1")),
    (" voskresenska : 5 ", ("voskresenska", "5")),
    ("voskresenska", None),
    ("voskresenska:", None),
    (":5", None),
    ("voskresenska:" + "1" * 21, None),
])
def test_an_address_id_is_a_street_code_a_colon_and_a_house(text, expected):
    assert open311.split_address_id(text) == expected


def test_an_address_id_reads_back_as_it_was_written():
    assert open311.split_address_id(open311.address_id("voskresenska", "12/1")) == ("voskresenska", "12/1")


@pytest.mark.parametrize("written, expected", [
    ("проспект Дмитра Яворницького, 8, Дніпро", ("yavornytskoho-ave", "8")),
    ("просп. Дмитра Яворницького 8", ("yavornytskoho-ave", "8")),
    ("49000, м. Дніпро, просп. Дмитра Яворницького, 103а", ("yavornytskoho-ave", "103А")),
    ("8 Dmytra Yavornytskoho Avenue, Dnipro 49000", ("yavornytskoho-ave", "8")),
    ("проспект Дмитрия Яворницкого, 44", ("yavornytskoho-ave", "44")),
    ("вул. Воскресенська 12/1", ("voskresenska", "12/1")),
    ("вулиця Троїцька, буд. 5-Б", ("troitska", "5-Б")),
    ("Запорізьке шосе, 3", ("zaporizke-shose", "3")),
    ("улица Набережная Победы 10", ("naberezhna-peremohy", "10")),
])
def test_an_address_written_out_is_found_in_the_registry(registry, written, expected):
    assert registry.find_address(written) == expected


@pytest.mark.parametrize("written", [
    "Baker Street 221B",  # no such street
    "вулиця Троїцька",  # no house
    "Набережна, 5",  # two streets are a Naberezhna: neither is named
    "49000, Дніпро",  # a postcode is no house, and there is no street
    "",
])
def test_an_address_the_registry_cannot_place_is_not_guessed(registry, written):
    assert registry.find_address(written) is None


def test_of_two_streets_named_the_one_whose_name_is_the_longer_match_wins():
    registry = Registry.from_data([], [
        {"code": "shevchenka", "name": {"uk": "вулиця Шевченка", "ru": "улица Шевченко", "en": "Shevchenka Street"},
         "district": "d"},
        {"code": "tarasa-shevchenka", "name": {"uk": "вулиця Тараса Шевченка", "ru": "улица Тараса Шевченко",
                                               "en": "Tarasa Shevchenka Street"}, "district": "d"},
    ], [])

    assert registry.find_address("вулиця Тараса Шевченка, 5") == ("tarasa-shevchenka", "5")
    assert registry.find_address("вулиця Шевченка, 5") == ("shevchenka", "5")


def test_a_partners_key_may_file_and_do_nothing_else_and_sees_no_ticket_through_the_staff_paths():
    ticket, _ = filed_ticket()

    check(PARTNER, "file")
    assert MAY["open311"] == {"file"}
    assert not can_see(PARTNER, ticket)
    with pytest.raises(Forbidden):
        check(PARTNER, "comment")
