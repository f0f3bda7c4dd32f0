"""Fixtures of the browser tests: the local server (both backends, or SQLite only)
and one Chromium, each started once per session. The parts themselves live in tests/e2e/browser.py."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, LocalServer


@pytest.fixture(scope="session", params=["sqlite", "moto"])
def server(request, tmp_path_factory):
    running = LocalServer(request.param, tmp_path_factory.mktemp(f"var-{request.param}"))
    yield running
    assert running.stop() == 0, running.output


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory):
    running = LocalServer("sqlite", tmp_path_factory.mktemp("var-sqlite"))
    yield running
    assert running.stop() == 0, running.output


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "install Chromium: apt-get install -y chromium (make chromium)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


