"""What a signed-in resident may change about their own account."""

from dataclasses import replace

from ..domain.errors import InvalidInput
from ..domain.resident import Resident


def set_language(deps, resident: Resident, language) -> Resident:
    if language not in deps.city.languages:
        raise InvalidInput("unknown_language", field="language")
    updated = replace(resident, language=language)
    deps.storage.users.update(updated)
    return updated
