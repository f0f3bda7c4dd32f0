"""Open311 API keys: an admin makes one for a partner's system, which sends it
with each Open311 request; `check` tells the Open311 API whose it is.

The plain key is shown once, when it is made. Only its keyed hash (HMAC-SHA256
with the settings' secret, as services.auth keeps session tokens) is stored.
"""

import logging
import secrets
import uuid
from dataclasses import replace

from ..domain import fields
from ..domain.errors import NotFound
from ..domain.open311_key import Open311Key
from ..domain.ticket import Actor
from . import auth, permissions

log = logging.getLogger(__name__)

MAX_NAME = 200
# Longer values are no key this service made; they are not worth hashing.
MAX_KEY = 100
_PURPOSE = "open311"


def issue(deps, actor: Actor, name) -> tuple:
    """An admin makes a key: (its record, the plain API key)."""
    permissions.check(actor, "manage_open311_keys")
    return create(deps, name)


def create(deps, name) -> tuple:
    """(a new key's record, the plain API key), for a caller already trusted (an
    admin's request, the local demo seed)."""
    name = fields.text(name, "name", required=True, limit=MAX_NAME)
    api_key = secrets.token_urlsafe(32)
    key = Open311Key(id=uuid.uuid4().hex, name=name, key_hash=_hash(deps, api_key), created_at=deps.clock.now())
    deps.storage.open311_keys.create(key)
    log.info("open311 key %s created", key.id)
    return key, api_key


def list_keys(deps, actor: Actor) -> list:
    permissions.check(actor, "manage_open311_keys")
    return deps.storage.open311_keys.all()


def revoke(deps, actor: Actor, key_id: str) -> Open311Key:
    """The key, revoked from now on; revoking it again keeps its first revocation."""
    permissions.check(actor, "manage_open311_keys")
    key = deps.storage.open311_keys.get(key_id)
    if key is None:
        raise NotFound("open311_key_not_found")
    if key.active:
        key = replace(key, revoked_at=deps.clock.now())
        deps.storage.open311_keys.update(key)
        log.info("open311 key %s revoked", key.id)
    return key


def check(deps, api_key) -> Open311Key | None:
    """The live key `api_key` is; None for an unknown or revoked one."""
    if not isinstance(api_key, str) or not 0 < len(api_key) <= MAX_KEY:
        return None
    key = deps.storage.open311_keys.by_hash(_hash(deps, api_key))
    return key if key is not None and key.active else None


def _hash(deps, api_key: str) -> str:
    return auth.keyed_hash(deps.settings.secret, _PURPOSE, api_key)
