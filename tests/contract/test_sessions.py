"""SessionStore: sessions by the hash of their token."""

from datetime import timedelta

from tests.builders import NOW, make_session


def test_a_stored_session_comes_back_equal(storage):
    session = make_session(kind="staff", user_id="operator-1")

    storage.sessions.put(session)

    assert storage.sessions.get(session.token_hash) == session


def test_an_expired_session_still_comes_back_for_the_service_to_refuse(storage):
    expired = make_session(created_at=NOW - timedelta(days=31), expires_at=NOW - timedelta(days=1))

    storage.sessions.put(expired)

    assert storage.sessions.get(expired.token_hash) == expired


def test_an_unknown_session_is_none(storage):
    assert storage.sessions.get("no-such-hash") is None


def test_a_deleted_session_is_gone_and_the_others_stay(storage):
    signed_out, other = make_session(), make_session()
    storage.sessions.put(signed_out)
    storage.sessions.put(other)

    storage.sessions.delete(signed_out.token_hash)

    assert storage.sessions.get(signed_out.token_hash) is None
    assert storage.sessions.get(other.token_hash) == other


def test_deleting_a_session_twice_or_one_never_stored_is_fine(storage):
    session = make_session()
    storage.sessions.put(session)

    storage.sessions.delete(session.token_hash)
    storage.sessions.delete(session.token_hash)
    storage.sessions.delete("never-stored")

    assert storage.sessions.get(session.token_hash) is None
