"""The local server: the built site and the API on one origin, the minute tick (and
the nightly regeneration and the morning digest) in a thread, demo data on the first
start, the generated public pages written at every start.

    PYTHONPATH=functions python -m local.server [--port 8000] [--backend sqlite|moto] [--var var]
                                                [--tick-seconds 60]

`--backend moto` runs the DynamoDB adapters against a moto server in this process:
the AWS path with no AWS account. `--port 0` takes any free port (the line
"Serving on http://..." names it). `--tick-seconds` runs the tick more often than
every minute: the load test does, so that it races the requests.
"""

import argparse
import base64
import logging
import mimetypes
import os
import secrets
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException

from app import app
from chalicelib import bootstrap, secrets_env
from chalicelib.api import http_api
from chalicelib.jobs.digest import morning_digest
from chalicelib.jobs.nightly import nightly, regenerate
from chalicelib.jobs.tick import minute
from chalicelib.settings import Settings

from .build_site import HEADER_POLICY, OUT as SITE_DIR
from . import uploads
from .seed import seed_demo

log = logging.getLogger("citydesk.local")

HOST = "127.0.0.1"
TICK_SECONDS = 60
STATIC_HEADERS = {
    "Content-Security-Policy": HEADER_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Always revalidate: a rebuilt site shows on the next reload.
    "Cache-Control": "no-cache",
}
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")


def prepare_var(var: Path) -> None:
    """The var directory, and the environment the settings are read from.

    Explicit CITYDESK_* variables win; the rest point into `var`."""
    var.mkdir(parents=True, exist_ok=True)
    os.environ["CITYDESK_LOCAL"] = "1"
    os.environ.setdefault("CITYDESK_DB_PATH", str(var / "citydesk.sqlite3"))
    os.environ.setdefault("CITYDESK_SMS", "log")
    os.environ.setdefault("CITYDESK_SMS_LOG", str(var / "sms.log"))
    os.environ.setdefault("CITYDESK_EMAIL_LOG", str(var / "email.log"))
    os.environ.setdefault("CITYDESK_PHOTO_DIR", str(var / "photos"))
    # The log costs nothing, and one developer texts their own phone all day: the
    # production cap (10 a day) would hold the demo's SMS until tomorrow morning.
    os.environ.setdefault("CITYDESK_SMS_PER_PHONE_PER_DAY", "1000")
    # Unless the environment or a secrets file (CITYDESK_SECRETS_FILE) holds the key already.
    if not secrets_env.environment().get("CITYDESK_SECRET"):
        os.environ["CITYDESK_SECRET"] = local_secret(var / "secret")


def local_secret(path: Path) -> str:
    """A secret made once per var directory: sessions survive a restart."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def start_moto():
    """A moto server on a free port, and the environment that sends the DynamoDB
    adapters to it with credentials that cannot reach a real account."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    moto = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
                      CITYDESK_BACKEND="dynamodb", CITYDESK_DYNAMODB_ENDPOINT=f"http://{host}:{port}",
                      CITYDESK_S3_ENDPOINT=f"http://{host}:{port}")
    os.environ.setdefault("CITYDESK_PHOTOS", "s3")
    os.environ.setdefault("CITYDESK_PHOTO_BUCKET", "citydesk-local-photos")
    os.environ.setdefault("CITYDESK_S3_PUBLIC_URL", uploads.LOCAL_S3_URL)
    return moto


class Api:
    """The Chalice app behind a LocalGateway, as API Gateway would call it.

    Chalice keeps `current_request` on the app object, so one request runs at a
    time, as in a single Lambda container."""

    def __init__(self, app):
        self._gateway = LocalGateway(app, Config.create(chalice_stage="dev", chalice_app=app,
                                                        app_name=app.app_name))
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, method: str, path: str, headers: dict, body: bytes | None):
        """(status, [(header, value)], body bytes)."""
        try:
            with self._lock:
                answer = self._gateway.handle_request(method=method, path=path, headers=headers, body=body)
        except LocalGatewayException:
            # Where Chalice's local gateway answers 403 "Missing Authentication Token", the
            # deployed HTTP API passes the path to the app, which answers it with its own
            # 404 (Open311's on its paths): so does this.
            event = http_api.event(method, path, headers, (body or b"").decode("utf-8", "replace"))
            with self._lock:
                answer = self._app(event, None)
        pairs = list(answer["headers"].items())
        for name, values in answer.get("multiValueHeaders", {}).items():
            pairs.extend((name, value) for value in values)
        content = answer["body"] or b""
        if answer.get("isBase64Encoded"):
            content = base64.b64decode(content)
        if isinstance(content, str):
            content = content.encode("utf-8")
        if not any(name.lower() == "content-type" for name, _ in pairs):
            pairs.append(("Content-Type", "application/json"))
        return answer["statusCode"], pairs, content


