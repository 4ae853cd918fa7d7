"""Time the docs build and compare it with running the same code without Sphinx.

``nox -s bench`` runs this as ``python docs/_tools/bench.py [--repeat N] -- SPHINX-BUILD ARGS``
and prints the median of each measurement:

- cold: a build with no caches at all (no _build, notebook cache, gallery output);
- no change: the same build again, nothing edited;
- prose edit: a build after one sentence of one page changed (the page is restored afterwards);
- floor: each executed page's code cells run one page after another in one plain Python process
  (what the pages cost without kernels, Sphinx or caching);
- gallery: the time sphinx-gallery spent running the examples in the cold build (its own
  ``sg_execution_times.rst``), against the example scripts run one after another in one plain
  process;
- troubleshooting: the time the cold build spent reading the pages whose code runs in the build
  process (``runs`` blocks: parsing them and running their code, as ``runs`` records it, summed
  over the parallel readers).

The site is rebuilt once more at the end, so that it matches the sources again.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import resource
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
EXAMPLES = ROOT / "examples"
CACHES = [
    DOCS / "_build",
    DOCS / ".jupyter_cache",
    DOCS / "auto_examples",
    DOCS / "gen_modules",
    DOCS / "sg_execution_times.rst",
]
EDITED_PAGE = DOCS / "explanation" / "dropout.md"
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def _clean() -> None:
    for path in CACHES:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


_CPU: dict[str, list[float]] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], label: str = "") -> float:
    """Run ``command``; return its wall time and record its CPU time (with its children's)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if label:
        _CPU.setdefault(label, []).append(_children_cpu() - cpu)
    if result.returncode:
        sys.stdout.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise SystemExit(f"the build failed ({result.returncode}): {' '.join(command)}")
    return elapsed


def _edit_prose(text: str) -> str:
    """Add a word to the first sentence after the page's title."""
    lines = text.splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    prose = next(i for i in range(title + 1, len(lines)) if lines[i].strip())
    lines[prose] = lines[prose].rstrip("\n").replace(".", ", really.", 1) + "\n"
    return "".join(lines)


def _executed_pages() -> list[Path]:
    return sorted(
        p
        for p in DOCS.rglob("*.md")
        if "_build" not in p.parts and "kernelspec:" in p.read_text(encoding="utf-8")[:600]
    )


def _in_one_process(label: str, items: list[Path], run: Callable[[Path], None]) -> float:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    for item in items:
        with (
            tempfile.TemporaryDirectory() as tmp,
            contextlib.chdir(tmp),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            try:
                run(item)
            except Exception as err:
                raise SystemExit(f"{label}: {item} failed: {err!r}") from err
        plt.close("all")
    return time.perf_counter() - start


def _run_page(page: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}
    for cell in _CELL.findall(page.read_text(encoding="utf-8")):
        code = "\n".join(line for line in cell.splitlines() if not line.startswith(":"))
        code = re.sub(r"(?s)^---\n.*?\n---\n", "", code)  # a cell's YAML options
        exec(compile(code, str(page), "exec"), namespace)


def _run_example(script: Path) -> None:
    runpy.run_path(str(script), run_name="__main__")


def _floor_seconds(kind: str) -> float:
    """Run in a fresh interpreter, so that imports count once, as in a build."""
    out = subprocess.run(
        [sys.executable, __file__, "--floor", kind],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def gallery_seconds(text: str) -> float:
    """The total of sphinx-gallery's ``sg_execution_times.rst``, in seconds.

    >>> gallery_seconds("**00:07.432** total execution time for 14 files **from all galleries**:")
    7.432
    """
    match = re.search(r"\*\*(\d+):(\d+(?:\.\d+)?)\*\* total execution time", text)
    if match is None:
        raise ValueError("sg_execution_times.rst has no total execution time line")
    return round(60 * int(match[1]) + float(match[2]), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build (default 3)")
    parser.add_argument("--floor", choices=["pages", "gallery"], help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help="the sphinx-build command line")
    args = parser.parse_args()
    if args.floor == "pages":
        print(_in_one_process("page", _executed_pages(), _run_page))
        return
    if args.floor == "gallery":
        scripts = sorted(EXAMPLES.glob("plot_*.py"))
        print(_in_one_process("example", scripts, _run_example))
        return
    if not args.command:
        parser.error("give the sphinx-build command line after --")
    times: dict[str, list[float]] = {
        "cold": [], "no change": [], "prose edit": [], "gallery in cold": [],
        "troubleshooting pages read in cold": [],
        "slowest troubleshooting page read in cold": [],
    }  # fmt: skip
    original = EDITED_PAGE.read_text(encoding="utf-8")
    record = DOCS / "sg_execution_times.rst"  # sphinx-gallery's own timings
    runs_record = DOCS / "_build" / "doctrees" / "runs-seconds.json"
    try:
        for run in range(args.repeat):
            _clean()
            times["cold"].append(_timed(args.command, "cold"))
            if record.exists():
                times["gallery in cold"].append(gallery_seconds(record.read_text()))
            if runs_record.exists():
                read = json.loads(runs_record.read_text())
                times["troubleshooting pages read in cold"].append(read["seconds"])
                slowest = times["slowest troubleshooting page read in cold"]
                slowest.append(read["slowest"]["seconds"])
            times["no change"].append(_timed(args.command, "no change"))
            EDITED_PAGE.write_text(_edit_prose(original), encoding="utf-8")
            times["prose edit"].append(_timed(args.command, "prose edit"))
            EDITED_PAGE.write_text(original, encoding="utf-8")
            print(f"run {run + 1}/{args.repeat}: " + ", ".join(
                f"{k} {v[-1]:.1f} s" for k, v in times.items() if v), flush=True)  # fmt: skip
    finally:
        EDITED_PAGE.write_text(original, encoding="utf-8")
    _timed(args.command)  # the site matches its sources again
    pages = [_floor_seconds("pages") for _ in range(args.repeat)]
    gallery = [_floor_seconds("gallery") for _ in range(args.repeat)] if EXAMPLES.exists() else []
    rows = [(name, statistics.median(v)) for name, v in times.items() if v]
    rows.append(
        (f"floor: {len(_executed_pages())} pages' code in one process", statistics.median(pages))
    )
    if gallery:
        scripts = len(list(EXAMPLES.glob("plot_*.py")))
        rows.append(
            (f"floor: {scripts} gallery scripts in one process", statistics.median(gallery))
        )
    width = max(len(name) for name, _ in rows)
    load = os.getloadavg()[0]
    print(f"\nmedians of {args.repeat} run(s), {os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"{'measurement':<{width}}  wall s   CPU s")
    for name, seconds in rows:
        cpu = f"{statistics.median(_CPU[name]):7.1f}" if name in _CPU else ""
        print(f"{name:<{width}}  {seconds:6.1f}  {cpu}")
    print("(CPU: user + system time of the build, its workers and its kernels: on a busy machine")
    print(" it is steadier than the wall time)")
    if gallery and times["gallery in cold"]:
        ratio = statistics.median(times["gallery in cold"]) / statistics.median(gallery)
        print(f"gallery in the cold build / its scripts alone: {ratio:.2f}x")


if __name__ == "__main__":
    main()
