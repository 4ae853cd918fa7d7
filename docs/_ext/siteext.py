"""What this site needs beyond Sphinx, furo and the gallery: small fixes, each said where it is.

- ``sitemap.xml`` and ``robots.txt`` for every page, rewritten whole on every build (an
  incremental build of sphinx-sitemap lists only the pages it wrote);
- Open Graph tags and a meta description on every page, from ``html_baseurl`` and the page's
  first paragraph (sphinxext-opengraph imports matplotlib on every build, even one with nothing
  to do; these few lines keep a no-change rebuild fast);
- furo's sidebar captions get the ``aria-level`` that ``role="heading"`` requires;
- every image gets its ``width`` and ``height`` (read from the file), so the browser keeps its
  place before it loads: gallery thumbnails and notebook figures no longer shift the page; every
  image but a page's first loads lazily;
- the gallery's zip downloads are written with fixed dates and order (reproducible builds);
- the gallery's thumbnails are stored with a 256-colour palette: a quarter of the bytes, the
  same picture at the 160 x 112 px they are shown at (twelve full-colour ones made the gallery
  and API pages' largest paint wait for 450 kB on a phone's connection);
- :func:`reset_torch` restores torch's global state around each gallery example;
- :func:`ipython_dir` configures the notebook kernels to draw SVG;
- an executed cell that shows a boolean check (``torch.equal(...)`` as its last line, or a tuple
  of them) must show ``True``: a ``False`` fails the build, unless the cell is tagged
  ``expect-false``, and then a ``True`` does (see :func:`unexpected_booleans`).
"""

from __future__ import annotations

import os
import re
import time
import zipfile
from html import escape as html_escape
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

NOT_FOUND = "404"

# -- boolean checks in executed cells -------------------------------------------------------------

EXPECT_FALSE = "expect-false"  # the tag of a cell whose checks show False: wrong code, or "is not"
_BOOLEANS = re.compile(r"[\s()\[\],]*(?:(?:True|False)[\s()\[\],]*)+")


def unexpected_booleans(doctree: nodes.document) -> list[tuple[nodes.Element, str, bool]]:
    """Each executed cell's shown result that is a boolean or a tuple of booleans, where one of
    them is not what the cell is tagged to show: ``True`` unless tagged ``expect-false``.

    A page's prose says what a check shows before the reader sees it; when the check's value
    changes (a new torch, an edited cell), the page would say one thing and show another.
    Returns ``(output node, the text shown, the value expected)``.
    """
    found = []
    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        expected = EXPECT_FALSE not in cell.get("cell_metadata", {}).get("tags", [])
        for out in cell.findall(nodes.literal_block):
            if "output" not in out["classes"]:
                continue
            shown = out.astext().strip()
            if not _BOOLEANS.fullmatch(shown):
                continue
            if re.search(str(not expected), shown):
                found.append((out, shown, expected))
    return found


def _check_booleans(app: Sphinx, doctree: nodes.document) -> None:
    for out, shown, expected in unexpected_booleans(doctree):
        if expected:
            why = (
                "a check shows False where the page expects True: fix the cell, or, if it shows "
                f"a wrong line or a 'this is not that' on purpose, tag it {EXPECT_FALSE}"
            )
        else:
            why = f"a cell tagged {EXPECT_FALSE} shows True: fix the cell or drop the tag"
        logger.warning("%s (it shows %s)", why, shown, location=out)


def ipython_dir(path: Path) -> Path:
    """Write an IPython profile that makes the kernels draw SVG; return the folder."""
    config = path / "profile_default" / "ipython_kernel_config.py"
    text = (
        "# Written by docs/_ext/siteext.py for the notebook kernels of the docs build.\n"
        'c.InlineBackend.figure_formats = {"svg"}\n'
        "# no date in the SVG: the same figure, the same bytes (SOURCE_DATE_EPOCH may be unset)\n"
        "c.InlineBackend.print_figure_kwargs = "
        '{"bbox_inches": "tight", "metadata": {"Date": None}}\n'
        "c.HistoryManager.enabled = False\n"
        'c.IPKernelApp.log_level = "ERROR"  # not the TCP notice on every start\n'
    )
    config.parent.mkdir(parents=True, exist_ok=True)
    _write_if_changed(config, text)
    return path


def reset_torch(gallery_conf: dict[str, Any], fname: str | None) -> None:
    """Give each gallery example torch's defaults: seed 0, one thread, float32, print options."""
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.set_printoptions(profile="default", sci_mode=None)


