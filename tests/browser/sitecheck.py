"""Serve the built site from 127.0.0.1, list its pages and open them in Chromium.

Shared by the browser tests (``conftest.py``) and the Lighthouse audit (``audit.py``). Nothing
here reaches another host: the server binds the loopback address only, Chromium is launched with
flags that stop its own background traffic and resolve no name but the loopback one, and a page
visit aborts every request to another host (and records it).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.util
import io
import os
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request, Response

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("RNNSHAPES_SITE", ROOT / "docs" / "_build" / "html"))
"""The built site (``RNNSHAPES_SITE`` points the checks at another build)."""
SCREENSHOTS = SITE.parent / "screenshots"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
"""Lighthouse, for ``nox -s audit`` only (which runs ``npm ci`` itself, from package-lock.json)."""


def _axe_script() -> Path | None:
    """axe-core's script as the ``axe-playwright-python`` wheel ships it (pinned in
    constraints.txt, installed with the ``test`` extra), or None when it is not installed."""
    spec = importlib.util.find_spec("axe_playwright_python")  # finds, does not import
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).with_name("axe.min.js")


AXE = _axe_script()
"""axe-core's ``axe.min.js`` (None without the ``test`` extra): the browser tests inject it."""

CHROMIUM = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    # Names resolve to nothing, but an address like http://93.184.215.14/ needs no name: send
    # everything but loopback (which Chromium never proxies) to a port where nothing listens.
    "--proxy-server=http://127.0.0.1:9",
)
"""Measured to stop Chromium's own requests to Google's services (issue 5), plus a dead proxy."""

HOW_TO_BUILD = "build it with `nox -s docs`"
HOW_TO_GET_CHROMIUM = "install it with `apt-get install chromium` (Debian/Ubuntu)"
HOW_TO_GET_AXE = (
    "install the test extra, which ships it: `pip install -c constraints.txt -e '.[test]'` "
    "(`nox -s tests` does)"
)
HOW_TO_GET_NPM = "run `npm ci` in the repository root (needs Node.js and npm)"

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000
"""Upper bound for any one wait in a page; a page of this site loads locally in under a second."""

# axe-core's violations (all rules but the experimental ones), trimmed to what a report needs.
# Running transitions end first: after a colour-scheme switch, colours animate for a moment and
# axe would measure the contrast of colours in between.
AXE_JS = """async () => {
  const ending = document.getAnimations()
    .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
    .map((a) => a.finished.catch(() => null));
  await Promise.race([Promise.all(ending), new Promise((r) => setTimeout(r, 2000))]);
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                summary: n.failureSummary})),
  }));
}"""


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations as lines a person can act on: rule, impact, elements."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(
            f"    {n['target']}: {_squeeze(n['html'])}\n      {_squeeze(n['summary'])}"
            for n in v["nodes"][:5]
        )
        for v in violations
    )


def unavailable(what: str) -> None:
    """Skip a test because ``what`` is missing, or fail it when ``CI=true``: CI runs every check."""
    import pytest  # here, not above: audit.py uses this module without pytest

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, so this must run, but {what}", pytrace=False)
    pytest.skip(what)


_NOT_PAGES = {"_static", "_sources", "_downloads", "_images"}


def html_pages(site: Path = SITE) -> list[str]:
    """Every HTML page of ``site``, as sorted paths relative to its root (none if unbuilt)."""
    if not (site / "index.html").is_file():
        return []
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if path.relative_to(site).parts[0] not in _NOT_PAGES
    )


def gallery_examples(site: Path = SITE) -> list[str]:
    """The pages of the site that are gallery examples (they offer a ``.py`` download)."""
    return [
        page
        for page in html_pages(site)
        if "sphx-glr-footer-example" in (site / page).read_text(encoding="utf-8")
    ]


