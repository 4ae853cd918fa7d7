"""Cells and gates: a loop over ``RNNCell``/``LSTMCell``/``GRUCell``, and the gate order in the
weights."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import GRU, LSTM, NO_PROJECTION, ONE_LAYER, UNIDIRECTIONAL, UNPACKED
from ..spec import parameter


@claim(
    "cell-loop-reproduces-module",
    "close",
    ONE_LAYER & UNIDIRECTIONAL & NO_PROJECTION & UNPACKED,
)
def cell_loop(cfg: Config, ck: Checker) -> None:
    """a Python loop over ``RNNCell``, ``LSTMCell`` or ``GRUCell`` holding a one-layer module's
    weights reproduces that module: the stacked per-step ``h`` is ``output``, the last ``h``
    (and ``c``) is ``h_n`` (and ``c_n``).

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> cell = torch.nn.LSTMCell(4, 5)
    >>> weights = {k.removesuffix("_l0"): v for k, v in lstm.state_dict().items()}
    >>> _ = cell.load_state_dict(weights)
    >>> x = torch.randn(7, 3, 4)
    >>> steps, state = [], None
    >>> for x_t in x:  # 7 steps
    ...     state = cell(x_t, state)
    ...     steps.append(state[0])
    >>> output, (h_n, c_n) = lstm(x)
    >>> torch.testing.assert_close(torch.stack(steps), output)
    >>> torch.testing.assert_close(state, (h_n[0], c_n[0]))
    """
    m = cfg.module()
    cell_cls = {"RNN": nn.RNNCell, "LSTM": nn.LSTMCell, "GRU": nn.GRUCell}[cfg.kind]
    kwargs = {"nonlinearity": cfg.nonlinearity} if cfg.kind == "RNN" else {}
    cell = cell_cls(cfg.input_size, cfg.hidden_size, bias=cfg.bias, **kwargs)
    cell = cell.to(dtype=cfg.dtype, device=cfg.device)
    with torch.no_grad():
        for name, p in cell.named_parameters():
            p.copy_(getattr(m, name + "_l0"))
    x = cfg.input()
    xs = cfg.time_major(x)  # unbatched: (L, H_in), and each step (H_in,)
    steps, state = [], None
    for x_t in xs:
        state = cell(x_t, state)
        steps.append(state[0] if isinstance(state, tuple) else state)
    r = run(m, x)
    out = cfg.time_major(r.output)
    ck.close(torch.stack(steps), out, "the cell loop's states vs output")
    if isinstance(state, tuple):
        assert r.c_n is not None
        ck.close(state[1], r.c_n[0], "the cell loop's last c vs c_n")


@dataclass(frozen=True)
class _FirstStep:
    """A one-layer module, an input step, a random state before it and the module's step."""

    module: nn.RNNBase
    x: torch.Tensor
    h0: torch.Tensor
    c0: torch.Tensor | None
    h1: torch.Tensor
    c1: torch.Tensor | None


def _first_step(cfg: Config) -> _FirstStep:
    """One step of a one-layer, one-direction, time-major module, from a random batched state
    (the gates are read from the weights, so the input's form does not matter)."""
    c = cfg.with_(
        num_layers=1, bidirectional=False, batch_first=False, seq_len=1, batched=True,
        lengths=None, enforce_sorted=False,
    )  # fmt: skip
    m = c.module()
    x = c.input()
    hx = c.initial_state()
    r = run(m, x, hx)
    h0, c0 = hx if isinstance(hx, tuple) else (hx, None)
    c1 = None if r.c_n is None else r.c_n[0]
    return _FirstStep(m, x[0], h0[0], None if c0 is None else c0[0], r.output[0], c1)


