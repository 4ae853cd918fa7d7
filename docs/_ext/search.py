"""Search that answers a pasted question: a ranked index beside Sphinx's own (``searchrank.js``).

Sphinx's search keeps only the pages that hold *every* word of the query, so a question or an
error message pasted whole ("Why is h_n not the last step of output with batch_first=True?")
finds nothing, and it drops the index expressions readers type (``output[-1]``,
``out[:, -1, :]``). Pagefind, measured on the same query set, matches all words too (hit@3 14 %
against Sphinx's 23 %; the query set is ``tests/browser/search_queries.json``).

So this extension keeps Sphinx's search page, its result list and its highlighting, and gives it
a second index for ranking: for each section of each page, how often each word occurs in the
page's title, the section's heading, its index entries (the troubleshooting pages' error
messages), its prose and its code. Words are split, lower-cased, filtered by Sphinx's English stop
words and :data:`QUESTION_WORDS`, and stemmed by the Snowball stemmer Sphinx ships to the browser
(``constraints.txt`` pins the Python one to the same Snowball release), in Python here and in the
browser (``searchrank.js``, loaded as ``html_search_scorer``); an index expression is one word
(``[-1]``, ``[:,-1]``), and a word with underscores is also its parts (``batch_first``:
``batch``, ``first``). The browser scores sections with BM25F over those five fields, and a page
as its best section, so a page that holds most of a question's rarer words, in its title, a
heading or its messages above all, comes first; :data:`SYNONYMS` maps readers' words to the
site's (``hidden state`` → ``h_n``).

The index is written to ``_static/searchrank-data.js`` from what each page recorded when it was
read (kept in the environment), so incremental builds and parallel reads give the same file.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import snowballstemmer
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.search._stopwords.en import ENGLISH_STOPWORDS

DATA = "searchrank-data.js"
SCORER = Path(__file__).with_name("searchrank.js")
FIELDS = ("title", "headings", "entries", "text", "code")
#: Pages that answer no question of their own.
SKIP = {"404", "genindex", "search", "py-modindex"}

#: Readers' words → the site's: a word or phrase of a query also counts, at a lower weight, as
#: these (all stemmed as the index is): what a reader's word often comes with. From how questions
#: about recurrent layers are asked on PyTorch's forum, Stack Overflow and GitHub; some were added
#: on reading the misses of tests/browser/search_queries.json, so its hit rates are in-sample.
SYNONYMS: dict[str, list[str]] = {
    "hidden": ["h_n"],
    "last hidden state": ["h_n", "final"],
    "final hidden state": ["h_n", "final"],
    "h_t": ["h_n"],
    "last": ["final"],
    "final": ["last"],
    "last timestep": ["last step", "[-1]"],
    "last time step": ["last step", "[-1]"],
    "directions": ["bidirectional", "num_directions"],
    "forward and backward": ["bidirectional"],
    "variable length": ["pack_padded_sequence", "pad_packed_sequence"],
    "different lengths": ["pack_padded_sequence", "variable length"],
    "pack": ["pack_padded_sequence"],
    "padded": ["pad_packed_sequence", "padding"],
    "zero length": ["empty"],
    "length zero": ["empty"],
    "empty": ["length 0"],
    "scalar type": ["dtype"],
    "long": ["int64"],  # torch.long; it helps "expected scalar type Long" more than it costs
    "float": ["float32"],
    "initialize": ["initial", "h0"],
    "init": ["initial", "h0"],
    "previous": ["carry"],
    "previous batch": ["carry", "chunk"],
    "next batch": ["carry", "chunk"],
    "detach": ["carry", "detach"],
    "projection": ["proj_size"],
    "activation": ["nonlinearity"],
    "classification": ["final state"],
    "classifier": ["final state"],
    "embedding": ["token ids"],
    "truncate": ["shorter", "fewer"],
}

#: Readers' names for what the site names otherwise (``hidden state`` is ``h_n``, ``bilstm`` a
#: bidirectional LSTM): unlike :data:`SYNONYMS`, these count in full.
SAME: dict[str, list[str]] = {
    "hidden state": ["h_n"],
    "cell state": ["c_n"],
    "hn": ["h_n"],
    "cn": ["c_n"],
    "hx": ["h0"],
    "h_0": ["h0"],
    "c_0": ["c0"],
    "timestep": ["step"],
    "time step": ["step"],
    "batch first": ["batch_first"],
    "bilstm": ["bidirectional"],
    "birnn": ["bidirectional"],
    "bigru": ["bidirectional"],
    "bi directional": ["bidirectional"],
    "concatenate": ["cat"],
    "concat": ["cat"],
    "double": ["float64"],
    "sequence length": ["seq_len"],
    "rnns": ["rnn"],
    "lstms": ["lstm"],
    "grus": ["gru"],
    "learnable": ["learned"],
    "trainable": ["learned"],
}

#: A heading on this many pages or more is a template's ("Why", "The fix").
TEMPLATE = 5

#: Where answers live: at equal words, a page written to answer one question ranks above a list of
#: everything (the claims, the messages, the API, a section's index) and above the gallery.
PRIORS = {"reference/claims": 0.6, "reference/messages": 0.6, "reference/api": 0.6, "index": 0.8}
PREFIX_PRIORS = {"auto_examples/": 0.7}


def prior(docname: str) -> float:
    """The weight a page's score is multiplied by (:data:`PRIORS`)."""
    if docname in PRIORS:
        return PRIORS[docname]
    if docname.endswith("/index"):
        return 0.6
    return next((w for p, w in PREFIX_PRIORS.items() if docname.startswith(p)), 1.0)


