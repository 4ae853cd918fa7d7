"""Code run in the build, shown with what it printed, raised or warned: the troubleshooting pages.

A troubleshooting entry shows a reader's failing call, the exact message their torch gives, and
the fix. Each ``runs`` block is executed when the page is read, in the Sphinx process, in one
namespace per page (the blocks of a page run in order, like a notebook's cells), and shown with
its output: what it printed, the value of its last line if that is an expression, then the
warnings it gave and the exception it raised, each as ``Class: text``, as Python prints them.

````markdown
```{runs}
:raises: input-dtype-must-match-weights

lstm = nn.LSTM(4, 5)
lstm(torch.randn(7, 3, 4, dtype=torch.float64))
```
````

- ``:raises: claim-id`` and ``:warns: claim-id``: the block must raise (or warn) the message
  that claim names (:attr:`rnnshapes.Claim.message`): its class, and text matching its
  pattern. If torch stops giving it, the build fails; the message shown is the one just given.
  Each such message is listed by the ``messages-index`` directive, grouped by the torch function
  it came from (read from the traceback), linking to the page.
- Without them, a block that raises or warns fails the build.
- ``:expect: True`` (or ``False``): the block's last line is a boolean check, and must show
  this value; a block whose last line shows a boolean must say which it expects.

Every page's shown output (notebook cells' too) has its machine paths cut the same way.

Why not notebook cells: an entry's few lines run in milliseconds, but a notebook kernel that
imports torch costs seconds per page, and this section has dozens of pages. Messages are shown
without tracebacks, and file paths in them are cut to the part inside the package (torch's own
"Triggered internally at /__w/pytorch/pytorch/aten/..." loses its build machine's prefix).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import sys
import time
import traceback
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

#: Where a path in a message starts being the same on every machine.
_PATH_ROOTS = re.compile(r"(?:/[^\s:()'\"]*?/)(?:site-packages/)?(?=(?:aten|torch|c10)/)")

PRELUDE = "import torch\nfrom torch import nn\n"


def normalise(text: str) -> str:
    """``text`` with any absolute path cut to where it enters a package or torch's source tree.

    >>> normalise("at /__w/pytorch/pytorch/aten/src/ATen/native/RNN.cpp:1512.")
    'at aten/src/ATen/native/RNN.cpp:1512.'
    >>> normalise("/home/me/venv/lib/python3.11/site-packages/torch/nn/modules/rnn.py:1164")
    'torch/nn/modules/rnn.py:1164'
    """
    return _PATH_ROOTS.sub("", text)


def origin(err: BaseException) -> str:
    """The torch function a message came from: the innermost frame of the traceback inside
    torch, as ``module.qualname`` (``"Python"`` when no frame is torch's, as for unpacking)."""
    where = "Python"
    for frame, _ in traceback.walk_tb(err.__traceback__):
        module = frame.f_globals.get("__name__", "")
        if module == "torch" or module.startswith("torch."):
            where = f"{module}.{frame.f_code.co_qualname}"
    return where


def _warning_origin(filename: str) -> str:
    path = Path(filename)
    parts = path.with_suffix("").parts
    if "torch" in parts:
        return ".".join(parts[len(parts) - 1 - parts[::-1].index("torch") :])
    return "Python"


class _Namespaces:
    """One namespace per page, in the process that reads it."""

    def __init__(self) -> None:
        self.pages: dict[str, dict[str, Any]] = {}

    def fresh(self, docname: str) -> dict[str, Any]:
        namespace: dict[str, Any] = {"__name__": f"runs:{docname}"}
        self.pages[docname] = namespace
        return namespace


_NAMESPACES = _Namespaces()


def _claim_message(claim_id: str) -> tuple[type[BaseException], str]:
    from rnnshapes import claims

    message = claims[claim_id].message
    if message is None:
        raise ValueError(f"claim {claim_id!r} names no message (claim(..., message=...))")
    return message


def _execute(code: str, namespace: dict[str, Any]) -> tuple[str, list[Any], BaseException | None]:
    """Run ``code``: what it printed (and its last expression's repr), its warnings, its error."""
    import torch

    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body = tree.body[:-1]
    out = io.StringIO()
    error: BaseException | None = None
    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # torch's warn-once warnings: shown on every page that gets them
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
            warnings.simplefilter("always")
            try:
                exec(compile(tree, "<runs>", "exec"), namespace)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), "<runs>", "eval"), namespace)
                    if value is not None:
                        print(repr(value))
            except Exception as err:
                error = err
    finally:
        torch.set_warn_always(always)
    return out.getvalue(), list(caught), error


