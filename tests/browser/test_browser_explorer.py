"""The explorer (``docs/_static/explorer.js``), driven in Chromium and checked against torch.

Over a few hundred seeded configurations (every kind, 1 to 6 layers, both directions,
``batch_first``, ``proj_size``, unbatched, packed batches with random lengths, ``enforce_sorted``
both ways) every shape the explorer shows is compared with :func:`rnnshapes.shapes` and the real
module's tensors; every cell's role and every index expression it prints is evaluated against
the module's ``output``, ``h_n``, ``c_n`` and :func:`rnnshapes.unroll`; every refusal is
compared with the exception torch raises for that configuration. Constructor lines are fuzzed
through the paste box: a line the explorer reads must build the same module in torch.

The page is built here, in a temporary folder, from the same markup the ``explorer`` directive
writes (``docs/_ext/explorer.py``), and opened from ``file://``: no built site is needed.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnshapes

from .sitecheck import AXE_JS, MOBILE, ROOT, describe_violations

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import explorer

pytestmark = pytest.mark.browser

STATIC = ROOT / "docs" / "_static"
KINDS = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
DEFAULTS = {"kind": "LSTM", "input": 4, "hidden": 5, "layers": 2, "bi": 0, "bf": 0, "proj": "",
            "bias": 1, "dropout": 0, "L": 7, "N": 3, "unbatched": 0, "lengths": "", "sorted": 1,
            "seq": 0}  # fmt: skip
SHAPE_LINE = re.compile(r"^(\S+)\s+(\(.*?\))\s+(.*)$")


# -- the page ------------------------------------------------------------------------------------


def page_html(data: dict[str, Any]) -> str:
    """A bare page holding one explorer, as the directive writes it, with the site's files."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Explorer test page</title>"
        # the page colours of furo's dark scheme, which the site's pages have
        '<style>body[data-theme="dark"] { background: #131416; color: #ffffffcc; }</style>'
        f'<link rel="stylesheet" href="{(STATIC / explorer.CSS).as_uri()}">'
        f'<script defer src="{(STATIC / explorer.JS).as_uri()}"></script></head>'
        f"<body><main><h1>Explorer</h1>{explorer.container_html(data, 'state-grid.html')}"
        "</main></body></html>"
    )


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("explorer") / "index.html"
    path.write_text(page_html(explorer.explorer_data()), encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def tab(browser: Any, page_url: str) -> Iterator[Any]:
    """One page, reused: each configuration is set through the URL fragment."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_url)
    page.wait_for_selector(".rnnx-view .rnnx-msg")
    yield page
    context.close()
    assert not errors, errors


def fragment(config: dict[str, Any]) -> str:
    """The URL fragment of ``config`` (keys not given keep their defaults)."""
    return "&".join(f"{k}={v}" for k, v in config.items() if str(v) != str(DEFAULTS[k]))


# Set each fragment, let the explorer read it (the hashchange is dispatched at once, not
# waited for), and read back what it shows: for every sequence of the batch, the whole view.
READ_JS = """(configs) => {
  const root = document.querySelector("div[data-rnnx]");
  const show = (frag) => {
    history.replaceState(null, "", "#" + frag);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  };
  const read = () => {
    const msg = root.querySelector(".rnnx-msg");
    const view = {kind: msg.dataset.kind, text: msg.textContent};
    if (view.kind === "refusal") {
      view.key = msg.dataset.key;
      view.message = msg.querySelector(".rnnx-torch").textContent;
      view.code = msg.querySelector("p code:last-of-type")?.textContent;
    }
    if (view.kind !== "ok") return view;
    view.shapes = [...root.querySelectorAll(".rnnx-shapes tbody tr")].map((r) => [
      r.dataset.name, r.dataset.shape, r.dataset.dims]);
    view.heads = [...root.querySelectorAll(".rnnx-grid thead th")].map((th) => th.textContent);
    view.cells = [...root.querySelectorAll(".rnnx-grid td[role=gridcell]")].map((c) => ({
      ...c.dataset, label: c.getAttribute("aria-label"), text: c.textContent}));
    const code = root.querySelector(".rnnx-code"), wrong = root.querySelector(".rnnx-wrong");
    view.right = code.dataset.right;
    view.snippet = code.textContent;
    view.wrong = wrong.dataset.wrong;
    view.verdict = wrong.dataset.verdict;
    view.note = root.querySelector(".rnnx-note")?.textContent ?? null;
    return view;
  };
  return configs.map(([frag, batch]) => {
    const views = [];
    for (let b = 0; b < batch; b++) { show(frag + "&seq=" + b); views.push(read()); }
    return views;
  });
}"""


# -- configurations ------------------------------------------------------------------------------


def configurations(seed: int = 12) -> list[dict[str, Any]]:
    """Seeded configurations over the whole space: every kind × 1–6 layers × both directions,
    each with a random rest (batch_first, proj_size, bias, sizes, and the input: batched,
    unbatched, packed with random lengths sorted or not, enforce_sorted both ways)."""
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        for layers in range(1, 7):
            for bi in (0, 1):
                for _ in range(7):
                    hidden = rng.randint(2, 7)
                    seq_len = rng.choice([1, 2, 3, 5, 7, 9, 12, 13, 17, 30])
                    c: dict[str, Any] = {
                        "kind": kind,
                        "input": rng.randint(1, 6),
                        "hidden": hidden,
                        "layers": layers,
                        "bi": bi,
                        "bf": rng.randint(0, 1),
                        "bias": int(rng.random() < 0.8),
                        "L": seq_len,
                        "N": rng.randint(1, 4),
                    }
                    if kind == "LSTM" and rng.random() < 0.5:
                        c["proj"] = rng.randint(1, hidden - 1)
                    mode = rng.choice(["batched", "unbatched", "packed", "packed"])
                    if mode == "unbatched":
                        c["unbatched"] = 1
                    elif mode == "packed":
                        lengths = [rng.randint(1, seq_len) for _ in range(c["N"])]
                        if rng.random() < 0.3:
                            lengths = [seq_len] * c["N"]  # packed, but none shorter
                        enforce = rng.random() < 0.5
                        if enforce:
                            lengths.sort(reverse=True)
                        c["sorted"] = int(enforce)
                        c["lengths"] = ",".join(map(str, lengths))
                    out.append(c)
    return out


def refused_configurations() -> list[dict[str, Any]]:
    """Configurations torch refuses, each for one reason (and a few for two: the first wins)."""
    return [
        {"kind": "GRU", "proj": 2},
        {"kind": "GRU", "proj": 0},
        {"kind": "RNN_TANH", "proj": 1},
        {"kind": "RNN_RELU", "proj": 9, "hidden": 0},  # proj_size is looked at first
        {"kind": "LSTM", "proj": 5, "hidden": 5},
        {"kind": "LSTM", "proj": 7, "hidden": 5},
        {"kind": "LSTM", "proj": -1},
        {"kind": "LSTM", "input": 0},
        {"kind": "GRU", "input": -3},
        {"kind": "GRU", "hidden": 0},
        {"kind": "RNN_TANH", "hidden": -1, "input": 0},
        {"kind": "LSTM", "layers": 0},
        {"kind": "GRU", "layers": -2},
        {"kind": "LSTM", "dropout": 1.5, "layers": 2},
        {"kind": "GRU", "dropout": -0.1},
        {"kind": "GRU", "L": 0},
        {"kind": "LSTM", "L": 0, "bf": 1},
        {"kind": "LSTM", "lengths": "7,9,2", "sorted": 0},
        {"kind": "GRU", "lengths": "9,4,1"},
        {"kind": "RNN_TANH", "lengths": "8,8", "bf": 1},
        {"kind": "GRU", "lengths": "3,0,0"},
        {"kind": "LSTM", "lengths": "0,3,2", "sorted": 0},
        {"kind": "LSTM", "lengths": "-1,3", "sorted": 0},
        {"kind": "GRU", "lengths": "2,7,5"},
        {"kind": "GRU", "lengths": "2,9,5"},  # unsorted first, before too long
        {"kind": "LSTM", "lengths": "1,2", "bf": 1, "bi": 1},
        {"kind": "RNN_RELU", "lengths": "5,0,2"},  # unsorted before zero
    ]


# -- torch's side --------------------------------------------------------------------------------

_CLASSES = {"RNN_TANH": nn.RNN, "RNN_RELU": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


def full(config: dict[str, Any]) -> dict[str, Any]:
    return {**DEFAULTS, **config}


def build(c: dict[str, Any]) -> nn.Module:
    kwargs: dict[str, Any] = {
        "num_layers": int(c["layers"]),
        "bias": bool(int(c["bias"])),
        "batch_first": bool(int(c["bf"])),
        "bidirectional": bool(int(c["bi"])),
        "dropout": float(c["dropout"]),
    }
    if c["kind"].startswith("RNN"):
        kwargs["nonlinearity"] = c["kind"][4:].lower()
    if str(c["proj"]) != "":
        kwargs["proj_size"] = int(c["proj"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _CLASSES[c["kind"]](int(c["input"]), int(c["hidden"]), **kwargs).eval()


def lengths_of(c: dict[str, Any]) -> list[int] | None:
    if int(c["unbatched"]) or not c["lengths"]:
        return None
    return [int(v) for v in str(c["lengths"]).split(",")]


def run(c: dict[str, Any], seed: int) -> dict[str, Any]:
    """The module of ``c`` run on random input: everything the explorer's expressions read."""
    torch.manual_seed(seed)
    module = build(c)
    lengths = lengths_of(c)
    seq_len, batch, size = int(c["L"]), int(c["N"]), int(c["input"])
    if lengths:
        batch = len(lengths)
    if int(c["unbatched"]):
        shape: tuple[int, ...] = (seq_len, size)
    elif int(c["bf"]):
        shape = (batch, seq_len, size)
    else:
        shape = (seq_len, batch, size)
    x = torch.randn(shape)
    inp: Any = x
    if lengths:
        inp = pack_padded_sequence(
            x, lengths, batch_first=bool(int(c["bf"])), enforce_sorted=bool(int(c["sorted"]))
        )
    with torch.no_grad():
        output, hx = module(inp)
        u = rnnshapes.unroll(module, inp)
    h_n, c_n = hx if isinstance(hx, tuple) else (hx, None)
    scope = {"torch": torch, "output": output, "h_n": h_n, "c_n": c_n, "u": u,
             "pad_packed_sequence": pad_packed_sequence}  # fmt: skip
    return {"module": module, "scope": scope, "lengths": lengths, "batch": batch, "x": x}


def torch_refusal(c: dict[str, Any]) -> tuple[str, str]:
    """What torch raises for ``c`` (``Class: text``), and where: "module" or "call"."""
    try:
        module = build(c)
    except Exception as err:
        return f"{type(err).__name__}: {err}", "module"
    seq_len, batch = int(c["L"]), int(c["N"])
    lengths = lengths_of(c)
    if lengths:
        batch = len(lengths)
    bf = bool(int(c["bf"]))
    x = torch.zeros((batch, seq_len, int(c["input"])) if bf else (seq_len, batch, int(c["input"])))
    try:
        if lengths:
            try:
                inp = pack_padded_sequence(
                    x, lengths, batch_first=bf, enforce_sorted=bool(int(c["sorted"]))
                )
            except Exception as err:
                return f"{type(err).__name__}: {err}", "pack"
        else:
            inp = x
        module(inp)
    except Exception as err:
        return f"{type(err).__name__}: {err}", "call"
    raise AssertionError(f"torch accepts {c}")


def shapes_lines(c: dict[str, Any], module: nn.Module, batch: int) -> dict[str, tuple[str, str]]:
    s = rnnshapes.shapes(module, int(c["L"]), None if int(c["unbatched"]) else batch)
    rows = {}
    for line in str(s).splitlines():
        if line.startswith("note:"):
            continue
        match = SHAPE_LINE.match(line)
        assert match, line
        rows[match[1]] = (match[2], match[3])
    return rows


def ev(expr: str, scope: dict[str, Any]) -> torch.Tensor:
    assert re.fullmatch(r"[\w\[\]\(\)\s,.:=\-+]*", expr), expr  # an index expression, no more
    return eval(expr, scope)


# -- the checks ----------------------------------------------------------------------------------


def check_view(c: dict[str, Any], views: list[dict[str, Any]], seed: int) -> int:
    """Compare what the explorer showed for ``c`` (one view per sequence) with torch; return
    the number of cells checked."""
    r = run(c, seed)
    module, scope, lengths = r["module"], r["scope"], r["lengths"]
    u, h_n, c_n = scope["u"], scope["h_n"], scope["c_n"]
    unbatched = bool(int(c["unbatched"]))
    layers, bidir = int(c["layers"]), bool(int(c["bi"]))
    directions = 2 if bidir else 1
    seq_len = int(c["L"])
    expected = shapes_lines(c, module, r["batch"])
    checked = 0
    assert len(views) == (1 if unbatched else r["batch"])
    for b, view in enumerate(views):
        assert view["kind"] == "ok", (c, view)
        shown = {name: (shape, dims) for name, shape, dims in view["shapes"]}
        # shapes: as rnnshapes.shapes prints them, and as the real tensors are
        assert shown["input"] == expected["input"], (c, shown)
        assert shown["h_n"] == expected["h_n"] == shown["h0"], (c, shown)
        assert shown["h_n"][0] == str(tuple(h_n.shape)), c
        if c_n is not None:
            assert shown["c_n"] == expected["c_n"] == shown["c0"], (c, shown)
            assert shown["c_n"][0] == str(tuple(c_n.shape)), c
        else:
            assert "c_n" not in shown and "c0" not in shown and "c_n" not in expected
        if lengths:
            assert shown["output"][0] == "PackedSequence"
            data_shape = tuple(scope["output"].data.shape)
            assert shown["output"][1].startswith(f"data {data_shape}:"), (shown, data_shape)
            padded = pad_packed_sequence(scope["output"], batch_first=bool(int(c["bf"])))[0]
            assert shown["padded"][0] == str(tuple(padded.shape)), (c, shown)
        else:
            assert shown["output"] == expected["output"], (c, shown)
            assert shown["output"][0] == str(tuple(scope["output"].shape)), c
        note = rnnshapes.shapes(module, seq_len, None if unbatched else r["batch"]).notes
        assert (view["note"],) == (note or (None,)), (c, view["note"], note)

        # the grid: every row a layer and direction, top layer first; columns in time order
        length = lengths[b] if lengths else seq_len
        cells = view["cells"]
        steps = sorted({int(x["t"]) for x in cells if x.get("t") is not None})
        assert steps[0] == 0 and steps[-1] == seq_len - 1 and length - 1 in steps, (c, steps)
        if seq_len <= 12:
            assert steps == list(range(seq_len)) and all(x["role"] != "gap" for x in cells)
        rows = {(int(x["l"]), int(x["d"])) for x in cells if x["role"] != "gap"}
        assert rows == {(li, d) for li in range(layers) for d in range(directions)}
        state_rows_seen: set[int] = set()
        for cell in cells:
            if cell["role"] == "gap":
                continue
            li, d, t = int(cell["l"]), int(cell["d"]), int(cell["t"])
            k = li * directions + d
            end = 0 if d else length - 1
            top = li == layers - 1
            where = (c, b, cell)
            if lengths and t >= max(lengths):  # packing drops these steps: not in u.h either
                assert cell["role"] == "padding" and not (cell["u"] or cell["out"] or cell["hn"])
                assert u.h.shape[2] == max(lengths), where
                checked += 1
                continue
            value = ev(cell["u"], scope)
            idx = (li, d, t) if unbatched else (li, d, t, b)
            assert torch.equal(value, u.h[idx]), where
            if t >= length:
                assert cell["role"] == "padding" and not cell["out"] and not cell["hn"], where
                assert torch.equal(value, torch.zeros_like(value)), where
                if t < max(lengths or [seq_len]):  # inside the padded output: zeros there too
                    half = slice(d * value.shape[-1], (d + 1) * value.shape[-1])
                    padded = pad_packed_sequence(scope["output"], batch_first=bool(int(c["bf"])))[0]
                    at = padded[b, t] if int(c["bf"]) else padded[t, b]
                    assert torch.equal(at[half], torch.zeros_like(value)), where
                checked += 1
                continue
            role = ("output" if top else "") + (" h_n" if t == end else "")
            assert cell["role"] == (role.strip() or "never"), where
            assert bool(cell["out"]) == top and bool(cell["hn"]) == (t == end), where
            if cell["out"]:
                torch.testing.assert_close(ev(cell["out"], scope), value)
            if cell["hn"]:
                torch.testing.assert_close(ev(cell["hn"], scope), value)
                rows_here = h_n if unbatched else h_n[:, b]
                assert torch.equal(ev(cell["hn"], scope), rows_here[k]), where
                state_rows_seen.add(k)
                if c_n is not None:
                    torch.testing.assert_close(ev(cell["cn"], scope), ev(cell["uc"], scope))
                    assert torch.equal(ev(cell["uc"], scope), u.c[idx]), where
            if cell["role"] == "never" and value.any():  # (a ReLU's zero state can repeat)
                rows_here = h_n if unbatched else h_n[:, b]
                assert not any(torch.allclose(value, row) for row in rows_here), where
            assert cell["label"] and (not cell["out"] or cell["out"] in cell["label"]), where
            checked += 1
        assert state_rows_seen == set(range(layers * directions)), (c, state_rows_seen)

        # the classifier feature, and the line readers write instead
        right = ev(view["right"], scope)
        finals = []
        for d in range(directions):
            t_end = 0 if d else length - 1
            finals.append(u.h[(layers - 1, d, t_end) if unbatched else (layers - 1, d, t_end, b)])
        torch.testing.assert_close(right if unbatched else right[b], torch.cat(finals, dim=-1))
        wrong = ev(view["wrong"], scope)
        padded_len = max(lengths) if lengths else seq_len
        expect_wrong = (bidir and padded_len > 1) or bool(lengths and min(lengths) < padded_len)
        assert view["verdict"] == ("wrong" if expect_wrong else "right"), (c, view["verdict"])
        if not expect_wrong:
            assert torch.equal(wrong, right), c
        elif torch.equal(wrong, right):  # only a ReLU RNN's all-zero states can make it so
            assert c["kind"] == "RNN_RELU" and (right == 0).all(dim=-1).any(), c
        assert view["right"] in view["snippet"], view
    return checked


def test_explorer_over_the_configuration_space(tab: Any) -> None:
    """Every shape, cell, index expression and feature line the explorer shows, over ≥ 300
    seeded configurations, against rnnshapes and the real module."""
    configs = [full(c) for c in configurations()]
    assert len(configs) >= 300
    assert {c["kind"] for c in configs} == set(KINDS)
    assert {int(c["layers"]) for c in configs} == set(range(1, 7))
    assert any(c["lengths"] and not int(c["sorted"]) for c in configs)
    assert any(c["lengths"] and int(c["sorted"]) for c in configs)
    assert any(c["proj"] != "" for c in configs) and any(int(c["unbatched"]) for c in configs)
    cells = 0
    for start in range(0, len(configs), 40):
        chunk = configs[start : start + 40]
        batches = [1 if int(c["unbatched"]) else len(lengths_of(c) or [0] * int(c["N"]))
                   for c in chunk]  # fmt: skip
        views = tab.evaluate(
            READ_JS, [[fragment(c), n] for c, n in zip(chunk, batches, strict=True)]
        )
        for i, (c, v) in enumerate(zip(chunk, views, strict=True)):
            cells += check_view(c, v, seed=start + i)
    print(f"\nexplorer: {len(configs)} configurations, {cells} cells checked against torch")


def test_refusals_are_torchs_own_messages(tab: Any) -> None:
    """Each configuration torch refuses: the explorer shows the exception torch raises, and
    the example it quotes raises that message when run now."""
    configs = [full(c) for c in refused_configurations()]
    views = tab.evaluate(READ_JS, [[fragment(c), 1] for c in configs])
    data = explorer.explorer_data()
    for c, (view,) in zip(configs, views, strict=True):
        assert view["kind"] == "refusal", (c, view)
        message, stage = torch_refusal(c)
        assert view["message"] == data["refusals"][view["key"]]["message"], view
        if view["key"] == "lengths_too_long":
            # packing takes it; the module fails, with this batch's own numbers
            assert stage == "call", (c, message)
            assert re.fullmatch(r"RuntimeError: start \(\d+\) \+ length \(\d+\) exceeds "
                                r"dimension size \(\d+\)\.", message), message  # fmt: skip
        else:
            assert view["message"] == message, (c, view, message)
        fresh = explorer._capture(view["code"])
        assert fresh == view["message"], (view["code"], fresh)


# -- pasted constructor lines ---------------------------------------------------------------------

PASTE_JS = """(line) => {
  const root = document.querySelector("div[data-rnnx]"), f = root.querySelector("form");
  f.elements.paste.value = line;
  f.requestSubmit();
  const msg = root.querySelector(".rnnx-paste-msg"), view = root.querySelector(".rnnx-msg");
  return {paste: msg.dataset.kind, text: msg.textContent, hash: location.hash,
          view: view.dataset.kind, message: view.querySelector(".rnnx-torch")?.textContent ?? null,
          viewText: view.textContent, shown: f.elements.paste.value};
}"""

_POSITIONAL = {
    "RNN": ["input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
            "dropout", "bidirectional"],
    "LSTM": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
             "bidirectional", "proj_size"],
    "GRU": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
            "bidirectional"],
}  # fmt: skip
_GOOD = {
    "input_size": ["1", "3", "4", "8", "10", "0", "-2"],
    "hidden_size": ["2", "5", "6", "20", "1_0", "0"],
    "num_layers": ["1", "2", "3", "6", "7", "0"],
    "nonlinearity": ["'tanh'", "'relu'", '"relu"'],
    "bias": ["True", "False"],
    "batch_first": ["True", "False"],
    "bidirectional": ["True", "False"],
    "dropout": ["0", "0.0", "0.25", ".5", "1", "1.5", "-0.1", "1e-1", "0."],
    "proj_size": ["0", "1", "2", "3", "5", "-1"],
}  # fmt: skip
_BAD = st.sampled_from(
    ["07", "2.0", "1e0", "None", "'sigmoid'", "x", "[1]", "1 2", "", "1__0", "True", "3", "0x3",
     "--1", "+2", "00"]
)  # fmt: skip
_WS = st.sampled_from(["", "", " ", "\t"])