def _gates(m: nn.RNNBase, x_t: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    gi = x_t @ parameter(m, "weight_ih_l0").T
    gh = h @ parameter(m, "weight_hh_l0").T
    if m.bias:
        gi, gh = gi + parameter(m, "bias_ih_l0"), gh + parameter(m, "bias_hh_l0")
    return gi, gh


@claim("lstm-gate-order-is-i-f-g-o", "close", LSTM & NO_PROJECTION)
def lstm_gate_order(cfg: Config, ck: Checker) -> None:
    """``weight_ih_l{k}`` and ``weight_hh_l{k}`` stack the gates in the order input
    ``i``, forget ``f``, cell ``g``, output ``o``: reading the four quarters in that order
    reproduces a step, and swapping ``f`` and ``o`` does not.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> lstm.weight_ih_l0.shape  # (4 gates × hidden_size, input_size) = (20, 4)
    torch.Size([20, 4])
    >>> x, h0, c0 = torch.randn(1, 3, 4), torch.randn(1, 3, 5), torch.randn(1, 3, 5)
    >>> gates = (x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0
    ...          + h0[0] @ lstm.weight_hh_l0.T + lstm.bias_hh_l0)
    >>> i, f, g, o = gates.chunk(4, dim=-1)
    >>> c1 = torch.sigmoid(f) * c0[0] + torch.sigmoid(i) * torch.tanh(g)
    >>> h1 = torch.sigmoid(o) * torch.tanh(c1)
    >>> torch.testing.assert_close(h1, lstm(x, (h0, c0))[0][0])
    """
    s = _first_step(cfg)
    assert s.c0 is not None and s.c1 is not None
    h0, c0, h1, c1 = s.h0, s.c0, s.h1, s.c1
    gi, gh = _gates(s.module, s.x, h0)

    def step(order: str) -> tuple[torch.Tensor, torch.Tensor]:
        q = dict(zip(order, (gi + gh).chunk(4, dim=-1), strict=True))
        c = torch.sigmoid(q["f"]) * c0 + torch.sigmoid(q["i"]) * torch.tanh(q["g"])
        return torch.sigmoid(q["o"]) * torch.tanh(c), c

    h, c = step("ifgo")
    ck.close(h, h1, "h from gates i, f, g, o")
    ck.close(c, c1, "c from gates i, f, g, o")
    ck.differ(step("iogf")[1], c1, "c with f and o swapped")


@claim("gru-gate-order-is-r-z-n", "close", GRU)
def gru_gate_order(cfg: Config, ck: Checker) -> None:
    """the weights stack the gates in the order reset ``r``, update ``z``, new ``n``, and the
    reset gate multiplies ``W_hn h + b_hn`` (inside the bias); ``h' = (1 - z) * n + z * h``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5)
    >>> x, h0 = torch.randn(1, 3, 4), torch.randn(1, 3, 5)
    >>> gi = x[0] @ gru.weight_ih_l0.T + gru.bias_ih_l0  # (N, 3 × hidden_size) = (3, 15)
    >>> gh = h0[0] @ gru.weight_hh_l0.T + gru.bias_hh_l0
    >>> (i_r, i_z, i_n), (h_r, h_z, h_n) = gi.chunk(3, dim=-1), gh.chunk(3, dim=-1)
    >>> r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    >>> n = torch.tanh(i_n + r * h_n)
    >>> torch.testing.assert_close((1 - z) * n + z * h0[0], gru(x, h0)[0][0])
    """
    s = _first_step(cfg)
    h0, h1 = s.h0, s.h1
    gi, gh = _gates(s.module, s.x, h0)

    def step(order: str) -> torch.Tensor:
        i = dict(zip(order, gi.chunk(3, dim=-1), strict=True))
        h = dict(zip(order, gh.chunk(3, dim=-1), strict=True))
        r = torch.sigmoid(i["r"] + h["r"])
        z = torch.sigmoid(i["z"] + h["z"])
        n = torch.tanh(i["n"] + r * h["n"])
        return (1 - z) * n + z * h0

    ck.close(step("rzn"), h1, "h from gates r, z, n")
    ck.differ(step("zrn"), h1, "h with r and z swapped")
