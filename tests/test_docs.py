"""The documentation site: every claim is shown somewhere, and the built site stands on its own.

The tests on the built site read ``docs/_build/html``, which ``nox -s tests`` and ``nox -s docs``
build first. Without a built site they skip, saying how to build it, except under ``CI=true``,
where they fail. The tests of ``rnnshapes.sphinxext`` build small sites of their own.
"""

from __future__ import annotations

import functools
import importlib
import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest

import rnnshapes

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"

pytest.importorskip("sphinx")


@pytest.fixture(scope="module")
def site() -> Path:
    if not (HTML / "claims.json").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no built site in {HTML}: the CI run must build it (nox -s tests)")
        pytest.skip(f"no built site in {HTML}: build it with `nox -s docs`")
    return HTML


@pytest.fixture(scope="module")
def record(site: Path) -> dict:
    return json.loads((site / "claims.json").read_text(encoding="utf-8"))


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


class _Links(HTMLParser):
    """Every URL the page loads (scripts, styles, images, icons, fonts) and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.ids: set[str] = set()
        self.anchors: list[str] = []
        self.headings_without_level = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("script", "img", "iframe", "source", "video", "audio") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "alternate"):
            self.loads.append(a["href"])
        if tag == "a" and a.get("href"):
            self.anchors.append(a["href"])
        if a.get("role") == "heading" and "aria-level" not in a:
            self.headings_without_level += 1


@functools.cache  # a page is parsed once, however many links point into it
def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


# -- the claims ------------------------------------------------------------------------------------


def test_every_claim_is_shown_on_a_page(record: dict) -> None:
    unshown = [cid for cid in rnnshapes.claims if not record["claims"].get(cid, {}).get("shown")]
    assert not unshown, f"claims shown on no page (use ```{{claim}} id``` on one): {unshown}"


def test_the_record_lists_exactly_the_registered_claims(record: dict) -> None:
    assert list(record["claims"]) == sorted(rnnshapes.claims)
    for cid, entry in record["claims"].items():
        assert entry["statement"] == rnnshapes.claims[cid].statement
        assert entry["index"] == "reference/claims"


def test_each_recorded_use_is_an_anchor_on_its_page(record: dict, site: Path) -> None:
    for cid, entry in record["claims"].items():
        for docname, anchor in entry["shown"] + entry["linked"]:
            uri = record["pages"][docname]["uri"]
            assert anchor in _parse(site / uri).ids, f"{cid}: no #{anchor} on {uri}"


def test_the_claims_index_links_each_claim_to_its_pages(record: dict, site: Path) -> None:
    index = (site / "reference" / "claims.html").read_text(encoding="utf-8")
    for cid, entry in record["claims"].items():
        assert f'id="claim-{cid}"' in index
        for docname, anchor in entry["shown"]:
            target = record["pages"][docname]["uri"]
            assert f"{Path(target).name}#{anchor}" in index, (cid, docname)


# -- the built site --------------------------------------------------------------------------------


def test_pages_load_nothing_from_another_host(site: Path) -> None:
    offenders = {}
    for page in _pages(site):
        remote = [u for u in _parse(page).loads if urlsplit(u).scheme or u.startswith("//")]
        if remote:
            offenders[str(page.relative_to(site))] = remote
    assert not offenders


def test_internal_links_point_at_existing_files_and_anchors(site: Path) -> None:
    broken = []
    for page in _pages(site):
        if page.name == "404.html":
            continue
        for href in _parse(page).anchors:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//") or href.startswith("mailto:"):
                continue
            target = (page.parent / parts.path).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
            elif target.name == "explorer.html" and "=" in parts.fragment:
                keys = {kv.split("=", 1)[0] for kv in parts.fragment.split("&")}
                if not keys <= _explorer_keys():  # a state the explorer reads, or a typo
                    broken.append(f"{page.relative_to(site)} -> {href} (no such explorer keys)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and parts.fragment not in _parse(target).ids
            ):
                broken.append(f"{page.relative_to(site)} -> {href} (no such anchor)")
    assert not broken, "\n".join(broken)


@functools.cache
def _explorer_keys() -> set[str]:
    """The keys of an explorer state (``explorer.html#kind=GRU&layers=3``): its ``DEF``'s."""
    script = (DOCS / "_static" / "explorer.js").read_text(encoding="utf-8")
    defaults = re.search(r"const DEF = \{(.*?)\};", script, re.S)
    assert defaults, "explorer.js has no DEF"
    return set(re.findall(r"(\w+):", defaults.group(1)))


def test_explorer_state_keys_are_read_from_the_script() -> None:
    assert {"kind", "layers", "bi", "lengths", "seq"} <= _explorer_keys()


def test_headings_in_the_navigation_have_a_level(site: Path) -> None:
    assert all(_parse(page).headings_without_level == 0 for page in _pages(site))


def test_maths_is_mathml_written_at_build_time(site: Path) -> None:
    """No page loads a maths script; every maths node holds a <math>; no TeX is left outside."""
    stale = site / "_static" / "mathjax"
    assert not stale.exists(), f"{stale} is left from an old build: rebuild into a clean folder"
    scripts, empty, outside, count = [], [], [], 0
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        where = page.relative_to(site)
        scripts += [
            f"{where}: {src}"
            for src in re.findall(r'<script[^>]*src="([^"]*)"', html)
            if "mathjax" in src.lower() or "katex" in src.lower()
        ]
        pattern = r'<(div|span) class="math notranslate[^"]*"[^>]*>(.*?)</\1>'
        for _, body in re.findall(pattern, html, flags=re.S):
            count += 1
            body = re.sub(r'<span class="eqno">.*?</span>', "", body, flags=re.S)
            if not body.lstrip().startswith("<math"):
                empty.append(f"{where}: {body.strip()[:80]}")
        text = re.sub(r"<math.*?</math>", "", html, flags=re.S)
        text = re.sub(r"<(pre|script)[^>]*>.*?</\1>", "", text, flags=re.S)
        outside += [f"{where}: {tex}" for tex in re.findall(r"\\(?:tanh|sigma|odot)\b|\$\$", text)]
    assert scripts == [], "pages still load a maths script"
    assert count >= 10, "the site lost its maths"
    assert empty == [], "maths nodes without MathML"
    assert outside == [], "TeX outside the maths"


def test_every_image_has_its_size_in_the_markup(site: Path) -> None:
    unsized = [
        f"{page.relative_to(site)}: {tag[:100]}"
        for page in _pages(site)
        for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))
        if not (re.search(r'\swidth="\d+"', tag) and re.search(r'\sheight="\d+"', tag))
    ]
    assert unsized == [], "\n".join(unsized)


