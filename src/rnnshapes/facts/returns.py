"""What comes back: LSTM's ``(h_n, c_n)`` tuple, RNN's and GRU's bare ``h_n``, and ``h`` vs
``o``."""

from __future__ import annotations

import torch

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import LSTM, NOT_LSTM, ONE_LAYER, UNIDIRECTIONAL, UNPACKED
from ..spec import parameter


@claim("lstm-returns-h-n-c-n-tuple", "structure", LSTM)
def lstm_returns_tuple(cfg: Config, ck: Checker) -> None:
    """the module returns ``(output, (h_n, c_n))``: the second value is a tuple of two tensors, and
    ``c_n`` has ``h_n``'s rows and batch but ends in ``hidden_size``.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> output, state = lstm(torch.randn(7, 3, 4))
    >>> type(state).__name__, len(state)
    ('tuple', 2)
    >>> h_n, c_n = state
    >>> c_n.shape  # (num_layers, N, hidden_size) = (2, 3, 5)
    torch.Size([2, 3, 5])
    """
    _, state = cfg.module()(cfg.module_input())
    ck.true(isinstance(state, tuple) and len(state) == 2, f"LSTM state is {type(state).__name__}")
    h_n, c_n = state
    ck.true(c_n.shape[:-1] == h_n.shape[:-1], f"c_n {tuple(c_n.shape)} vs h_n {tuple(h_n.shape)}")
    ck.true(c_n.shape[-1] == cfg.hidden_size, f"c_n ends in {c_n.shape[-1]}")


@claim("c-n-not-in-output", "structure", LSTM & UNPACKED)
def c_n_not_in_output(cfg: Config, ck: Checker) -> None:
    """the cell state never appears in ``output``: no row of ``c_n`` matches any step of
    ``output``; it comes back only as ``c_n``, at the end.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> any(torch.allclose(output[t], c_n[0]) for t in range(7))
    False
    """
    r = run(cfg.module(), cfg.module_input())
    assert r.c is not None and r.steps is not None
    steps = r.steps
    if cfg.proj_size:  # c_n (hidden_size) cannot even fit a step of output (proj_size)
        ck.true(r.c.shape[-1] != cfg.h_out, "c_n and output have the same width")
        return
    for row in range(r.c.shape[0]):
        for t in range(steps.shape[0]):
            for half in range(cfg.num_directions):
                part = steps[t, :, half * cfg.h_out : (half + 1) * cfg.h_out]
                ck.differ(part, r.c[row], f"c_n[{row}] in output[{t}]")


@claim("rnn-gru-return-bare-h-n", "structure", NOT_LSTM)
def rnn_gru_return_bare_h_n(cfg: Config, ck: Checker) -> None:
    """the module returns ``(output, h_n)``: the second value is one tensor, and there is no
    ``c_n``.

    >>> import torch
    >>> output, h_n = torch.nn.GRU(4, 5, num_layers=2)(torch.randn(7, 3, 4))
    >>> isinstance(h_n, torch.Tensor), h_n.shape
    (True, torch.Size([2, 3, 5]))
    """
    _, state = cfg.module()(cfg.module_input())
    ck.true(isinstance(state, torch.Tensor), f"{cfg.kind} state is {type(state).__name__}")


@claim("output-is-h-not-gate-o", "close", LSTM & ONE_LAYER & UNIDIRECTIONAL & UNPACKED)
def output_is_h_not_gate_o(cfg: Config, ck: Checker) -> None:
    """``output`` at step ``t`` is the hidden state ``h_t = o_t * tanh(c_t)`` (then
    projected by ``W_hr`` when ``proj_size > 0``), not the output gate ``o_t``: the word
    "output" names the sequence of ``h``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)
    >>> output, (h_n, c_n) = lstm(x)
    >>> # the output gate at step 0 (h_{-1} = 0): the 4th of the gates i, f, g, o
    >>> pre = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
    >>> o_0 = torch.sigmoid(pre.chunk(4, dim=-1)[3])
    >>> _, (_, c_0) = lstm(x[:1])  # the cell state after step 0
    >>> torch.testing.assert_close(output[0], o_0 * torch.tanh(c_0[0]))
    >>> torch.allclose(output[0], o_0)
    False
    """
    m = cfg.module()
    x = cfg.input()
    r = run(m, x)
    steps, xs = r.steps, cfg.steps(x)
    assert steps is not None
    h_prev = torch.zeros_like(steps[0])
    for t in range(cfg.seq_len):
        c_t = run(m, cfg.first_steps(x, t + 1)).c
        assert c_t is not None
        pre = xs[t] @ parameter(m, "weight_ih_l0").T + h_prev @ parameter(m, "weight_hh_l0").T
        if cfg.bias:
            pre = pre + parameter(m, "bias_ih_l0") + parameter(m, "bias_hh_l0")
        o_t = torch.sigmoid(pre.chunk(4, dim=-1)[3])
        h_t = o_t * torch.tanh(c_t[0])
        if cfg.proj_size:
            h_t = h_t @ parameter(m, "weight_hr_l0").T
        ck.same(steps[t], h_t, f"output[{t}] vs o_t * tanh(c_t)")
        if not cfg.proj_size:
            ck.differ(steps[t], o_t, f"output[{t}] vs the gate o_t")
        h_prev = steps[t]
