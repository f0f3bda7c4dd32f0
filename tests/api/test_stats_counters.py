"""The daily statistics counters as the real services write them, on SQLite and on
DynamoDB under moto: each counting transition of a ticket's life adds to its day's
records of its topic and its organisation, and nothing else does."""

from datetime import timedelta

import pytest

from chalicelib.domain.stats import DayCounts
from chalicelib.services import deadlines
from tests.api.client import ticket

DAY = "2026-11-23"  # the tests' NOW: 11:00 in Kyiv
EXECUTOR, OTHER_EXECUTOR = "dniprovodokanal", "teploenergo"
GROUPS = ("org:dniprovodokanal", "topic:water")


@pytest.fixture
def api(either_api):
    return either_api


class Flow:
    """One ticket's life through the API, the clock moved between the steps."""

    def __init__(self, api):
        self.api, self.clock = api, api.deps.clock
        self.resident = api.sign_in()
        answer = api.post("/api/tickets", ticket(), headers=self.resident)
        assert answer.status_code == 201, answer.body
        self.id = api.json(answer)["id"]

    def staff(self, role: str, name: str, member_of: str | None = None, after: timedelta = timedelta(0),
              **body) -> None:
        self.clock.advance(after)
        version = self.api.deps.storage.tickets.get(self.id).version
        answer = self.api.post(f"/api/admin/tickets/{self.id}/{name}", {"version": version, **body},
                               headers=self.api.staff(role, member_of))
        assert answer.status_code == 200, answer.body

    def executor(self, name: str, member_of: str = EXECUTOR, after: timedelta = timedelta(0), **body) -> None:
        self.staff("executor", name, member_of, after, **body)

    def by_resident(self, name: str, body: dict | None = None, after: timedelta = timedelta(0)) -> None:
        self.clock.advance(after)
        answer = self.api.post(f"/api/tickets/{self.id}/{name}", body, headers=self.resident)
        assert answer.status_code == 200, answer.body

    def done(self, hours_in_work: int = 3) -> None:
        self.executor("accept", after=timedelta(hours=1))
        self.executor("report_done", after=timedelta(hours=hours_in_work), note="Valve replaced.")


def counts(api, first: str = DAY, last: str = DAY) -> list:
    return api.deps.storage.stats.read(first, last)


def both(day: str = DAY, **fields) -> list:
    """The same counts in the ticket's organisation and its topic."""
    return [DayCounts(day, group, fields) for group in GROUPS]


def test_a_ticket_filed_done_in_time_confirmed_and_rated_counts_exactly_so(api):
    flow = Flow(api)
    flow.done()  # 15:00, the deadline is tomorrow at 11:00
    flow.by_resident("confirm", after=timedelta(hours=1))  # closed five hours after filing
    flow.by_resident("rate", {"stars": 4})

    assert counts(api) == both(filed=1, done=1, met=1, confirmed=1, closed=1, close_6h=1, rated=1, rating_sum=4)


def test_filing_alone_counts_one_filed_ticket_and_nothing_else_moves_the_counters_until_work_is_done(api):
    flow = Flow(api)
    flow.executor("accept", after=timedelta(hours=1))
    flow.executor("comment", text="On our way.")

    assert counts(api) == both(filed=1)


def test_a_refutation_counts_refuted_and_no_close(api):
    flow = Flow(api)
    flow.done()
    flow.by_resident("refute", {"comment": "Still no pressure on the 9th floor."}, after=timedelta(hours=1))

    assert counts(api) == both(filed=1, done=1, met=1, refuted=1)


def test_the_operators_call_back_counts_as_the_residents_answer_would(api):
    satisfied, unsatisfied = Flow(api), Flow(api)  # both filed at 11:00
    satisfied.done()  # 15:00
    unsatisfied.done()  # 19:00
    satisfied.staff("operator", "callback_satisfied", after=timedelta(hours=1))  # nine hours after filing
    unsatisfied.staff("operator", "callback_unsatisfied", note="The resident still has no water upstairs.")

    assert counts(api) == both(filed=2, done=2, met=2, confirmed=1, refuted=1, closed=1, close_12h=1)


def test_work_nobody_answers_for_is_closed_by_the_sweep_and_counted_as_auto_closed_on_that_day(api):
    flow = Flow(api)
    flow.done()
    api.deps.clock.advance(timedelta(days=api.deps.city.sla.auto_close_days, minutes=1))

    assert deadlines.sweep(api.deps) == {"acted": 1}

    closed_on = "2026-11-28"
    assert api.deps.storage.tickets.get(flow.id).state.value == "closed"
    assert counts(api, DAY, closed_on) == both(filed=1, done=1, met=1) + both(
        closed_on, auto_closed=1, closed=1, close_168h=1)


def test_work_reported_done_after_the_deadline_counts_done_but_not_met(api):
    flow = Flow(api)
    flow.done(hours_in_work=30)  # the deadline passed at 11:00 the next day

    assert api.deps.storage.tickets.get(flow.id).deadline_met is False
    assert counts(api, DAY, "2026-11-24") == both(filed=1) + both("2026-11-24", done=1)


def test_work_rerouted_to_another_organisation_counts_there_from_then_on(api):
    flow = Flow(api)
    flow.staff("operator", "route", organisation=OTHER_EXECUTOR)
    flow.executor("accept", OTHER_EXECUTOR, after=timedelta(hours=1))
    flow.executor("report_done", OTHER_EXECUTOR, after=timedelta(hours=3), note="Done.")

    assert counts(api) == [DayCounts(DAY, "org:dniprovodokanal", {"filed": 1}),
                           DayCounts(DAY, "org:teploenergo", {"done": 1, "met": 1}),
                           DayCounts(DAY, "topic:water", {"filed": 1, "done": 1, "met": 1})]


def test_a_refused_stale_command_counts_nothing(api):
    flow = Flow(api)
    flow.executor("accept", after=timedelta(hours=1))
    stale = api.deps.storage.tickets.get(flow.id).version - 1

    answer = api.post(f"/api/admin/tickets/{flow.id}/report_done", {"version": stale, "note": "Done."},
                      headers=api.staff("executor", EXECUTOR))

    assert answer.status_code == 409
    assert counts(api) == both(filed=1)
