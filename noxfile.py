"""Every task a contributor runs: ``nox -s tests``, ``nox -s docs``, ``nox -s lint`` and the rest.

All sessions install with ``constraints.txt`` (torch==2.13.0, a local CPU wheel) on Python 3.11.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True  # a missing 3.11 fails, never silently skips
nox.options.sessions = ["lint", "tests"]

PYTHON = "3.11"
ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"
# One thread for torch in every session that runs it (docs kernels, gallery, tests, bench): forked
# workers can deadlock otherwise, and results stay the same from run to run.
ONE_THREAD = {"OMP_NUM_THREADS": "1"}


def _install(session: nox.Session, *extras: str) -> None:
    """Install rnnshapes with ``extras`` under the pinned constraints."""
    spec = f".[{','.join(extras)}]" if extras else "."
    session.install("-c", "constraints.txt", "-e", spec)


def _sphinx_args(*extra: str, doctrees: str = "doctrees") -> list[str]:
    """The site's sphinx-build arguments: nitpicky, warnings as errors, doctrees beside the HTML."""
    return [
        "-b", "html", "-n", "-W", "--keep-going", "-j", "auto",
        "-d", str(DOCS / "_build" / doctrees), str(DOCS), str(HTML), *extra,
    ]  # fmt: skip


def _build_docs(session: nox.Session, *extra: str) -> None:
    """Build the site into docs/_build/html with warnings as errors (shared by docs and tests).

    Sphinx reads only what changed since the last build (notebooks come from the jupyter cache,
    gallery scripts rerun only when edited), so after ``nox -s docs`` the build in ``nox -s tests``
    reads and runs nothing; it rewrites the pages (about 15 s), since the themes' and extensions'
    folders it records are in another virtualenv. A build that fails forgets what it read: Sphinx
    would otherwise take the pages that warned as up to date and the next build would pass.
    """
    try:
        session.run("sphinx-build", *_sphinx_args(*extra), env=ONE_THREAD)
    except nox.command.CommandFailed:
        (DOCS / "_build" / "doctrees" / "environment.pickle").unlink(missing_ok=True)
        raise


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Bring the site up to date (nothing to read or run after ``nox -s docs``), then run every
    test: unit, property, doctest, example and browser (axe-core comes with the ``test`` extra)."""
    _install(session, "test", "docs")
    _build_docs(session)
    session.run("pytest", *session.posargs, env=ONE_THREAD)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Run ruff and mypy over the package."""
    _install(session, "lint", "plot", "docs")
    session.run("ruff", "check", "src", "tests", "noxfile.py", "examples", "docs")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py", "examples", "docs")
    session.run("mypy")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html with warnings as errors and say where it is."""
    _install(session, "docs")
    _build_docs(session, *session.posargs)
    session.log(f"The site is in {HTML}: open {HTML / 'index.html'}")


@nox.session(name="docs-live", python=PYTHON, default=False)
def docs_live(session: nox.Session) -> None:
    """Serve the site on localhost, rebuilt whenever a page, the package or an example changes."""
    _install(session, "docs", "docs-live")
    session.run(
        # doctrees of its own: a page it read with a warning (it never fails) is not taken as
        # read by the next `nox -s docs` or `nox -s tests`, which read it again and fail
        "sphinx-autobuild", *_sphinx_args(doctrees="doctrees-live"),
        "--watch", str(ROOT / "src" / "rnnshapes"), "--watch", str(ROOT / "examples"),
        "--ignore", "*/_build/*", "--ignore", "*/auto_examples/*", "--ignore", "*/gen_modules/*",
        "--ignore", "*/.jupyter_cache/*", "--ignore", "*/sg_execution_times.rst",
        *session.posargs,
        env=ONE_THREAD,
    )  # fmt: skip


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Time docs builds (cold, no change, prose edit) and the pages' code alone; print medians."""
    _install(session, "docs")
    session.run(
        "python", str(DOCS / "_tools" / "bench.py"), *session.posargs,
        "--", "sphinx-build", *_sphinx_args(),
        env=ONE_THREAD,
    )  # fmt: skip


@nox.session(name="bench-verify", python=PYTHON, default=False)
def bench_verify(session: nox.Session) -> None:
    """Time ``rnnshapes verify`` (default, target 5 s, and --thorough); print medians."""
    _install(session)
    session.run(
        "python", str(DOCS / "_tools" / "bench_verify.py"), *session.posargs, env=ONE_THREAD
    )


@nox.session(python=PYTHON, default=False)
def audit(session: nox.Session) -> None:
    """Build the site, then print Lighthouse's mobile scores for each page (Chromium, npm)."""
    _install(session, "docs")
    _build_docs(session)
    lock, installed = ROOT / "package-lock.json", ROOT / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    session.run("python", "-m", "tests.browser.audit", *session.posargs)


@nox.session(python=PYTHON, default=False)
def reproducible(session: nox.Session) -> None:
    """Build the last commit cold, warm and in another folder; fail unless byte-identical."""
    _install(session, "docs")
    session.run(
        "python", str(DOCS / "_tools" / "reproducible.py"), "--", "sphinx-build", *_sphinx_args(),
        env=ONE_THREAD,
    )  # fmt: skip
