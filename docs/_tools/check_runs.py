"""Run the ``runs`` blocks of troubleshooting pages as the build would, without building.

    python docs/_tools/check_runs.py docs/troubleshooting/dtype-*.md

Prints each block's output (what the page will show) and fails on the first block that does
not do what its options say. The build runs the same code (docs/_ext/runs.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_ext"))

import runs

BLOCK = re.compile(r"^```\{runs\}\n((?::\w+:[^\n]*\n)*)\n?(.*?)^```$", re.M | re.S)


def check(path: Path) -> int:
    namespace = runs.page_namespace(path.stem)
    text = path.read_text()
    blocks = BLOCK.findall(text)
    messages = []
    for options_text, code in blocks:
        options = dict(re.findall(r"^:(\w+):\s*(.*)$", options_text, re.M))
        shown, message = runs.run_block(code.strip("\n"), options, namespace)
        print(f"--- {path.name} {options or ''}\n{code.rstrip()}\n>>>\n{shown}")
        if message:
            print(f"[captured from {message['origin']}]")
            messages.append(message["text"])
    title = text.split("\n", 1)[0].removeprefix("# ")
    if messages and (missing := runs.unquoted(title, messages)):
        raise SystemExit(f"{path.name}: the title quotes {missing}, not in {messages}")
    return len(blocks)


if __name__ == "__main__":
    total = 0
    for name in sys.argv[1:]:
        total += check(Path(name))
    print(f"{total} blocks ran as their options say")