@st.composite
def constructor_lines(draw: Any) -> str:
    """Lines like ``nn.LSTM(10, 20, num_layers=2, bidirectional=True)``: mostly ones torch
    builds or refuses with its own message, some that Python or torch cannot read at all."""
    kind = draw(st.sampled_from(["RNN", "LSTM", "GRU"] * 6 + ["RNNCell", "Lstm"]))
    prefix = draw(st.sampled_from(["nn.", "torch.nn.", "nn.", "", "torch . nn . ", "rnn = nn.",
                                   "rnn = torch.nn.", "torch."]))  # fmt: skip
    names = _POSITIONAL.get(kind, _POSITIONAL["GRU"])
    n_pos = draw(st.sampled_from([2, 2, 0, 1, 3, 4, 5, 6, 7, 8]))
    n_pos = min(n_pos, len(names))
    free = names[n_pos:] + (["proj_size"] if kind != "LSTM" else [])
    keywords = draw(st.lists(st.sampled_from(free), unique=True, max_size=5)) if free else []
    if n_pos < 2 and draw(st.integers(0, 9)) < 9:  # the sizes, by keyword
        keywords = [
            k for k in ("input_size", "hidden_size")[n_pos:] if k not in keywords
        ] + keywords
    if draw(st.integers(0, 9)) == 9:
        keywords.append(draw(st.sampled_from(["device", "dtype", "nonlinearity", "num_layer",
                                              "input_size", "hidden"])))  # fmt: skip

    def value(name: str) -> str:
        bad = draw(st.integers(0, 9)) == 9
        return draw(_BAD) if bad else draw(st.sampled_from(_GOOD.get(name, ["1"])))

    parts = [value(n) for n in names[:n_pos]]
    parts += [f"{k}{draw(_WS)}={draw(_WS)}{value(k)}" for k in keywords]
    if draw(st.integers(0, 9)) == 9 and len(parts) > 1:  # a keyword out of place, sometimes
        parts = draw(st.permutations(parts))
    sep = draw(st.sampled_from([", ", ",", " , ", ", "]))
    tail = draw(st.sampled_from(["", "", "", ",", " ", "  # a comment", " x", ")"]))
    body = sep.join(parts) + (tail if tail != ")" else "")
    return f"{draw(_WS)}{prefix}{kind}{draw(_WS)}({body})" + (")" if tail == ")" else "")


