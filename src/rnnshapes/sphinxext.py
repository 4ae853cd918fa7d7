"""A Sphinx extension that shows rnnshapes' claims on pages, indexes them and records where.

Load it from ``conf.py`` (``extensions = [..., "rnnshapes.sphinxext"]``). In a MyST page::

    ```{claim} output-last-step-is-h-n
    ```

shows the claim's statement in a box marked as machine-checked, linked to its entry in the
claims index; the role ``{claim}`output-last-step-is-h-n``` shows the statement inline, and
``{claim}`your words <output-last-step-is-h-n>``` links your words to it. The directive
``claims-index`` lists every registered claim by topic (statement, comparison, doctest, and the
pages and examples that use it); ``shape-table LSTM`` tabulates what a module of that kind takes
and returns, computed by ``rnnshapes.shapes`` while the page is read.

An unknown claim id is reported where it is used and fails the build. When the build ends, the
HTML output gets ``claims.json``: for every claim, the pages that show it (``shown``), link to it
(``linked``) or check it in their code (``code``: a quoted claim id in a code block, as in
``rnnshapes.claims["output-last-step-is-h-n"]``).

The claims are read from a snapshot kept beside the doctrees and keyed by a hash of rnnshapes'
source files, so a rebuild that reads a page does not have to import torch. That hash is also the
config value ``rnnshapes_source_hash`` (``rebuild="env"``): when it changes, Sphinx reads every
page again; and the notebook cache (``nb_execution_cache_path``) and the
gallery's records of what it ran are cleared: executed output never outlives the code that made it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator, Set
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypedDict

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole
from sphinx.util.nodes import make_refnode, split_explicit_title

__all__ = ["ClaimsDomain", "setup", "source_hash"]

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent

#: How each kind of comparison is described next to a claim.
COMPARED = {
    "equal": "bit-equal (torch.equal)",
    "close": "close (torch.testing.assert_close)",
    "structure": "shapes and behaviour",
}

#: The ways a page uses a claim, as recorded in ``claims.json``.
# How a page uses a claim, with the words the claims index puts before those pages.
USE_KINDS = {"shown": "Shown on", "linked": "Linked from", "code": "Checked in the code of"}

_QUOTED_ID = re.compile(r"""["']([a-z0-9]+(?:-[a-z0-9]+)+)["']""")


class ClaimData(TypedDict):
    """What the site needs of a registered claim (see :class:`rnnshapes.Claim`)."""

    statement: str
    scope: str
    sentence: str
    comparison: str
    topic: str
    qualname: str
    doctest: str
    topic_doc: str
    configs: int
    thorough_configs: int


# -- the registry, through a snapshot --------------------------------------------------------------


def source_hash(package: Path = PACKAGE) -> str:
    """A hash of the package's ``.py`` files but this one: it changes when their code does."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if path.name == "sphinxext.py" and path.parent == package:
            continue
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _snapshot_now() -> dict[str, ClaimData]:
    from . import claims  # imports torch: done once per source hash, not once per build
    from .configs import default_configs, thorough_configs

    quick, walk = list(default_configs()), list(thorough_configs())
    data: dict[str, ClaimData] = {}
    for claim_id, claim in claims.items():
        doc = inspect.getdoc(claim.function) or ""
        module_doc = inspect.getdoc(sys.modules[claim.function.__module__]) or ""
        data[claim_id] = ClaimData(
            statement=claim.statement,
            scope=str(claim.scope),
            sentence=claim.sentence,
            comparison=claim.comparison,
            topic=claim.topic,
            qualname=claim.qualname,
            doctest=doc.split("\n\n", 1)[1].strip() if "\n\n" in doc else "",
            topic_doc=" ".join(module_doc.split()),
            configs=sum(map(claim.applies, quick)),
            thorough_configs=sum(map(claim.applies, walk)),
        )
    return data


class _Registry:
    """The claims by id, read from a snapshot file while rnnshapes' source is unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._claims: dict[str, ClaimData] | None = None

    @property
    def claims(self) -> dict[str, ClaimData]:
        if self._claims is None:
            current = source_hash()
            try:
                saved = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = {}
            if saved.get("source_hash") == current:
                self._claims = saved["claims"]
            else:
                self._claims = _snapshot_now()
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}")
                tmp.write_text(
                    json.dumps({"source_hash": current, "claims": self._claims}, indent=1),
                    encoding="utf-8",
                )
                tmp.replace(self.path)
        assert self._claims is not None
        return self._claims