def sample_pages(site: Path = SITE) -> list[str]:
    """The home page and one page of each kind, for screenshots and the phone-width check.

    Each top-level page (the tutorial, the 404 page), and of each section (a top-level folder:
    explanation, how-to, reference, the gallery) its index and its first other page; the search
    page is shown with a query. Sphinx's generated indices are left out.
    """
    pages = html_pages(site)
    generated = {"index.html", "search.html", "genindex.html", "py-modindex.html"}
    chosen = ["index.html"] + [p for p in pages if "/" not in p and p not in generated]
    for section in sorted({page.split("/")[0] for page in pages if "/" in page}):
        inside = [page for page in pages if page.startswith(f"{section}/")]
        index = f"{section}/index.html"
        chosen += [index] if index in inside else []
        chosen += [page for page in inside if page != index][:1]
    if "search.html" in pages:
        chosen.append("search.html?q=batch_first+h_n")
    return chosen if pages else []


def world_unreadable(site: Path = SITE) -> list[str]:
    """Files and folders of ``site`` another user (a web server, linkchecker) cannot read."""
    unreadable = []
    for path in [site, *sorted(site.rglob("*"))]:
        need = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
        if path.stat().st_mode & need != need:
            unreadable.append(path.relative_to(site).as_posix())
    return unreadable


# -- the local server ----------------------------------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 -- extends the base class's map, as http.server expects
        **SimpleHTTPRequestHandler.extensions_map,
        ".woff2": "font/woff2",
        ".woff": "font/woff",
        ".ipynb": "application/x-ipynb+json",
    }

    def end_headers(self) -> None:
        # linkchecker waits 0.1-0.6 s between requests to one host unless the server sends this
        # header (its documented opt-out); the site has hundreds of URLs to check.
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing file gets the site's 404 page, status 404, as a real host serves it."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _CompressingHandler(_Handler):
    """Serves text gzipped over HTTP/1.1, as a real host does (Lighthouse scores what it gets)."""

    protocol_version = "HTTP/1.1"
    _TEXT = ("text/", "application/javascript", "application/json", "image/svg+xml")

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        ctype = self.guess_type(str(path))
        if (
            not path.is_file()
            or not ctype.startswith(self._TEXT)
            or "gzip" not in self.headers.get("Accept-Encoding", "")
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return io.BytesIO(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (linkchecker reads only the headers of a download) is
        # not an error of the site.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(site: Path = SITE, *, compress: bool = False) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 at a free port; yield its base URL (ending in ``/``).

    ``compress`` serves text gzipped over HTTP/1.1, as a real host does; the tests don't need it.
    """
    handler = _CompressingHandler if compress else _Handler
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# -- a page in the browser -----------------------------------------------------------------------


@dataclass
class Visit:
    """An open page and what the browser reported while it loaded and ran."""

    page: Page
    context: BrowserContext
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


@contextlib.contextmanager
def open_page(
    browser: Browser,
    site_url: str,
    path: str,
    *,
    viewport: dict[str, int] = DESKTOP,
    color_scheme: Literal["light", "dark"] = "light",
    permissions: tuple[str, ...] = (),
    accept_downloads: bool = False,
) -> Iterator[Visit]:
    """Open ``path`` of the served site in a fresh context, recording what went wrong.

    Console errors, uncaught exceptions, failed requests (network errors and HTTP 4xx/5xx) and
    requests to any other host are recorded; the last are also aborted.
    """
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        color_scheme=color_scheme,
        accept_downloads=accept_downloads,
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)
    if permissions:
        context.grant_permissions(list(permissions), origin=site_url.rstrip("/"))
    page = context.new_page()
    visit = Visit(page=page, context=context)

    def outside(url: str) -> bool:
        return url.startswith(("http:", "https:", "ws:", "wss:")) and not url.startswith(site_url)

    def on_request(request: Request) -> None:
        if outside(request.url):
            visit.outside_requests.append(request.url)

    def on_failed(request: Request) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page navigated away
        if not outside(request.url) and request.failure != "net::ERR_ABORTED":
            visit.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            visit.failed_requests.append(f"{response.url}: HTTP {response.status}")

    def on_console(message: Any) -> None:
        if message.type == "error":
            source = message.location.get("url") or "inline"
            visit.console_errors.append(f"console error: {message.text} ({source})")

    context.route(outside, lambda route: route.abort("blockedbyclient"))
    context.on("request", on_request)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.console_errors.append(f"uncaught: {error}"))
    try:
        page.goto(site_url + path, wait_until="load")
        yield visit
    finally:
        context.close()
