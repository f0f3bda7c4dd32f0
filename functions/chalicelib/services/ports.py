"""The ports the services need. Each has a SQLite and a DynamoDB adapter that pass
one contract suite (tests/contract/). Times are timezone-aware UTC datetimes.

Conventions every adapter keeps:
- a method that writes several things writes all or nothing;
- a refused condition raises the domain error named in its docstring and writes nothing;
- lists come back in the order the docstring names.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.audit import ContactView
from ..domain.catalogue import Catalogue
from ..domain.address import Registry
from ..domain.open311_key import Open311Key
from ..domain.outage import Outage
from ..domain.organisation import Organisation
from ..domain.outbox import OutboxMessage
from ..domain.resident import PHONE, Resident
from ..domain.session import Session, SignInCode, SignInLink
from ..domain.staff import StaffMember
from ..domain.ticket import Ticket


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first answer to a write a phone may repeat, kept under the caller's key."""

    key: str  # already scoped by the service, e.g. "tickets:<user id>:<header value>"
    status: int
    body: dict
    created_at: datetime
    expires_at: datetime
    request: str = ""  # a hash of the request it answered: another under the same key is refused


@dataclass(frozen=True)
class QueueQuery:
    """The staff queue's filters; a filter left at None (or `states` empty) lets every ticket through."""

    states: tuple = ()
    organisation: str | None = None
    topic: str | None = None
    cause: str | None = None
    street: str | None = None  # street code
    overdue: bool | None = None
    escalated: bool | None = None  # True: the inspectorate's view
    filed_from: datetime | None = None  # inclusive
    filed_to: datetime | None = None  # exclusive


@dataclass(frozen=True)
class FiledQuery:
    """Open311's list of requests: tickets filed from `filed_from` (inclusive) to
    `filed_to` (exclusive), of any of `causes` (every cause if empty), open or not
    (either if None)."""

    filed_from: datetime
    filed_to: datetime
    causes: tuple = ()
    open: bool | None = None


class TicketStore(ABC):
    @abstractmethod
    def create(self, ticket: Ticket, events: list, outbox: list = (),
               idempotency: IdempotencyRecord | None = None, tallies: list = ()) -> None:
        """Write the ticket, its events (history), its outbox messages, the
        idempotency record and add its statistics tallies (domain.stats.Tally) at once.
        AlreadyExists if the ticket id, its number or the idempotency key exists already."""

    @abstractmethod
    def update(self, ticket: Ticket, expected_version: int, events: list, outbox: list = (),
               tallies: list = (), redacted: list = ()) -> None:
        """Replace the ticket if the stored version is `expected_version`, append its
        events, queue its outbox messages, add its statistics tallies and replace the
        history entries `redacted` (the same ticket and versions, their reporter
        unnamed: domain.ticket.anonymise) at once. StaleVersion otherwise; NotFound if
        there is no such ticket."""

    @abstractmethod
    def get(self, ticket_id: str) -> Ticket | None: ...

    @abstractmethod
    def by_number(self, number: str) -> Ticket | None: ...

    @abstractmethod
    def by_reporter(self, reporter_id: str) -> list:
        """The reporter's tickets, newest filed first."""

    @abstractmethod
    def by_organisation(self, organisation: str, state: str | None = None) -> list:
        """An organisation's tickets (in one state if given), newest filed first."""

    @abstractmethod
    def by_month(self, month: str) -> list:
        """Tickets filed in a UTC month 'YYYY-MM', oldest first."""

    @abstractmethod
    def due(self, now: datetime, limit: int = 100) -> list:
        """Open tickets whose next timer is at or before `now`, earliest first.
        Reads only tickets with a pending timer (a sparse index), never the table."""

    @abstractmethod
    def to_anonymise(self, closed_before: datetime, limit: int = 100) -> list:
        """Tickets in a final state that closed before `closed_before` and still hold
        their reporter's personal data (not anonymised), the earliest closed first.
        Reads only such tickets (a sparse index), never the table."""

    @abstractmethod
    def history(self, ticket_id: str) -> list:
        """The ticket's events, oldest first (by version)."""

    @abstractmethod
    def open_at_address(self, cause: str, street: str, house: str) -> list:
        """Open tickets of this cause at this street and house, newest filed first:
        the duplicates a resident about to file is shown. The house is compared
        normalised (domain.address.normalise_house: '12 а' is '12А'). Reads an
        index that holds open tickets only, never the table."""


    @abstractmethod
    def queue(self, query: QueueQuery, limit: int, after: str | None = None,
              descending: bool = False) -> tuple:
        """(tickets, cursor): the tickets that pass every filter of `query`, by
        `codec.queue_key` (deadline, then id), ascending unless `descending`; at most
        `limit`, those after the cursor `after` (a `codec.queue_key`) in that order. The
        cursor of the next page, or None when there are no more."""

    @abstractmethod
    def count_by_state(self, query: QueueQuery) -> dict:
        """{state value: how many tickets pass every filter of `query` but `states`};
        states with none are left out."""

    @abstractmethod
    def filed(self, query: FiledQuery, offset: int, limit: int) -> list:
        """The tickets that pass `query`, newest filed first (then by id, descending):
        at most `limit` of them, after the first `offset`. Reads an index by filing
        time, one month of it for each month the query spans, never the table."""

    @abstractmethod
    def changes(self, since: datetime, until: datetime, offset: int, limit: int) -> list:
        """(ticket, event) of each state change (domain.ticket.Event.changes_state)
        from `since` (inclusive) to `until` (exclusive), oldest first (then by ticket
        id and version): at most `limit`, after the first `offset`; the ticket as it is
        now. Reads an index that holds state changes only, never every ticket's history."""