def test_figures_have_alt_text(site: Path) -> None:
    missing = []
    for page in _pages(site):
        for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8")):
            # a gallery thumbnail sits in a link that names its example: alt="" marks it decorative
            decorative = "_thumb." in tag and re.search(r'\salt=""', tag)
            if not decorative and not re.search(r'\salt="[^"]+"', tag):
                missing.append(f"{page.relative_to(site)}: {tag[:120]}")
    assert not missing, "\n".join(missing)


def test_gallery_thumbnails_are_palette_pngs(site: Path) -> None:
    from PIL import Image

    modes = {}
    for example in sorted((DOCS.parent / "examples").glob("plot_*.py")):
        with Image.open(site / "_images" / f"sphx_glr_{example.stem}_thumb.png") as thumbnail:
            modes[example.stem] = thumbnail.mode
    assert modes and set(modes.values()) == {"P"}, modes


def test_no_running_times_in_the_gallery(site: Path) -> None:
    for page in (site / "auto_examples").glob("*.html"):
        assert "Total running time" not in page.read_text(encoding="utf-8"), page.name


def _links_of_404(out: Path, prefix: str) -> list[str]:
    """The 404 page's URLs (what it loads and links) that are not absolute under ``prefix`` or
    do not name a file of the site in ``out`` (``prefix`` stripped): none, on a page that works
    at any depth of a site published under ``prefix``."""
    links = _parse(out / "404.html")
    urls = [
        u
        for u in links.loads + links.anchors
        if not u.startswith(("#", "data:")) and not urlsplit(u).scheme  # not furo's credits
    ]
    assert f"{prefix}index.html" in links.anchors, "the page links home"
    return [
        u
        for u in urls
        if not u.startswith(prefix) or not (out / urlsplit(u).path.removeprefix(prefix)).is_file()
    ]


