"""Playwright driving Debian's Chromium (Playwright's own browser download is not available)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SMARTEXPO_CHROMIUM", "/usr/bin/chromium")
# The same flags as the screenshot scripts, so a page looks in the tests as in docs/screenshots.
_spec = importlib.util.spec_from_file_location(
    "screenshot", Path(__file__).resolve().parents[2] / "scripts" / "screenshot.py"
)
_screenshot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_screenshot)
CHROMIUM_ARGS = _screenshot.CHROMIUM_ARGS


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API refuses to start inside a running asyncio loop, and Django's
    # async-unsafe guard trips on Playwright's own loop thread; the guard is for ORM calls
    # made from async code, which these tests do not make.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