def torch_build(line: str) -> tuple[nn.Module | None, str | None]:
    scope: dict[str, Any] = {"torch": torch, "nn": nn, "RNN": nn.RNN, "LSTM": nn.LSTM,
                             "GRU": nn.GRU, "RNNCell": nn.RNNCell, "Lstm": None}  # fmt: skip
    code = line.strip().replace("self.rnn =", "rnn =", 1)
    if not code.startswith("rnn ="):
        code = "rnn = " + code
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, scope)
    except Exception as err:
        return None, f"{type(err).__name__}: {err}"
    module = scope["rnn"]
    return module, None


def state_of(hash_: str) -> dict[str, Any]:
    st_ = dict(DEFAULTS)
    for kv in filter(None, hash_.lstrip("#").split("&")):
        k, _, v = kv.partition("=")
        st_[k] = v.replace("%2C", ",")
    return st_


def same_module(module: nn.Module, s: dict[str, Any]) -> None:
    spec = rnnshapes.Spec.of(module)
    kind = spec.kind if spec.kind != "RNN" else f"RNN_{spec.nonlinearity.upper()}"
    assert kind == s["kind"]
    assert (spec.input_size, spec.hidden_size, spec.num_layers) == (
        int(s["input"]), int(s["hidden"]), int(s["layers"]))  # fmt: skip
    assert (spec.bidirectional, spec.batch_first, spec.bias) == (
        bool(int(s["bi"])), bool(int(s["bf"])), bool(int(s["bias"])))  # fmt: skip
    assert spec.proj_size == (int(s["proj"]) if s["proj"] != "" else 0)
    assert spec.dropout == float(s["dropout"])