def test_404_page_links_work_at_any_depth(site: Path) -> None:
    """sphinx-notfound-page writes the theme's files, the menu and the body's link absolute under
    the site's path (``/`` for a local build): served for a missing address, the page works."""
    og_url = re.search(r'property="og:url" content="([^"]+)"', (site / "404.html").read_text())
    assert og_url is not None
    prefix = urlsplit(og_url.group(1)).path.removesuffix("404.html")
    assert _links_of_404(site, prefix) == []


# A small furo site with the 404 page's settings as docs/conf.py makes them in the environment
# it is built in.
_CONF_404 = """\
import runpy
_site = runpy.run_path({conf!r})
extensions = ["notfound.extension"]
html_theme = "furo"
notfound_urls_prefix = _site["notfound_urls_prefix"]
notfound_context = _site["notfound_context"]
"""


@pytest.mark.parametrize(
    ("published", "prefix"),
    [
        (
            {"READTHEDOCS_CANONICAL_URL": "https://rnnshapes.readthedocs.io/en/latest/"},
            "/en/latest/",
        ),
        ({"RNNSHAPES_BASE_URL": "https://example.org/docs/rnnshapes"}, "/docs/rnnshapes/"),
        ({}, "/"),
    ],
    ids=["read-the-docs", "own-host-sub-path", "local"],
)
def test_404_page_works_under_the_path_the_site_is_published_at(
    tmp_path: Path, published: dict[str, str], prefix: str
) -> None:
    """docs/conf.py gives sphinx-notfound-page the path of the site's address (on Read the Docs,
    /en/latest/): every URL of the 404 page starts with it and names a file of the site."""
    src = tmp_path / "src"
    (src / "section").mkdir(parents=True)
    (src / "conf.py").write_text(_CONF_404.format(conf=str(DOCS / "conf.py")))
    (src / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   section/page\n")
    (src / "section" / "page.rst").write_text("Page\n====\n\nText.\n")
    out = tmp_path / "html"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("READTHEDOCS_CANONICAL_URL", "RNNSHAPES_BASE_URL")
    }
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", str(src), str(out)],
        env={**env, **published},
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    assert f'href="{prefix}section/page.html"' in (out / "404.html").read_text()  # the menu
    assert _links_of_404(out, prefix) == []


