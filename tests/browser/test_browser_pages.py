"""Every page of the built site, as a reader's browser shows it.

Each page is opened once (light colour scheme, desktop width); what the browser reported and what
the page holds are gathered into a ``PageReport``, then dark mode is emulated for a second axe-core
run. Each test below asserts one kind of finding, so a report names the page and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .sitecheck import (
    AXE_JS,
    HOW_TO_BUILD,
    SITE,
    TIMEOUT_MS,
    describe_violations,
    html_pages,
    unavailable,
)

pytestmark = pytest.mark.browser

PAGES: list[str | None] = [*html_pages()] or [None]  # None: no site, the tests say how to build it

# Images: lazy ones are made eager and awaited; each reports whether it loaded and its alt text.
IMAGES_JS = """async (timeoutMs) => {
  const images = [...document.images];
  images.forEach((img) => { img.loading = "eager"; });
  const settled = images.map((img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve); img.addEventListener("error", resolve);
  }));
  await Promise.race([Promise.all(settled), new Promise((r) => setTimeout(r, timeoutMs))]);
  return images.map((img) => ({
    src: img.getAttribute("src"),
    loaded: img.complete && img.naturalWidth > 0,
    alt: img.getAttribute("alt"),
    // width and height in the markup reserve the image's box before it loads (no layout shift);
    // drawn at their ratio, the image is not stretched
    sized: img.hasAttribute("width") && img.hasAttribute("height"),
    stretch: img.naturalHeight && img.getAttribute("height") ?
      (img.getAttribute("width") / img.getAttribute("height")) /
      (img.naturalWidth / img.naturalHeight) : 1,
    // A gallery thumbnail is decorative: the example's title follows it as a link.
    decorative: img.closest(".sphx-glr-thumbcontainer") !== null,
  }));
}"""

# Maths: every Sphinx maths node holds a <math> element that the browser lays out as MathML
# (written at build time by docs/_ext/mathml.py); no TeX is left in the text a reader sees.
MATHS_JS = r"""() => {
  const nodes = [...document.querySelectorAll(".math")];
  const show = (n) => n.textContent.trim().slice(0, 80);
  const unrendered = [], errors = [];
  for (const node of nodes) {
    const math = node.querySelector("math");
    // the browser's own MathML layout: display "math" or "block math", not an unknown inline tag
    if (!(math instanceof MathMLElement) || !getComputedStyle(math).display.includes("math")) {
      unrendered.push(show(node));
      continue;
    }
    const box = math.getBoundingClientRect();
    const empty = box.width === 0 || box.height === 0;
    if (node.checkVisibility() && empty) unrendered.push(show(node));
    // a TeX command the converter did not know is left as text that starts with a backslash
    for (const token of math.querySelectorAll("mi, mo, mn, mtext")) {
      if (token.textContent.startsWith("\\")) errors.push(token.textContent);
    }
  }
  const skip = "pre, code, script, style, textarea, math, .math, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const tex = /\$\$|\$[^$\n]*[\\_^{}][^$\n]*\$|\\\(|\\\[|\\begin\{/;
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip) || !parent.checkVisibility()) continue;
    const match = node.textContent.match(tex);
    if (match) raw.push(node.textContent.trim().slice(0, 80));
  }
  return {count: nodes.length, unrendered, errors, raw};
}"""

# Structure: one h1 naming the page, heading levels that never skip, the landmarks furo provides.
STRUCTURE_JS = """() => {
  const visible = (e) => e.checkVisibility();
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(visible);
  const levels = headings.map((h) => Number(h.tagName[1]));
  const skips = [];
  levels.forEach((level, i) => {
    if (i && level > levels[i - 1] + 1) skips.push(`h${levels[i - 1]} -> h${level}: ` +
                                                    headings[i].textContent.trim().slice(0, 60));
  });
  const count = (selector) => document.querySelectorAll(selector).length;
  return {
    title: document.title,
    lang: document.documentElement.lang,
    h1: headings.filter((h) => h.tagName === "H1").map((h) => h.textContent.trim()),
    skips,
    main: count("main, [role=main]"),
    nav: count("nav, [role=navigation]"),
    search: count("[role=search], form[action*=search]"),
  };
}"""


@dataclass(repr=False)
class PageReport:
    """What one visit found on one page."""

    path: str
    console_errors: list[str]
    failed_requests: list[str]
    outside_requests: list[str]
    images: list[dict[str, Any]]
    maths: dict[str, Any]
    structure: dict[str, Any]
    axe: dict[str, list[dict[str, Any]]]

    def __repr__(self) -> str:  # pytest prints the argument in a failure: keep it to the page
        return f"<PageReport {self.path}>"


@pytest.fixture(scope="module", params=PAGES, ids=lambda p: p or "no-built-site")
def report(request: pytest.FixtureRequest, visit: Any, axe_source: str) -> PageReport:
    """Open one page once and gather every finding the tests below assert on."""
    path = request.param
    if path is None:
        unavailable(f"there is no built site at {SITE}: {HOW_TO_BUILD}")
    with visit(path) as seen:
        page = seen.page
        images = page.evaluate(IMAGES_JS, TIMEOUT_MS)
        maths = page.evaluate(MATHS_JS)
        structure = page.evaluate(STRUCTURE_JS)
        page.add_script_tag(content=axe_source)
        axe = {"light": page.evaluate(AXE_JS)}
        page.emulate_media(color_scheme="dark")
        axe["dark"] = page.evaluate(AXE_JS)
        return PageReport(
            path=path,
            console_errors=seen.console_errors,
            failed_requests=seen.failed_requests,
            outside_requests=seen.outside_requests,
            images=images,
            maths=maths,
            structure=structure,
            axe=axe,
        )


def test_no_console_error_or_uncaught_exception(report: PageReport) -> None:
    assert report.console_errors == []


def test_no_failed_request(report: PageReport) -> None:
    assert report.failed_requests == []


def test_no_request_to_another_host(report: PageReport) -> None:
    assert report.outside_requests == [], "the site must work offline and leak no visit"


def test_every_image_loads_and_has_alt_text(report: PageReport) -> None:
    broken = [image["src"] for image in report.images if not image["loaded"]]
    no_alt = [
        image["src"]
        for image in report.images
        if image["alt"] is None or (image["alt"].strip() == "" and not image["decorative"])
    ]
    assert (broken, no_alt) == ([], []), "(images that did not load, images without alt text)"


def test_every_image_has_its_size_in_the_markup(report: PageReport) -> None:
    unsized = [image["src"] for image in report.images if not image["sized"]]
    stretched = [
        f"{image['src']}: {image['stretch']:.3f}"
        for image in report.images
        if abs(image["stretch"] - 1) > 0.01
    ]
    assert (unsized, stretched) == ([], []), "(no width and height, a ratio unlike the image's)"


def test_maths_is_rendered(report: PageReport) -> None:
    maths = report.maths
    assert maths["unrendered"] == [], "maths nodes the browser does not lay out as MathML"
    assert maths["errors"] == [], "TeX commands left unconverted in the MathML"
    assert maths["raw"] == [], "raw TeX in the text a reader sees"


def test_headings_and_landmarks(report: PageReport) -> None:
    found = report.structure
    assert found["title"].strip(), "the page has no <title>"
    assert found["lang"], "<html> has no lang"
    assert len(found["h1"]) == 1, f"expected one visible h1, found {found['h1']}"
    assert found["skips"] == [], "heading levels skip"
    assert found["main"] == 1, "expected one main landmark"
    assert found["nav"] >= 1, "no navigation landmark"
    assert found["search"] >= 1, "no search landmark"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation(report: PageReport, scheme: str) -> None:
    assert report.axe[scheme] == [], describe_violations(report.axe[scheme])