def handler_class(api: Api, site: Path):
    root = site.resolve()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "citydesk-local"
        # The headers and the body are two writes: with Nagle's algorithm the body would
        # wait for the client's delayed ACK of the headers, 40 ms on every kept-alive request.
        disable_nagle_algorithm = True

        def handle_any(self):
            started = time.perf_counter()
            path = urlsplit(self.path).path
            if path == "/api" or path.startswith("/api/"):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                status, headers, content = api(self.command, self.path, dict(self.headers.items()), body)
            elif uploads.handles(path):
                status, headers, content = uploads.answer(self.command, self.path, self.headers, self.rfile)
            else:
                status, headers, content = self.static(path)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)
            # The path only: a query string may hold what a resident typed.
            print(f"{self.command} {path} {status} {(time.perf_counter() - started) * 1000:.0f}ms", flush=True)

        def __getattr__(self, name):
            # Every method reaches handle_any, where http.server would answer one it has
            # no do_<METHOD> for with a 501 page: a method a path does not take (TRACE,
            # QUERY...) gets the API's 405 with its Allow, as any other does.
            if name.startswith("do_"):
                return self.handle_any
            raise AttributeError(name)

        def static(self, path: str):
            headers = list(STATIC_HEADERS.items())
            if self.command not in ("GET", "HEAD"):
                return 405, headers + [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")], b"Method not allowed\n"
            target = (root / unquote(path).lstrip("/")).resolve()
            if not target.is_relative_to(root):
                return 404, headers + [("Content-Type", "text/plain")], b"Not found\n"
            if target.is_dir():
                if not path.endswith("/"):
                    return 301, headers + [("Location", path + "/"), ("Content-Type", "text/plain")], b""
                target = target / "index.html"
            if not target.is_file():
                return 404, headers + [("Content-Type", "text/plain")], b"Not found\n"
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind.startswith(TEXT_TYPES):
                kind += "; charset=utf-8"
            return 200, headers + [("Content-Type", kind)], target.read_bytes()

        def log_message(self, format, *args):
            # The default line carries the full request line, query string included.
            pass

    return Handler


class HttpServer(ThreadingHTTPServer):
    """A thread for each connection, and a listen queue as long as the system allows:
    socketserver's default of 5 drops connections that arrive together beyond it (the
    load test's residents signing in at once met it as connections that time out)."""

    daemon_threads = True
    request_queue_size = socket.SOMAXCONN


def local_tick(deps) -> None:
    """The minute tick, and the nightly regeneration and the morning digest that run
    hourly on AWS: when one is not due, it costs one counter read."""
    minute(deps)
    done = nightly(deps)
    if done:
        log.info("nightly regeneration: %s", done)
    queued = morning_digest(deps)
    if queued:
        log.info("morning digest: %s", queued)


class Ticker(threading.Thread):
    """Calls the local tick at once and then every minute (or `seconds`), like the EventBridge rules."""

    def __init__(self, tick, deps, seconds: float = TICK_SECONDS):
        super().__init__(name="minute-tick", daemon=True)
        self._tick = tick
        self._deps = deps
        self._seconds = seconds
        self._stop = threading.Event()

    def run(self):
        while True:
            try:
                self._tick(self._deps)
            except Exception:
                log.exception("the minute tick failed")
            if self._stop.wait(self._seconds):
                return

    def stop(self):
        self._stop.set()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--backend", choices=("sqlite", "moto"), default=os.environ.get("BACKEND", "sqlite"))
    parser.add_argument("--var", type=Path, default=Path(os.environ.get("CITYDESK_VAR", "var")))
    parser.add_argument("--site", type=Path, default=SITE_DIR, help="the built site (python -m local.build_site)")
    parser.add_argument("--tick-seconds", type=float, default=TICK_SECONDS, help="how often the minute tick runs")
    args = parser.parse_args(argv)
    if not args.tick_seconds > 0:
        parser.error("--tick-seconds must be above zero")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not (args.site / "index.html").exists():
        sys.exit(f"{args.site} has no site: run `python -m local.build_site` (or `make site`) first")
    # Both stop the server cleanly, even if the shell that started it ignores SIGINT.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.default_int_handler)

    prepare_var(args.var.resolve())
    # The pages the system regenerates (the outage page) go where this server serves the site from.
    os.environ.setdefault("CITYDESK_SITE_DIR", str(args.site.resolve()))
    if args.backend == "sqlite":
        os.environ["CITYDESK_BACKEND"] = "sqlite"
    moto = start_moto() if args.backend == "moto" else None
    try:
        serve(args.port, args.site, args.var.resolve(), args.tick_seconds)
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
    finally:
        if moto:
            moto.stop()


def serve(port: int, site: Path, var: Path, tick_seconds: float = TICK_SECONDS):
    # Bound first, so e-mailed links and sign-in redirects name the port really used.
    server = HttpServer((HOST, port), handler_class(Api(app), site))
    os.environ.setdefault("CITYDESK_SITE_URL", f"http://{HOST}:{server.server_address[1]}")
    settings = Settings.from_env()
    if settings.backend == "dynamodb":
        # Like bootstrap: pynamodb and botocore only load when they are used.
        from chalicelib.adapters.dynamodb import create_tables

        create_tables(settings.table_prefix, settings.region, settings.dynamodb_endpoint)
    if settings.photos == "s3" and settings.s3_endpoint:
        from chalicelib.adapters.photos import create_bucket

        create_bucket(settings.photo_bucket, settings.region, settings.s3_endpoint)
    deps = bootstrap.build(settings)
    bootstrap.override(deps)
    print(f"demo resident phone: {seed_demo(deps, var)} (the sign-in code arrives in {settings.sms_log})", flush=True)
    # `make site` rebuilt the folder without the generated pages: they are there before the first request.
    regenerate(deps)
    ticker = Ticker(local_tick, deps, tick_seconds)
    ticker.start()
    backend = f"{settings.backend} at {settings.dynamodb_endpoint}" if settings.dynamodb_endpoint else settings.backend
    print(f"Serving on http://{HOST}:{server.server_address[1]} ({backend}); Ctrl-C stops", flush=True)
    try:
        server.serve_forever()
    finally:
        ticker.stop()
        server.server_close()


if __name__ == "__main__":
    main()
