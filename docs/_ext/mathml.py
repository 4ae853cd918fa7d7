"""Render the site's maths to MathML at build time: no script, no web font, nothing to wait for.

Browsers draw MathML themselves (MathML Core: Chromium 109+, Firefox, Safari), and screen readers
read it. MathJax took the equations page's performance score from 100 to 84 (450 ms of blocking
script and a layout shift when its output replaced the TeX); rendered here, the page holds its
final maths from the first paint.

TeX goes through ``latex2mathml``. It turns a command it does not know into a literal ``\\name``
rather than failing, so the build warns (and ``-W`` fails) when any backslash survives: a page
never shows raw TeX. ``aligned`` (amsmath, as MyST's ``amsmath`` extension writes it) is read as
``align*``, which ``latex2mathml`` lays out as a table of right- and left-aligned columns.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

# A command latex2mathml did not know comes out as text starting with a backslash.
_UNKNOWN = re.compile(r">(\\[A-Za-z]+)<")


def to_mathml(tex: str, *, display: bool) -> tuple[str, list[str]]:
    """``tex`` as a ``<math>`` element, and the commands that could not be rendered."""
    source = re.sub(r"\\(begin|end)\{aligned\}", r"\\\1{align*}", tex.strip())
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises its own types, and IndexError on bad input
        return "", [f"{type(error).__name__} {error}".strip()]
    return mathml, _UNKNOWN.findall(mathml)


def _render(self: HTML5Translator, tex: str, node: nodes.Element, *, display: bool) -> str:
    mathml, problems = to_mathml(tex, display=display)
    if problems:
        logger.warning(
            "maths this site cannot render (%s): %s",
            ", ".join(problems),
            tex.strip(),
            location=node,
            type="mathml",
        )
        return f"<code>{self.encode(tex)}</code>"
    return mathml


def visit_math(self: HTML5Translator, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_render(self, node.astext(), node, display=False) + "</span>")
    raise nodes.SkipNode


def visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    # An equation wider than a phone scrolls sideways: keyboard users must reach it too (axe:
    # scrollable-region-focusable), as the code blocks do.
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight", tabindex="0"))
    if node["number"]:
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    # Equations a blank line apart are shown one under the other, as Sphinx's MathJax output does.
    for part in re.split(r"\n\s*\n", node.astext()):
        if part.strip():
            self.body.append(_render(self, part, node, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
