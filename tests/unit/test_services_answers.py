"""The label people read for each lifecycle state."""

import pytest

from chalicelib.domain.ticket import State
from chalicelib.i18n import translate
from chalicelib.services import answers


def test_every_state_has_a_label():
    assert set(answers.STATUS_LABELS) == set(State)


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_each_state_reads_differently_in_each_language(lang):
    labels = [translate(lang, label) for label in answers.STATUS_LABELS.values()]
    assert len(set(labels)) == len(State)
    assert set(labels).isdisjoint(answers.STATUS_LABELS.values())

