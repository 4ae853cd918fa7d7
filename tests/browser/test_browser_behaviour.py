"""What a reader does on the site: copy code, search, download an example, read on a phone.

Also writes screenshots of the home page and one page of each kind, at desktop and mobile widths,
to ``docs/_build/screenshots/`` for review.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from .sitecheck import (
    AXE_JS,
    DESKTOP,
    HOW_TO_BUILD,
    MOBILE,
    ROOT,
    SITE,
    describe_violations,
    gallery_examples,
    sample_pages,
    unavailable,
)

pytestmark = pytest.mark.browser

SAMPLES = sample_pages()
EXAMPLES = gallery_examples()
HOME = "index.html" if SAMPLES else None
EQUATIONS = "explanation/equations.html" if SAMPLES else None
NO_SITE = pytest.param(None, id="no-built-site")


def need(path: str | None) -> str:
    """The page path, or a skip (a failure under CI) when the site is not built."""
    if path is None:
        unavailable(f"there is no built site at {SITE}: {HOW_TO_BUILD}")
    assert path is not None
    return path


def test_copy_button_copies_the_code(visit: Any) -> None:
    """The home page's first code block: its copy button puts the code on the clipboard."""
    with visit(need(HOME), permissions=("clipboard-read", "clipboard-write")) as seen:
        page = seen.page
        block = page.locator("div.highlight:has(button.copybtn)").first
        assert block.count() == 1, "no code block with a copy button on the home page"
        expected = block.evaluate(
            """(block) => {
              const pre = block.querySelector("pre").cloneNode(true);
              pre.querySelectorAll(".linenos, .gp, .go").forEach((e) => e.remove());
              return pre.innerText;
            }"""
        )
        block.hover()
        block.locator("button.copybtn").click()
        block.locator("button.copybtn.success").wait_for()  # copybutton's "Copied!" state
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.strip(), "the clipboard is empty after clicking the copy button"
        assert copied.strip() == expected.strip()
        assert seen.console_errors == []


# The FAQ entries the result leads to: the section it points at, or else every section (or
# <details>) whose question (heading or summary) names batch_first and whose answer names h_n.
FAQ_ENTRIES_JS = """() => {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id ? document.getElementById(id)?.closest("section, details") : null;
  const entries = target ? [target] : [...document.querySelectorAll(
    "[role=main] section section, [role=main] details")];
  return entries.map((entry) => {
    const question = entry.querySelector("h2, h3, h4, h5, h6, summary")?.innerText ?? "";
    return /batch_first/.test(question) && /h_n/.test(entry.innerText) ? question : null;
  }).filter(Boolean);
}"""


# In each visible aligned block (an MathML table, right column then left), where each row's
# right-hand cell content ends and its left-hand cell content starts: equal rows line up at "=".
ALIGNMENT_JS = """() => [...document.querySelectorAll("div.math mtable")]
  .filter((table) => table.checkVisibility())
  .map((table) => [...table.querySelectorAll(":scope > mtr")].map((row) => {
    const right = row.querySelector(':scope > mtd[columnalign="right"]');
    const left = row.querySelector(':scope > mtd[columnalign="left"]');
    const box = (cell, end) => {
      const parts = [...cell.children].map((e) => e.getBoundingClientRect()).filter((r) => r.width);
      return parts.length ? (end ? Math.max(...parts.map((r) => r.right))
                                 : Math.min(...parts.map((r) => r.left))) : null;
    };
    return {rightEnds: box(right, true), leftStarts: box(left, false)};
  }))"""


def test_aligned_equations_line_up(visit: Any) -> None:
    """Each tab of the equations page: the rows of every aligned block line up at their "="."""
    with visit(need(EQUATIONS)) as seen:
        page = seen.page
        tabs = page.locator("label.sd-tab-label")
        assert tabs.count() >= 3, "the equations page lost its RNN / LSTM / GRU tabs"
        checked = 0
        for index in range(tabs.count()):
            tabs.nth(index).click()
            for rows in page.evaluate(ALIGNMENT_JS):
                checked += 1
                ends = {round(row["rightEnds"]) for row in rows if row["rightEnds"] is not None}
                starts = {round(row["leftStarts"]) for row in rows}
                assert len(rows) >= 2 and len(ends) == 1 and len(starts) == 1, rows
                assert starts.pop() >= ends.pop(), "the columns overlap"
        assert checked >= 2, "no aligned block was seen (LSTM and GRU have one each)"


def test_search_finds_the_faq_entry(visit: Any) -> None:
    """Searching the sidebar for "batch_first h_n" leads to the FAQ entry that answers it."""
    with visit(need(HOME)) as seen:
        page = seen.page
        box = page.get_by_role("search").locator("input[name=q]")
        box.fill("batch_first h_n")
        box.press("Enter")
        page.wait_for_url(re.compile(r"search\.html\?q=batch_first"))
        page.wait_for_function(
            """() => /Search finished|did not match/.test(
                 document.querySelector(".search-summary")?.innerText ?? "")"""
        )
        results = page.locator("#search-results ul.search li").evaluate_all(
            "(items) => items.map((li) => ({href: li.querySelector('a').href, text: li.innerText}))"
        )
        faq = [r for r in results if "faq" in r["href"].lower()]
        assert faq, f"no result on the FAQ page among {[r['href'] for r in results]}"
        page.goto(faq[0]["href"])
        entries = page.evaluate(FAQ_ENTRIES_JS)
        assert entries, f"{page.url} has no entry whose question names batch_first and h_n"
        assert seen.console_errors == []
        assert seen.failed_requests == []


