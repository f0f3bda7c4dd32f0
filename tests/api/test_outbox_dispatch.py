"""Each queued message is sent exactly once: when the process dies between the
ticket's write and the SMS, and when two dispatchers work the same outbox (real
threads on SQLite; on DynamoDB, whose emulation does not serialise concurrent
conditional writes, a fixed interleaving in which both read every message first)."""

import sqlite3
import threading
from collections import Counter
from contextlib import closing
from dataclasses import replace

import pytest

from chalicelib.adapters import sqlite
from chalicelib.adapters.sms import RecordingSms
from chalicelib.domain.outbox import SENT
from chalicelib.jobs import tick
from chalicelib.services import outbox
from chalicelib.services.ports import SmsSender
from tests.api.client import PHONE_E164, ticket
from tests.aws import dynamodb_deps as deps_on_dynamodb
from tests.builders import make_message

MESSAGES = 200


class ProcessDied(BaseException):
    """What the Lambda's end looks like from inside: no `except Exception` stops it."""


class DyingSms(RecordingSms):
    """Records like RecordingSms; after `die_on_next_send()` the next send kills the process."""

    dying = False

    def die_on_next_send(self):
        self.dying = True

    def send(self, to, text, *, urgent=False):
        if self.dying:
            self.dying = False
            raise ProcessDied()
        return super().send(to, text, urgent=urgent)


@pytest.fixture
def sms():
    return DyingSms()


def stored_messages(deps) -> list:
    with closing(sqlite3.connect(deps.settings.db_path)) as db:
        return [row[0] for row in db.execute("SELECT id FROM outbox")]


def test_a_process_that_dies_before_the_sms_leaves_it_for_the_tick_to_send_exactly_once(api, sms, clock):
    cookie = api.sign_in()
    signed_in_texts = len(sms.sent)
    sms.die_on_next_send()

    with pytest.raises(ProcessDied):
        api.post("/api/tickets", ticket(), headers=cookie)

    # The transition is written; the SMS is not sent but claimed by the dead process.
    [filed] = api.json(api.get("/api/tickets", headers=cookie))["current"]
    assert not any(filed["number"] in s.text for s in sms.sent)
    queued = stored_messages(api.deps)
    tick.minute(api.deps)
    assert not any(filed["number"] in text for text in sms.to(PHONE_E164))

    clock.advance(outbox.LEASE)
    tick.minute(api.deps)
    assert tick.minute(api.deps) == {"outbox": {}}

    assert len([text for text in sms.to(PHONE_E164) if filed["number"] in text]) == 1
    sent = [api.deps.storage.outbox.get(id) for id in queued]
    assert [m.status for m in sent] == [SENT] * len(queued)
    assert len(sms.sent) - signed_in_texts == len([m for m in sent if m.channel == "sms"])


class ThreadSafeRecorder(SmsSender):
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = Counter()

    def send(self, to, text, *, urgent=False):
        with self.lock:
            self.sent[to] += 1
            return f"sent-{sum(self.sent.values())}"


def pending_messages(count: int) -> list:
    return [make_message(to=f"+38050{n:07d}") for n in range(count)]


def dispatch_until_empty(deps) -> Counter:
    outcomes = Counter()
    while deps.storage.outbox.ready(deps.clock.now()):
        outcomes.update(outbox.dispatch_ready(deps))
    return outcomes


def test_two_dispatcher_threads_over_one_sqlite_file_send_each_message_once(deps):
    deps.storage.outbox.add(pending_messages(MESSAGES))
    sender = ThreadSafeRecorder()
    # Two dispatchers as two processes would be: each its own connections to the file.
    dispatchers = [replace(deps, storage=sqlite.open_storage(deps.settings.db_path), sms=sender) for _ in range(2)]
    outcomes = [Counter(), Counter()]
    start = threading.Barrier(2)

    def run(n):
        start.wait()
        outcomes[n] = dispatch_until_empty(dispatchers[n])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sender.sent) == MESSAGES and set(sender.sent.values()) == {1}
    assert outcomes[0]["sent"] + outcomes[1]["sent"] == MESSAGES
    assert deps.storage.outbox.ready(deps.clock.now()) == []


class InterleavingSms(ThreadSafeRecorder):
    """While dispatcher A hands a message to the provider, dispatcher B tries to
    send the same message: the moment a double send would happen."""

    def __init__(self):
        super().__init__()
        self.other = None  # dispatcher B's Deps
        self.ids = {}  # phone -> message id
        self.others_tries = Counter()

    def send(self, to, text, *, urgent=False):
        self.others_tries[outbox.send(self.other, self.ids[to])] += 1
        return super().send(to, text, urgent=urgent)


@pytest.fixture
def dynamodb_deps(settings, clock, monkeypatch):
    with deps_on_dynamodb(settings, monkeypatch, "dispatch-", clock=clock, sms=RecordingSms()) as deps:
        yield deps


def test_two_dispatchers_that_both_read_every_message_send_each_once_on_dynamodb(dynamodb_deps):
    messages = pending_messages(MESSAGES)
    for start in range(0, MESSAGES, 100):  # a DynamoDB transaction writes at most 100 items
        dynamodb_deps.storage.outbox.add(messages[start:start + 100])
    a_sends, b_sends = InterleavingSms(), ThreadSafeRecorder()
    a, b = replace(dynamodb_deps, sms=a_sends), replace(dynamodb_deps, sms=b_sends)
    a_sends.other, a_sends.ids = b, {m.to: m.id for m in messages}
    now = dynamodb_deps.clock.now()

    a_read, b_read = (dynamodb_deps.storage.outbox.ready(now, limit=MESSAGES) for _ in range(2))
    assert len(a_read) == MESSAGES and a_read == b_read

    outcomes = [(outbox.send(a, mine.id), outbox.send(b, theirs.id)) for mine, theirs in zip(a_read, b_read)]

    assert outcomes == [("sent", "skipped")] * MESSAGES
    assert a_sends.others_tries == {"skipped": MESSAGES}
    assert len(a_sends.sent) == MESSAGES and set(a_sends.sent.values()) == {1} and not b_sends.sent