class UserStore(ABC):
    """Residents' accounts and the identities (domain.resident) that sign in to them."""

    @abstractmethod
    def create(self, resident: Resident, identities: tuple = ()) -> None:
        """Write the account holding its phone (if it has one) and each (kind, value)
        of `identities`, all at once. AlreadyExists if the id or any identity is taken."""

    @abstractmethod
    def get(self, user_id: str) -> Resident | None: ...

    @abstractmethod
    def by_identity(self, kind: str, value: str) -> Resident | None: ...

    def by_phone(self, phone: str) -> Resident | None:
        return self.by_identity(PHONE, phone)

    @abstractmethod
    def link(self, user_id: str, kind: str, value: str) -> Resident:
        """Let the identity sign in to the account too; linking one it holds changes
        nothing. A phone linked to an account without a phone becomes its phone.
        The account after; AlreadyExists if another account holds the identity,
        NotFound if there is no such account."""

    @abstractmethod
    def identities(self, user_id: str) -> list:
        """The account's identities as (kind, value) pairs, sorted."""

    @abstractmethod
    def update(self, resident: Resident) -> None:
        """Replace a resident's account (same id and phone). NotFound if absent or deleted."""

    @abstractmethod
    def erase(self, tombstone: Resident) -> None:
        """Replace the account with its tombstone (domain.resident.tombstone: the same id,
        `deleted_at` set) and remove every identity it held, at once, so that each signs
        up afresh. A tombstone stays as it is; NotFound if there is no such account.
        `get` finds the tombstone; `link` and `update` take it for no account."""


class StaffStore(ABC):
    @abstractmethod
    def create(self, member: StaffMember) -> None:
        """AlreadyExists if the id or the username is taken."""

    @abstractmethod
    def get(self, staff_id: str) -> StaffMember | None: ...

    @abstractmethod
    def by_username(self, username: str) -> StaffMember | None:
        """`username` as stored (lowercased)."""

    @abstractmethod
    def update(self, member: StaffMember, expected_version: int) -> None:
        """Replace the account (same id and username; `member.version` is the new
        one) if the stored version is `expected_version`. StaleVersion otherwise;
        NotFound if there is no such account."""

    @abstractmethod
    def all(self) -> list:
        """Every account, by username."""


class OutageStore(ABC):
    """Outage notices: where and until when a service (water, heating, ...) is off."""

    @abstractmethod
    def create(self, outage: Outage) -> None:
        """AlreadyExists if the id is taken."""

    @abstractmethod
    def get(self, outage_id: str) -> Outage | None: ...

    @abstractmethod
    def update(self, outage: Outage, expected_version: int) -> None:
        """Replace the notice (`outage.version` is the new one) if the stored version
        is `expected_version`. StaleVersion otherwise; NotFound if there is none."""

    @abstractmethod
    def active(self) -> list:
        """The active notices, earliest `starts_at` first (then by id); reads only
        active ones, never the closed history: the public outage page reads this."""

    @abstractmethod
    def all(self, state: str | None = None) -> list:
        """The notices (in one state if given), latest `starts_at` first (then by id, descending)."""


