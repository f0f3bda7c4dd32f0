"""The local server in a subprocess: `python -m local.server` on a free port with its
own var directory, as the browser tests and the load test run it. Its output is kept
line by line; its storage is opened from the calling process with the real adapter.
"""

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from chalicelib import bootstrap
from chalicelib.settings import Settings

from .build_site import OUT as SITE_DIR

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 90
STOP_SECONDS = 30
SERVING = r"Serving on (http://\S+) \((\w+)(?: at (http://\S+))?\)"


class ServerDidNotStart(RuntimeError):
    """The server ended, or did not say where it serves in time; the message is its output."""


class ServerProcess:
    """The server on `backend` ("sqlite" or "moto") over `var`, serving (and writing its
    generated pages to) `site`. `env` adds variables to a clean environment: none of the
    caller's CITYDESK_* or AWS_* ones get through. `args` are more of the server's options."""

    def __init__(self, backend: str, var: Path, site: Path = SITE_DIR, env: dict | None = None, args: tuple = ()):
        self.backend = backend
        self.var = var
        self.site = site
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("CITYDESK_", "AWS_"))}
        clean.update(PYTHONPATH=os.pathsep.join([str(ROOT / "functions"), str(ROOT)]), PYTHONUNBUFFERED="1",
                     CITYDESK_EMAIL_LOG=str(var / "email.log"), **(env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.server", "--port", "0", "--backend", backend, "--var", str(var),
             "--site", str(site), *args],
            cwd=ROOT, env=clean, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self._ended = False
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        started = self.wait_for(SERVING, STARTUP_SECONDS)
        if not started:
            self.stop()
            raise ServerDidNotStart(self.output)
        self.url = started.group(1)
        self.dynamodb_endpoint = started.group(3)

    def _read(self):
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 10):
        """The first output line matching `pattern`, once it is printed; None if the
        server ends or `timeout` passes first."""
        found = None

        def seen():
            nonlocal found
            found = next(filter(None, (re.search(pattern, line) for line in self.lines)), None)
            return found or self._ended

        with self._changed:
            self._changed.wait_for(seen, timeout)
        return found

    @property
    def output(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    @property
    def secret(self) -> str:
        return (self.var / "secret").read_text().strip()

    def storage(self):
        """The server's own storage, opened from this process with the real adapter."""
        if self.backend == "sqlite":
            return bootstrap.open_storage(Settings(backend="sqlite", db_path=str(self.var / "citydesk.sqlite3"),
                                                   secret=self.secret))
        # The moto server's endpoint, with credentials that cannot reach a real account.
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing")
        return bootstrap.open_storage(Settings(backend="dynamodb", dynamodb_endpoint=self.dynamodb_endpoint,
                                               secret=self.secret))

    def stop(self) -> int:
        """Stop the server as Ctrl-C does; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_SECONDS)