# -- Open Graph and meta description ------------------------------------------------------------


def _description(doctree: nodes.document, limit: int = 200) -> str:
    """The page's first paragraph of prose (not a claim box, code or a figure), shortened."""
    for para in doctree.findall(nodes.paragraph):
        parent, inside = para.parent, False
        while parent is not None and not inside:
            inside = isinstance(parent, nodes.container | nodes.table | nodes.admonition)
            parent = parent.parent
        if inside:
            continue
        text = " ".join(para.astext().split())
        if len(text) < 40:
            continue
        if len(text) > limit:
            text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
        return text
    return ""


def _open_graph(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    base = app.config.html_baseurl
    title = unescape(re.sub(r"<[^>]+>", "", context.get("title") or app.config.project))
    metatags = context.get("metatags", "")
    explicit = re.search(r'<meta[^>]+name="description"[^>]+content="([^"]*)"', metatags)
    description = (
        unescape(explicit.group(1))
        if explicit
        else (_description(doctree) if doctree is not None else "")
    ) or f"{title}: {app.config.project}, what PyTorch's RNN, LSTM and GRU return, checked."
    tags = [
        ("og:title", title),
        ("og:type", "website"),
        ("og:url", base + app.builder.get_target_uri(pagename)),
        ("og:site_name", app.config.project),
    ]
    if description:
        tags.append(("og:description", description))
    lines = [f'<meta property="{k}" content="{html_escape(v)}" />' for k, v in tags]
    if description and not explicit:
        lines.append(f'<meta name="description" content="{html_escape(description)}" />')
    if pagename == NOT_FOUND:
        lines.append('<meta name="robots" content="noindex" />')
    context["metatags"] = metatags + "\n".join(lines) + "\n"


# -- sitemap, robots -------------------------------------------------------------------------------


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _sitemap(app: Sphinx) -> None:
    base = app.config.html_baseurl
    pages = sorted(d for d in app.env.found_docs if d != NOT_FOUND)
    urls = "".join(
        f"  <url><loc>{escape(base + app.builder.get_target_uri(d))}</loc></url>\n" for d in pages
    )
    _write_if_changed(
        Path(app.outdir) / "sitemap.xml",
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n",
    )
    _write_if_changed(
        Path(app.outdir) / "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
    )


# -- reproducible downloads ------------------------------------------------------------------------


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, zip's first day
    return time.gmtime(max(epoch, 315532800))[:6]


def normalise_zip(path: Path) -> None:
    """Rewrite a zip with sorted entries, one date and plain permissions (if that changes it)."""
    with zipfile.ZipFile(path) as old:
        entries = sorted((info.filename, old.read(info)) for info in old.infolist())
    new = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(new, "w") as out:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_zip_time())
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, data, compresslevel=9)
    if new.read_bytes() == path.read_bytes():
        new.unlink()
    else:
        new.replace(path)


def _normalise_gallery_zips(app: Sphinx) -> None:
    """Normalise the gallery's zips, each dated like the newest file it holds.

    sphinx-gallery rewrites every zip on every build; dated by their content, they no longer make
    Sphinx read the gallery's index again when nothing changed.
    """
    for directory in app.config.sphinx_gallery_conf.get("gallery_dirs", []):
        folder = Path(app.srcdir) / directory
        for path in sorted(folder.rglob("*.zip")):
            normalise_zip(path)
            with zipfile.ZipFile(path) as archive:
                held = [path.parent / name for name in archive.namelist()]
            newest = max((p.stat().st_mtime for p in held if p.exists()), default=None)
            if newest is not None:
                os.utime(path, (newest, newest))


def shrink_thumbnail(path: Path) -> bool:
    """Store a PNG with a 256-colour palette (alpha kept); return whether it changed."""
    from PIL import Image  # matplotlib's dependency

    with Image.open(path) as image:
        if image.mode == "P":
            return False
        palette = image.convert("RGBA").quantize(256, method=Image.Quantize.FASTOCTREE)
    palette.save(path, "PNG", optimize=True)
    return True


def _shrink_gallery_thumbnails(app: Sphinx) -> None:
    for directory in app.config.sphinx_gallery_conf.get("gallery_dirs", []):
        for path in sorted((Path(app.srcdir) / directory).rglob("images/thumb/*.png")):
            shrink_thumbnail(path)