#: Words a question is made of that say nothing of its subject (Sphinx's stop words are the rest):
#: the halves of contractions the word splitter leaves, and the discourse of a forum post.
_QUESTION_WORDS = """
    doesn isn don didn shouldn aren wasn weren won ve ll re
    instead clarify clarification confusion confused question questions help please anyone
    someone thanks understand explain explanation quick possible probably seem seems really
    actually also just like want need know think use using used get getting way make thing
    something anything even though however still regarding project projects pytorch can may might
"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
_STOP = ENGLISH_STOPWORDS | QUESTION_WORDS

_STEM = snowballstemmer.stemmer("english")
_WORD = re.compile(r"\w+")
# An index expression: integers, colons, commas and ellipses in brackets (not a float tensor).
_INDEX = re.compile(r"\[\s*(?:-?\d+|:|\.\.\.)?(?:\s*[:,]\s*(?:-?\d+|:|\.\.\.)?)*\s*\]", re.ASCII)
_NUMBERED = re.compile(r"([a-z]{2,})[0-9]+")
_SKIP_NODES = (nodes.raw, nodes.comment, nodes.system_message, nodes.substitution_definition)


def index_expression(text: str) -> str:
    """``[:, -1, :]`` → ``[:,-1]``: no spaces, trailing whole-axis slices dropped."""
    expr = re.sub(r"\s+", "", text)
    while expr.endswith(",:]"):
        expr = expr[:-3] + "]"
    return expr


# "3-D", "3 dims", "3 dimensions", "3-dimensional": one word, "3d", as torch's "2D or 3D" is
# (ASCII \b and \d, as in JavaScript).
_ND = re.compile(r"\b(\d)\s*-?\s*(?:d|dims?|dimensions?|dimensional)\b", re.ASCII)


# In a query, a shape, "(1, 64, 256)", "torch.Size([64, 256])" or "got [3, 5]" (brackets not
# after a name, so not the index "x[0, 1]"), is its number of axes: "3d", "2d", as torch's "3-D"
# is. A reader pastes a message with their own sizes, which no page has: what it tells is how
# many axes the tensors have, unless its shapes all have the same number ("expected (1, 32, 5),
# got (1, 8, 5)" is about sizes). The pages' own shapes stay numbers, which count for nothing:
# as "3d" they would be on every page.
_SHAPE = re.compile(
    r"\(\s*\d+(?:\s*,\s*\d+)+\s*,?\s*\)|(?<![\w\])])\[\s*\d+(?:\s*,\s*\d+)+\s*\]", re.ASCII
)


# An option set to a number is also one word, "hidden_size=0", "dropout=0.5", "lr=1e-3" (and, in
# a query, set to 0, "zero"): the words alone lose the number, which is often what a message or
# question is about.
_SETTING = re.compile(
    r"\b([a-z_][a-z0-9_]*)\s*=\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![\w.])", re.ASCII
)


def _sizes(shape: str) -> list[str]:
    return re.findall(r"\d+", shape)


def mismatches(text: str) -> list[str]:
    """Where two shapes in a row differ, when they have as many axes: "Expected hidden size
    (2, 3, 5), got [1, 3, 5]" is ``3d:0``, the first of three axes; "(1, 32, 256), got
    (1, 8, 256)" is ``3d:1``. Which axis is wrong tells the cause (layers, batch, features),
    whatever the sizes, so a pasted message meets the page whose captured message it is."""
    shapes = [_sizes(shape) for shape in _SHAPE.findall(text)]
    return [
        f"{len(a)}d:" + "".join(str(i) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
        for a, b in itertools.pairwise(shapes)
        if len(a) == len(b) and a != b
    ]


def tokens(text: str, *, query: bool = False, messages: bool = False) -> list[str]:
    """The words of ``text`` as the index counts them, or with ``query`` as ``searchrank.js``
    reads a query (its shapes are their numbers of axes, and :func:`mismatches` are words), or
    with ``messages`` as error messages are counted (with their :func:`mismatches`)."""
    text = _ND.sub(lambda m: f" {m[1]}d ", text.lower())
    out = mismatches(text) if query or messages else []
    if query:
        shapes = _SHAPE.findall(text)
        same = len(shapes) > 1 and len({len(_sizes(shape)) for shape in shapes}) == 1
        text = _SHAPE.sub(lambda m: " " if same else f" {len(_sizes(m[0]))}d ", text)
    out += [e for e in map(index_expression, _INDEX.findall(text)) if e != "[]"]
    for name, value in _SETTING.findall(text):
        # a reader's "= 0" is also "zero" (in a query: the pages' code says dim=0 everywhere)
        out += [f"{name}={value}", "zero"] if query and float(value) == 0 else [f"{name}={value}"]
    for word in _WORD.findall(text):
        parts = [word, *word.split("_")] if "_" in word.strip("_") else [word]
        # a name numbered at its end is also the name: "layer0" is "layer" too ("h0" stays), and
        # "float32" is "float", as torch's "expected scalar type Float" says it
        parts += [m[1] for p in parts if (m := _NUMBERED.fullmatch(p))]
        for part in parts:
            if len(part) < 2 or (part.isascii() and part.isdigit()) or part in _STOP:
                continue
            out.append(_STEM.stemWord(part))
    return out


def _texts(node: nodes.Node) -> tuple[str, str]:
    """The prose and the code of ``node`` (code blocks and outputs), without raw HTML, comments
    or messages."""
    prose, code = [], []
    for text in node.findall(nodes.Text):
        parent, in_code = text.parent, False
        while parent is not None and not isinstance(parent, _SKIP_NODES):
            in_code = in_code or isinstance(parent, nodes.literal_block)
            parent = parent.parent
        if parent is None:
            (code if in_code else prose).append(str(text))
    return " ".join(prose), " ".join(code)


def _text(node: nodes.Node) -> str:
    return " ".join(filter(None, _texts(node)))


def _counts(parts: list[str], *, messages: bool = False) -> dict[str, int]:
    """Each word's count in ``parts``; with ``messages``, each part is a message of its own (so
    no mismatch pairs the last shape of one with the first of the next)."""
    if messages:
        return dict(sum((Counter(tokens(p, messages=True)) for p in parts), Counter()))
    return dict(Counter(tokens(" ".join(parts))))


def page_units(doctree: nodes.document) -> list[dict[str, Any]]:
    """The page cut into sections, each with its anchor, its heading and each field's word counts.

    A section's own text is what it holds outside its subsections; every section carries the
    page's title, so the page's subject counts for each of them.
    """
    sections = list(doctree.findall(nodes.section))
    if not sections:
        sections = [doctree]
    page_title = _text(sections[0][0]) if isinstance(sections[0][0], nodes.title) else ""
    units = []
    for i, section in enumerate(sections):
        own = [c for c in section.children if not isinstance(c, nodes.section)]
        if i == 0 and section is not doctree:  # what comes before the first section
            own = [c for c in doctree.children if not isinstance(c, nodes.section)] + own
        heading = _text(own[0]) if own and isinstance(own[0], nodes.title) else ""
        body = own[1:] if heading else own
        texts = [_texts(c) for c in body]
        prose, code = [p for p, _ in texts], [c for _, c in texts]
        entries = [e[1] for c in body for n in c.findall(addnodes.index) for e in n["entries"]]
        ids = section.get("ids", []) if i else []
        units.append(
            {
                "anchor": ids[0] if ids else "",
                "heading": heading if i else "",
                "fields": {
                    "title": _counts([page_title]),
                    "headings": _counts([heading] if i else []),
                    "entries": _counts(entries, messages=True),
                    "text": _counts(prose),
                    "code": _counts(code),
                },
            }
        )
    return units


def _read(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, "searchrank"):
        env.searchrank = {}
    env.searchrank[env.docname] = page_units(doctree)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "searchrank", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    if not hasattr(env, "searchrank"):
        env.searchrank = {}
    for docname in docnames:
        if docname in getattr(other, "searchrank", {}):
            env.searchrank[docname] = other.searchrank[docname]


def index_data(env: BuildEnvironment) -> dict[str, Any]:
    """The ranking index: pages, their sections, each field's length per section, and each
    word's postings (section, then its count in each field)."""
    pages = getattr(env, "searchrank", {})
    docs = sorted(d for d in pages if d in env.found_docs and d not in SKIP)
    # A heading that many pages share ("Why", "The fix") names a part of a page, not its subject:
    # its words do not count as a heading's.
    shared = Counter(h for d in docs for h in {u["heading"] for u in pages[d]} if h)
    template = {h for h, count in shared.items() if count >= TEMPLATE}
    units, lengths, postings = [], [], {}
    for d, docname in enumerate(docs):
        for unit in pages[docname]:
            # (a captured error message is an index node of its page: already an entry)
            fields = {name: Counter(unit["fields"][name]) for name in FIELDS}
            if unit["heading"] in template:
                fields["headings"] = Counter()
            u = len(units)
            units.append([d, unit["anchor"], unit["heading"]])
            lengths.append([sum(fields[name].values()) for name in FIELDS])
            for word in sorted(set().union(*(fields[name] for name in FIELDS))):
                postings.setdefault(word, []).extend([u, *(fields[name][word] for name in FIELDS)])
    synonyms, same = (
        {
            " ".join(tokens(word)): sorted({t for s in alt for t in tokens(s)})
            for word, alt in table.items()
        }
        for table in (SYNONYMS, SAME)
    )
    return {
        "docs": docs,
        "units": units,
        "fields": list(FIELDS),
        "lengths": lengths,
        "postings": postings,
        "priors": [prior(d) for d in docs],
        "stop": sorted(QUESTION_WORDS),
        "synonyms": synonyms,
        "same": same,
    }


def _write(app: Sphinx) -> list[Any]:
    """Write the index beside the other static files, before the search page is written."""
    if app.builder.format != "html":
        return []
    data = json.dumps(index_data(app.env), sort_keys=True, separators=(",", ":"))
    path = Path(app.outdir) / "_static" / DATA
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"window.RNNSHAPES_SEARCH = {data};\n", encoding="utf-8")
    return []


def _add_data(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename == "search":
        # deferred: it runs before DOMContentLoaded, when Sphinx's Search.init runs the query
        app.add_js_file(DATA, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.config.html_search_scorer = str(SCORER)
    app.connect("doctree-read", _read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-collect-pages", _write)
    app.connect("html-page-context", _add_data)
    return {
        "version": "1",
        "env_version": 20,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