def test_sitemap_lists_every_page(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    generated = {"404.html", "genindex.html", "search.html", "py-modindex.html"}
    pages = {p.relative_to(site).as_posix() for p in _pages(site)} - generated
    assert sorted(urlsplit(u).path.lstrip("/") for u in urls) == sorted(pages)


def _prose(page: Path) -> str:
    """A MyST page without its code cells, code blocks, directives, maths and inline code."""
    text = re.sub(r"^(`{3,}|:{3,}).*?^\1", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", "", text, flags=re.S)
    return re.sub(r"`[^`\n]+`", "", text)


def test_prose_types_no_computed_number() -> None:
    """A shape, a difference or any result in prose is glued from the page's own cells (or
    comes from a claim): typed by hand, it goes stale the day the code or torch changes."""
    pages = [p for p in DOCS.rglob("*.md") if not {"_build", ".jupyter_cache"} & set(p.parts)]
    assert len(pages) > 15
    computed = re.compile(r"\b\d+(?:\.\d+)?e-?\d+\b|\(\d+(?:, ?\d+)+\)|\b\d+\.\d+")
    found = {p.name: computed.findall(_prose(p)) for p in pages}
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert computed.findall(_prose_sample := "a shape (7, 3, 5), a diff 1.5e-08, 0.25") == [
        "(7, 3, 5)",
        "1.5e-08",
        "0.25",
    ], _prose_sample


def test_home_page_answers_the_seed_question(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "torch.equal(output[-1], h_n[-1])" in re.sub(r"<[^>]+>", "", html).replace("&#39;", "'")
    assert re.search(r'<img[^>]+alt="[^"]*grid[^"]*"', html), "the state-grid figure"
    assert 'id="uses-output-last-step-is-h-n"' in html


# -- the extension, on small sites of its own ------------------------------------------------


def _build(tmp_path: Path, page: str) -> tuple[int, str, Path]:
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["rnnshapes.sphinxext"]\nnitpicky = True\n')
    (src / "index.rst").write_text(page)
    (src / "claims.rst").write_text("Claims\n======\n\n.. claims-index::\n")
    warnings = io.StringIO()
    out = tmp_path / "html"
    app = Sphinx(src, src, out, tmp_path / "doctrees", "html", status=None, warning=warnings)
    try:
        app.build()
    except SphinxError as err:
        return 1, warnings.getvalue() + str(err), out
    return app.statuscode, warnings.getvalue(), out


PAGE = """\
Home
====

.. toctree::

   claims

.. claim:: output-last-step-is-h-n

Inline: :claim:`c-n-not-in-output`; linked: :claim:`these words <omitted-h0-is-zeros>`.

.. code-block:: python

   rnnshapes.claims["lstm-returns-h-n-c-n-tuple"]
"""


def test_extension_records_shown_linked_and_code_uses(tmp_path: Path) -> None:
    status, warnings, out = _build(tmp_path, PAGE)
    assert status == 0, warnings
    assert "WARNING" not in warnings, warnings
    record = json.loads((out / "claims.json").read_text())["claims"]
    assert record["output-last-step-is-h-n"]["shown"] == [["index", "uses-output-last-step-is-h-n"]]
    assert record["c-n-not-in-output"]["shown"] == [["index", "uses-c-n-not-in-output"]]
    assert record["omitted-h0-is-zeros"]["linked"] == [["index", "uses-omitted-h0-is-zeros"]]
    assert record["lstm-returns-h-n-c-n-tuple"]["code"] == [["index", ""]]
    index = (out / "claims.html").read_text()
    assert 'href="index.html#uses-output-last-step-is-h-n"' in index
    home = (out / "index.html").read_text()
    assert 'href="claims.html#claim-output-last-step-is-h-n"' in home
    assert "Checked claim" in home
    # the scope the claim is checked under, in the words that decide it, set apart in the box
    scope = str(rnnshapes.claims["output-last-step-is-h-n"].scope)
    assert f'<span class="rnnshapes-claim-scope">{scope[0].upper()}{scope[1:]},</span>' in home
    assert re.search(
        rf"Holds {re.escape(scope)}: checked on \d+ configurations by <code[^>]*>.*?rnnshapes"
        r".*?verify.*?</code>, \d+ with <code[^>]*>.*?--thorough.*?</code>",
        index,
    )
    assert "Holds for every module and input" in index  # omitted-h0-is-zeros has no condition


def test_unknown_claim_id_fails_the_build(tmp_path: Path) -> None:
    status, warnings, _ = _build(tmp_path, "Home\n====\n\n.. claim:: no-such-claim\n")
    assert status != 0
    assert "no-such-claim" in warnings


def test_claim_statements_render_as_inline_text() -> None:
    from rnnshapes.sphinxext import inline

    for claim in rnnshapes.claims.values():
        text = "".join(node.astext() for node in inline(claim.statement))
        assert text == re.sub(r"``(.+?)``", r"\1", claim.statement)


def _ext(name: str) -> ModuleType:
    """Import one of the site's own extensions from docs/_ext."""
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(DOCS / "_ext"))


def test_local_inventories_load(tmp_path: Path) -> None:
    from sphinx.util.inventory import InventoryFile

    inventories = _ext("inventories")
    for project, (url, path) in inventories.write(tmp_path).items():
        with path.open("rb") as stream:
            inventory = InventoryFile.load(stream, url, lambda base, uri: base + uri)
        assert inventory, project
    torch = inventories.inventory("torch")
    assert torch == inventories.inventory("torch")  # the same bytes every time


# -- docs/_ext/mathml.py: maths as MathML --------------------------------------------------------

MATHS_PAGE = r"""Maths
=====

Inline :math:`h_{t-1} \odot \tanh(c_t)`.

.. math::
   :label: lstm

   \begin{aligned}
   c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
   h_t &= o_t \odot \tanh(c_t)
   \end{aligned}

See :eq:`lstm`.

.. math::
   :label: plain

   a &= b \\
   c &= d

.. math::
   :label: whole
   :nowrap:

   \begin{align}
   a &= b \\
   c &= d
   \end{align}
"""


def _build_maths(tmp_path: Path, page: str) -> tuple[int, str, str]:
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(DOCS / '_ext')!r})\n"
        'extensions = ["mathml"]\nhtml_math_renderer = "mathml"\n'
    )
    (src / "index.rst").write_text(page)
    warnings = io.StringIO()
    out = tmp_path / "html"
    app = Sphinx(src, src, out, tmp_path / "doctrees", "html", status=None, warning=warnings)
    app.build()
    return app.statuscode, warnings.getvalue(), (out / "index.html").read_text(encoding="utf-8")


