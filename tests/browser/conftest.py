"""Fixtures for the browser tests: the served site, Chromium, axe-core and page visits.

Without Chromium, axe-core (the ``test`` extra installs it) or a built site these tests skip and
say how to get them; with ``CI=true`` they fail instead, so CI never passes by skipping. The
helpers live in sitecheck.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from .sitecheck import (
    AXE,
    CHROMIUM,
    CHROMIUM_FLAGS,
    HOW_TO_BUILD,
    HOW_TO_GET_AXE,
    HOW_TO_GET_CHROMIUM,
    SCREENSHOTS,
    SITE,
    open_page,
    serve,
    unavailable,
)


def pytest_configure(config: pytest.Config) -> None:
    """pytest-playwright 0.10's ``base_url`` fixture is a session fixture on a class instance,
    which pytest 9 deprecates; ``page`` and ``context`` request it. Silence that one warning."""
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods[\\s\\S]*'base_url'"
        ":pytest.PytestRemovedIn10Warning",
    )


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder (skips, or fails under CI, if there is none)."""
    if not (SITE / "index.html").is_file():
        unavailable(f"there is no built site at {SITE}: {HOW_TO_BUILD}")
    return SITE


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The site served from 127.0.0.1 at a free port, for the whole session."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (``playwright install`` cannot download here) with quiet flags."""
    if not CHROMIUM.is_file():
        unavailable(f"there is no Chromium at {CHROMIUM}: {HOW_TO_GET_CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": list(CHROMIUM_FLAGS),
    }


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from the ``axe-playwright-python`` wheel (pinned in constraints.txt)."""
    if AXE is None or not AXE.is_file():
        unavailable(f"axe-core is not installed (axe-playwright-python): {HOW_TO_GET_AXE}")
    assert AXE is not None
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots(site: Path) -> Path:
    """The folder beside the build where screenshots are written for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def visit(browser: Browser, site_url: str) -> Any:
    """``visit(path, **options)``: a context manager opening ``path`` (see sitecheck.open_page)."""
    return functools.partial(open_page, browser, site_url)
