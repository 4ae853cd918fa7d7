"""Every gallery script runs as downloaded: as a plain script and as a notebook, writing nothing.

Each ``examples/plot_*.py`` is run with ``python`` in an empty folder, and converted to a
notebook by sphinx-gallery's own converter and executed under the ``python3`` Jupyter kernel
in another empty folder. Both must succeed and leave their folder empty, and the notebook must
leave torch's global state (RNG, print options, determinism, threads) as it found it. The runs
are started together, in threads, once per session; each example's test then reads its results.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
from sphinx_gallery.notebook import jupyter_notebook
from sphinx_gallery.py_source_parser import split_code_and_text_blocks

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))
TIMEOUT = 240  # seconds for one run; they take a few seconds each


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["OMP_NUM_THREADS"] = "1"  # the runs share the cores; one thread each
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass(frozen=True)
class Run:
    ok: bool
    log: str
    left: list[str]  # what was left in the folder


def _left(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _run_script(path: Path) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run(
                [sys.executable, str(path)],
                cwd=tmp,
                env=_env(),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return Run(False, f"timed out after {TIMEOUT} s", _left(Path(tmp)))
        return Run(proc.returncode == 0, proc.stdout + proc.stderr, _left(Path(tmp)))


def to_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook sphinx-gallery makes of ``path``, in memory."""
    _, blocks = split_code_and_text_blocks(str(path))
    conf = copy.deepcopy(DEFAULT_GALLERY_CONF)
    # through JSON, as a downloaded .ipynb is read: nbformat joins each cell's list of lines
    return nbformat.reads(json.dumps(jupyter_notebook(blocks, conf, path.parent)), as_version=4)


# torch's global state that a script could change; the print options are read field by field
# (``PRINT_OPTS`` is a dataclass only in recent torch, and torch has no public getter)
_GLOBAL_STATE = """{
    "RNG state": torch.get_rng_state().tolist(),
    "print options": {k: getattr(torch._tensor_str.PRINT_OPTS, k)
                      for k in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")},
    "deterministic algorithms": torch.are_deterministic_algorithms_enabled(),
    "deterministic warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
    "threads": torch.get_num_threads(),
}"""
# a reader's own settings, none of them torch's defaults, so that resetting to the defaults
# (``profile="default"``) does not pass for restoring
_STATE_BEFORE = f"""import torch
torch.manual_seed(1234)
torch.set_printoptions(precision=6, linewidth=120)
torch.use_deterministic_algorithms(False, warn_only=True)
torch.set_num_threads(2)
_state_before_the_example = {_GLOBAL_STATE}"""
_STATE_AFTER = f"""_state_after_the_example = {_GLOBAL_STATE}
_changed = [k for k, v in _state_before_the_example.items() if _state_after_the_example[k] != v]
assert not _changed, f"the example left torch's global state changed: {{_changed}}"
"""


def _run_notebook(path: Path) -> Run:
    nb = to_notebook(path)
    # record torch's global state before the example's cells and compare it after them
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
            client.execute(env=_env())
        except Exception as err:  # CellExecutionError, DeadKernelError, timeouts
            return Run(False, f"{type(err).__name__}: {err}", _left(Path(tmp)))
        return Run(True, "", _left(Path(tmp)))


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
    # the twelve of the gallery issue, numbered 01 to 12, with a gallery header
    assert [p.name[:7] for p in EXAMPLES] == [f"plot_{n:02d}" for n in range(1, 13)]
    assert (EXAMPLES_DIR / "README.rst").is_file()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_script_runs_and_writes_nothing(runs: dict[tuple[str, str], Run], path: Path) -> None:
    run = runs[("script", path.name)]
    assert run.ok, run.log[-4000:]
    assert run.left == [], f"{path.name} wrote {run.left}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_notebook_runs_and_writes_nothing(runs: dict[tuple[str, str], Run], path: Path) -> None:
    run = runs[("notebook", path.name)]
    assert run.ok, run.log[-4000:]
    assert run.left == [], f"{path.name}'s notebook wrote {run.left}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_script_follows_the_gallery_format(path: Path) -> None:
    text = path.read_text()
    _, blocks = split_code_and_text_blocks(str(path))
    title_lines = blocks[0].content.strip().splitlines()
    # a title of one to six words, underlined, then one to three sentences
    assert set(title_lines[1]) == {"="} and len(title_lines[1]) == len(title_lines[0])
    assert 1 <= len(title_lines[0].split()) <= 6, title_lines[0]
    assert 1 <= " ".join(title_lines[2:]).count(". ") + 1 <= 3
    assert "# Conclusion" in text and "# References" in text
    references = text.split("# References", 1)[1]
    assert ":class:`torch." in references or ":func:`torch." in references
    assert "torch.set_printoptions(precision=3, sci_mode=False)" in text
    assert "torch.set_rng_state(rng)" in text  # restored at the end (checked in the notebook run)
    assert "rnnshapes.plot" in text or "from rnnshapes import plot" in text
    assert "rnnshapes.verify(" in text or "rnnshapes.claims[" in text
    for forbidden in ("savefig(", "open(", "requests.", "fetch_", "urlretrieve("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"


def test_notebook_conversion_keeps_every_cell() -> None:
    path = EXAMPLES_DIR / "plot_01_output_vs_h_n.py"
    nb = to_notebook(path)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "torch.equal(output[-1], h_n[-1])" in code
    assert any("# References" in c.source for c in nb.cells if c.cell_type == "markdown")
