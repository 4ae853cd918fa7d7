"""Troubleshooting: unpacking and indexing what a module returns. What torch says, and the fix."""

from __future__ import annotations

from typing import Any

import torch

from ..configs import Config, Returned, run
from ..registry import Checker, claim
from ..scope import (
    BATCHED,
    BIDIRECTIONAL,
    LSTM,
    NOT_LSTM,
    SEVERAL_ROWS,
    SEVERAL_STEPS,
    UNPACKED,
    Condition,
)

#: More than one feature per state: with ``H_out == 1`` (``proj_size=1``) the last axis has size
#: one, and ``view`` can join axes whatever their order in memory.
WIDE = Condition("wide", lambda c: c.h_out > 1, trait="with H_out > 1")

#: A batch of more than one sequence (unbatched input is one sequence).
MANY_SEQUENCES = Condition(
    "more than one sequence",
    lambda c: c.batched and c.batch > 1,
    clause="over a batch of more than one sequence",
)

#: What Python says when ``out, (h, c)`` meets an ``h_n`` of one row, or of more than two.
UNPACK_TWO = (
    r"^not enough values to unpack \(expected 2, got 1\)$"
    r"|^too many values to unpack \(expected 2(?:, got \d+)?\)$"
)

#: What torch says when ``view`` cannot give the shape without copying.
VIEW_STRIDE = (
    r"^view size is not compatible with input tensor's size and stride .*"
    r"Use \.reshape\(\.\.\.\) instead\.$"
)


def _steps(r: Returned) -> torch.Tensor:
    """``r.steps``, which ``run`` always fills: ``(L, N, D * H_out)``."""
    assert r.steps is not None
    return r.steps


def _top_final(cfg: Config, r: Returned) -> torch.Tensor:
    """The top layer's final state read from ``output``, ``(N, D * H_out)``: the forward half
    at each sequence's last step, then (two directions) the backward half at step 0."""
    steps = _steps(r)
    n = steps.shape[1]
    lengths = cfg.lengths or (cfg.seq_len,) * n
    forward = torch.stack([steps[lengths[b] - 1, b, : cfg.h_out] for b in range(n)])
    if cfg.num_directions == 1:
        return forward
    return torch.cat([forward, steps[0, :, cfg.h_out :]], dim=-1)


