"""Every gallery script runs as downloaded: as a plain script and as a notebook, writing nothing.

Each ``examples/plot_*.py`` is run with ``python`` in an empty folder under a matplotlib backend
that records each ``plt.show()`` (``tests/_gallery_backend.py``): every figure a script makes must
be shown, and no drawn text may leave its figure's canvas. Each script is also converted to a
notebook by sphinx-gallery's own converter and executed under the ``python3`` Jupyter kernel in
another empty folder: it must run, leave its folder empty, show no stray repr, and change no torch
state that the gallery's ``reset_modules`` hook (``siteext.reset_torch``) does not restore. Each
run has its own process or kernel, so no script's settings reach another's; the scripts
themselves restore nothing. The runs are started together, in threads, once per session; each
example's test then reads its results. Static tests read the scripts: the gallery format, public
APIs only, and checks that fail (``assert``, ``torch.testing.assert_close``) wherever a check is
shown.
"""

from __future__ import annotations

import ast
import copy
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
from sphinx_gallery.notebook import jupyter_notebook
from sphinx_gallery.py_source_parser import split_code_and_text_blocks

import rnnshapes

TESTS = Path(__file__).resolve().parent
EXAMPLES_DIR = TESTS.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))
SITE_EXT = TESTS.parent / "docs" / "_ext"  # siteext.reset_torch, the gallery's reset hook
TIMEOUT = 240  # seconds for one run; they take a few seconds each


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env["OMP_NUM_THREADS"] = "1"  # the runs share the cores; one thread each
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


@dataclass(frozen=True)
class Run:
    ok: bool
    log: str
    left: list[str]  # what was left in the folder
    shows: list[dict[str, Any]] = field(default_factory=list)  # script: each plt.show()
    created: int = 0  # script: how many figures it made
    outputs: list[dict[str, Any]] = field(default_factory=list)  # notebook: the example's cells'


