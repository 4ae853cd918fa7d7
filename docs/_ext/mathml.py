"""Render the site's maths to MathML at build time: no script, no web font, nothing to wait for.

Browsers draw MathML themselves (MathML Core: Chromium 109+, Firefox, Safari), and screen readers
read it. MathJax took the equations page's performance score from 100 to 84 (450 ms of blocking
script and a layout shift when its output replaced the TeX); rendered here, the page holds its
final maths from the first paint. Each ``<math>`` keeps its TeX as an annotation, for assistive
tools without MathML and for copying.

TeX goes through ``latex2mathml``, which does not fail on what it cannot read: it leaves an
unknown command as literal text, drops an unknown environment and shows a misplaced ``&``. So the
build warns (and ``-W`` fails) when a backslash or an ``&`` survives into the text of the MathML,
or when the TeX uses an environment outside the list below; such maths is shown as code, never
half-converted. Sphinx numbers equations itself, so the numbered environments are read as their
starred forms: ``aligned`` and ``align`` as ``align*`` (a table of right- and left-aligned
columns), ``equation`` as its content. A display block with ``\\`` outside any environment is
read as ``align*``, as Sphinx's MathJax output reads it as ``split``.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from xml.etree import ElementTree

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.application import Sphinx
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

MATHML = "http://www.w3.org/1998/Math/MathML"
ElementTree.register_namespace("", MATHML)

# Environments latex2mathml lays out (checked with latex2mathml 3.81), and those read as another.
SUPPORTED = {
    "align*", "split", "cases", "array", "matrix", "smallmatrix",
    "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix",
}  # fmt: skip
_READ_AS = {"aligned": "align*", "align": "align*", "equation": "", "equation*": ""}
_ENVIRONMENT = re.compile(r"\\(begin|end)\{([^}]*)\}")
_OUTER = re.compile(r"\\begin\{([^}]*)\}.*?\\end\{\1\}", re.S)
_DELIMITERS = re.compile(r"^\s*(?:\\\[(?P<a>.*)\\\]|\$\$(?P<b>.*)\$\$)\s*$", re.S)


def _environments(tex: str) -> str:
    def rename(match: re.Match[str]) -> str:
        name = _READ_AS.get(match.group(2), match.group(2))
        return rf"\{match.group(1)}{{{name}}}" if name else ""

    return _ENVIRONMENT.sub(rename, tex)


def to_mathml(tex: str, *, display: bool) -> tuple[str, list[str]]:
    """``tex`` as a ``<math>`` element, and what could not be rendered (empty when all was)."""
    source = _environments(tex.strip())
    if display and r"\\" in _OUTER.sub("", source):
        source = rf"\begin{{align*}}{source}\end{{align*}}"
    unknown = {name for _, name in _ENVIRONMENT.findall(source)} - SUPPORTED
    problems = [f"environment {name}" for name in sorted(unknown)]
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises its own types, and IndexError on bad input
        return "", [*problems, f"{type(error).__name__} {error}".strip()]
    text = unescape(re.sub(r"<[^>]+>", " ", mathml))
    problems += sorted(set(re.findall(r"\\[A-Za-z]+|\\.", text)))
    if "&" in text and r"\&" not in source:
        problems.append("& outside an alignment")
    if 'linebreak="newline"' in mathml:  # MathML Core draws no line break: the lines would run on
        problems.append(r"\\ outside an alignment")
    if problems:
        return "", problems
    return _finish(mathml, tex.strip()), []


def _finish(mathml: str, tex: str) -> str:
    """Wrap each right-aligned cell's content in one ``mrow``; keep the TeX as an annotation.

    Chromium lays out a cell's content from its start whatever ``text-align`` says; a cell of
    direction rtl holding one ltr ``mrow`` ends at the cell's right edge instead, and its content
    keeps its order (rnnshapes.css).
    """
    root = ElementTree.fromstring(mathml)
    for cell in root.iter(f"{{{MATHML}}}mtd"):
        if cell.get("columnalign") == "right":
            row = ElementTree.Element(f"{{{MATHML}}}mrow")
            row.extend(list(cell))
            for child in list(cell):
                cell.remove(child)
            cell.append(row)
    semantics = ElementTree.Element(f"{{{MATHML}}}semantics")
    semantics.extend(list(root))
    for child in list(root):
        root.remove(child)
    annotation = ElementTree.SubElement(
        semantics, f"{{{MATHML}}}annotation", encoding="application/x-tex"
    )
    annotation.text = tex
    root.append(semantics)
    return ElementTree.tostring(root, encoding="unicode")


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
    # An equation wider than a phone scrolls sideways (furo's .math-wrapper): keyboard users must
    # reach it too (axe: scrollable-region-focusable), as the code blocks do.
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight", tabindex="0"))
    if node.get("no-wrap", node.get("nowrap", False)):
        # The TeX is whole, as written: one equation, its delimiters (if any) taken off.
        tex = node.astext()
        if delimited := _DELIMITERS.match(tex):
            tex = delimited.group("a") or delimited.group("b") or ""
        self.body.append(_render(self, tex, node, display=True) + "</div>\n")
        raise nodes.SkipNode
    if node["number"]:
        self.body.append(f'<span class="eqno">({get_node_equation_number(self, node)})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    # Equations a blank line apart are shown one under the other.
    for part in re.split(r"\n\s*\n", node.astext()):
        if part.strip():
            self.body.append(_render(self, part, node, display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