def test_theme_toggle_turns_the_page_dark(visit: Any, axe_source: str) -> None:
    """furo's toggle (not the system setting) darkens the page, which stays accessible."""
    with visit(need(HOME), color_scheme="light") as seen:
        page = seen.page
        page.locator("button.theme-toggle:visible").first.click()  # auto -> dark under light
        state = page.evaluate(
            """() => ({
              theme: document.body.dataset.theme,
              stored: localStorage.getItem("theme"),
              background: getComputedStyle(document.body).backgroundColor,
            })"""
        )
        assert state["theme"] == state["stored"] == "dark"
        red, green, blue = (int(c) for c in re.findall(r"\d+", state["background"])[:3])
        assert max(red, green, blue) < 64, f"the background is {state['background']}, not dark"
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(AXE_JS)
        assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("path", EXAMPLES or [NO_SITE])
def test_gallery_download_serves_the_script(visit: Any, path: str | None) -> None:
    """The example's "Download Python source code" link serves the script, as in examples/."""
    with visit(need(path), accept_downloads=True) as seen:
        link = seen.page.locator(".sphx-glr-download-python a").first
        with seen.page.expect_download() as download_info:
            link.click()
        download = download_info.value
        name = download.suggested_filename
        assert name.endswith(".py"), f"the download is {name}, not a Python script"
        text = Path(download.path()).read_text(encoding="utf-8")
        ast.parse(text, filename=name)
        source = ROOT / "examples" / name
        if SITE.is_relative_to(ROOT / "docs") and source.is_file():
            assert text == source.read_text(encoding="utf-8"), f"differs from examples/{name}"
        assert seen.failed_requests == []


@pytest.mark.parametrize("path", SAMPLES or [NO_SITE])
def test_no_horizontal_scroll_at_375px(visit: Any, path: str | None) -> None:
    """On a phone the page fits the screen's width: nothing but code and tables scrolls sideways."""
    with visit(need(path), viewport=MOBILE) as seen:
        overflow = seen.page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= width) return [];
              // the outermost elements that stick out, where the overflow starts
              return [...document.body.querySelectorAll("*")]
                .filter((e) => e.getBoundingClientRect().right > width + 1 &&
                               e.parentElement.getBoundingClientRect().right <= width + 1)
                .slice(0, 5)
                .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}: ` +
                            `${Math.round(e.getBoundingClientRect().right)} px`);
            }"""
        )
        assert overflow == [], f"the page is wider than {MOBILE['width']} px"


# A full-page screenshot does not scroll: load the lazy images first.
READY_JS = """async () => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.decode().catch(() => null)));
  await document.fonts.ready;
}"""


def _shot_name(path: str, width: str) -> str:
    stem = re.sub(r"\.html(\?.*)?$", "", path).replace("/", "--")
    return f"{stem}-{width}.png"


@pytest.mark.parametrize("width", ["desktop", "mobile"])
@pytest.mark.parametrize("path", SAMPLES or [NO_SITE])
def test_screenshot(visit: Any, screenshots: Path, path: str | None, width: str) -> None:
    """Write a full-page screenshot for a person to review (the home page in dark mode too)."""
    path = need(path)
    viewport = DESKTOP if width == "desktop" else MOBILE
    schemes: list[Any] = ["light", "dark"] if path == "index.html" else ["light"]
    for scheme in schemes:
        with visit(path, viewport=viewport, color_scheme=scheme) as seen:
            seen.page.evaluate(READY_JS)
            suffix = width if scheme == "light" else f"{width}-dark"
            target = screenshots / _shot_name(path, suffix)
            seen.page.screenshot(path=target, full_page=True, animations="disabled")
            assert target.stat().st_size > 0


# Layout shifts as Lighthouse counts them (those not caused by input), summed from page load on.
SHIFTS_INIT = """
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
  }).observe({type: "layout-shift", buffered: true});
"""
EXPLORER_PAGES = ["index.html", "explanation/state-grid.html", "reference/explorer.html"]


@pytest.mark.parametrize("path", EXPLORER_PAGES if SAMPLES else [NO_SITE])
@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["mobile", "desktop"])
def test_the_explorer_is_drawn_without_moving_the_page(
    visit: Any, path: str | None, viewport: dict[str, int]
) -> None:
    """The explorer is drawn when it nears the viewport, in the room its CSS kept for it: the
    page loads without it if it is below the fold, and drawing it moves nothing (layout shift
    stays under 0.01, a tenth of what Lighthouse calls good)."""
    with visit(need(path), viewport=viewport) as seen:
        page = seen.page
        page.add_init_script(SHIFTS_INIT)
        page.reload()
        root = page.locator("div[data-rnnx]").first
        below_fold = root.evaluate("(r) => r.getBoundingClientRect().top > 1.5 * innerHeight")
        page.wait_for_timeout(300)
        drawn = root.locator("form").count()
        if below_fold:
            assert drawn == 0, "an explorer below the fold is drawn at load"
        root.scroll_into_view_if_needed()
        page.wait_for_selector("div[data-rnnx] .rnnx-grid")
        page.wait_for_timeout(300)
        shifts = page.evaluate("() => window.__shifts")
        assert sum(shifts) < 0.01, shifts
