"""Wiring: settings -> adapters -> the `Deps` every use case gets.

Built once per Lambda container (or local server process), on the first request
that needs it: importing this module connects to nothing and reads no file. Tests
build their own `Deps` through the same `build` (with fakes for the clock and
the SMS) and install it with `override`.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from .adapters.clock import SystemClock
from .adapters.email import LogEmail, SesEmail
from .adapters.photos import LocalPhotos, S3Photos
from .adapters.site import LocalSite, S3Site
from .adapters.sms import HttpSms, LogSms, SnsSms
from .domain.city import City
from .services.ports import Clock, EmailSender, PhotoStore, SitePublisher, SmsSender, Storage
from .services.seed import seed_directory
from .settings import Settings


@dataclass(frozen=True)
class Deps:
    settings: Settings
    city: City
    storage: Storage
    clock: Clock
    sms: SmsSender
    email: EmailSender
    photos: PhotoStore
    site: SitePublisher


def build(settings: Settings, *, clock: Clock | None = None, sms: SmsSender | None = None,
          email: EmailSender | None = None, storage: Storage | None = None,
          photos: PhotoStore | None = None, site: SitePublisher | None = None) -> Deps:
    storage = storage or open_storage(settings)
    clock = clock or SystemClock()
    # One read when the directory is seeded already: cheap enough for every cold start.
    seed_directory(storage, settings.data_dir)
    return Deps(settings=settings, city=load_city(settings.data_dir), storage=storage,
                clock=clock, sms=sms or open_sms(settings), email=email or open_email(settings),
                photos=photos or open_photos(settings, clock), site=site or open_site(settings))


def load_city(data_dir: str) -> City:
    return City.from_data(json.loads((Path(data_dir) / "city.json").read_text(encoding="utf-8")))


def open_storage(settings: Settings) -> Storage:
    # Each backend is imported only when chosen: the DynamoDB one pulls in
    # pynamodb and botocore, which a SQLite run never needs.
    if settings.backend == "dynamodb":
        from .adapters import dynamodb

        return dynamodb.open_storage(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
    from .adapters import sqlite

    return sqlite.open_storage(settings.db_path)


def open_sms(settings: Settings) -> SmsSender:
    if settings.sms == "sns":
        return SnsSms(settings.region, settings.sms_sender_id)
    if settings.sms == "http":
        return HttpSms(settings.sms_http, settings.sms_sender_id)
    return LogSms(settings.sms_log)


def open_email(settings: Settings) -> EmailSender:
    if settings.email == "ses":
        return SesEmail(settings.region, settings.email_from)
    return LogEmail(settings.email_log)


def open_photos(settings: Settings, clock: Clock) -> PhotoStore:
    if settings.photos == "s3":
        return S3Photos(settings.photo_bucket, settings.region, settings.s3_endpoint, settings.s3_public_url)
    return LocalPhotos(settings.photo_dir, settings.secret, clock)


def open_site(settings: Settings) -> SitePublisher:
    if settings.site_store == "s3":
        return S3Site(settings.site_bucket, settings.region, settings.cloudfront_distribution or None,
                      settings.s3_endpoint)
    return LocalSite(settings.site_dir)


_built: Deps | None = None
# The local server answers requests on several threads; one of them builds.
_lock = threading.Lock()


def deps() -> Deps:
    built = _built
    if built is None:
        with _lock:
            if _built is None:
                override(build(Settings.from_env()))
            built = _built
    return built


def override(replacement: Deps) -> None:
    """Serve `replacement` from now on (tests, and the local server's own wiring)."""
    global _built
    _built = replacement


def reset() -> None:
    """Forget the built `Deps`; the next request builds them again from the environment."""
    global _built
    _built = None
