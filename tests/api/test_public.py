"""Anyone may look a ticket up by its number; a misread number finds nothing."""

import pytest

from chalicelib.domain.numbers import ticket_number
from tests.api.client import ticket


@pytest.fixture
def number(api):
    return api.json(api.post("/api/tickets", ticket(), headers=api.sign_in()))["number"]


def test_the_public_answer_has_the_status_place_dates_and_executor_and_nothing_personal(api, number):
    seen = api.json(api.get(f"/api/public/tickets/{number}?lang=uk"))
    assert sorted(seen) == ["address", "category", "cause", "closed_at", "district", "due_at", "filed_at", "number",
                            "organisation", "overdue", "status"]
    assert seen["status"] == "assigned" and seen["closed_at"] is None
    assert seen["filed_at"] == "2026-11-23T09:00:00Z" and seen["due_at"] == "2026-11-24T09:00:00Z"
    assert seen["address"]["house"] == "8" and seen["address"]["street_name"] == "проспект Дмитра Яворницького"


def test_a_number_read_out_with_dashes_is_found(api, number):
    assert api.get(f"/api/public/tickets/{number[:3]}-{number[3:]}").status_code == 200


def test_a_number_with_one_wrong_digit_is_not_found(api, number):
    wrong = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    answer = api.get(f"/api/public/tickets/{wrong}")
    assert answer.status_code == 404 and api.error(answer)["code"] == "ticket_not_found"


@pytest.mark.parametrize("asked", [ticket_number(999), "12", "abcdef", "1" * 30])
def test_an_unknown_or_malformed_number_is_not_found(api, number, asked):
    answer = api.get(f"/api/public/tickets/{asked}")
    assert answer.status_code == 404 and api.error(answer)["code"] == "ticket_not_found"