_REGISTRIES: dict[Path, _Registry] = {}


def _registry(env: BuildEnvironment) -> _Registry:
    """The registry of this build (one per doctree folder, read once per process)."""
    path = Path(env.doctreedir) / "rnnshapes-claims.json"
    if path not in _REGISTRIES:
        _REGISTRIES[path] = _Registry(path)
    return _REGISTRIES[path]


# -- rendering -------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _parsed_inline(text: str) -> Any:
    from docutils.core import publish_doctree

    doctree = publish_doctree(
        text,
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "file_insertion_enabled": False,
            "raw_enabled": False,
            "_disable_config": True,
        },
    )
    if len(doctree.children) != 1 or not isinstance(doctree[0], nodes.paragraph):
        raise ExtensionError(f"expected one paragraph of reStructuredText, got {text!r}")
    for node in doctree[0].findall():
        if not isinstance(node, nodes.Text | nodes.paragraph | nodes.literal | nodes.emphasis):
            raise ExtensionError(f"unexpected {type(node).__name__} in {text!r}")
    return doctree[0]


def inline(text: str) -> list[nodes.Node]:
    """Inline nodes for a docstring sentence (``literal`` and *emphasis* as in the docstrings)."""
    return [child.deepcopy() for child in _parsed_inline(text).children]


def statement_nodes(claim: ClaimData) -> list[nodes.Node]:
    """The statement as inline nodes: its scope (the conditions it holds under, the same words
    that decide where it is checked) marked apart, then its sentence."""
    if not claim["scope"]:
        return inline(claim["statement"])
    scope = nodes.inline(classes=["rnnshapes-claim-scope"])
    scope += inline(claim["scope"][:1].upper() + claim["scope"][1:] + ",")
    return [scope, nodes.Text(" "), *inline(claim["sentence"])]


def _xref(env: BuildEnvironment, claim_id: str, content: nodes.Node) -> addnodes.pending_xref:
    return addnodes.pending_xref(
        "",
        content,
        refdomain="rnnshapes",
        reftype="claim",
        reftarget=claim_id,
        refdoc=env.docname,
        refexplicit=True,
    )


def _usage_placeholder(claim_id: str) -> nodes.Element:
    """Where the pages that use a claim go, once every page has been read.

    A plain docutils node: the doctree is pickled, and a node class of this module would make
    unpickling it import rnnshapes, and torch with it.
    """
    node = nodes.container(classes=["rnnshapes-claim-usage"])
    node["rnnshapes_usage"] = claim_id
    return node


# -- the domain: the record of which page shows which claim ---------------------------------------


