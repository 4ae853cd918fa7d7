"""Build the site three ways and check that the three are the same bytes: ``nox -s reproducible``.

Usage, from the repository root: ``python docs/_tools/reproducible.py -- SPHINX-BUILD ARGS``
(the arguments as ``nox -s docs`` passes them, with the repository's ``docs`` folder, its
``_build/html`` and ``_build/doctrees``; they are rewritten for each clone).

The last commit is cloned twice, into two temporary folders at different depths:

- A, cold: no notebook cache, no doctrees, no gallery output;
- A, warm: the same clone built again after removing only its HTML (the notebook cache and the
  doctrees kept);
- B, cold: the other clone.

Every file of the three sites must be byte-identical, except ``.buildinfo`` (Sphinx's hash of the
configuration, which holds the absolute paths extensions add, such as their ``_static``
folders); and no file may hold the path of either clone or ``site-packages``. Exits 1 otherwise,
printing the files that differ. It refuses to run with uncommitted changes (they would not be
built), and builds each clone with its own ``src`` first on the path.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".buildinfo"}


def files(site: Path) -> dict[str, Path]:
    return {str(p.relative_to(site)): p for p in sorted(site.rglob("*")) if p.is_file()}


def in_clone(arg: str, clone: Path) -> str:
    """``arg`` with a path inside the repository made the same path inside ``clone``."""
    path = Path(arg)
    if not path.is_absolute():
        return arg
    try:
        return str(clone / path.resolve().relative_to(ROOT))
    except ValueError:
        return arg


def build(clone: Path, sphinx: list[str], log: Path) -> float:
    """Run the build in ``clone`` with its own paths and its own ``src`` (the environment's
    rnnshapes may be an editable install of the repository); return the seconds it took."""
    args = [in_clone(a, clone) for a in sphinx]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(clone / "src"), *sys.path[1:]])}
    start = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(args, cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)
    return time.perf_counter() - start


def differences(a: Path, b: Path) -> list[str]:
    fa, fb = files(a), files(b)
    only = sorted(set(fa) ^ set(fb))
    out = [f"only in {a if n in fa else b}: {n}" for n in only if n not in SKIP]
    out += [
        f"differs: {n}"
        for n in sorted(set(fa) & set(fb))
        if n not in SKIP and not filecmp.cmp(fa[n], fb[n], shallow=False)
    ]
    return out


def leaks(site: Path, roots: list[Path]) -> list[str]:
    """Each file of ``site`` (``.buildinfo`` aside) that holds one of ``roots`` or
    ``site-packages``, as ``"<file> holds <path>"`` (also run on every build by
    ``tests/test_site_paths.py``)."""
    needles = sorted({str(r).encode() for r in roots if str(r) not in {"", "/"}})
    needles.append(b"site-packages")
    found = []
    for name, path in files(site).items():
        if name in SKIP:
            continue
        data = path.read_bytes()
        found += [f"{name} holds {n.decode()}" for n in needles if n in data]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sphinx", nargs=argparse.REMAINDER)
    sphinx = [a for a in parser.parse_args().sphinx if a != "--"]
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if dirty:
        print(f"uncommitted changes would not be built; commit them first:\n{dirty}")
        return 2
    with tempfile.TemporaryDirectory(prefix="rnnshapes-repro-") as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "deeper" / "clone" / "b"
        for clone in (a, b):
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        html = lambda clone: clone / "docs" / "_build" / "html"  # noqa: E731
        seconds = {"A cold": build(a, sphinx, Path(tmp) / "a-cold.log")}
        shutil.copytree(html(a), Path(tmp) / "a-cold")
        shutil.rmtree(html(a))
        seconds["A warm"] = build(a, sphinx, Path(tmp) / "a-warm.log")
        seconds["B cold"] = build(b, sphinx, Path(tmp) / "b-cold.log")
        problems = differences(Path(tmp) / "a-cold", html(a))
        problems += differences(Path(tmp) / "a-cold", html(b))
        for site in (Path(tmp) / "a-cold", html(a), html(b)):
            problems += leaks(site, [a, b, ROOT, Path(sys.prefix), Path.home()])
        n = len(files(html(b)))
    for name, s in seconds.items():
        print(f"{name}: built in {s:.0f} s")
    if problems:
        print(f"{len(problems)} problems:\n  " + "\n  ".join(sorted(set(problems))))
        return 1
    print(f"the three builds are byte-identical ({n} files, .buildinfo aside), with no build path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
