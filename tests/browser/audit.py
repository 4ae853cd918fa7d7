"""Score every page of the built site with Lighthouse (mobile) and print a table: ``nox -s audit``.

Usage, from the repository root after ``npm ci`` and a build::

    python -m tests.browser.audit [--runs N] [PAGE ...]    # default: every page, three runs each

Lighthouse's performance score moves by a few points from run to run on a busy machine, so each
page is scored ``--runs`` times (default 3) and the run with the median performance counts; the
table shows every run's performance score beside it, in the order they ran.

The site is served from 127.0.0.1 gzipped over HTTP/1.1, as a real host serves it; Chromium
(``CHROME_PATH``, default /usr/bin/chromium) runs with the browser tests' flags, so nothing leaves
the machine. Reports go to ``docs/_build/lighthouse/``. Exits 1 if a page misses a target.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .sitecheck import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    HOW_TO_BUILD,
    HOW_TO_GET_CHROMIUM,
    HOW_TO_GET_NPM,
    LIGHTHOUSE,
    SITE,
    html_pages,
    serve,
)

TARGETS = {"performance": 98, "accessibility": 100, "best-practices": 96, "seo": 95}
HEADERS = {"performance": "perf", "accessibility": "a11y", "best-practices": "BP", "seo": "SEO"}
META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)


def asks_not_to_be_indexed(html: str) -> bool:
    """Whether the page has ``<meta name="robots" content="noindex">`` (attributes in any order)."""
    return any(
        'name="robots"' in tag.lower() and "noindex" in tag.lower() for tag in META.findall(html)
    )


def lighthouse(url: str, report: Path) -> dict[str, Any]:
    """Run Lighthouse (mobile, the default form factor) on ``url``; return its JSON result."""
    report.parent.mkdir(parents=True, exist_ok=True)
    flags = " ".join(f'"{flag}"' if " " in flag else flag for flag in CHROMIUM_FLAGS)
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            f"--only-categories={','.join(TARGETS)}",
            f"--chrome-flags={flags}",
            "--output=json",
            "--output=html",
            f"--output-path={report}",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        check=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(report.with_suffix(".report.json").read_text("utf-8"))
    return result


def misses(result: dict[str, Any], page_noindex: bool) -> tuple[dict[str, int], list[str]]:
    """The page's scores, and each category under its target with the audits that cost points."""
    categories, audits = result["categories"], result["audits"]
    scores = {key: round(float(categories[key]["score"] or 0) * 100) for key in TARGETS}
    notes = []
    for key, target in TARGETS.items():
        if scores[key] >= target or (key == "seo" and page_noindex):
            continue
        lost = [
            f"{ref['id']} ({audits[ref['id']].get('displayValue') or audits[ref['id']]['score']})"
            for ref in categories[key]["auditRefs"]
            if ref["weight"]
            and (audits[ref["id"]]["score"] or 0) < 1
            and audits[ref["id"]]["scoreDisplayMode"] in ("binary", "numeric")
        ]
        notes.append(f"{HEADERS[key]} {scores[key]} < {target}: {', '.join(lost)}")
    return scores, notes


def speed(result: dict[str, Any]) -> float:
    """The performance score of one run."""
    return float(result["categories"]["performance"]["score"] or 0)


def mark(below: bool, exempt: bool) -> str:
    """The table's flag after a score: ``!`` below target, ``*`` target not applied."""
    return "*" if exempt else "!" if below else " "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages relative to the site (default: all)")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per page; the median score counts (default 3)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, not {args.runs}")
    for ready, problem in [
        ((SITE / "index.html").is_file(), f"no built site at {SITE}: {HOW_TO_BUILD}"),
        (CHROMIUM.is_file(), f"no Chromium at {CHROMIUM}: {HOW_TO_GET_CHROMIUM}"),
        (LIGHTHOUSE.is_file(), f"Lighthouse is not installed: {HOW_TO_GET_NPM}"),
    ]:
        if not ready:
            print(f"audit: {problem}", file=sys.stderr)
            return 2
    pages = args.pages or html_pages()
    if missing := [page for page in pages if not (SITE / page).is_file()]:
        print(f"audit: no such page in {SITE}: {', '.join(missing)}", file=sys.stderr)
        return 2
    reports = SITE.parent / "lighthouse"
    width = max(len(page) for page in pages)
    print(
        "Lighthouse (mobile), targets: "
        + ", ".join(f"{HEADERS[key]} >= {target}" for key, target in TARGETS.items())
    )
    print(
        f"{'page':<{width}}  "
        + "  ".join(f"{h:>4}" for h in HEADERS.values())
        + ("  perf, each run" if args.runs > 1 else "")
    )
    failed: list[str] = []
    start = time.monotonic()
    with serve(SITE, compress=True) as url:
        for page in pages:
            name = re.sub(r"\W+", "-", page.removesuffix(".html"))
            runs = [f"{name}-run{i + 1}" if args.runs > 1 else name for i in range(args.runs)]
            in_order = [lighthouse(url + page, reports / run) for run in runs]
            results = sorted(in_order, key=speed)
            result = results[(len(results) - 1) // 2]  # the run with the median performance
            noindex = asks_not_to_be_indexed((SITE / page).read_text(encoding="utf-8"))
            scores, notes = misses(result, noindex)
            below = {note.split()[0] for note in notes}
            cells = "  ".join(
                f"{scores[key]:>3}" + mark(HEADERS[key] in below, key == "seo" and noindex)
                for key in TARGETS
            )
            each = ", ".join(f"{round(speed(r) * 100)}" for r in in_order) if args.runs > 1 else ""
            print(f"{page:<{width}}  {cells}  {each}".rstrip(), flush=True)
            failed += [f"{page}: {note}" for note in notes]
    print(f"\n{len(pages)} pages in {time.monotonic() - start:.0f} s; reports in {reports}")
    print("! below target; * SEO target not applied: the page asks not to be indexed (noindex)")
    if failed:
        print("\nBelow target:\n  " + "\n  ".join(failed))
        return 1
    print("Every page meets every target.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