class BlockFailed(Exception):
    """A block did not do what its options say."""


def run_block(
    code: str, options: dict[str, str], namespace: dict[str, Any]
) -> tuple[str, dict[str, str] | None]:
    """Run one block in ``namespace``; return the text to show under it and the message it
    captured (``None`` without ``:raises:``/``:warns:``), or raise :class:`BlockFailed`."""
    printed, caught, error = _execute(code, namespace)
    shown: list[str] = [normalise(printed.rstrip("\n"))] if printed.strip() else []
    for w in caught:
        shown.append(normalise(f"{w.category.__name__}: {w.message}"))
    if error is not None:
        shown.append(normalise(f"{type(error).__name__}: {error}"))

    raises, warns = options.get("raises"), options.get("warns")
    if raises and warns:
        raise BlockFailed("a runs block raises or warns, not both")
    message = None
    if raises:
        kind, pattern = _claim_message(raises)
        if error is None or type(error) is not kind or not re.search(pattern, str(error)):
            got = "nothing" if error is None else f"{type(error).__name__}: {error}"
            raise BlockFailed(f"expected {kind.__name__} /{pattern}/, got {got}")
        message = {
            "claim": raises,
            "type": kind.__name__,
            "text": normalise(str(error)),
            "origin": origin(error),
        }
    elif error is not None:
        detail = "".join(traceback.format_exception(error))
        raise BlockFailed(f"the block raised\n{detail}")
    if warns:
        kind, pattern = _claim_message(warns)
        hits = [w for w in caught if w.category is kind and re.search(pattern, str(w.message))]
        if not hits:
            got = [f"{w.category.__name__}: {w.message}" for w in caught] or "nothing"
            raise BlockFailed(f"expected {kind.__name__} /{pattern}/, got {got}")
        message = {
            "claim": warns,
            "type": kind.__name__,
            "text": normalise(str(hits[0].message)),
            "origin": _warning_origin(hits[0].filename),
        }
    elif caught and not raises:
        got = [f"{w.category.__name__}: {w.message}" for w in caught]
        raise BlockFailed(f"the block warned {got}; say :warns: claim-id")

    last = printed.rstrip("\n").rsplit("\n", 1)[-1] if printed.strip() else ""
    expect = options.get("expect")
    if expect is not None and last != expect:
        raise BlockFailed(f"expected the last line to show {expect}, got {last!r}")
    if expect is None and last in ("True", "False"):
        raise BlockFailed(f"the block shows {last}: say :expect: {last}")
    return "\n".join(shown), message


def page_namespace(docname: str) -> dict[str, Any]:
    """A fresh namespace for a page's blocks, with :data:`PRELUDE` run in it."""
    namespace = _NAMESPACES.fresh(docname)
    exec(PRELUDE, namespace)
    return namespace


def _boolean(value: object) -> str:
    """``:expect:``'s value, ``"True"`` or ``"False"`` (MyST may hand it over as a bool)."""
    text = str(value).strip()
    if text not in ("True", "False"):
        raise ValueError(f":expect: takes True or False, not {text!r}")
    return text