class Open311KeyStore(ABC):
    @abstractmethod
    def create(self, key: Open311Key) -> None:
        """AlreadyExists if the id or the key hash is taken."""

    @abstractmethod
    def get(self, key_id: str) -> Open311Key | None: ...

    @abstractmethod
    def by_hash(self, key_hash: str) -> Open311Key | None:
        """The key with this hash, revoked or not (the service checks)."""

    @abstractmethod
    def all(self) -> list:
        """Every key, revoked ones too, newest `created_at` first (then by id, descending)."""

    @abstractmethod
    def update(self, key: Open311Key) -> None:
        """Replace the key (same id and hash), e.g. revoked. NotFound if there is none."""


class SignInLinkStore(ABC):
    @abstractmethod
    def put(self, link: SignInLink) -> None: ...

    @abstractmethod
    def take(self, token_hash: str) -> SignInLink | None:
        """Remove the link and return it, expired or not; None if there is none. Of
        two callers taking one link, one gets it: a link signs in once."""


class SessionStore(ABC):
    @abstractmethod
    def put(self, session: Session) -> None: ...

    @abstractmethod
    def get(self, token_hash: str) -> Session | None:
        """The stored session, expired or not: the service checks `expires_at`
        (DynamoDB's TTL deletes late, and moto's never)."""

    @abstractmethod
    def delete(self, token_hash: str) -> None:
        """Removes it; no error if it is already gone."""


class CodeStore(ABC):
    @abstractmethod
    def put(self, code: SignInCode) -> None:
        """The phone's one current code; replaces an earlier one."""

    @abstractmethod
    def get(self, phone: str) -> SignInCode | None: ...

    @abstractmethod
    def count_wrong_try(self, phone: str, code_hash: str) -> int:
        """Atomically add one wrong try to the code with this hash; the new count.
        NotFound if the phone's current code is not this one (it was replaced or used)."""

    @abstractmethod
    def delete(self, phone: str, code_hash: str) -> bool:
        """Remove the code if it is still this one; True if this call removed it
        (so two verifications of one code cannot both succeed)."""


class CounterStore(ABC):
    @abstractmethod
    def increment(self, key: str, expires_at: datetime, by: int = 1) -> int:
        """Atomically add `by` to a fixed-window counter and return the new value.
        A counter whose `expires_at` has passed counts from zero again."""

    @abstractmethod
    def count(self, key: str, expires_at: datetime) -> int:
        """The counter's value in the window ending at `expires_at`, changing nothing: 0 if
        it has none, or counts in a window that has passed. (A read: on DynamoDB, reading
        by adding 0 would bill a write.)"""

    @abstractmethod
    def next_sequence(self, name: str) -> int:
        """1, 2, 3, ... per name, never the same number twice, under concurrency."""


class StatsStore(ABC):
    """The daily statistics records (domain.stats.DayCounts); tallies are added by
    the ticket store, in the ticket's own write."""

    @abstractmethod
    def read(self, first_day: str, last_day: str) -> list:
        """Every record from `first_day` to `last_day` ('YYYY-MM-DD', both included), by
        day then group. Reads only those days' records (by month), never the tickets."""


class IdempotencyStore(ABC):
    @abstractmethod
    def get(self, key: str) -> IdempotencyRecord | None:
        """The record, expired or not (the service checks `expires_at`)."""


class Directory(ABC):
    """Reference data: organisations, the category catalogue, the address registry."""

    @abstractmethod
    def organisations(self) -> list:
        """All organisations, by code."""

    @abstractmethod
    def put_organisation(self, organisation: Organisation) -> None: ...

    @abstractmethod
    def catalogue(self) -> Catalogue | None: ...

    @abstractmethod
    def put_catalogue(self, catalogue: Catalogue) -> None: ...

    @abstractmethod
    def registry(self) -> Registry | None: ...

    @abstractmethod
    def put_registry(self, registry: Registry) -> None: ...


