"""The ``explorer`` directive: the interactive state-grid explorer (``_static/explorer.js``).

````markdown
```{explorer}
```
````

The directive writes the explorer's container, what a reader without JavaScript sees instead (a
sentence and a link to the state-grid figure), and a JSON block of what torch says when it
refuses a configuration: each message is captured here, at build time, by running the refused
call (:data:`REFUSALS`), never typed by hand. ``explorer.js`` and ``explorer.css`` are added to
the pages that hold an explorer only.

The markup comes from :func:`container_html`, which the browser tests import too, so the page
they drive and the page the site ships cannot part.
"""

from __future__ import annotations

import functools
import json
from html import escape
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

JS = "explorer.js"
CSS = "explorer.css"
MARKER = "rnnx-explorer"  # the class of the raw node, found again at html-page-context
STATE_GRID_DOC = "explanation/state-grid"

#: What the explorer says torch refuses, by key: the call whose exception is captured.
REFUSALS: dict[str, str] = {
    "proj_not_lstm": "nn.GRU(4, 5, proj_size=2)",
    "dropout_range": "nn.LSTM(4, 5, num_layers=2, dropout=1.5)",
    "input_size": "nn.LSTM(0, 5)",
    "hidden_size": "nn.LSTM(4, 0)",
    "num_layers": "nn.LSTM(4, 5, num_layers=0)",
    "proj_negative": "nn.LSTM(4, 5, proj_size=-1)",
    "proj_too_big": "nn.LSTM(4, 5, proj_size=5)",
    "seq_len_zero": "nn.GRU(4, 5)(torch.zeros(0, 3, 4))",
    "lengths_unsorted": "pack_padded_sequence(torch.zeros(7, 3, 4), [2, 7, 5])",
    "lengths_zero": "pack_padded_sequence(torch.zeros(7, 3, 4), [7, 5, 0], enforce_sorted=False)",
    # packing takes a length past the padded steps; the module then fails (with numbers that
    # depend on the batch, so the explorer shows this example's)
    "lengths_too_long": ("nn.GRU(4, 5)(pack_padded_sequence(torch.zeros(7, 3, 4), [9, 4, 1]))"),
}


def _capture(code: str) -> str:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    scope = {"torch": torch, "nn": nn, "pack_padded_sequence": pack_padded_sequence}
    try:
        eval(code, scope)
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    raise RuntimeError(f"torch no longer refuses {code}: update REFUSALS in {__file__}")


@functools.cache
def explorer_data() -> dict[str, Any]:
    """What the explorer shows that torch or rnnshapes says: refusals and the one note."""
    import torch

    import rnnshapes

    note = rnnshapes.shapes(torch.nn.RNN(4, 5, batch_first=True), seq_len=7).notes[0]
    return {
        "torch": torch.__version__.split("+")[0],
        "refusals": {
            key: {"code": code, "message": _capture(code)} for key, code in REFUSALS.items()
        },
        "notes": {"batch_first_unbatched": note},
    }


def container_html(data: dict[str, Any], fallback_href: str) -> str:
    """The explorer's markup: an empty container ``explorer.js`` fills, its data, and what a
    reader without JavaScript sees (a link to the static state-grid figure)."""
    payload = json.dumps(data, sort_keys=True).replace("<", "\\u003c")
    return (
        '<div class="rnnx" data-rnnx>\n'
        f'<script type="application/json" class="rnnx-data">{payload}</script>\n'
        '<p class="rnnx-fallback">The interactive explorer needs JavaScript. '
        f'The <a href="{escape(fallback_href)}">state grid of a two-layer LSTM</a> shows the '
        "same reading: <code>output</code> is the top layer at every step, <code>h_n</code> "
        "each layer's final step.</p>\n"
        "</div>\n"
    )


class ExplorerDirective(SphinxDirective):
    """``{explorer}``: the explorer, with no arguments and no content."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        builder = self.env.app.builder
        try:
            href = builder.get_relative_uri(self.env.docname, STATE_GRID_DOC)
        except Exception:
            href = STATE_GRID_DOC + ".html"
        raw = nodes.raw("", container_html(explorer_data(), href), format="html")
        raw["classes"].append(MARKER)
        return [raw]


def _add_files(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None:
        return
    if any(MARKER in n.get("classes", []) for n in doctree.findall(nodes.raw)):
        app.add_css_file(CSS)
        app.add_js_file(JS, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("explorer", ExplorerDirective)
    app.connect("html-page-context", _add_files)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
