"""The troubleshooting section is found the way readers look for it: by pasting the message.

For every entry, its title question, and for every message the index of messages lists, typed
into the site's own search box, must bring that entry among the first three results.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from .sitecheck import HOW_TO_BUILD, SITE, unavailable

pytestmark = pytest.mark.browser

ENTRIES_JS = """() => [...document.querySelectorAll('article .toctree-wrapper li.toctree-l1 > a')]
    .map((a) => ({query: a.innerText.trim(), href: a.href}))"""
MESSAGES_JS = """() => [...document.querySelectorAll('li.runs-indexed')]
    .map((li) => ({query: li.querySelector('code').innerText.trim(),
                   href: li.querySelector('a').href}))"""
RESULTS_JS = """() => [...document.querySelectorAll('#search-results ul.search li > a')]
    .map((a) => a.href)"""
DONE_JS = """() => /Search finished|did not match/.test(
    document.querySelector('.search-summary')?.innerText ?? '')"""


def _page(url: str) -> str:
    return urlsplit(url).path


def _queries(visit: Any) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    if not (SITE / "troubleshooting" / "index.html").is_file():
        unavailable(f"there is no built troubleshooting section in {SITE}: {HOW_TO_BUILD}")
    with visit("troubleshooting/index.html") as seen:
        entries = seen.page.evaluate(ENTRIES_JS)
    with visit("reference/messages.html") as seen:
        messages = seen.page.evaluate(MESSAGES_JS)
    return entries, messages


def test_every_entry_is_found_by_its_title_and_its_message(visit: Any) -> None:
    entries, messages = _queries(visit)
    assert entries, "the troubleshooting index lists no entry"
    listed = {_page(m["href"]) for m in messages}
    assert listed <= {_page(e["href"]) for e in entries}, "a message links outside the section"
    queries = [*entries, *messages]
    missed = []
    with visit("search.html") as seen:
        page = seen.page
        for q in queries:
            box = page.get_by_role("search").locator("input[name=q]").first
            box.fill(q["query"])
            box.press("Enter")
            page.wait_for_url(re.compile(r"search\.html\?q="))
            page.wait_for_function(DONE_JS)
            top = [_page(href) for href in page.evaluate(RESULTS_JS)[:3]]
            if _page(q["href"]) not in top:
                missed.append(f"{q['query']!r} -> {top} (wanted {_page(q['href'])})")
        assert seen.console_errors == []
    assert missed == [], "\n".join(missed)
