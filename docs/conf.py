"""Sphinx configuration for the rnnshapes site.

Build it with ``nox -s docs`` (``sphinx-build -n -W --keep-going``). Everything the site loads is
served from the site itself: maths is MathML written at build time (``_ext/mathml.py``), and the
inventories that link torch, Python and matplotlib names are written locally
(``_ext/inventories.py``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from importlib.metadata import version as _version
from pathlib import Path
from urllib.parse import urlsplit

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BUILD = DOCS / "_build"
sys.path.insert(0, str(DOCS / "_ext"))

import inventories  # noqa: E402  (docs/_ext)
import siteext  # noqa: E402


def _load_without_package(name: str) -> None:
    """Import ``rnnshapes.sphinxext`` without running ``rnnshapes/__init__`` (which imports torch).

    The extension imports rnnshapes only when a page needs it, so a rebuild with nothing to read
    never pays for torch: this keeps a no-change rebuild within a few seconds.
    """
    package = importlib.util.find_spec(name.rpartition(".")[0])  # finds, does not import
    assert package is not None and package.origin is not None
    spec = importlib.util.spec_from_file_location(
        name, Path(package.origin).with_name("sphinxext.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


if "rnnshapes" not in sys.modules:
    _load_without_package("rnnshapes.sphinxext")


def _source_date_epoch() -> str | None:
    """The last commit's time, for reproducible builds (unless the caller set one)."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return out or None


# The environment reaches the notebook kernels too (nbclient passes os.environ on): one thread
# (torch in forked workers can deadlock otherwise, and results stay the same run to run), the
# commit's date in every file that records one, and matplotlib's SVG ids salted.
if (_epoch := _source_date_epoch()) is not None:
    os.environ["SOURCE_DATE_EPOCH"] = _epoch
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ["PYTHONHASHSEED"] = "0"
os.environ["MATPLOTLIBRC"] = str(DOCS / "_ext" / "matplotlibrc")
os.environ["IPYTHONDIR"] = str(siteext.ipython_dir(BUILD / "ipython"))

# -- Project -------------------------------------------------------------------------------------

project = "rnnshapes"
author = "the rnnshapes developers"
copyright = f"%Y, {author}"
release = _version("rnnshapes")
version = release

# The site's public address: Read the Docs sets READTHEDOCS_CANONICAL_URL; anyone else may set
# RNNSHAPES_BASE_URL. Open Graph tags and the sitemap are built from it (docs/_ext/siteext.py), and
# the 404 page's links from its path (below).
html_baseurl = os.environ.get(
    "READTHEDOCS_CANONICAL_URL",
    os.environ.get("RNNSHAPES_BASE_URL", "https://rnnshapes.readthedocs.io/"),
)
if not html_baseurl.endswith("/"):
    html_baseurl += "/"

# -- Extensions ----------------------------------------------------------------------------------

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "mathml",  # docs/_ext/mathml.py: maths rendered to MathML at build time
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinx_design",
    "notfound.extension",  # sphinx-notfound-page: the 404 page, its links absolute
    "rnnshapes.sphinxext",
    "runs",  # docs/_ext/runs.py: the troubleshooting pages run their code in the build
    "siteext",  # docs/_ext/siteext.py: sitemap, accessibility, reproducible files
    "explorer",  # docs/_ext/explorer.py: the interactive state-grid explorer
    "search",  # docs/_ext/search.py: search results ranked for pasted questions
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_ext",
    "_tools",
    ".jupyter_cache",
    "jupyter_execute",
    # sphinx-gallery writes a notebook beside each example page: read the pages, not those
    "auto_examples/*.ipynb",
    "auto_examples/**/*.ipynb",
    "gen_modules",
    # sphinx-gallery's timings (for nox -s bench), not pages: they differ from build to build
    "sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst",
]
nitpicky = True
default_role = "py:obj"

# -- MyST and notebook execution -----------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "dollarmath", "amsmath", "deflist", "attrs_inline"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_cache_path = str(DOCS / ".jupyter_cache")  # outside _build: a clean build reuses it
nb_execution_timeout = 120
nb_execution_raise_on_error = True  # a cell that raises fails the build
nb_execution_show_tb = True
nb_merge_streams = True
nb_mime_priority_overrides = [("html", "image/svg+xml", 5)]

# -- Gallery -------------------------------------------------------------------------------------

# The gallery: examples/plot_*.py, run once per change (sphinx-gallery keeps their checksums).
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],  # relative to docs/: no build path in the config's hash
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("rnnshapes",),
    "backreferences_dir": "gen_modules/backreferences",
    "reset_modules": ("matplotlib", "siteext.reset_torch"),
    "reset_modules_order": "both",  # the last script's state does not outlive it either
    "abort_on_example_error": True,
    "show_memory": False,
    "show_signature": False,
    "min_reported_time": 10**9,  # no "running time" lines: they differ from build to build
    "write_computation_times": True,  # sg_execution_times.rst, read by nox -s bench
    "remove_config_comments": True,
    "download_all_examples": True,
    "inspect_global_variables": False,
    # a cell ending in ax.legend(...) would print "<Legend object at 0x7f...>": a new address
    # on every build, in the page and in the search index
    "ignore_repr_types": r"matplotlib\.",
}

# -- Cross-references ----------------------------------------------------------------------------

# Written locally from lists of the names the site uses: nothing is fetched at build time, and
# each name still links to its page in the project's own reference.
intersphinx_mapping = {
    name: (url, str(path)) for name, (url, path) in inventories.write(BUILD / "inventories").items()
}
intersphinx_cache_limit = -1

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_default_options = {"exclude-members": "__init__, __new__"}
python_use_unqualified_type_names = True
python_display_short_literal_types = True

# -- HTML ----------------------------------------------------------------------------------------

html_theme = "furo"
html_title = "rnnshapes"
html_static_path = ["_static"]
html_css_files = ["rnnshapes.css"]
html_favicon = "_static/favicon.svg"
html_logo = None
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
}
# Maths is MathML written at build time (docs/_ext/mathml.py): the browser draws it, no script.
html_math_renderer = "mathml"

# The 404 page (sphinx-notfound-page) is served for any missing address, at any depth, so its links
# (theme files, menu, body) are absolute under the path the site is published at: the version's
# path on Read the Docs (/en/latest/, from READTHEDOCS_CANONICAL_URL), / for a site served from
# its own root (a local build, the browser tests).
notfound_urls_prefix = urlsplit(html_baseurl).path
notfound_context = {
    "title": "Page not found",
    "body": (
        "<h1>Page not found</h1>\n"
        "<p>There is no page at this address. Start again from the "
        f'<a href="{notfound_urls_prefix}index.html">home page</a>, '
        "or search the site with the box at the top of the menu.</p>\n"
    ),
}

# Copy buttons copy the code, not the prompts or the output.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_exclude = ".linenos, .gp, .go"