def test_maths_renders_to_mathml_with_aligned_rows_and_numbers(tmp_path: Path) -> None:
    status, warnings, html = _build_maths(tmp_path, MATHS_PAGE)
    # (a second Sphinx app in one process warns that its node classes are registered already)
    own = [line for line in warnings.splitlines() if "already registered" not in line]
    assert (status, own) == (0, [])
    assert "mathjax" not in html.lower()
    inline = re.search(r'<span class="math[^"]*">(.*?)</span>', html, flags=re.S)
    assert inline is not None and inline.group(1).startswith('<math xmlns="http://www.w3.org/')
    assert 'display="inline"' in inline.group(1) and "\u2299" in inline.group(1)  # odot
    block = re.search(r'<div class="math[^"]*" id="equation-lstm"[^>]*>(.*?)</div>', html, re.S)
    assert block is not None, "the labelled equation keeps its anchor"
    assert '<span class="eqno">(1)' in block.group(1)
    assert block.group(1).count("<mtr>") == 2  # aligned: one table row per line
    assert block.group(1).count('<mtd columnalign="right">') == 2
    shown = re.sub(r"<annotation.*?</annotation>", "", block.group(1), flags=re.S)
    assert "\\" not in re.sub(r"<[^>]+>", "", shown)  # the TeX is only in the annotation
    assert "\\begin{aligned}" in block.group(1) and 'encoding="application/x-tex"' in block.group(1)
    assert 'href="#equation-lstm"' in html  # :eq: links to it
    # lines with \\ outside an environment are rows too (Sphinx's MathJax output reads "split")
    plain = re.search(r'<div class="math[^"]*" id="equation-plain"[^>]*>(.*?)</div>', html, re.S)
    assert plain is not None and plain.group(1).count("<mtr>") == 2
    # a nowrap block is one equation as written, numbered by no one (as Sphinx's own renderers
    # leave it): latex2mathml's "(1)" for \begin{align} would restart in every block
    whole = re.search(r'<div class="math[^"]*" id="equation-whole"[^>]*>(.*?)</div>', html, re.S)
    assert whole is not None and whole.group(1).count("<mtr>") == 2
    assert "<mtext>(" not in whole.group(1) and "eqno" not in whole.group(1)


@pytest.mark.parametrize(
    ("tex", "problem"),
    [
        (r"\frobnicate{x}", r"\frobnicate"),  # an unknown command
        (r"\frac{a}{", "NoAvailableTokensError"),  # TeX that does not parse
        (r"\text{see \ref{x} here}", r"\ref"),  # a command inside text
        (r"\[x\]", r"\["),  # display delimiters inside inline maths
        (r"\begin{foo}x\end{foo}", "environment foo"),  # an environment latex2mathml drops
        (r"a & b", "& outside an alignment"),
        (r"a \\ b", r"\\ outside an alignment"),  # inline: MathML Core draws no line break
    ],
)
def test_maths_the_converter_cannot_render_is_a_build_warning(
    tmp_path: Path, tex: str, problem: str
) -> None:
    _, warnings, html = _build_maths(tmp_path, f"Maths\n=====\n\n:math:`{tex}`\n")
    assert "maths this site cannot render" in warnings and problem in warnings and tex in warnings
    escaped = tex.replace("&", "&amp;")
    assert f"<code>{escaped}</code>" in html  # shown as code, never as half-converted MathML


