"""`python -m tools.create_admin`: the first admin of a new installation, in the
storage the environment configures, its password printed once."""

import re

import pytest

from chalicelib import bootstrap
from chalicelib.services import staff
from chalicelib.settings import Settings
from tools.create_admin import main

pytestmark = pytest.mark.usefixtures("cheap_password_hashes")


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """The environment of a local run, its SQLite file in tmp_path."""
    for name, value in {"CITYDESK_BACKEND": "sqlite", "CITYDESK_DB_PATH": str(tmp_path / "citydesk.sqlite3"),
                        "CITYDESK_SECRET": "cli-secret", "CITYDESK_SMS_LOG": str(tmp_path / "sms.log"),
                        "CITYDESK_PHOTO_DIR": str(tmp_path / "photos")}.items():
        monkeypatch.setenv(name, value)


def printed_password(out: str) -> str:
    return re.search(r"shown only now: (\S+)", out).group(1)


def test_an_admin_is_made_and_signs_in_with_the_password_printed_once(environment, capsys):
    main(["--username", "Chief", "--name", "Олена Коваленко"])

    out = capsys.readouterr().out
    deps = bootstrap.build(Settings.from_env())
    member, _ = staff.login(deps, "chief", printed_password(out), None, "127.0.0.1")
    assert (member.username, member.name, member.role, member.organisation) == ("chief", "Олена Коваленко", "admin",
                                                                                None)
    assert out.count(printed_password(out)) == 1


def test_the_name_is_the_username_unless_given(environment, capsys):
    main(["--username", "chief"])
    assert bootstrap.build(Settings.from_env()).storage.staff.by_username("chief").name == "chief"


def test_a_taken_username_is_refused_and_the_account_is_kept(environment, capsys):
    main(["--username", "chief"])
    first = bootstrap.build(Settings.from_env()).storage.staff.by_username("chief")

    with pytest.raises(SystemExit) as refused:
        main(["--username", "CHIEF"])

    assert refused.value.code == "create_admin: This username is taken."
    assert bootstrap.build(Settings.from_env()).storage.staff.all() == [first]


def test_a_username_breaking_the_rules_is_refused_with_the_rule(environment):
    with pytest.raises(SystemExit) as refused:
        main(["--username", "a b"])
    assert "3 to 40" in refused.value.code


def test_without_a_secret_it_says_what_is_missing(environment, monkeypatch):
    monkeypatch.delenv("CITYDESK_SECRET")
    with pytest.raises(SystemExit) as refused:
        main(["--username", "chief"])
    assert "CITYDESK_SECRET" in refused.value.code
