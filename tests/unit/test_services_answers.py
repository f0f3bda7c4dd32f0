"""The label people read for each lifecycle state."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.ticket import State
from chalicelib.i18n import translate
from chalicelib.services import answers


def test_a_time_is_in_utc_with_a_z_and_a_year_of_four_digits():
    assert answers.utc(datetime(2026, 11, 23, 11, 0, 30, 500, tzinfo=ZoneInfo("Europe/Kyiv"))) == "2026-11-23T09:00:30Z"
    assert answers.utc(datetime(211, 8, 28, 14, 29, 29, tzinfo=timezone.utc)) == "0211-08-28T14:29:29Z"


def test_every_state_has_a_label():
    assert set(answers.STATUS_LABELS) == set(State)


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_each_state_reads_differently_in_each_language(lang):
    labels = [translate(lang, label) for label in answers.STATUS_LABELS.values()]
    assert len(set(labels)) == len(State)
    assert set(labels).isdisjoint(answers.STATUS_LABELS.values())