# -- accessibility of the theme's and extensions' own markup ---------------------------------------

# Each pattern is anchored on markup that furo, myst-nb and Sphinx write; a fixed page no longer
# matches, so the pass is idempotent and rewrites only pages that a build just wrote.
_A11Y_FIXES = [
    # Sphinx writes toctree captions as <p role="heading">: ARIA needs a level with it
    ('<p class="caption" role="heading">', '<p class="caption" role="heading" aria-level="2">'),
    # two unlabelled <aside> landmarks per page (axe: landmark-unique)
    ('<aside class="sidebar-drawer">', '<aside class="sidebar-drawer" aria-label="Site">'),
    ('<aside class="toc-drawer', '<aside aria-label="On this page" class="toc-drawer'),
    # the site tree is navigation: give it the landmark
    (
        '<div class="sidebar-tree">',
        '<div class="sidebar-tree" role="navigation" aria-label="Pages">',
    ),
    # myst-nb's "Show code cell source" toggle: its label hid its visible text
    # (axe: label-content-name-mismatch)
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    # code that scrolls sideways must be reachable by keyboard (axe: scrollable-region-focusable)
    ("<pre>", '<pre tabindex="0">'),
    ('<pre id="codecell', '<pre tabindex="0" id="codecell'),
    # the search page has no heading of its own (axe: page-has-heading-one)
    (
        '<article role="main" id="furo-main-content">\n          \n<noscript>',
        '<article role="main" id="furo-main-content">\n<h1>Search</h1>\n<noscript>',
    ),
]


def _fix_markup(app: Sphinx) -> None:
    """Make the accessibility fixes and size the images, on every page that needs it."""
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for old, new in _A11Y_FIXES:
            fixed = fixed.replace(old, new)
        fixed = _size_images(page, fixed)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


# -- image sizes ---------------------------------------------------------------------------------

_IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
_SRC = re.compile(r'(?<![\w-])src\s*=\s*"([^"]+)"')  # not data-src
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")
_CSS_PX = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 9.6 / 2.54,
}


def _svg_length(root: str, name: str) -> float | None:
    match = re.search(rf'(?<![\w-]){name}="([0-9.]+)\s*([a-z]*)"', root)  # not stroke-width
    if match is None or match.group(2) not in _CSS_PX:
        return None
    return float(match.group(1)) * _CSS_PX[match.group(2)]


def image_size(path: Path) -> tuple[int, int] | None:
    """An image's size in CSS pixels, or None when the file does not say (or is not there)."""
    if not path.is_file():
        return None
    if path.suffix.lower() == ".svg":
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        root = _SVG_ROOT.search(head)
        if root is None:
            return None
        width, height = (_svg_length(root.group(0), name) for name in ("width", "height"))
        return None if width is None or height is None else (round(width), round(height))
    from PIL import Image, UnidentifiedImageError  # matplotlib's dependency; reads the header only

    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError):
        return None


def _size_images(page: Path, text: str) -> str:
    """Give each image its size, and each but the page's first ``loading="lazy"``.

    A phone then fetches only the figures it scrolls to; the first stays eager, since it may be
    what the reader sees first (the home page's figure).
    """
    seen = 0

    def size(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        tag, attributes = match.group(0), match.group(1)
        if seen > 1 and not re.search(r"(?<![\w-])loading\s*=", attributes):
            tag = tag.replace("<img", '<img loading="lazy"', 1)
        src = _SRC.search(attributes)
        if re.search(r"(?<![\w-])(width|height)\s*=", attributes) or src is None:
            return tag
        url = urlsplit(unescape(src.group(1)))
        if url.scheme or url.netloc or url.path.startswith("/"):
            return tag  # not a file beside the page
        found = image_size((page.parent / unquote(url.path)).resolve())
        if found is None:
            return tag
        return tag.replace("<img", f'<img width="{found[0]}" height="{found[1]}"', 1)

    return _IMG.sub(size, text)


def _finish(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    _fix_markup(app)
    _sitemap(app)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _open_graph)
    # sphinx-gallery generates the gallery in a builder-inited handler of priority 500
    app.connect("builder-inited", _normalise_gallery_zips, priority=900)
    app.connect("builder-inited", _shrink_gallery_thumbnails, priority=900)
    app.connect("doctree-read", _check_booleans)
    app.connect("build-finished", _finish)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
