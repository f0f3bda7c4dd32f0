"""Demo staff accounts for a local run: an admin, an operator, an inspector and
one executor per executor organisation, each with a random password, and an
Open311 key for a demo partner.

They are written to a JSON file (var/demo-accounts.json) and printed when they
are made, once per storage: a start that finds the demo admin adds nothing and
keeps the file. (A fresh storage, as every `make run BACKEND=moto` start has,
gets new ones and a new file.)
"""

import json
import os
from pathlib import Path

from chalicelib.domain.errors import AlreadyExists
from chalicelib.services import open311_keys, staff

FILE_NAME = "demo-accounts.json"
OPEN311_PARTNER = "Demo partner"


def seed_staff(deps, path: Path) -> list:
    """The demo accounts made now, as written to `path`: [{"role", "username",
    "password", "organisation"?}, ..., {"role": "open311", "api_key"}]; [] when
    the storage has them already."""
    if deps.storage.staff.by_username("admin") is not None:
        return []
    lang = deps.city.default_language
    wanted = [("admin", "admin", "Адміністратор (демо)", None),
              ("operator", "operator", "Оператор контакт-центру (демо)", None),
              ("inspector", "inspector", "Інспектор житлової інспекції (демо)", None)]
    wanted += [(org.code, "executor", f"Диспетчер {org.name(lang)} (демо)", org.code)
               for org in deps.storage.directory.organisations() if org.kind == "executor"]
    accounts = []
    for username, role, name, organisation in wanted:
        try:
            _, password = staff.create(deps, username, name, role, organisation)
        except AlreadyExists:
            continue  # someone made an account of that name: it is theirs
        entry = {"role": role, "username": username, "password": password}
        accounts.append({**entry, "organisation": organisation} if organisation else entry)
    _, api_key = open311_keys.create(deps, OPEN311_PARTNER)
    accounts.append({"role": "open311", "api_key": api_key})
    _write_private(path, json.dumps(accounts, ensure_ascii=False, indent=2) + "\n")
    return accounts


def describe(accounts: list, path: Path) -> str:
    """What the console says about the demo accounts: all of them when just made."""
    if not accounts:
        return f"demo staff accounts: see {path}"
    lines = [f"demo staff accounts (also in {path}):"]
    for account in accounts:
        if account["role"] == "open311":
            lines.append(f"  open311 API key    {account['api_key']}")
        else:
            lines.append(f"  {account['role']:<10} {account['username']:<28} {account['password']}")
    return "\n".join(lines)


def _write_private(path: Path, text: str) -> None:
    # Passwords: readable by the one who runs the demo only.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
