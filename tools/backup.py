"""Back up the local run's data, the SQLite database and the photos, into one archive;
or put an archive back.

    python -m tools.backup [--out backups]   writes backups/citydesk-<UTC time>.tar.gz
    python -m tools.backup --restore FILE

The database is copied with SQLite's online backup API: a consistent snapshot, safe
while `make run` serves and writes (a transaction not yet committed is not in it). The
files are where the local server keeps them: CITYDESK_DB_PATH and CITYDESK_PHOTO_DIR, or
their places under CITYDESK_VAR (`var`). `var/secret` is left out: it is a key, not
data; without it, after a restore elsewhere, everyone signs in again.

A restore writes only where nothing is: stop the server and move the database and the
photos aside first. (On AWS the tables have point-in-time recovery and the photo bucket
keeps versions; this is for the local SQLite run.)
"""

import argparse
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Their names inside an archive.
DATABASE, PHOTOS = "citydesk.sqlite3", "photos"


class BackupError(Exception):
    pass


def local_paths(env=None) -> tuple:
    """(database, photos folder) as the local server places them."""
    env = os.environ if env is None else env
    var = Path(env.get("CITYDESK_VAR") or "var")
    return Path(env.get("CITYDESK_DB_PATH") or var / DATABASE), Path(env.get("CITYDESK_PHOTO_DIR") or var / PHOTOS)


def backup(database: Path, photos: Path, out: Path, now: datetime | None = None) -> Path:
    """Write out/citydesk-<UTC time>.tar.gz and return its path."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    now = now or datetime.now(timezone.utc)
    target = out / f"citydesk-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if target.exists():
        raise BackupError(f"{target} exists already")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / DATABASE
        snapshot(database, copy)
        # Written aside and renamed: an interrupted backup leaves no archive that looks whole.
        partial = target.with_name(target.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(copy, DATABASE)
                if photos.is_dir():
                    archive.add(photos, PHOTOS)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, target)
    return target


def snapshot(database: Path, copy: Path) -> None:
    """A consistent copy of `database`, however busy: one backup step reads one snapshot."""
    source, target = sqlite3.connect(database), sqlite3.connect(copy)
    try:
        source.backup(target)
        if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"the copy of {database} fails SQLite's check: the database is damaged")
    finally:
        source.close()
        target.close()


def restore(archive_path: Path, database: Path, photos: Path) -> None:
    """Put the database and photos of `archive_path` where nothing is yet."""
    occupied = [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]
    if photos.is_dir() and any(photos.iterdir()):
        occupied.append(photos)
    if occupied:
        raise BackupError(f"{', '.join(map(str, occupied))} exist: stop the server and move them aside first")
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(archive_path) as archive:
                archive.extractall(work, filter="data")  # no paths outside `work`, no links out
        except (OSError, tarfile.TarError) as error:
            raise BackupError(f"cannot read {archive_path}: {error}") from None
        extracted = Path(work)
        if not (extracted / DATABASE).is_file():
            raise BackupError(f"{archive_path} is not a citydesk backup: it has no {DATABASE}")
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(extracted / DATABASE, database)
        if (extracted / PHOTOS).is_dir():
            if photos.is_dir():
                photos.rmdir()  # empty, checked above
            photos.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(extracted / PHOTOS, photos)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "backups", help="where archives go (default: backups/)")
    parser.add_argument("--restore", type=Path, metavar="FILE", help="put this archive's database and photos back")
    args = parser.parse_args(argv)
    database, photos = local_paths()
    try:
        if args.restore:
            restore(args.restore, database, photos)
            print(f"Restored {database} and {photos} from {args.restore}.")
        else:
            print(f"Backed up {database} and {photos} to {backup(database, photos, args.out)}.")
    except BackupError as error:
        sys.exit(f"backup: {error}")


if __name__ == "__main__":
    main()