def _h_c_from(module: Any, x: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """``out, (h, c) = module(x)``: the unpacking an LSTM's return takes."""
    _, (h, c) = module(x)
    return h, c


def _three_from(module: Any, x: Any) -> tuple[Any, Any, Any]:
    """``out, h, c = module(x)``."""
    out, h, c = module(x)
    return out, h, c


@claim("gru-state-unpacked-as-h-c", "structure", NOT_LSTM, message=(ValueError, UNPACK_TWO))
def gru_unpacked_as_h_c(cfg: Config, ck: Checker) -> None:
    """``out, (h, c) = gru(x)``, written as for an LSTM, unpacks the rows of ``h_n``: with one
    row it raises ``ValueError: not enough values to unpack (expected 2, got 1)``, with more
    than two ``too many values to unpack (expected 2)``, and with exactly two rows (two
    layers, or one layer in two directions) it raises nothing and makes ``h`` and ``c`` those
    two rows, neither of them a cell state; the module returns ``(output, h_n)``, so write
    ``output, h_n = gru(x)``.

    >>> import torch
    >>> x = torch.randn(7, 3, 4)
    >>> out, (h, c) = torch.nn.GRU(4, 5)(x)  # 1 layer × 1 direction = 1 row
    Traceback (most recent call last):
    ...
    ValueError: not enough values to unpack (expected 2, got 1)
    >>> out, (h, c) = torch.nn.GRU(4, 5, num_layers=3)(x)  # 3 rows
    Traceback (most recent call last):
    ...
    ValueError: too many values to unpack (expected 2)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2)  # 2 rows: no error
    >>> out, (h, c) = gru(x)
    >>> output, h_n = gru(x)
    >>> torch.equal(h, h_n[0]), torch.equal(c, h_n[1])  # layer 0 and layer 1, no cell state
    (True, True)
    """
    m, x = cfg.module(), cfg.module_input()
    rows = cfg.num_layers * cfg.num_directions
    _, h_n = ck.fixed(lambda: m(x), "output, h_n = gru(x)")
    ck.true(isinstance(h_n, torch.Tensor) and h_n.shape[0] == rows, "h_n is one tensor of rows")
    if rows != 2:
        ck.says(lambda: _h_c_from(m, x), f"out, (h, c) with {rows} rows of h_n")
        return
    h, c = _h_c_from(m, x)  # no error
    ck.equal(h, h_n[0], "h is h_n[0]")
    ck.equal(c, h_n[1], "c is h_n[1]")
    ck.differ(h, h_n[-1], "h vs the last row of h_n")


@claim(
    "lstm-unpacked-as-three-values",
    "structure",
    LSTM,
    message=(ValueError, r"^not enough values to unpack \(expected 3, got 2\)$"),
)
def lstm_unpacked_as_three(cfg: Config, ck: Checker) -> None:
    """``out, h, c = lstm(x)`` raises ``ValueError: not enough values to unpack (expected 3,
    got 2)``: the module returns two values, ``output`` and the tuple ``(h_n, c_n)``; unpack
    the tuple in place, ``output, (h_n, c_n) = lstm(x)``.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)
    >>> out, h, c = lstm(x)
    Traceback (most recent call last):
    ...
    ValueError: not enough values to unpack (expected 3, got 2)
    >>> output, (h_n, c_n) = lstm(x)
    >>> h_n.shape, c_n.shape
    (torch.Size([1, 3, 5]), torch.Size([1, 3, 5]))
    """
    m, x = cfg.module(), cfg.module_input()
    rows = cfg.num_layers * cfg.num_directions
    ck.says(lambda: _three_from(m, x), "out, h, c = lstm(x)")
    h_n, c_n = ck.fixed(lambda: _h_c_from(m, x), "output, (h_n, c_n) = lstm(x)")
    batch = (cfg.batch,) if cfg.batched else ()
    ck.true(h_n.shape == (rows, *batch, cfg.h_out), f"h_n is {tuple(h_n.shape)}")
    ck.true(c_n.shape == (rows, *batch, cfg.hidden_size), f"c_n is {tuple(c_n.shape)}")


@claim("lstm-state-indexed-gives-c-n", "equal", LSTM)
def lstm_state_indexed(cfg: Config, ck: Checker) -> None:
    """the second value it returns is the tuple ``(h_n, c_n)``, so ``state[-1]``, written as
    if ``state`` were ``h_n``, is ``c_n``, the cell state of every layer and direction, and
    nothing fails (its last row is a cell state, not the top layer's hidden state ``h_n[-1]``);
    unpack the tuple,
    ``output, (h_n, c_n) = lstm(x)``, and read the top layer's final state from ``h_n``:
    ``h_n[-1]``, or ``torch.cat([h_n[-2], h_n[-1]], dim=-1)`` for two directions.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> output, state = lstm(torch.randn(7, 3, 4))
    >>> h_n, c_n = state
    >>> torch.equal(state[-1], c_n), state[-1].shape  # all of c_n: (num_layers, N, H)
    (True, torch.Size([2, 3, 5]))
    >>> torch.equal(h_n[-1], output[-1])  # the top layer's final hidden state
    True
    """
    m, x = cfg.module(), cfg.module_input()
    _, state = m(x)
    ck.true(isinstance(state, tuple), f"the state is a {type(state).__name__}")
    r = run(m, x)
    assert r.c_n is not None
    wrong = state[-1]
    ck.equal(wrong, r.c_n, "state[-1] vs c_n")
    ck.differ(wrong[-1], r.h_n[-1], "state[-1][-1] vs the top layer's hidden state h_n[-1]")
    h_n, _ = state
    h = h_n if cfg.batched else h_n.unsqueeze(1)
    right = h[-1] if cfg.num_directions == 1 else torch.cat([h[-2], h[-1]], dim=-1)
    ck.equal(right, _top_final(cfg, r), "h_n's top rows vs output's final steps")


@claim("bidirectional-h-n-last-row-is-backward", "equal", BIDIRECTIONAL)
def bidirectional_h_n_last(cfg: Config, ck: Checker) -> None:
    """``h_n[-1]`` is only the top layer's backward direction, which ran from the last step
    back to step 0 (it is ``output[0]``'s backward half), and nothing says so: its shape is
    ``(N, H_out)``, as for one direction; ``torch.cat([h_n[-2], h_n[-1]], dim=-1)`` joins the
    forward direction's final state to it, ``(N, 2 * H_out)``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2, bidirectional=True)
    >>> output, h_n = gru(torch.randn(7, 3, 4))
    >>> torch.equal(h_n[-1], output[0, :, 5:]), torch.equal(h_n[-2], output[-1, :, :5])
    (True, True)
    >>> torch.cat([h_n[-2], h_n[-1]], dim=-1).shape  # forward ‖ backward
    torch.Size([3, 10])
    """
    r = run(cfg.module(), cfg.module_input())
    h, steps = r.h, _steps(r)
    ck.true(h[-1].shape == (steps.shape[1], cfg.h_out), f"h_n[-1] is {tuple(h[-1].shape)}")
    ck.equal(h[-1], steps[0, :, cfg.h_out :], "h_n[-1] vs output[0]'s backward half")
    final = _top_final(cfg, r)
    ck.differ(h[-1], final[:, : cfg.h_out], "h_n[-1] vs the forward direction's final state")
    ck.equal(torch.cat([h[-2], h[-1]], dim=-1), final, "h_n[-2] ‖ h_n[-1] vs both final states")


@claim("last-step-index-depends-on-layout", "equal", BATCHED & UNPACKED & SEVERAL_STEPS)
def last_step_index(cfg: Config, ck: Checker) -> None:
    """``output[:, -1]`` on time-major ``output`` (``batch_first=False``, ``(L, N, D *
    H_out)``) is the last sequence of the batch at every step, ``(L, D * H_out)``, not the last
    step, and ``output[-1]`` on ``batch_first`` output likewise; neither raises; index the time
    axis: ``output[-1]`` time-major, ``output[:, -1]`` with ``batch_first``, whose first
    ``H_out`` features are the top layer's forward final state ``h_n[-D]``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)  # batch_first=False: output is (L, N, H)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))  # L=7, N=3
    >>> output[:, -1].shape  # sequence 2 at every step: (L, H)
    torch.Size([7, 5])
    >>> output[-1].shape, torch.equal(output[-1], h_n[-1])  # the last step: (N, H)
    (torch.Size([3, 5]), True)
    """
    r = run(cfg.module(), cfg.module_input())
    out = r.output
    ck.true(isinstance(out, torch.Tensor), f"output is a {type(out).__name__}")
    wrong = out[-1] if cfg.batch_first else out[:, -1]
    steps = _steps(r)
    ck.equal(wrong, steps[:, -1], "the other layout's index vs the last sequence's steps")
    forward = r.h[-cfg.num_directions]
    ck.differ(wrong[..., : cfg.h_out], forward, "the other layout's index vs the final state")
    right = out[:, -1] if cfg.batch_first else out[-1]
    ck.equal(right[..., : cfg.h_out], forward, "the time axis's last step vs h_n[-D]")


@claim("h-n-viewed-per-sequence-mixes-batch", "equal", SEVERAL_ROWS & MANY_SEQUENCES)
def h_n_view_mixes(cfg: Config, ck: Checker) -> None:
    """``h_n.view(N, -1)`` (or ``h_n.reshape(N, -1)``), to get one feature vector per
    sequence, mixes the sequences: ``h_n`` is ``(num_layers * num_directions, N, H_out)``, so
    row ``b`` of the result holds states of other sequences, and nothing fails, as the shape is
    the one wanted; ``h_n.permute(1, 0, 2).reshape(N, -1)`` puts batch first and gives row
    ``b`` sequence ``b``'s rows of ``h_n``, one after another.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2)
    >>> output, h_n = gru(torch.randn(7, 3, 4))  # h_n: (2, N=3, 5)
    >>> wrong, right = h_n.view(3, -1), h_n.permute(1, 0, 2).reshape(3, -1)
    >>> wrong.shape == right.shape, torch.equal(wrong, right)
    (True, False)
    >>> torch.equal(right[0], torch.cat([h_n[0, 0], h_n[1, 0]]))  # sequence 0, both layers
    True
    """
    h_n = run(cfg.module(), cfg.module_input()).h_n
    n = cfg.batch
    wrong = h_n.view(n, -1)
    ck.equal(h_n.reshape(n, -1), wrong, "reshape vs view")
    right = h_n.permute(1, 0, 2).reshape(n, -1)
    ck.differ(wrong, right, "h_n.view(N, -1) vs batch first")
    for b in range(n):
        ck.equal(right[b], torch.cat(list(h_n[:, b])), f"row {b} vs sequence {b}'s rows")


@claim(
    "view-after-permute-needs-reshape",
    "structure",
    SEVERAL_ROWS & WIDE & MANY_SEQUENCES,
    message=(RuntimeError, VIEW_STRIDE),
)
def view_after_permute(cfg: Config, ck: Checker) -> None:
    """``h_n.permute(1, 0, 2).view(N, -1)`` (or ``h_n.transpose(0, 1).view(N, -1)``) raises a
    ``RuntimeError``, ``view size is not compatible with input tensor's size and stride``:
    ``permute`` and ``transpose`` only reorder the axes of the same memory, and ``view`` cannot
    join axes whose elements do not lie one after another there; ``reshape(N, -1)``, which
    copies when it must, or ``.contiguous().view(N, -1)``, gives the ``(N, num_layers *
    num_directions * H_out)`` wanted.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5, num_layers=2)
    >>> output, h_n = gru(torch.randn(7, 3, 4))  # h_n: (2, N=3, 5)
    >>> h_n.permute(1, 0, 2).view(3, -1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: view size is not compatible with input tensor's size and stride ...
    >>> h_n.permute(1, 0, 2).reshape(3, -1).shape
    torch.Size([3, 10])
    """
    h_n = run(cfg.module(), cfg.module_input()).h_n
    n = cfg.batch
    permuted = h_n.permute(1, 0, 2)
    same = permuted.data_ptr() == h_n.data_ptr() and not permuted.is_contiguous()
    ck.true(same, "permute reorders the axes of the same memory")
    ck.says(lambda: permuted.view(n, -1), "permute, then view")
    ck.says(lambda: h_n.transpose(0, 1).view(n, -1), "transpose, then view")
    reshaped = ck.fixed(lambda: h_n.permute(1, 0, 2).reshape(n, -1), "permute, then reshape")
    viewed = ck.fixed(lambda: h_n.transpose(0, 1).contiguous().view(n, -1), "contiguous, view")
    ck.true(reshaped.shape == (n, h_n.shape[0] * cfg.h_out), f"{tuple(reshaped.shape)}")
    ck.equal(viewed, reshaped, "contiguous().view vs reshape")
    for b in range(n):
        ck.equal(reshaped[b], torch.cat(list(h_n[:, b])), f"row {b} vs sequence {b}'s rows")