@settings(max_examples=250, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(line=constructor_lines())
@example(line="nn.LSTM(10, 20, num_layers=2, bidirectional=True, batch_first=True)")
@example(line="torch.nn.GRU(300, 128, num_layers=3, bidirectional=True, batch_first=True)")
@example(line="self.rnn = nn.RNN(4, 5, 2, 'relu')")
@example(line="nn.GRU(4, 5, proj_size=0)")
@example(line="nn.LSTM(4, 5, 1, True, False, 0.0, True, 2)")
def test_pasted_lines_build_the_same_module(tab: Any, line: str) -> None:
    """A line the explorer reads builds, in torch, the module the explorer shows (or torch
    refuses it with the message the explorer shows); a line it cannot read gets a message."""
    tab.evaluate("() => history.replaceState(null, '', '#kind=LSTM')")
    tab.evaluate("() => window.dispatchEvent(new HashChangeEvent('hashchange'))")
    seen = tab.evaluate(PASTE_JS, line)
    module, error = torch_build(line)
    if seen["paste"] == "error":
        assert seen["text"].startswith("Not read: ") and len(seen["text"]) > 15, seen
        return
    assert seen["paste"] == "ok", seen
    shown = state_of(seen["hash"])
    if seen["view"] == "refusal":
        if error is None:
            raise AssertionError(f"torch builds {line!r} but the explorer shows a refusal: {seen}")
        assert seen["message"] == error, (line, seen, error)
        return
    assert error is None, (line, error, seen)  # the explorer read what Python does not
    assert module is not None
    same_module(module, shown)
    if seen["view"] == "ok":  # the line it shows now builds the same module
        again, again_error = torch_build(seen["shown"])
        assert again_error is None and again is not None, seen
        same_module(again, shown)
    else:
        assert seen["view"] == "error" and "cannot read" in seen["viewText"], seen


# -- keyboard, URL, small screens, speed -----------------------------------------------------------


def test_arrow_keys_move_focus_through_the_grid(tab: Any) -> None:
    """Roving tabindex: one cell in the tab order; arrow keys, Home and End move it."""
    tab.evaluate("() => history.replaceState(null, '', '#kind=GRU&layers=3&bi=1&L=20')")
    tab.evaluate("() => window.dispatchEvent(new HashChangeEvent('hashchange'))")
    # the site's doctools.js listens on the document and turns the page on arrow keys
    tab.evaluate(
        "() => { window.__reached = [];"
        " document.addEventListener('keydown', (e) => window.__reached.push(e.key)); }"
    )
    first = tab.locator(".rnnx-grid td[tabindex='0']")
    assert first.count() == 1
    first.focus()
    at = "() => [document.activeElement.dataset.r, document.activeElement.dataset.c]"
    assert tab.evaluate(at) == ["0", "0"]
    for key, want in [("ArrowRight", ["0", "1"]), ("ArrowDown", ["1", "1"]),
                      ("ArrowLeft", ["1", "0"]), ("ArrowLeft", ["1", "0"]),
                      ("End", ["1", "6"]), ("ArrowDown", ["2", "6"]), ("Home", ["2", "0"]),
                      ("ArrowUp", ["1", "0"]), ("ArrowUp", ["0", "0"])]:  # fmt: skip
        tab.keyboard.press(key)
        assert tab.evaluate(at) == want, key
        assert tab.locator(".rnnx-grid td[tabindex='0']").count() == 1
        label = tab.evaluate("() => document.activeElement.getAttribute('aria-label')")
        assert tab.inner_text(".rnnx-detail") == label and label
    tab.keyboard.press("End")
    assert tab.evaluate("() => document.activeElement.dataset.t") == "19"
    assert tab.evaluate("() => window.__reached") == [], "a grid key reached the page's listener"


def test_the_url_round_trips(browser: Any, page_url: str) -> None:
    """Changing the controls writes the fragment; opening that fragment sets the same
    controls and draws the same grid."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(page_url)
    page.select_option("select[name=kind]", "GRU")
    page.fill("input[name=layers]", "3")
    page.check("input[name=bi]")
    page.check("input[name=bf]")
    page.fill("input[name=lengths]", "6, 4, 4, 1")
    page.fill("input[name=seq]", "3")
    url = page.evaluate("location.href")  # page.url follows replaceState only later
    assert "#" in url and "kind=GRU" in url and "layers=3" in url
    grid = page.inner_html(".rnnx-view")
    other = context.new_page()
    other.goto(url)
    other.wait_for_selector(".rnnx-grid")
    assert other.input_value("select[name=kind]") == "GRU"
    assert other.input_value("input[name=layers]") == "3"
    assert other.is_checked("input[name=bi]") and other.is_checked("input[name=bf]")
    assert other.input_value("input[name=N]") == "4"
    assert other.inner_html(".rnnx-view") == grid
    # a foreign anchor (a heading's) is left alone
    other.goto(page_url + "#some-heading")
    other.wait_for_selector(".rnnx-grid")
    assert other.evaluate("location.hash") == "#some-heading"
    context.close()


def test_an_explorer_below_the_fold_waits_then_follows_the_url(browser: Any, tmp_path: Any) -> None:
    """Below the fold the explorer is not drawn at load; a state put in the URL draws it at once
    with that state; a fragment that is not a state, or a malformed one, leaves it to be drawn,
    with the defaults, when it is scrolled to."""
    html = page_html(explorer.explorer_data()).replace(
        "<h1>Explorer</h1>", '<h1>Explorer</h1><div style="height: 3000px"></div>'
    )
    path = tmp_path / "tall.html"
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for hash_ in ("", "#L=%", "#constructor=1", "#some-heading"):
        page.goto("about:blank")  # a load, not a move within the page
        page.goto(path.as_uri() + hash_)
        page.wait_for_timeout(200)
        assert page.locator("div[data-rnnx] form").count() == 0, hash_
    page.evaluate("() => { location.hash = 'kind=GRU&layers=3'; }")
    page.wait_for_selector(".rnnx-grid")
    assert page.input_value("select[name=kind]") == "GRU"
    assert page.input_value("input[name=layers]") == "3"
    page.goto("about:blank")
    page.goto(path.as_uri() + "#L=%")
    page.locator("div[data-rnnx]").scroll_into_view_if_needed()
    page.wait_for_selector(".rnnx-grid")
    assert page.input_value("input[name=L]") == "7"  # the defaults
    context.close()
    assert not errors, errors


LARGE = {"kind": "LSTM", "layers": 6, "bi": 1, "L": 500, "N": 64, "hidden": 128, "input": 300}


def test_375_px_has_no_page_scroll(browser: Any, page_url: str) -> None:
    """At 375 px the page does not scroll sideways; the grid scrolls in its own labelled,
    focusable box."""
    context = browser.new_context(viewport=MOBILE)
    page = context.new_page()
    page.goto(page_url + "#" + fragment(full({**LARGE, "lengths": "500,480,20", "sorted": 0})))
    page.wait_for_selector(".rnnx-grid")
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    box = page.locator(".rnnx-gridbox")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("aria-label")
    context.close()


def test_no_javascript_shows_the_static_link(browser: Any, page_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(page_url)
    assert page.locator(".rnnx-fallback a[href='state-grid.html']").count() == 1
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing(browser: Any, page_url: str, axe_source: str, scheme: str) -> None:
    """axe-core on the explorer page, with a packed bidirectional grid, in both schemes."""
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(page_url + "#bi=1&lengths=7,5,2&sorted=0&seq=2")
    page.wait_for_selector(".rnnx-grid")
    page.evaluate(f"() => document.body.dataset.theme = '{scheme}'")
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(AXE_JS)
    context.close()
    assert not violations, describe_violations(violations)


def test_redraw_benchmark(tab: Any) -> None:
    """6 layers × 2 directions × 500 steps: the median redraw, printed (not asserted)."""
    frag = fragment(full(LARGE))
    times = tab.evaluate(
        """(frag) => {
          const root = document.querySelector("div[data-rnnx]");
          const seq = root.querySelector("input[name=seq]");
          history.replaceState(null, "", "#" + frag);
          window.dispatchEvent(new HashChangeEvent("hashchange"));
          const out = [];
          for (let i = 0; i < 41; i++) {
            seq.value = String(i % 64);
            const t0 = performance.now();
            seq.dispatchEvent(new Event("input", {bubbles: true}));
            root.getBoundingClientRect();  // the layout too, not only the script
            out.push(performance.now() - t0);
          }
          return out;
        }""",
        frag,
    )
    cells = tab.locator(".rnnx-grid td[role=gridcell]").count()
    print(f"\nexplorer redraw, 6 layers × 2 directions × 500 steps ({cells} cells drawn): "
          f"median {statistics.median(times):.2f} ms over {len(times)}")  # fmt: skip