class ClaimsDomain(Domain):
    """Records, per page, the claims it shows, links to or checks, and where the index is.

    Each page's record is dropped when the page is read again, and merged from parallel readers.
    """

    name = "rnnshapes"
    label = "rnnshapes claims"
    object_types: ClassVar[dict[str, ObjType]] = {"claim": ObjType("claim", "claim")}
    initial_data: ClassVar[dict[str, dict[str, Any]]] = {
        "uses": {},  # docname -> [[claim id, kind, anchor]]
        "unknown": {},  # docname -> [[claim id, line]]
        "indexes": {},  # docname -> [claim ids]
    }
    data_version = 1

    def clear_doc(self, docname: str) -> None:
        for key in ("uses", "unknown", "indexes"):
            self.data[key].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key in ("uses", "unknown", "indexes"):
            for docname in docnames:
                if docname in otherdata[key]:
                    self.data[key][docname] = otherdata[key][docname]

    def note_use(self, docname: str, claim_id: str, kind: str) -> str:
        """Record a use of ``claim_id`` on ``docname``; return the anchor to give it."""
        uses = self.data["uses"].setdefault(docname, [])
        if kind == "code":
            if not any(u[0] == claim_id and u[1] == "code" for u in uses):
                uses.append([claim_id, kind, ""])
            return ""
        count = sum(1 for u in uses if u[0] == claim_id and u[1] != "code")
        anchor = f"uses-{claim_id}" + (f"-{count + 1}" if count else "")
        uses.append([claim_id, kind, anchor])
        return anchor

    def note_unknown(self, docname: str, claim_id: str, line: int | None) -> None:
        self.data["unknown"].setdefault(docname, []).append([claim_id, line])

    def note_index(self, docname: str, claim_ids: Iterable[str]) -> None:
        self.data["indexes"][docname] = list(claim_ids)

    def index_of(self, claim_id: str) -> str | None:
        """The page whose claims index holds ``claim_id``."""
        indexes: dict[str, list[str]] = self.data["indexes"]
        for docname in sorted(indexes):
            if claim_id in indexes[docname]:
                return docname
        return None

    def uses_of(self, claim_id: str) -> list[tuple[str, str, str]]:
        """``(docname, kind, anchor)`` for every use of ``claim_id``, by page."""
        return sorted(
            (docname, kind, anchor)
            for docname, uses in self.data["uses"].items()
            for cid, kind, anchor in uses
            if cid == claim_id
        )

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: addnodes.pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        index = self.index_of(target)
        if index is None:
            return None
        return make_refnode(builder, fromdocname, index, f"claim-{target}", contnode, target)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: addnodes.pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        ref = self.resolve_xref(env, fromdocname, builder, "claim", target, node, contnode)
        return [] if ref is None else [("rnnshapes:claim", ref)]

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for docname, claim_ids in sorted(self.data["indexes"].items()):
            for claim_id in claim_ids:
                yield claim_id, claim_id, "claim", docname, f"claim-{claim_id}", 1


def _domain(env: BuildEnvironment) -> ClaimsDomain:
    domain = env.domains["rnnshapes"]
    assert isinstance(domain, ClaimsDomain)
    return domain


def _lookup(
    env: BuildEnvironment, claim_id: str, location: Any, line: int | None
) -> ClaimData | None:
    found = _registry(env).claims.get(claim_id)
    if found is None:
        _domain(env).note_unknown(env.docname, claim_id, line)
        logger.warning(
            "unknown claim id %r (known ids are those of rnnshapes.claims; "
            "`python -m rnnshapes verify` lists them)",
            claim_id,
            location=location,
            type="rnnshapes",
            subtype="unknown_claim",
        )
    return found


# -- directives and the role -----------------------------------------------------------------------


class ClaimDirective(SphinxDirective):
    """Show a registered claim: its statement, marked as checked, linked to the index."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        claim_id = self.arguments[0].strip()
        claim = _lookup(self.env, claim_id, self.get_location(), self.lineno)
        if claim is None:
            return []
        anchor = _domain(self.env).note_use(self.env.docname, claim_id, "shown")
        box = nodes.container(
            ids=[anchor], classes=["rnnshapes-claim", f"rnnshapes-claim-{claim['comparison']}"]
        )
        box += nodes.paragraph(
            "", "", *statement_nodes(claim), classes=["rnnshapes-claim-statement"]
        )
        meta = nodes.paragraph(classes=["rnnshapes-claim-meta"])
        meta += nodes.inline(text="Checked claim", classes=["rnnshapes-claim-label"])
        meta += nodes.Text(f" · {COMPARED[claim['comparison']]} · ")
        meta += _xref(self.env, claim_id, nodes.literal(text=claim_id))
        box += meta
        self.set_source_info(box)
        return [box]


class ClaimRole(SphinxRole):
    """``{claim}`id``` shows the statement inline; ``{claim}`words <id>``` links words to it."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        has_title, title, claim_id = split_explicit_title(self.text)
        claim = _lookup(self.env, claim_id, self.get_location(), self.lineno)
        if claim is None:
            return [nodes.literal(text=claim_id)], []
        kind = "linked" if has_title else "shown"
        anchor = _domain(self.env).note_use(self.env.docname, claim_id, kind)
        if has_title:
            node = nodes.inline(ids=[anchor], classes=["rnnshapes-claim-link"])
            node += _xref(self.env, claim_id, nodes.inline(text=title))
            return [node], []
        node = nodes.inline(ids=[anchor], classes=["rnnshapes-claim-inline"])
        node += statement_nodes(claim)
        node += nodes.Text(" ")
        mark = nodes.inline(text="checked", classes=["rnnshapes-claim-mark"])
        node += _xref(self.env, claim_id, mark)
        return [node], []