class OutboxStore(ABC):
    @abstractmethod
    def add(self, messages: list) -> None:
        """Queue messages that belong to no ticket write (e.g. staff alerts), all or
        none. AlreadyExists if a message's id is taken."""

    @abstractmethod
    def get(self, message_id: str) -> OutboxMessage | None: ...

    @abstractmethod
    def ready(self, now: datetime, limit: int = 50) -> list:
        """Pending messages with `next_attempt_at <= now`, oldest first; reads only
        pending ones (a sparse index on DynamoDB)."""

    @abstractmethod
    def claim(self, message_id: str, now: datetime, lease_until: datetime) -> OutboxMessage | None:
        """Take a ready message for sending, conditionally on it still being pending
        and ready: it stays pending but its `next_attempt_at` moves to `lease_until`
        and `tries` grows by one, so a sender that dies mid-send leaves it to be
        retried after the lease. The claimed message, or None if another sender
        has it or it is no longer ready."""

    @abstractmethod
    def finish(self, message: OutboxMessage) -> None:
        """Store the outcome of a claimed message (sent, pending again with a later
        `next_attempt_at`, or dead); one removed meanwhile stays removed."""

    @abstractmethod
    def about(self, ticket_id: str) -> list:
        """Every message about the ticket, pending, sent or dead, oldest first (then by
        id). Reads only that ticket's messages (an index), never the table."""

    @abstractmethod
    def remove(self, message_ids: list) -> None:
        """Remove the messages; no error for one that is gone already."""

    @abstractmethod
    def dead(self) -> list:
        """Dead-lettered messages, newest first."""

    @abstractmethod
    def revive(self, message_id: str, now: datetime) -> OutboxMessage | None:
        """Put a dead letter back, conditionally on it still being dead: pending,
        ready at `now`, its tries counted from zero again. The message after, or
        None if there is no such dead letter."""

    @abstractmethod
    def waiting(self, now: datetime) -> int:
        """How many pending messages wait for a time later than `now` (held back,
        backing off after a failure, or leased to a sender); reads only pending ones."""


class ContactViewStore(ABC):
    """The record of each time a staff member was shown a reporter's contact."""

    @abstractmethod
    def add(self, view: ContactView) -> None:
        """AlreadyExists if this view (its id, at its time) is stored already."""

    @abstractmethod
    def recent(self, limit: int, before: str | None = None) -> tuple:
        """(views, cursor): the newest first (by time, then id), at most `limit`, those
        older than the cursor `before` (a `codec.view_key`); the cursor of the next
        page, or None when there are no more."""

    @abstractmethod
    def of_ticket(self, ticket_id: str) -> list:
        """The views of one ticket's reporter, newest first. Reads only that ticket's."""


@dataclass
class Storage:
    tickets: TicketStore
    users: UserStore
    sessions: SessionStore
    codes: CodeStore
    counters: CounterStore
    idempotency: IdempotencyStore
    directory: Directory
    outbox: OutboxStore
    links: SignInLinkStore
    staff: StaffStore
    outages: OutageStore
    open311_keys: Open311KeyStore
    stats: StatsStore
    contact_views: ContactViewStore


class SmsSender(ABC):
    @abstractmethod
    def send(self, to: str, text: str, *, urgent: bool = False) -> str:
        """Send one SMS; the provider's message id. Raises SmsError on failure."""


class SmsError(Exception):
    pass


class EmailSender(ABC):
    @abstractmethod
    def send(self, to: str, subject: str, text: str) -> str:
        """Send one plain-text e-mail; the provider's message id. Raises EmailError on failure."""


class EmailError(Exception):
    pass


class PhotoStore(ABC):
    """Photos in a private store. Browsers upload straight to it with a signed form;
    the API only issues the form and later checks and copies what arrived. Keys are
    paths like "uploads/<resident id>/<name>.jpg". Each adapter keeps time by its own
    clock (S3 by AWS's), so validities are given as durations."""

    @abstractmethod
    def upload_form(self, key: str, content_type: str, max_bytes: int, expires_in: timedelta) -> dict:
        """{"url", "fields"}: a form the browser POSTs, with `fields` then the file
        as "file", that the store accepts only for exactly this key and content
        type, a file of 1 to `max_bytes` bytes, within `expires_in`."""

    @abstractmethod
    def head(self, key: str) -> tuple | None:
        """(size in bytes, content type) of a stored photo; None if there is none."""

    @abstractmethod
    def read(self, key: str) -> bytes:
        """The stored bytes; NotFound if there are none."""

    @abstractmethod
    def write(self, key: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Removes it; no error if it is already gone."""

    @abstractmethod
    def signed_url(self, key: str, expires_in: timedelta) -> str:
        """A URL that shows the photo to whoever holds it, for `expires_in`."""


class SitePublisher(ABC):
    """Where the generated public pages go: the S3 site bucket behind CloudFront on
    AWS, the local build/site/ folder otherwise."""

    @abstractmethod
    def publish(self, files: dict) -> list:
        """Write each {path: (bytes, content type)} — paths relative to the site root,
        like "uk/outages/index.html" — with the cache headers its kind of file wants,
        skipping files whose bytes are unchanged; the CDN forgets its copies of the
        changed ones. The changed paths, sorted."""


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """Timezone-aware UTC."""
