"""No file of the built site holds a path of the machine that built it.

A page that shows the build folder or the virtual environment (a warning printed with its file's
path, a path in a config value written out) differs from one machine to the next and tells
readers about ours. ``nox -s reproducible`` checks byte for byte that two clones build the same
site; this checks every build, cheaply, for the paths themselves.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"


def test_no_build_path_in_the_site() -> None:
    if not (HTML / "index.html").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no built site in {HTML}: the CI run must build it (nox -s tests)")
        pytest.skip(f"no built site in {HTML}: build it with `nox -s docs`")
    sys.path.insert(0, str(ROOT / "docs" / "_tools"))
    import reproducible

    roots = [ROOT, Path(sys.prefix), Path(sys.base_prefix), Path.home()]
    found = reproducible.leaks(HTML, roots)
    assert not found, "\n".join(found)


def test_gallery_timings_are_not_a_page() -> None:
    """sphinx-gallery's ``sg_execution_times`` (read by ``nox -s bench``) changes every build and
    loads its table's scripts from CDNs: it is kept out of the site."""
    if not (HTML / "index.html").exists():
        pytest.skip(f"no built site in {HTML}: build it with `nox -s docs`")
    assert not list(HTML.rglob("sg_execution_times*"))
    sys.path.insert(0, str(ROOT / "docs" / "_tools"))
    import bench

    timings = ROOT / "docs" / "sg_execution_times.rst"
    if timings.exists():
        assert bench.gallery_seconds(timings.read_text(encoding="utf-8")) > 0