def _topic_title(doc: str) -> tuple[str, str]:
    """Split a facts module's docstring into a title and the rest."""
    first = doc.split(". ")[0].rstrip(".")
    if ": " in first:
        title, rest = first.split(": ", 1)
        return title, rest[:1].upper() + rest[1:] + "."
    return first, ""


class ClaimsIndexDirective(SphinxDirective):
    """Every registered claim by topic, with its statement, comparison, doctest and pages."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        claims = _registry(self.env).claims
        topics: dict[str, list[str]] = {}
        for claim_id, claim in claims.items():
            topics.setdefault(claim["topic"], []).append(claim_id)
        sections: list[nodes.Node] = []
        for topic, ids in topics.items():
            title, intro = _topic_title(claims[ids[0]]["topic_doc"])
            section = nodes.section(ids=[f"claims-{topic}"])
            section += nodes.title("", "", *inline(title))
            if intro:
                section += nodes.paragraph("", "", *inline(intro))
            for claim_id in ids:
                section += self._entry(claim_id, claims[claim_id])
            sections.append(section)
        _domain(self.env).note_index(self.env.docname, claims)
        return sections

    def _entry(self, claim_id: str, claim: ClaimData) -> nodes.section:
        entry = nodes.section(ids=[f"claim-{claim_id}"], classes=["rnnshapes-claim-entry"])
        entry += nodes.title("", "", nodes.literal(text=claim_id))
        entry += nodes.paragraph("", "", *statement_nodes(claim))
        checked = nodes.paragraph(classes=["rnnshapes-claim-meta"])
        where = claim["scope"] or "for every module and input"
        checked += nodes.Text(f"Holds {where}: checked on {claim['configs']} configurations by ")
        checked += nodes.literal(text="rnnshapes verify")
        checked += nodes.Text(f", {claim['thorough_configs']} with ")
        checked += nodes.literal(text="--thorough")
        checked += nodes.Text(". ")
        checked += nodes.Text(f"Compared: {COMPARED[claim['comparison']]}. Doctest: ")
        checked += nodes.literal(text=claim["qualname"])
        checked += nodes.Text(".")
        entry += checked
        if claim["doctest"]:
            block = nodes.literal_block(claim["doctest"], claim["doctest"], language="pycon")
            entry += block
        entry += _usage_placeholder(claim_id)
        return entry


#: The sizes of the shape tables: one for each kind of dimension, so that none is mistaken.
_SIZES = {"seq_len": 7, "batch": 3, "input_size": 4, "hidden_size": 5, "proj_size": 2}

_SHAPE_ROWS: list[tuple[dict[str, Any], bool]] = [
    ({}, True),
    ({"num_layers": 2}, True),
    ({"bidirectional": True}, True),
    ({"num_layers": 2, "bidirectional": True}, True),
    ({"batch_first": True}, True),
    ({"num_layers": 2, "bidirectional": True}, False),
    ({"proj_size": _SIZES["proj_size"]}, True),
    ({"num_layers": 2, "bidirectional": True, "proj_size": _SIZES["proj_size"]}, True),
]


class ShapeTableDirective(SphinxDirective):
    """What ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` takes and returns, from :func:`rnnshapes.shapes`.

    Sizes are distinct (see ``_SIZES``); the table's caption says them.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from .shapes import shapes
        from .spec import MODULES

        kind = self.arguments[0].strip()
        if kind not in MODULES:
            raise self.error(f"shape-table takes RNN, LSTM or GRU, got {kind!r}")
        header = ["module", "input", "output", "h_n and h0"]
        if kind == "LSTM":
            header.append("c_n and c0")
        rows: list[list[nodes.Node]] = []
        for kwargs, batched in _SHAPE_ROWS:
            if "proj_size" in kwargs and kind != "LSTM":
                continue
            module = MODULES[kind](
                _SIZES["input_size"], _SIZES["hidden_size"], device="meta", **kwargs
            )
            batch = _SIZES["batch"] if batched else None
            s = shapes(module, seq_len=_SIZES["seq_len"], batch=batch)
            label = nodes.paragraph()
            label += nodes.literal(text=repr(module))
            if not batched:
                label += nodes.Text(", unbatched input")
            row: list[nodes.Node] = [label]
            for key in ("input", "output", "h_n", "c_n")[: len(header) - 1]:
                cell = nodes.container()
                cell += nodes.paragraph("", "", nodes.literal(text=str(tuple(getattr(s, key)))))
                names = ", ".join(str(d.name).split("=")[0] for d in s.dims[key])
                cell += nodes.paragraph(text=f"({names})", classes=["rnnshapes-dims"])
                row.append(cell)
            rows.append(row)
        sizes = ", ".join(
            f"{k}={v}" for k, v in _SIZES.items() if kind == "LSTM" or k != "proj_size"
        )
        caption = f"nn.{kind}: what it takes and returns, with {sizes}"
        return [_table(header, rows, f"rnnshapes-shapes rnnshapes-shapes-{kind.lower()}", caption)]


def _table(
    header: list[str], rows: list[list[nodes.Node]], classes: str, caption: str
) -> nodes.table:
    table = nodes.table(classes=classes.split())
    table += nodes.title(text=caption)
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    head += _row([nodes.paragraph(text=h) for h in header])
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += _row(cells)
    group += body
    return table


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell
        row += entry
    return row


# -- events ----------------------------------------------------------------------------------------


def _note_code_uses(app: Sphinx, doctree: nodes.document) -> None:
    """Record claim ids quoted in the page's code blocks (``claims["..."]`` in a gallery script)."""
    blocks = [n.astext() for n in doctree.findall(nodes.literal_block)]
    candidates = {m for text in blocks for m in _QUOTED_ID.findall(text)}
    if not candidates:
        return
    known = _registry(app.env).claims
    domain = _domain(app.env)
    for claim_id in sorted(candidates & known.keys()):
        domain.note_use(app.env.docname, claim_id, "code")


def _fill_usage(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each index entry's placeholder with links to the pages that use the claim."""
    env, builder = app.env, app.builder
    domain = _domain(env)
    placeholders = [
        n for n in doctree.findall(nodes.container) if "rnnshapes_usage" in n.attributes
    ]
    for node in placeholders:
        paragraphs: list[nodes.Node] = []
        uses = domain.uses_of(node["rnnshapes_usage"])
        for kind, words in USE_KINDS.items():
            pages = [(doc, anchor) for doc, k, anchor in uses if k == kind]
            if not pages:
                continue
            para = nodes.paragraph(classes=["rnnshapes-claim-usage"])
            para += nodes.Text(f"{words}: ")
            for i, (doc, anchor) in enumerate(pages):
                if i:
                    para += nodes.Text(", ")
                uri = builder.get_relative_uri(docname, doc) + (f"#{anchor}" if anchor else "")
                title = _title(env, doc, doc)
                para += nodes.reference("", title, internal=True, refuri=uri)
            para += nodes.Text(".")
            paragraphs.append(para)
        if not paragraphs:
            paragraphs.append(nodes.paragraph(text="Not shown on any page yet."))
        node.replace_self(paragraphs)


def _title(env: BuildEnvironment, docname: str, default: str) -> str:
    """A page's title as text, or ``default`` for a page without one (yet)."""
    return env.titles[docname].astext() if docname in env.titles else default


def _usage_fingerprint(env: BuildEnvironment) -> str:
    """Which page uses which claim, and those pages' titles: what the claims index shows."""
    uses = _domain(env).data["uses"]
    titles = {d: _title(env, d, "") for d in uses}
    return json.dumps([uses, titles], sort_keys=True)


def _note_usage_before(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """Remember what the claims index showed, before any page is read again or removed."""
    app._rnnshapes_usage = _usage_fingerprint(env)  # type: ignore[attr-defined]
    return []


def _indexes_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rewrite the claims index when the pages that use a claim, or their titles, changed."""
    if getattr(app, "_rnnshapes_usage", None) == _usage_fingerprint(env):
        return []
    return sorted(_domain(env).data["indexes"])


_STAMP = ".rnnshapes-source.sha256"


def _clear_stale_output(app: Sphinx) -> None:
    """Clear executed output that rnnshapes' current source did not make.

    The notebook cache and each gallery folder carry a stamp of the source hash they were made
    with; one without a stamp, or with another, is cleared (the notebook cache removed, the
    gallery's checksums of what it ran deleted so that the examples run again).
    """
    current = source_hash()
    folders: list[tuple[Path, bool]] = []
    cache = getattr(app.config, "nb_execution_cache_path", "")
    if cache:
        folders.append((Path(app.srcdir, cache), True))
    gallery = getattr(app.config, "sphinx_gallery_conf", None) or {}
    folders += [(Path(app.srcdir, d), False) for d in gallery.get("gallery_dirs", [])]
    for folder, is_cache in folders:
        stamp = folder / _STAMP
        if stamp.exists() and stamp.read_text().strip() == current:
            continue
        if folder.is_dir():
            logger.info("rnnshapes' source changed: clearing executed output in %s", folder)
            if is_cache:
                shutil.rmtree(folder)
            else:
                for md5 in folder.rglob("*.md5"):
                    md5.unlink()
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(current + "\n")


def _finish(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None:
        return
    domain = _domain(app.env)
    unknown = sorted(
        f"{app.env.doc2path(docname)}:{line}: {claim_id}"
        for docname, items in domain.data["unknown"].items()
        for claim_id, line in items
    )
    if unknown:
        raise ExtensionError("unknown claim ids:\n  " + "\n  ".join(unknown))
    if app.builder.format != "html":
        return
    claims = _registry(app.env).claims
    record: dict[str, Any] = {"claims": {}, "pages": {}}
    for claim_id, claim in claims.items():
        uses = domain.uses_of(claim_id)
        record["claims"][claim_id] = {
            "statement": claim["statement"],
            "comparison": claim["comparison"],
            "index": domain.index_of(claim_id),
            **{kind: [[d, a] for d, k, a in uses if k == kind] for kind in USE_KINDS},
        }
    for docname in sorted(domain.data["uses"]):
        title = _title(app.env, docname, docname)
        record["pages"][docname] = {"uri": app.builder.get_target_uri(docname), "title": title}
    path = Path(app.outdir) / "claims.json"
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``claim`` directive and role, ``claims-index`` and ``shape-table``."""
    app.add_domain(ClaimsDomain)
    app.add_directive("claim", ClaimDirective)
    app.add_role("claim", ClaimRole())
    app.add_directive("claims-index", ClaimsIndexDirective)
    app.add_directive("shape-table", ShapeTableDirective)
    app.connect("builder-inited", _clear_stale_output, priority=400)
    # every page is read again when rnnshapes' source changes: Sphinx rebuilds the environment
    # when a config value of rebuild="env" differs from the one it was built with
    app.add_config_value("rnnshapes_source_hash", source_hash(), "env", types=frozenset({str}))
    app.connect("env-get-outdated", _note_usage_before)
    app.connect("doctree-read", _note_code_uses)
    app.connect("env-get-updated", _indexes_to_rewrite)
    app.connect("doctree-resolved", _fill_usage)
    app.connect("build-finished", _finish)
    return {
        "version": "1",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