# -- docs/_ext/siteext.py: boolean checks show what the page expects -------------------------------


def _cell(shown: str, tags: list[str] | None = None) -> object:
    from docutils import nodes

    cell = nodes.container(nb_element="cell_code", cell_metadata={"tags": tags or []})
    cell += nodes.literal_block("", "torch.equal(a, b)")
    out = nodes.container(nb_element="cell_code_output")
    out += nodes.literal_block("", shown, classes=["output", "text_plain"])
    cell += out
    return cell


@pytest.mark.parametrize(
    ("shown", "tags", "flagged"),
    [
        ("True", [], False),
        ("(True, True)", [], False),
        ("False", [], True),
        ("(True, False)", [], True),
        ("[False]", [], True),
        ("False", ["expect-false"], False),
        ("True", ["expect-false"], True),
        ("(False, True)", ["expect-false", "hide-input"], True),
        ("tensor([True, False])", [], False),  # a tensor is data, not a check
        ("Falsehood", [], False),
        ("(7, 3, 5)", [], False),
    ],
)
def test_a_boolean_check_must_show_what_its_cell_expects(
    shown: str, tags: list[str], flagged: bool
) -> None:
    from docutils import nodes
    from docutils.utils import new_document

    siteext = _ext("siteext")
    doc = new_document("page")
    doc += _cell(shown, tags)
    doc += nodes.literal_block("", "False", classes=["output"])  # outside any cell: not checked
    found = siteext.unexpected_booleans(doc)
    expected = [(shown, "expect-false" not in tags)] if flagged else []
    assert [(f[1], f[2]) for f in found] == expected


def test_the_site_shows_checks_that_are_meant_to_be_false(site: Path) -> None:
    """The pages that show a 'this is not that' check tag it, and the build checked them."""
    import pickle

    from docutils import nodes

    siteext = _ext("siteext")
    tagged = 0
    for path in (DOCS / "_build" / "doctrees").rglob("*.doctree"):
        doctree = pickle.loads(path.read_bytes())
        assert siteext.unexpected_booleans(doctree) == [], path
        cells = [c for c in doctree.findall(nodes.container) if c.get("nb_element") == "cell_code"]
        tagged += sum("expect-false" in c["cell_metadata"].get("tags", []) for c in cells)
    assert tagged >= 8


# -- docs/_ext/siteext.py: image sizes and thumbnails ---------------------------------------------


def test_image_sizes_are_read_from_png_and_svg_files(tmp_path: Path) -> None:
    from PIL import Image

    siteext = _ext("siteext")
    Image.new("RGBA", (37, 23)).save(tmp_path / "a.png")
    (tmp_path / "b.svg").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" stroke-width="2" '
        'width="300pt" height="150.3pt" viewBox="0 0 300 150.3"></svg>'
    )
    (tmp_path / "c.svg").write_text('<svg width="100%" height="40"></svg>')
    (tmp_path / "d.png").write_bytes(b"not a png")
    assert siteext.image_size(tmp_path / "a.png") == (37, 23)
    assert siteext.image_size(tmp_path / "b.svg") == (400, 200)  # 1 pt = 4/3 CSS px
    assert siteext.image_size(tmp_path / "c.svg") is None  # a percentage is no size
    assert siteext.image_size(tmp_path / "d.png") is None
    assert siteext.image_size(tmp_path / "missing.png") is None


