"""No broken link or anchor anywhere in the served site, checked by linkchecker (PyPI), and a
missing address answered by a 404 page that works at any depth.

Sphinx's own ``linkcheck`` builder misreports internal links, so it is not used. linkchecker
follows every internal link and checks each ``#anchor`` (its AnchorCheck plugin); links to other
hosts are only syntax-checked (nothing may leave the machine). linkchecker re-reads a page for
each anchor that links into it, so this is the slowest browser test (about 440 URLs, 35 s here).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .sitecheck import html_pages, unavailable, world_unreadable

pytestmark = pytest.mark.browser

CONFIG = """\
[filtering]
checkextern=0
[checking]
# our server sends the LinkChecker header, which lifts linkchecker's per-host rate limit
maxrequestspersecond=1000
timeout=30
[AnchorCheck]
"""


def _linkchecker() -> str:
    beside = Path(sys.executable).with_name("linkchecker")
    found = str(beside) if beside.is_file() else shutil.which("linkchecker")
    if found is None:
        unavailable("linkchecker is not installed: `pip install -e '.[test]'`")
    assert found is not None
    return found


def test_site_files_are_world_readable(site: Path) -> None:
    """A web server running as another user must read every file (a build under umask 077 fails).

    linkchecker itself reads the site over HTTP from this process, so its dropping to ``nobody``
    when run as root does not need this; any real host does.
    """
    assert world_unreadable(site) == []


def test_no_broken_link_or_anchor(site: Path, site_url: str, tmp_path: Path) -> None:
    config = tmp_path / "linkcheckerrc"
    config.write_text(CONFIG, encoding="utf-8")
    pages = [site_url + page for page in html_pages(site)]  # orphans too, not just what's linked
    result = subprocess.run(
        [
            _linkchecker(),
            f"--config={config}",
            # every URL not on our server is only syntax-checked: nothing leaves the machine
            f"--ignore-url=^(?!{re.escape(site_url)})",
            # page#anchor is the same page as page, whose links are followed anyway: check the
            # anchor, don't parse the page for links again (a quarter of the time, here)
            "--no-follow-url=#",
            # explorer.html#kind=GRU&layers=3 is an explorer state, not an anchor (the FAQ links
            # such states; tests/test_docs.py checks their keys against the explorer's)
            f"--ignore-url=^{re.escape(site_url)}.*explorer\\.html#\\w+=",
            # parsing is CPU-bound Python: one thread is twice as fast as the default ten here
            "--threads=1",
            "--no-status",
            "--output=csv",
            *pages,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    rows = list(
        csv.DictReader(
            (line for line in result.stdout.splitlines() if not line.startswith("#")),
            delimiter=";",
        )
    )
    problems = [
        f"{row['url']} (linked from {row['parentname']}): {row['result']} {row['warningstring']}"
        for row in rows
        if row["valid"] != "True" or row["warningstring"]
    ]
    assert problems == [], "\n".join(problems)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_missing_address_at_any_depth_gets_a_working_404_page(visit: Any, site_url: str) -> None:
    """The server answers a missing address with 404.html, as Read the Docs does: two folders
    down, the page still loads its styles and scripts (only the address itself is missing) and
    its link home leads home."""
    missing = "explanation/no/such/page.html"
    with visit(missing) as seen:
        page = seen.page
        assert page.locator("h1").inner_text() == "Page not found"
        assert seen.failed_requests == [f"{site_url}{missing}: HTTP 404"]
        assert [e for e in seen.console_errors if f"({site_url}{missing})" not in e] == []
        page.get_by_role("link", name="home page").click()
        page.wait_for_url(f"{site_url}index.html")
