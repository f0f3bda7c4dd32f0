"""Make a staff admin account: the first one of a new installation, or one more.

    python -m tools.create_admin --username NAME [--name "Full Name"]

It writes to the storage the environment configures (the CITYDESK_* variables
the API reads: the local SQLite file by default, DynamoDB with
CITYDESK_BACKEND=dynamodb), prints the generated password once, and refuses a
username that is taken. `make admin USERNAME=...` runs it against the local run's storage.
"""

import argparse
import sys

from chalicelib import bootstrap
from chalicelib.api.errors import answer_for
from chalicelib.domain.errors import DomainError
from chalicelib.services import staff
from chalicelib.settings import Settings


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--username", required=True, help="3 to 40 of a-z 0-9 . _ - (read in lower case)")
    parser.add_argument("--name", help="as ticket histories show it (default: the username)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as error:
        sys.exit(f"create_admin: {error}")
    deps = bootstrap.build(settings)
    try:
        member, password = staff.create(deps, args.username, args.name or args.username.strip(), "admin")
    except DomainError as error:
        sys.exit(f"create_admin: {answer_for(error, 'en').body['error']['message']}")
    print(f"Admin {member.username} created. The password, shown only now: {password}")
    print("Sign in on the staff page and change it (and turn on two-step sign-in).")


if __name__ == "__main__":
    main()