def test_images_get_width_height_and_lazy_loading_once(tmp_path: Path) -> None:
    from PIL import Image

    siteext = _ext("siteext")
    (tmp_path / "_images").mkdir()
    Image.new("RGB", (40, 30)).save(tmp_path / "_images" / "x.png")
    Image.new("RGB", (20, 10)).save(tmp_path / "_images" / "a b.png")
    page = tmp_path / "sub" / "p.html"
    html = (
        '<img alt="" src="../_images/x.png" />'
        '<img src="../_images/x.png" width="10" />'
        '<img src="https://example.org/x.png">'
        '<img src="../_images/gone.png">'
        # Sphinx percent-quotes file names; data-* attributes are not the image's own
        '<img data-src="../_images/x.png" data-width="3" src="../_images/a%20b.png#f">'
        '<img src="/_images/x.png">'
    )
    sized = siteext._size_images(page, html)
    assert sized == (
        '<img width="40" height="30" alt="" src="../_images/x.png" />'
        '<img loading="lazy" src="../_images/x.png" width="10" />'
        '<img loading="lazy" src="https://example.org/x.png">'
        '<img loading="lazy" src="../_images/gone.png">'
        '<img width="20" height="10" loading="lazy" data-src="../_images/x.png" data-width="3" '
        'src="../_images/a%20b.png#f">'
        '<img loading="lazy" src="/_images/x.png">'
    )
    assert siteext._size_images(page, sized) == sized


def test_thumbnails_shrink_to_a_palette_once(tmp_path: Path) -> None:
    from PIL import Image

    siteext = _ext("siteext")
    path = tmp_path / "t.png"
    image = Image.new("RGBA", (64, 48), (255, 255, 255, 0))
    for x in range(64):
        for y in range(48):
            image.putpixel((x, y), (x * 4, y * 5, (x * y) % 256, 255 if x > 8 else 0))
    image.save(path)
    assert siteext.shrink_thumbnail(path)
    with Image.open(path) as shrunk:
        assert (shrunk.mode, shrunk.size) == ("P", (64, 48))
        pixels = shrunk.convert("RGBA")
        assert pixels.getpixel((0, 0))[3] == 0 and pixels.getpixel((60, 40))[3] == 255
    before = path.read_bytes()
    assert not siteext.shrink_thumbnail(path)
    assert path.read_bytes() == before


# -- the troubleshooting section -------------------------------------------------------------------

MACHINE_PATH = re.compile(r"(?:/tmp/|/work/|/root/|/home/|/__w/|/usr/lib/|\w/site-packages/)")


def test_no_page_shows_a_path_of_the_build_machine(site: Path) -> None:
    """Captured messages and notebook warnings lose the build machine's folders."""
    shown = [
        f"{page.relative_to(site)}: {match.group(0)}"
        for page in [*_pages(site), site / "searchindex.js"]
        for match in MACHINE_PATH.finditer(page.read_text(encoding="utf-8"))
    ]
    assert shown == []


def test_every_troubleshooting_entry_shows_a_message_or_a_checked_wrong_answer(
    site: Path,
) -> None:
    entries = sorted((site / "troubleshooting").glob("*-*.html"))
    assert entries
    for page in entries:
        html = page.read_text(encoding="utf-8")
        assert "runs-message" in html or "runs-expect-false" in html, page.name
        assert "rnnshapes-claim-structure" in html or "Checked claim" in html, page.name
    listed = (site / "reference" / "messages.html").read_text(encoding="utf-8")
    item = r'<li class="runs-indexed">.*?href="\.\./troubleshooting/([^"#]+)"'
    linked = set(re.findall(item, listed, re.S))
    messages = {p.name for p in entries if "runs-message" in p.read_text(encoding="utf-8")}
    assert linked == messages, "the index of messages and the entries with a message differ"


def _runs_build(tmp_path: Path, page: str) -> tuple[int, str, Path]:
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(DOCS / '_ext')!r})\n"
        'extensions = ["myst_parser", "runs"]\n'
    )
    (src / "index.md").write_text(page)
    (src / "messages.md").write_text("# Messages\n\n```{messages-index}\n```\n")
    warnings = io.StringIO()
    out = tmp_path / "html"
    app = Sphinx(src, src, out, tmp_path / "doctrees", "html", status=None, warning=warnings)
    try:
        app.build()
    except SphinxError as err:
        return 1, f"{warnings.getvalue()}\n{err}", out
    return app.statuscode, warnings.getvalue(), out


RAISES = """# Too wide

```{runs}
:raises: proj-size-smaller-than-hidden-size-for-test

nn.LSTM(4, 5, proj_size=BIG)
```

```{toctree}
messages
```
"""