class RunsDirective(SphinxDirective):
    """Run a block of Python at build time; show it and what it printed, warned or raised."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "raises": directives.unchanged_required,
        "warns": directives.unchanged_required,
        "expect": lambda value: _boolean(value),
    }

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content).strip("\n")
        docname = self.env.docname
        if self.env.temp_data.get("runs-page") != docname:  # the page's first block
            self.env.temp_data["runs-page"] = docname
            page_namespace(docname)
        try:
            shown, message = run_block(code, self.options, _NAMESPACES.pages[docname])
        except BlockFailed as err:
            raise ExtensionError(f"{docname}:{self.lineno}: {err}") from None

        block = nodes.literal_block(code, code, language="python", classes=["runs-code"])
        self.set_source_info(block)
        result: list[nodes.Node] = [block]
        if shown:
            classes = ["runs-output"] + (["runs-message"] if message else [])
            if self.options.get("expect") == "False":
                classes.append("runs-expect-false")  # a silent wrong answer, shown wrong
            result.append(nodes.literal_block(shown, shown, language="none", classes=classes))
        if message is not None:
            self.env.runs_messages[docname].append(message)  # type: ignore[attr-defined]
            # an entry of the site's index, so that the search box, given the message pasted
            # whole (or half of it, or more), ranks this block first (Sphinx scores an index
            # entry that contains the query above any page that merely holds its words)
            target = f"message-{self.env.new_serialno('runs-message')}"
            entry = f"{message['type']}: {message['text']}".replace(";", ",")  # ; splits one
            message["target"], message["entry"] = target, entry
            result.insert(0, nodes.target("", "", ids=[target]))
            result.insert(0, addnodes.index(entries=[("single", entry, target, "main", None)]))
        return result


class MessagesIndexDirective(SphinxDirective):
    """Every message the ``runs`` blocks captured, grouped by where in torch it came from."""

    def run(self) -> list[nodes.Node]:
        self.env.runs_index_pages.add(self.env.docname)  # type: ignore[attr-defined]
        return [_IndexPlaceholder()]


class _IndexPlaceholder(nodes.General, nodes.Element):
    pass


def _fill_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    for placeholder in doctree.findall(_IndexPlaceholder):
        groups: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
        for page, messages in sorted(env.runs_messages.items()):  # type: ignore[attr-defined]
            for m in messages:
                groups[m["origin"]].append((page, m))
        content: list[nodes.Node] = []
        for where in sorted(groups, key=lambda w: (w == "Python", w)):
            section = nodes.section(ids=[nodes.make_id(f"from-{where}")])
            title = "Python itself (unpacking, attributes)" if where == "Python" else where
            section += nodes.title("", "", nodes.literal(text=title))
            items = nodes.bullet_list()
            for page, m in sorted(groups[where], key=lambda pm: (pm[1]["type"], pm[1]["text"])):
                item = nodes.list_item(classes=["runs-indexed"])
                para = nodes.paragraph()
                para += nodes.literal(
                    text=f"{m['type']}: {m['text']}", classes=["runs-indexed-text"]
                )
                para += nodes.Text(" — ")
                ref = nodes.reference("", "", internal=True)
                ref["refuri"] = app.builder.get_relative_uri(docname, page)
                ref += nodes.Text(_title(env, page))
                para += ref
                item += para
                items += item
            section += items
            content.append(section)
        placeholder.replace_self(content or [nodes.paragraph(text="No messages.")])


def _title(env: BuildEnvironment, docname: str) -> str:
    title = env.titles.get(docname)
    return title.astext() if title is not None else docname


def _init(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if not hasattr(env, "runs_messages"):
        env.runs_messages = defaultdict(list)  # type: ignore[attr-defined]
        env.runs_index_pages = set()  # type: ignore[attr-defined]
    env.runs_seconds = {}  # type: ignore[attr-defined]  # this build's reads only
    for docname in docnames:
        _purge(app, env, docname)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    if hasattr(env, "runs_messages"):
        env.runs_messages.pop(docname, None)
        env.runs_index_pages.discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    for docname in docnames:
        if docname in other.runs_messages:
            env.runs_messages[docname] = other.runs_messages[docname]  # type: ignore[attr-defined]
        if docname in other.runs_index_pages:
            env.runs_index_pages.add(docname)  # type: ignore[attr-defined]
        if docname in getattr(other, "runs_seconds", {}):
            env.runs_seconds[docname] = other.runs_seconds[docname]  # type: ignore[attr-defined]


def _normalise_outputs(app: Sphinx, doctree: nodes.document) -> None:
    """Cut machine paths out of every shown output on every page (a notebook cell's warning
    prints the file it came from: the build machine's virtual environment)."""
    for block in list(doctree.findall(nodes.literal_block)):
        text = block.astext()
        fixed = normalise(text)
        if fixed != text:
            block.children = [nodes.Text(fixed)]
            block.rawsource = fixed


def _read_started(app: Sphinx, docname: str, source: list[str]) -> None:
    app.env.temp_data["runs-started"] = time.perf_counter()


def _read_done(app: Sphinx, doctree: nodes.document) -> None:
    """Record how long each page with ``runs`` blocks took to read: parse and run."""
    env = app.env
    if env.temp_data.get("runs-page") == env.docname and "runs-started" in env.temp_data:
        seconds = time.perf_counter() - env.temp_data["runs-started"]
        env.runs_seconds[env.docname] = seconds  # type: ignore[attr-defined]


#: A fragment of a message quoted in a page's title: double quotes (straight, or curly as
#: Sphinx's smartquotes make them), with at least one space.
_QUOTED = re.compile(r'["\u201c]([^"\u201d]* [^"\u201d]*)["\u201d]')


_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'"})


def unquoted(title: str, messages: list[str]) -> list[str]:
    """The fragments ``title`` quotes (pieces between ``...``) that no captured message holds.

    >>> unquoted('I did X: "expected 2, got ... instead"', ["expected 2, got 3 instead"])
    []
    >>> unquoted('I did X: "expected 3"', ["expected 2"])
    ['expected 3']
    """
    missing = []

    def plain(text: str) -> str:  # a title shows code without backticks, quotes curled
        return text.replace("`", "").translate(_STRAIGHT)

    messages = [plain(text) for text in messages]
    for quoted in _QUOTED.findall(plain(title)):
        for piece in re.split(r"\.\.\.|\u2026", quoted):
            piece = piece.strip(" ,")
            if piece and not any(piece in text for text in messages):
                missing.append(piece)
    return missing


def _check_title_quotes(app: Sphinx, doctree: nodes.document) -> None:
    """A title that quotes a message quotes what the page captured, so a title typed by hand
    cannot drift from what torch says."""
    env = app.env
    messages = [m["text"] for m in env.runs_messages.get(env.docname, [])]  # type: ignore[attr-defined]
    title = next(iter(doctree.findall(nodes.title)), None)
    if messages and title is not None and (missing := unquoted(title.astext(), messages)):
        raise ExtensionError(
            f"{env.docname}: the title quotes {missing}, which no message captured on the "
            f"page contains; captured: {messages}"
        )


def _index_messages(app: Sphinx) -> list[Any]:
    """Put every captured message in the search index, whichever pages this build wrote.

    Sphinx drops the index entries of pages an incremental build does not write again
    (sphinx-doc/sphinx#12599, open), and with them the way a pasted message finds its entry; so
    they are added again here from what the pages recorded when read, just before the index is
    written (``html-collect-pages`` comes before it). Sphinx's own entries for pages it wrote are
    kept as they are.
    """
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None:
        return []
    for docname, messages in getattr(app.env, "runs_messages", {}).items():
        entries = set(indexer._index_entries.get(docname, []))
        entries |= {(m["entry"], m["target"], "main") for m in messages if "entry" in m}
        indexer._index_entries[docname] = sorted(entries)
    return []


def _write_seconds(app: Sphinx, exception: BaseException | None) -> None:
    """Write what this build spent reading pages with ``runs`` blocks (``nox -s bench``)."""
    seconds = getattr(app.env, "runs_seconds", {})
    if exception is None and seconds:
        path = Path(app.doctreedir) / "runs-seconds.json"
        slowest = max(seconds, key=seconds.get)
        data = {
            "pages": len(seconds),
            "seconds": round(sum(seconds.values()), 3),
            "slowest": {"page": slowest, "seconds": round(seconds[slowest], 3)},
        }
        path.write_text(json.dumps(data) + "\n")


def _rewrite_index(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Write the index pages again whenever any page was read: a message may have changed."""
    return sorted(getattr(env, "runs_index_pages", ()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("runs", RunsDirective)
    app.add_directive("messages-index", MessagesIndexDirective)
    app.connect("env-before-read-docs", _init)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-updated", _rewrite_index)
    app.connect("doctree-resolved", _fill_index)
    app.connect("source-read", _read_started)
    app.connect("doctree-read", _read_done)
    app.connect("doctree-read", _normalise_outputs)
    app.connect("doctree-read", _check_title_quotes)
    app.connect("html-collect-pages", _index_messages)
    app.connect("build-finished", _write_seconds)
    if "rnnshapes" not in sys.modules:
        import rnnshapes  # noqa: F401 - the claims the blocks name
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
