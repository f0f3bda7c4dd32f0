"""What a signed-in resident may change about their own account."""

from dataclasses import replace

from ..domain.errors import InvalidInput
from ..domain.resident import Resident


def change(deps, resident: Resident, body: dict) -> Resident:
    """The account with the fields `body` names changed, the others as they were:
    `language` (of the SMS and the answers) and `status_sms` (SMS about the resident's
    tickets; sign-in codes go whatever it says)."""
    changes = {}
    if "language" in body:
        if body["language"] not in deps.city.languages:
            raise InvalidInput("unknown_language", field="language")
        changes["language"] = body["language"]
    if "status_sms" in body:
        if not isinstance(body["status_sms"], bool):
            raise InvalidInput("must_be_true_or_false", field="status_sms")
        changes["status_sms"] = body["status_sms"]
    updated = replace(resident, **changes)
    if updated != resident:
        deps.storage.users.update(updated)
    return updated
