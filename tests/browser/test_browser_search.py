"""The search box, given what readers paste: questions and error messages from public threads.

``search_queries.json`` holds real reader questions and error messages (each with the thread it
comes from) and the pages that answer them, in sets by how they were used:

- ``tuned``: the first 84, on which the ranking's weights, synonyms and question words were
  tuned by hand (``docs/_ext/search.py``, ``searchrank.js``), so its rates are in-sample;
- ``second``: 40 collected later by someone who had not seen the ranking; its misses then led
  to changes of their own (shapes as words, a section of the carry-state page), so its rates
  are partly in-sample too;
- ``fresh``: 30 collected last, after the ranking's tuning, and never tuned on: the honest rate
  for a new question (hit@3 50 % when it was added, 2026-12-07, and 53 % after the review's
  fixes of the tokenizer that day). A later change tuned on it makes it in-sample too; a new
  fresh set is then the honest measure.

Each query is typed whole into the sidebar's search box, as a reader would; the test prints each
set's hit@1 and hit@3 (the share of queries whose answering page is first, or among the first
three results) and every miss. Issue 13's target, hit@3 ≥ 95 %, is asserted on the tuned set;
the other sets hold what they reach now (:data:`FLOORS`), so a change that loses queries fails.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from .sitecheck import HOW_TO_BUILD, ROOT, SITE, html_pages, unavailable

pytestmark = pytest.mark.browser

QUERIES = json.loads((Path(__file__).with_name("search_queries.json")).read_text("utf-8"))
#: The least hit@3 of each set: issue 13's target on the tuned set, about what the ranking
#: reaches now on the others (no change may lose queries; one that gains some can raise them).
FLOORS = {"tuned": 0.95, "second": 0.72, "fresh": 0.53}

# The result list once the search has finished: each result's page, as a docname.
RESULTS_JS = """() => [...document.querySelectorAll("#search-results ul.search li > a")]
  .map((a) => new URL(a.href).pathname)"""


def site_path(url: str) -> str:
    """The path of ``url``'s folder: ``http://host:port/`` -> ``/``."""
    return urlparse(url).path.rsplit("/", 1)[0] + "/"


def test_the_query_set_names_real_pages() -> None:
    """At least 60 queries, each from a public thread, each answered by pages that exist."""
    assert len(QUERIES) >= 60
    assert len({q["query"].casefold() for q in QUERIES}) == len(QUERIES), "a query repeats"
    assert {q["set"] for q in QUERIES} == FLOORS.keys()
    docs = Path(__file__).resolve().parents[2] / "docs"
    for q in QUERIES:
        assert q["source"].startswith("https://"), q
        assert 1 <= len(q["expect"]) <= 3, q
        for name in q["expect"]:
            assert (docs / f"{name}.md").is_file(), f"{name} is not a page: {q}"


def search(page: Any, query: str) -> list[str]:
    """Type ``query`` into the sidebar's search box, press Enter, return the results' paths."""
    box = page.get_by_role("search").locator("input[name=q]")
    box.fill(query)
    box.press("Enter")
    page.wait_for_url(re.compile(r"search\.html\?q="))
    page.wait_for_function(
        """() => /Search finished|did not match/.test(
             document.querySelector(".search-summary")?.innerText ?? "")"""
    )
    return page.evaluate(RESULTS_JS)


def test_pasted_questions_find_their_page(visit: Any) -> None:
    """Each set's hit@3 at least its :data:`FLOORS`; hit@1, hit@3 and every miss printed."""
    if not html_pages():
        unavailable(f"there is no built site at {SITE}: {HOW_TO_BUILD}")
    ranks: dict[str, list[int | None]] = {name: [] for name in FLOORS}
    misses: list[str] = []
    with visit("index.html") as seen:
        page = seen.page
        prefix = site_path(page.url)
        for q in QUERIES:
            found = [
                re.sub(r"\.html$", "", p.removeprefix(prefix)) for p in search(page, q["query"])
            ]
            rank = next((i for i, name in enumerate(found) if name in q["expect"]), None)
            ranks[q["set"]].append(rank)
            if rank is None or rank >= 3:
                misses.append(
                    f"  {q['set']}: {q['query'][:80]!r}: expected {q['expect']}, got {found[:3]}"
                )
        assert seen.console_errors == []
    short = []
    print(f"\nsearch over {len(QUERIES)} pasted questions and messages:")
    for name, rs in ranks.items():
        at1 = sum(r == 0 for r in rs) / len(rs)
        at3 = sum(r is not None and r < 3 for r in rs) / len(rs)
        print(f"  {name} ({len(rs)}): hit@1 {at1:.1%}, hit@3 {at3:.1%} (floor {FLOORS[name]:.0%})")
        if at3 < FLOORS[name]:
            short.append(f"{name}: hit@3 {at3:.1%} < {FLOORS[name]:.0%}")
    print("missed:\n" + "\n".join(misses))
    assert not short, "; ".join(short) + "\n" + "\n".join(misses)


def test_the_browser_splits_words_as_the_index_does(visit: Any) -> None:
    """``searchrank.js`` and ``docs/_ext/search.py`` turn every query into the same words."""
    if not html_pages():
        unavailable(f"there is no built site at {SITE}: {HOW_TO_BUILD}")
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    import search as index

    texts = [q["query"] for q in QUERIES] + [
        "out[:, -1, :] h_n[-1] output[-1, :, :] x[..., 0]", "2-D or 3-D, 3 dimensions, dim=4",
        "pack_padded_sequence batch_first __init__ Überschrift naïve", "tensor([[0.25, -1.5]])",
        "constructor __proto__ toString hasOwnProperty", "é3-d café3 d ٣-d x²", "internally",
        "size (1, 64, 256), got (64, 256) torch.Size([3, 5]) x[0, 1] é[2, 3] (3, 5,) (٣, 5)",
        "(2, 3, 5), got [1, 3, 5] or [3, 2, 5] hidden_size = 0 dropout=0.50 x=1.5e-3 é=0 n=-1",
        "(1,\xa02, 3) got (1, 2, 4) x\xa0=\xa00 out[:,\xa0-1] 3\xa0d",
        "layer１ layer٣ float64 lr=1e-3x",
    ]  # fmt: skip
    with visit("search.html") as seen:
        seen.page.wait_for_function("() => typeof Search !== 'undefined' && Search.rnnshapesTokens")
        words = seen.page.evaluate("(texts) => texts.map(Search.rnnshapesTokens)", texts)
    assert words == [index.tokens(t, query=True) for t in texts]


def test_words_that_name_javascripts_own_finish_the_search(visit: Any) -> None:
    """No word of a query is looked up on an object's prototype: "constructor" finishes."""
    if not html_pages():
        unavailable(f"there is no built site at {SITE}: {HOW_TO_BUILD}")
    with visit("index.html") as seen:
        found = search(seen.page, "constructor __proto__ hasOwnProperty toString")
        assert seen.console_errors == []
    assert found, "no result"
