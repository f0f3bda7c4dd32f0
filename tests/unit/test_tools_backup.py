"""`make backup`: the local SQLite database (copied while the server writes) and the
photos in one archive, and a restore that puts them back where nothing is."""

import sqlite3
import tarfile

import pytest

from chalicelib.adapters import sqlite
from tests.builders import NOW, store_ticket
from tools import backup
from tools.backup import BackupError

PHOTOS = {"photos/2026/11/t-1/a.jpg": b"\xff\xd8jpeg", "photos/2026/11/t-1/a.jpg.type": b"image/jpeg",
          "uploads/u-2.png": b"\x89PNG"}


@pytest.fixture
def var(tmp_path):
    """A local run's var folder: a database with a ticket, and photos."""
    folder = tmp_path / "var"
    storage = sqlite.open_storage(str(folder / "citydesk.sqlite3"))
    for name, content in PHOTOS.items():
        (folder / "photos" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "photos" / name).write_bytes(content)
    return folder, storage, store_ticket(storage)


def photos_in(folder) -> dict:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_a_backup_taken_while_the_server_writes_restores_the_committed_data_and_the_photos(var, tmp_path):
    folder, storage, ticket = var
    # The server's connection is open (storage), and another holds a write it has not committed.
    writer = sqlite3.connect(folder / "citydesk.sqlite3", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM tickets")

    archive = backup.backup(folder / "citydesk.sqlite3", folder / "photos", tmp_path / "backups", now=NOW)
    writer.execute("ROLLBACK")
    fresh = tmp_path / "fresh"
    backup.restore(archive, fresh / "citydesk.sqlite3", fresh / "photos")

    assert archive == tmp_path / "backups" / "citydesk-20261123T090000Z.tar.gz"
    assert sqlite.open_storage(str(fresh / "citydesk.sqlite3")).tickets.get(ticket.id) == ticket
    assert photos_in(fresh / "photos") == PHOTOS
    assert storage.tickets.get(ticket.id) == ticket


def test_the_archive_holds_the_database_and_the_photos_and_not_the_secret(var, tmp_path):
    folder, _, _ = var
    (folder / "secret").write_text("the-local-signing-key")

    archive = backup.backup(folder / "citydesk.sqlite3", folder / "photos", tmp_path / "backups", now=NOW)

    with tarfile.open(archive) as opened:
        names = {member.name for member in opened.getmembers() if member.isfile()}
    assert names == {"citydesk.sqlite3", *(f"photos/{name}" for name in PHOTOS)}


def test_the_make_target_backs_up_the_local_runs_var_and_the_restore_fills_another(var, tmp_path, monkeypatch,
                                                                                     capsys):
    folder, _, ticket = var
    for name in ("CITYDESK_DB_PATH", "CITYDESK_PHOTO_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CITYDESK_VAR", str(folder))
    backup.main(["--out", str(tmp_path / "backups")])
    [archive] = (tmp_path / "backups").iterdir()

    monkeypatch.setenv("CITYDESK_VAR", str(tmp_path / "elsewhere"))
    backup.main(["--restore", str(archive)])

    assert sqlite.open_storage(str(tmp_path / "elsewhere" / "citydesk.sqlite3")).tickets.get(ticket.id) == ticket
    assert photos_in(tmp_path / "elsewhere" / "photos") == PHOTOS
    assert str(archive) in capsys.readouterr().out


def test_a_restore_over_an_existing_database_is_refused_and_changes_nothing(var, tmp_path):
    folder, storage, ticket = var
    archive = backup.backup(folder / "citydesk.sqlite3", folder / "photos", tmp_path / "backups", now=NOW)
    later = store_ticket(storage)

    with pytest.raises(BackupError, match="move them aside"):
        backup.restore(archive, folder / "citydesk.sqlite3", folder / "photos")

    assert storage.tickets.get(later.id) == later


def test_a_backup_without_a_database_says_where_it_looked(tmp_path):
    with pytest.raises(BackupError, match=str(tmp_path / "var" / "citydesk.sqlite3")):
        backup.backup(tmp_path / "var" / "citydesk.sqlite3", tmp_path / "var" / "photos", tmp_path / "backups")

    assert not (tmp_path / "backups").exists()
