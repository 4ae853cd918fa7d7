"""Every task a contributor runs: ``nox -s tests``, ``nox -s docs``, ``nox -s lint`` and the rest.

All sessions install with ``constraints.txt`` (torch==2.13.0, a local CPU wheel) on Python 3.11.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True  # a missing 3.11 fails, never silently skips
nox.options.sessions = ["lint", "tests"]

PYTHON = "3.11"
ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"


def _install(session: nox.Session, *extras: str) -> None:
    """Install rnnshapes with ``extras`` under the pinned constraints."""
    spec = f".[{','.join(extras)}]" if extras else "."
    session.install("-c", "constraints.txt", "-e", spec)


def _build_docs(session: nox.Session, *extra: str) -> None:
    """Build the site into docs/_build/html with warnings as errors (shared by docs and tests)."""
    session.run(
        "sphinx-build", "-b", "html", "-n", "-W", "--keep-going",
        "-d", str(DOCS / "_build" / "doctrees"), str(DOCS), str(HTML), *extra,
        env={"OMP_NUM_THREADS": "1"},
    )


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Build the site, then run unit, property, doctest, example and browser tests."""
    _install(session, "test", "docs")
    if (DOCS / "conf.py").exists():
        _build_docs(session)
    session.run("pytest", *session.posargs, env={"OMP_NUM_THREADS": "1"})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Run ruff and mypy over the package."""
    _install(session, "lint", "plot", "docs")
    session.run("ruff", "check", "src", "tests", "noxfile.py", "examples", "docs")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py", "examples", "docs")
    session.run("mypy")
