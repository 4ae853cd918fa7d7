"""The explorer's build-time data (``docs/_ext/explorer.py``): torch's messages, never typed.

The browser test (``tests/browser/test_browser_explorer.py``) proves the explorer's rules; this
checks, without a browser, what the directive writes into the page.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import explorer  # noqa: E402  (docs/_ext/explorer.py)

JS = (ROOT / "docs" / "_static" / explorer.JS).read_text(encoding="utf-8")
CSS = (ROOT / "docs" / "_static" / explorer.CSS).read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(explorer.REFUSALS))
def test_each_refusal_is_what_torch_raises(key: str) -> None:
    """Each message in the page is the exception its call raises now, as ``Class: text``."""
    code = explorer.REFUSALS[key]
    shown = explorer.explorer_data()["refusals"][key]
    assert shown["code"] == code
    assert re.fullmatch(r"(ValueError|RuntimeError): .+", shown["message"]), shown
    assert explorer._capture(code) == shown["message"]


def test_every_refusal_is_used_by_the_script() -> None:
    """A message captured but never shown, or shown but never captured, is a drift."""
    used = set(re.findall(r'at\("(\w+)"\)', JS))
    assert used == set(explorer.REFUSALS)


def test_the_note_is_rnnshapes_own() -> None:
    import rnnshapes

    note = rnnshapes.shapes(torch.nn.GRU(4, 5, batch_first=True), seq_len=3).notes
    assert explorer.explorer_data()["notes"]["batch_first_unbatched"] == note[0]


def test_the_markup_carries_its_data_safely() -> None:
    """The JSON block cannot end the script early, and parses back to the data."""
    data = {"refusals": {"x": {"code": "a</script><b>", "message": "m"}}, "notes": {}}
    html = explorer.container_html(data, "../explanation/state-grid.html")
    assert html.count("</script>") == 1
    payload = re.search(r'class="rnnx-data">(.*?)</script>', html, re.S)
    assert payload and json.loads(payload[1]) == data
    assert 'href="../explanation/state-grid.html"' in html


def test_the_explorer_fits_in_30_kb() -> None:
    """Script and styles together, uncompressed (issue 12)."""
    size = len(JS.encode()) + len(CSS.encode())
    assert size <= 30 * 1024, size


def test_the_script_reaches_no_other_host() -> None:
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\(|https?://)", JS)


class _App:
    """What ``_add_files`` calls on the Sphinx application, recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, object]]] = []

    def add_css_file(self, name: str, **kw: object) -> None:
        self.calls.append(("css", name, kw))

    def add_js_file(self, name: str, **kw: object) -> None:
        self.calls.append(("js", name, kw))


def test_the_files_go_only_to_pages_that_hold_an_explorer() -> None:
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.utils import new_document

    def page(*children: nodes.Node) -> nodes.document:
        doc = new_document("<page>", get_default_settings())
        doc.extend(children)
        return doc

    with_it, without, none = _App(), _App(), _App()
    raw = nodes.raw("", "<div></div>", format="html", classes=[explorer.MARKER])
    explorer._add_files(with_it, "p", "page.html", {}, page(raw))
    other = nodes.raw("", "<div></div>", format="html")
    explorer._add_files(without, "q", "page.html", {}, page(other))
    explorer._add_files(none, "genindex", "genindex.html", {}, None)
    assert with_it.calls == [
        ("css", explorer.CSS, {}),
        ("js", explorer.JS, {"loading_method": "defer"}),
    ]
    assert without.calls == none.calls == []