def _left(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _run_script(path: Path) -> Run:
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as logs:
        log = Path(logs) / "shows.json"
        env = _env(
            MPLBACKEND="module://_gallery_backend",
            GALLERY_SHOW_LOG=str(log),
            PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])),
        )
        try:
            proc = subprocess.run(
                [sys.executable, str(path)],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return Run(False, f"timed out after {TIMEOUT} s", _left(Path(tmp)))
        record = json.loads(log.read_text()) if log.exists() else {"shows": [], "created": []}
        return Run(
            proc.returncode == 0,
            proc.stdout + proc.stderr,
            _left(Path(tmp)),
            shows=record["shows"],
            created=len(record["created"]),
        )


def to_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook sphinx-gallery makes of ``path``, in memory."""
    _, blocks = split_code_and_text_blocks(str(path))
    conf = copy.deepcopy(DEFAULT_GALLERY_CONF)
    # through JSON, as a downloaded .ipynb is read: nbformat joins each cell's list of lines
    return nbformat.reads(json.dumps(jupyter_notebook(blocks, conf, path.parent)), as_version=4)


# torch's global state that a script could change; the print options are read field by field
# (``PRINT_OPTS`` is a dataclass only in recent torch, and torch has no public getter). This is
# the harness's code, never shown to a reader.
_GLOBAL_STATE = """{
    "RNG state": torch.get_rng_state().tolist(),
    "print options": {k: getattr(torch._tensor_str.PRINT_OPTS, k)
                      for k in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")},
    "deterministic algorithms": torch.are_deterministic_algorithms_enabled(),
    "deterministic warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
    "threads": torch.get_num_threads(),
    "default dtype": str(torch.get_default_dtype()),
}"""
# As in the docs build: a state none of torch's defaults (what an earlier example might leave),
# then the gallery's reset hook before the example; after it, the hook again, which must bring
# back the very state the example started from, or a later example would start elsewhere.
_STATE_BEFORE = f"""import sys
import torch
torch.manual_seed(1234)
torch.set_printoptions(precision=6, linewidth=120)
torch.use_deterministic_algorithms(False, warn_only=True)
torch.set_num_threads(2)
sys.path.insert(0, {str(SITE_EXT)!r})
import siteext
siteext.reset_torch({{}}, None)
_state_before_the_example = {_GLOBAL_STATE}"""
_STATE_AFTER = f"""siteext.reset_torch({{}}, None)
_state_after_the_example = {_GLOBAL_STATE}
_changed = [k for k, v in _state_before_the_example.items() if _state_after_the_example[k] != v]
assert not _changed, f"the gallery's reset_torch does not restore {{_changed}}"
"""


def _run_notebook(path: Path) -> Run:
    nb = to_notebook(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_STATE_BEFORE))
    nb.cells.append(nbformat.v4.new_code_cell(_STATE_AFTER))
    with tempfile.TemporaryDirectory() as tmp:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=TIMEOUT,
            resources={"metadata": {"path": tmp}},
        )
        try:
            client.execute(env=_env())  # the kernel's own inline backend, as a reader's
        except Exception as err:  # CellExecutionError, DeadKernelError, timeouts
            return Run(False, f"{type(err).__name__}: {err}", _left(Path(tmp)))
        outputs = [
            {"cell": c.source, **o}
            for c in nb.cells[1:-1]
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        ]
        return Run(True, "", _left(Path(tmp)), outputs=outputs)


@pytest.fixture(scope="session")
def runs() -> dict[tuple[str, str], Run]:
    """Every example as a script and as a notebook, run concurrently."""
    jobs = [("script", p) for p in EXAMPLES] + [("notebook", p) for p in EXAMPLES]
    workers = max(2, min(len(jobs), (os.cpu_count() or 2) * 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            (how, p.name): pool.submit(_run_script if how == "script" else _run_notebook, p)
            for how, p in jobs
        }
        return {key: future.result() for key, future in futures.items()}


def test_the_gallery_has_its_scripts() -> None:
    # numbered from 01 without gaps (09, 13 and 14 were one script), with a gallery header
    assert [p.name[:7] for p in EXAMPLES] == [f"plot_{n:02d}" for n in range(1, 15)]
    assert (EXAMPLES_DIR / "README.rst").is_file()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_script_runs_and_writes_nothing(runs: dict[tuple[str, str], Run], path: Path) -> None:
    run = runs[("script", path.name)]
    assert run.ok, run.log[-4000:]
    assert run.left == [], f"{path.name} wrote {run.left}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_script_shows_every_figure(runs: dict[tuple[str, str], Run], path: Path) -> None:
    run = runs[("script", path.name)]
    assert run.ok, run.log[-4000:]
    shown = sum(len(show["figures"]) for show in run.shows)
    assert run.created >= 1, f"{path.name} makes no figure"
    assert shown == run.created, f"{path.name} made {run.created} figures and showed {shown}"
    assert len(run.shows) >= run.created, f"{path.name}: one plt.show() for several figures"
    assert all(show["figures"] for show in run.shows), f"{path.name}: a show with no figure"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_figures_keep_their_text_inside_the_canvas(
    runs: dict[tuple[str, str], Run], path: Path
) -> None:
    run = runs[("script", path.name)]
    assert run.ok, run.log[-4000:]
    outside = [
        f"show {i + 1}, figure {num}: {text}"
        for i, show in enumerate(run.shows)
        for num, texts in show["outside"].items()
        for text in texts
    ]
    assert not outside, "clipped text:\n" + "\n".join(outside)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_notebook_runs_writes_nothing_and_is_reset(
    runs: dict[tuple[str, str], Run], path: Path
) -> None:
    run = runs[("notebook", path.name)]
    assert run.ok, run.log[-4000:]
    assert run.left == [], f"{path.name}'s notebook wrote {run.left}"


_STRAY_REPR = re.compile(r"\bText\(|<matplotlib|<Figure|\bLegend\b|\[<|\bAxes\b")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_notebook_shows_no_stray_repr(runs: dict[tuple[str, str], Run], path: Path) -> None:
    """A cell ending in ``ax.set(...)`` or ``fig.suptitle(...)`` shows ``[Text(0.5, 1.0, ...)]``
    above its figure; the scripts print what they mean to show."""
    run = runs[("notebook", path.name)]
    assert run.ok, run.log[-4000:]
    results = [o for o in run.outputs if o["output_type"] == "execute_result"]
    assert not results, "\n".join(
        f"{o['data'].get('text/plain', '')[:80]!r} after: {o['cell'].splitlines()[-1]}"
        for o in results
    )
    printed = "".join(o.get("text", "") for o in run.outputs if o["output_type"] == "stream")
    assert not _STRAY_REPR.search(printed), printed[-2000:]


def _code_blocks(path: Path) -> list[str]:
    _, blocks = split_code_and_text_blocks(str(path))
    return [b.content for b in blocks if b.type == "code"]


# plumbing a reader would copy: private torch, the save/restore ritual, non-public rnnshapes
_PLUMBING = (
    "torch._",
    "copy.copy(",
    "import copy",
    "set_rng_state(",
    "get_rng_state(",
    "PRINT_OPTS",
    "rnnshapes.configs",
    "rnnshapes.verify(",
    "sphinx_gallery_start_ignore",  # nothing left to hide
)
_MAKES_A_FIGURE = re.compile(r"plot\.(heatmaps|state_grid|packed_batch)\(|plt\.(subplots|figure)\(")
_CLAIM_LINK = re.compile(r":claim:`[^`<]*<([a-z0-9-]+)>`")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_script_follows_the_gallery_format(path: Path) -> None:
    text = path.read_text()
    _, blocks = split_code_and_text_blocks(str(path))
    title_lines = blocks[0].content.strip().splitlines()
    # a title of one to six words, underlined, then one to three sentences
    assert set(title_lines[1]) == {"="} and len(title_lines[1]) == len(title_lines[0])
    assert 1 <= len(title_lines[0].split()) <= 6, title_lines[0]
    assert 1 <= " ".join(title_lines[2:]).count(". ") + 1 <= 3
    # prose before every cell: sphinx-gallery's blocks alternate text, code, text, ...
    kinds = [b.type for b in blocks]
    assert all(a != b or a == "text" for a, b in itertools.pairwise(kinds)), kinds
    assert "# Conclusion" in text and "# References" in text
    references = text.split("# References", 1)[1]
    assert ":class:`torch." in references or ":func:`torch." in references
    assert _MAKES_A_FIGURE.search(text), f"{path.name} draws nothing"
    # seeded where the reader starts
    assert "torch.manual_seed(0)" in _code_blocks(path)[0]
    for forbidden in ("savefig(", "open(", "requests.", "fetch_", "urlretrieve("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"
    for forbidden in _PLUMBING:
        assert forbidden not in text, f"{path.name} shows {forbidden}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_figure_cell_ends_with_show(path: Path) -> None:
    for code in _code_blocks(path):
        if _MAKES_A_FIGURE.search(code):
            assert code.strip().splitlines()[-1] == "plt.show()", code


def _calls(node: ast.AST, names: set[str]) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and ast.unparse(n.func) in names  # e.g. "torch.equal"
    ]


_CHECKS = {"torch.equal", "torch.allclose"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_check_can_fail(path: Path) -> None:
    """A check a reader sees raises when it does not hold: ``torch.equal``/``torch.allclose``
    only inside an ``assert`` (or ``torch.testing.assert_close``), and no printed boolean."""
    tree = ast.parse(path.read_text())
    asserts = [a for a in ast.walk(tree) if isinstance(a, ast.Assert)]
    asserted = {id(c) for a in asserts for c in _calls(a, _CHECKS)}
    loose = [ast.unparse(c) for c in _calls(tree, _CHECKS) if id(c) not in asserted]
    assert not loose, f"{path.name}: checks that cannot fail: {loose}"
    for call in _calls(tree, {"print"}):
        for arg in ast.walk(call):
            boolean = isinstance(arg, ast.Compare | ast.BoolOp) or (
                isinstance(arg, ast.UnaryOp) and isinstance(arg.op, ast.Not)
            )
            boolean |= isinstance(arg, ast.Call) and ast.unparse(arg.func) in {
                "all",
                "any",
                "isinstance",
            }
            assert not boolean, f"{path.name} prints a boolean: {ast.unparse(call)}"
    checks = _calls(tree, _CHECKS | {"torch.testing.assert_close"})
    assert checks or "assert " in path.read_text(), f"{path.name} checks nothing"


def test_every_check_can_fail_catches_a_printed_check(tmp_path: Path) -> None:
    bad = tmp_path / "plot_99_bad.py"
    bad.write_text("import torch\nprint(torch.equal(torch.ones(1), torch.zeros(1)))\n")
    with pytest.raises(AssertionError, match="cannot fail"):
        test_every_check_can_fail(bad)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_script_links_the_claims_it_shows(path: Path) -> None:
    """The verify cell became a sentence: it links each claim the page shows to the claims
    index and names the command that checks them on every configuration."""
    conclusion = path.read_text().split("# Conclusion", 1)[1].split("# References", 1)[0]
    ids = _CLAIM_LINK.findall(conclusion)
    assert ids, f"{path.name} links no claim"
    unknown = [i for i in ids if i not in rnnshapes.claims]
    assert not unknown, f"{path.name} links unknown claims {unknown}"
    assert "python -m rnnshapes verify" in conclusion and "</reference/claims>" in conclusion


def test_the_claims_the_gallery_links_hold_on_every_configuration() -> None:
    # what each script's verify(...) cell used to prove, for all of them at once
    ids = sorted({i for p in EXAMPLES for i in _CLAIM_LINK.findall(p.read_text())})
    report = rnnshapes.verify(ids=ids)
    assert report.ok, report.details()
    assert len(ids) >= 25


def test_notebook_conversion_keeps_every_cell() -> None:
    path = EXAMPLES_DIR / "plot_01_output_vs_h_n.py"
    nb = to_notebook(path)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "assert torch.equal(output[-1], h_n[-1])" in code
    assert "plt.show()" in code
    assert any("# References" in c.source for c in nb.cells if c.cell_type == "markdown")