@pytest.fixture
def test_claim() -> object:
    """A message claim registered for these tests only."""
    from rnnshapes.registry import claim, claims

    @claim(
        "proj-size-smaller-than-hidden-size-for-test",
        "structure",
        message=(ValueError, r"proj_size has to be smaller than hidden_size"),
    )
    def check(cfg: object, ck: object) -> None:
        """a test claim.

        >>> True
        True
        """

    yield check
    claims._claims.pop("proj-size-smaller-than-hidden-size-for-test")


@pytest.mark.usefixtures("test_claim")
def test_runs_shows_the_message_torch_gave_and_indexes_it(tmp_path: Path) -> None:
    status, warnings, out = _runs_build(tmp_path, RAISES.replace("BIG", "5"))
    assert status == 0, warnings
    page = (out / "index.html").read_text()
    assert "ValueError: proj_size has to be smaller than hidden_size" in page
    index = (out / "messages.html").read_text()
    assert "torch.nn.modules.rnn.RNNBase.__init__" in index
    assert 'href="index.html"' in index
    # the search index holds it as an entry (ranked first when the message is pasted)
    search = (out / "searchindex.js").read_text()
    assert '"valueerror: proj_size has to be smaller than hidden_size' in search


@pytest.mark.usefixtures("test_claim")
def test_runs_fails_the_build_when_torch_stops_raising(tmp_path: Path) -> None:
    status, warnings, _ = _runs_build(tmp_path, RAISES.replace("BIG", "3"))
    assert status != 0
    assert "expected ValueError" in warnings and "got nothing" in warnings


def test_captured_messages_are_put_back_in_the_search_index() -> None:
    """Sphinx can drop the index entries of pages a build does not write again
    (sphinx-doc/sphinx#12599); ``runs`` adds every captured message back before the index is
    written, next to the entries Sphinx kept."""
    from types import SimpleNamespace

    runs = _ext("runs")
    kept = ("some entry", "index-0", "")
    indexer = SimpleNamespace(_index_entries={"b": [kept]})
    messages = {"a": [{"entry": "ValueError: x", "target": "message-0"}], "b": []}
    app = SimpleNamespace(builder=SimpleNamespace(indexer=indexer), env=SimpleNamespace())
    app.env.runs_messages = messages
    assert runs._index_messages(app) == []
    assert indexer._index_entries == {"a": [("ValueError: x", "message-0", "main")], "b": [kept]}


@pytest.mark.usefixtures("test_claim")
@pytest.mark.parametrize(
    ("title", "builds"),
    [
        ('`proj_size=5` raises "proj_size has to be smaller than hidden_size"', True),
        ('`proj_size=5` raises "proj_size has to be ... hidden_size"', True),
        ('`proj_size=5` raises "proj_size has to be smaller than input_size"', False),
    ],
)
def test_a_title_quotes_only_what_the_page_captured(
    tmp_path: Path, title: str, builds: bool
) -> None:
    page = RAISES.replace("BIG", "5").replace("# Too wide", f"# {title}")
    status, warnings, _ = _runs_build(tmp_path, page)
    assert (status == 0) is builds, warnings
    if not builds:
        assert "the title quotes ['proj_size has to be smaller than input_size']" in warnings


@pytest.mark.parametrize(
    ("block", "complaint"),
    [
        ("torch.equal(torch.ones(1), torch.zeros(1))", "say :expect: False"),
        (":expect: True\n\ntorch.equal(torch.ones(1), torch.zeros(1))", "expected the last line"),
        ("nn.LSTM(4, 5)(torch.randn(7, 3, 6))", "the block raised"),
        ("nn.LSTM(4, 5, dropout=0.5)", "the block warned"),
    ],
)
def test_runs_refuses_a_block_that_does_not_do_what_it_says(
    tmp_path: Path, block: str, complaint: str
) -> None:
    status, warnings, _ = _runs_build(tmp_path, f"# Page\n\n```{{runs}}\n{block}\n```\n")
    assert status != 0
    assert complaint in warnings


def test_runs_cuts_machine_paths_out_of_messages() -> None:
    runs = _ext("runs")
    text = "/opt/venv/lib/python3.11/site-packages/torch/x.py:1: at /__w/pytorch/pytorch/aten/a.cpp"
    assert runs.normalise(text) == "torch/x.py:1: at aten/a.cpp"
