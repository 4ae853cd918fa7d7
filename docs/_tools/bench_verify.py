"""Time ``rnnshapes verify``: the default run (target: at most 5 s) and ``--thorough``.

Runs each as a reader does, in a fresh process, and prints the median of the time verify
reports for its checks and of the whole command's wall time (which adds importing torch).
Usage: ``python docs/_tools/bench_verify.py [runs]`` (default 5).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time


def run(*flags: str) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rnnshapes", "verify", "--json", *flags],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    report = json.loads(done.stdout)
    return report["seconds"], wall, len(report["claims"]), report["configs"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for flags, n in (((), runs), (("--thorough",), max(1, runs // 2))):
        timings = [run(*flags) for _ in range(n)]
        checks = statistics.median(t[0] for t in timings)
        wall = statistics.median(t[1] for t in timings)
        claims, configs = timings[0][2], timings[0][3]
        name = " ".join(["verify", *flags])
        print(
            f"{name:<19} {claims} claims on {configs} configurations: checks {checks:.2f} s, "
            f"command {wall:.2f} s (median of {n})"
        )


if __name__ == "__main__":
    main()
