"""Troubleshooting: the cells, RNNCell, LSTMCell and GRUCell. What torch says, and the fix."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..configs import Config
from ..registry import Checker, claim
from ..scope import BATCHED, LSTM, NO_PROJECTION, NOT_LSTM, ONE_LAYER, UNIDIRECTIONAL, UNPACKED

#: The configurations a cell stands for: a cell has no layers, directions, projection or
#: packing of its own, so a cell claim walks the configurations of a module a cell is one step
#: of, and builds the cell from ``cfg.kind``, ``cfg.input_size``, ``cfg.hidden_size``,
#: ``cfg.bias``, ``cfg.nonlinearity`` and ``cfg.dtype``.
CELL = ONE_LAYER & UNIDIRECTIONAL & NO_PROJECTION & UNPACKED


def _cell(cfg: Config) -> nn.RNNCellBase:
    """The cell of ``cfg``'s kind and sizes, seeded by ``cfg.seed``."""
    cls: dict[str, type[nn.RNNCellBase]] = {
        "RNN": nn.RNNCell,
        "LSTM": nn.LSTMCell,
        "GRU": nn.GRUCell,
    }
    kwargs: dict[str, Any] = {"nonlinearity": cfg.nonlinearity} if cfg.kind == "RNN" else {}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        cell = cls[cfg.kind](cfg.input_size, cfg.hidden_size, bias=cfg.bias, **kwargs)
    return cell.to(dtype=cfg.dtype, device=cfg.device)


def _first_step(cfg: Config) -> torch.Tensor:
    """The input's first step: ``(N, H_in)``, or ``(H_in,)`` for unbatched input."""
    return cfg.time_major(cfg.input())[0]


def _h(state: Any) -> torch.Tensor:
    """``h`` of a cell's state: the state itself, or the first of LSTM's ``(h, c)``."""
    h: torch.Tensor = state[0] if isinstance(state, tuple) else state
    return h


@claim(
    "cell-takes-one-step",
    "structure",
    CELL & BATCHED,
    message=(ValueError, r"^(RNN|LSTM|GRU)Cell: Expected input to be 1D or 2D, got 3D instead"),
)
def whole_sequence(cfg: Config, ck: Checker) -> None:
    """a whole sequence, ``(L, N, H_in)``, fed to ``RNNCell``, ``LSTMCell`` or ``GRUCell`` is
    refused with a ``ValueError``: a cell computes one step, from an input ``(N, H_in)``; a loop
    over the time axis that feeds each step and the state back in runs (an unbatched sequence,
    ``(L, H_in)``, is not refused: the cell takes it as a batch of ``L`` first steps).

    >>> import torch
    >>> cell = torch.nn.LSTMCell(4, 5)
    >>> x = torch.randn(7, 3, 4)  # (L, N, H_in)
    >>> cell(x)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: LSTMCell: Expected input to be 1D or 2D, got 3D instead
    >>> state, steps = None, []
    >>> for x_t in x:  # (N, H_in) each
    ...     state = cell(x_t, state)
    ...     steps.append(state[0])
    >>> torch.stack(steps).shape
    torch.Size([7, 3, 5])
    """
    cell, x = _cell(cfg), cfg.input()
    ck.says(lambda: cell(x), "the whole batched sequence")

    def loop() -> torch.Tensor:
        state, steps = None, []
        for x_t in cfg.time_major(x):
            state = cell(x_t, state)
            steps.append(_h(state))
        return torch.stack(steps)

    steps = ck.fixed(loop, "a loop over the steps")
    ck.true(steps.shape == (cfg.seq_len, cfg.batch, cfg.hidden_size), "one h per step and row")
    seq = cfg.input(batched=False)  # (L, H_in)
    h = _h(ck.fixed(lambda: cell(seq), "an unbatched sequence"))
    ck.true(h.shape == (cfg.seq_len, cfg.hidden_size), "an unbatched sequence is L rows")


@claim(
    "lstm-cell-state-is-a-pair",
    "structure",
    CELL & LSTM & BATCHED,
    message=(
        TypeError,
        r"^lstm_cell\(\): argument 'hx' \(position 2\) must be tuple of Tensors, not Tensor",
    ),
)
def lone_h(cfg: Config, ck: Checker) -> None:
    """``LSTMCell`` given a lone ``h`` as its state, ``cell(x_t, h)``, raises a ``TypeError``
    that asks for a tuple: its state is the pair ``(h, c)``; passing ``(h, c)`` (or nothing, for
    zeros) runs, and returns a new pair.

    >>> import torch
    >>> cell = torch.nn.LSTMCell(4, 5)
    >>> x_t, h = torch.randn(3, 4), torch.zeros(3, 5)
    >>> cell(x_t, h)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor
    >>> h, c = cell(x_t, (h, torch.zeros(3, 5)))
    >>> h.shape, c.shape
    (torch.Size([3, 5]), torch.Size([3, 5]))
    """
    cell, x_t = _cell(cfg), _first_step(cfg)
    h = x_t.new_zeros(cfg.batch, cfg.hidden_size)
    ck.says(lambda: cell(x_t, h), "a lone h")
    state = ck.fixed(lambda: cell(x_t, (h, torch.zeros_like(h))), "the pair (h, c)")
    ck.true(isinstance(state, tuple) and len(state) == 2, "the cell returns a pair")
    ck.true(all(s.shape == h.shape for s in state), "h and c of the state's shape")
    ck.fixed(lambda: cell(x_t), "no state")


@claim(
    "cell-state-is-one-tensor",
    "structure",
    CELL & NOT_LSTM,
    message=(AttributeError, r"'tuple' object has no attribute 'dim'"),
)
def tuple_state(cfg: Config, ck: Checker) -> None:
    """``RNNCell`` or ``GRUCell`` given a tuple as its state (``(h, c)`` from LSTM code, or
    ``(h,)``) fails with an ``AttributeError`` that names no argument: its state is ``h``
    alone, a tensor; passing ``h`` runs, and returns the new ``h``.

    >>> import torch
    >>> cell = torch.nn.GRUCell(4, 5)
    >>> x_t, h = torch.randn(3, 4), torch.zeros(3, 5)
    >>> cell(x_t, (h, h))
    Traceback (most recent call last):
    ...
    AttributeError: 'tuple' object has no attribute 'dim'
    >>> cell(x_t, h).shape
    torch.Size([3, 5])
    """
    cell, x_t = _cell(cfg), _first_step(cfg)
    h = x_t.new_zeros(*x_t.shape[:-1], cfg.hidden_size)
    ck.says(lambda: cell(x_t, (h, torch.zeros_like(h))), "a pair (h, c)")
    ck.says(lambda: cell(x_t, (h,)), "a one-tuple (h,)")
    new = ck.fixed(lambda: cell(x_t, h), "h alone")
    ck.true(isinstance(new, torch.Tensor) and new.shape == h.shape, "the new h, h's shape")


def _unpack_as_module(cell: nn.RNNCellBase, x_t: torch.Tensor) -> None:
    """Unpack a cell's result as a module's: ``output, h_n`` (``output, (h_n, c_n)``)."""
    if isinstance(cell, nn.LSTMCell):
        _output, (_h_n, _c_n) = cell(x_t)
    else:
        _output, _h_n = cell(x_t)


@claim(
    "cell-returns-state-only",
    "structure",
    CELL,
    message=(
        ValueError,
        r"^too many values to unpack \(expected 2|^not enough values to unpack \(expected 2, got 1",
    ),
)
def unpack_as_module(cfg: Config, ck: Checker) -> None:
    """unpacking a cell's result as a module's, ``output, (h, c) = lstm_cell(x_t)`` or
    ``output, h = gru_cell(x_t)``, fails with Python's ``ValueError`` about the number of values
    to unpack: a cell returns only its new state, ``(h, c)`` or ``h``, and the step's output is
    that ``h``; Python then unpacks a tensor along its first axis, so where that axis has two
    rows (a batch of two) the line runs and names rows wrongly. ``h, c = lstm_cell(x_t)`` (or
    ``h = gru_cell(x_t)``) runs.

    >>> import torch
    >>> cell = torch.nn.LSTMCell(4, 5)
    >>> x_t = torch.randn(3, 4)  # one step of 3 sequences
    >>> output, (h, c) = cell(x_t)
    Traceback (most recent call last):
    ...
    ValueError: too many values to unpack (expected 2)
    >>> h, c = cell(x_t)
    >>> h.shape, c.shape
    (torch.Size([3, 5]), torch.Size([3, 5]))
    """
    cell, x_t = _cell(cfg), _first_step(cfg)
    rows = x_t.shape[0] if x_t.dim() == 2 else cfg.hidden_size  # of the tensor Python unpacks
    if rows == 2:
        ck.fixed(lambda: _unpack_as_module(cell, x_t), "two rows unpack without an error")
    else:
        ck.says(lambda: _unpack_as_module(cell, x_t), "unpacked as output and state")
    state = ck.fixed(lambda: cell(x_t), "the state alone")
    shape = (*x_t.shape[:-1], cfg.hidden_size)
    if cfg.kind == "LSTM":
        ck.true(isinstance(state, tuple) and len(state) == 2, "LSTMCell returns (h, c)")
        ck.true(all(s.shape == shape for s in state), "h and c, one row per sequence")
    else:
        ck.true(isinstance(state, torch.Tensor) and state.shape == shape, "the cell returns h")
    two = _first_step(cfg.with_(batch=2, batched=True, lengths=None, enforce_sorted=False))
    ck.fixed(lambda: _unpack_as_module(cell, two), "a batch of two unpacks without an error")


@claim(
    "cell-state-batch-must-match",
    "structure",
    CELL & BATCHED,
    message=(RuntimeError, r"^Input batch size \d+ doesn't match hidden[01] batch size \d+$"),
)
def batch_mismatch(cfg: Config, ck: Checker) -> None:
    """a cell given a state with another number of rows than the step's input (a state kept
    from a batch of another size) raises a ``RuntimeError`` that gives both sizes (``hidden0``
    is ``h``, ``hidden1`` is LSTM's ``c``); a state of the input's batch size, such as
    ``x_t.new_zeros(x_t.shape[0], hidden_size)`` or no state at all, runs.

    >>> import torch
    >>> cell = torch.nn.GRUCell(4, 5)
    >>> x_t, h = torch.randn(3, 4), torch.zeros(2, 5)  # h from a batch of 2
    >>> cell(x_t, h)
    Traceback (most recent call last):
    ...
    RuntimeError: Input batch size 3 doesn't match hidden0 batch size 2
    >>> cell(x_t, x_t.new_zeros(x_t.shape[0], 5)).shape
    torch.Size([3, 5])
    """
    cell, x_t = _cell(cfg), _first_step(cfg)
    n, size = x_t.shape[0], cfg.hidden_size
    wrong, right = x_t.new_zeros(n + 1, size), x_t.new_zeros(n, size)
    if cfg.kind == "LSTM":
        ck.says(lambda: cell(x_t, (wrong, wrong)), "h and c of another batch size")
        ck.says(lambda: cell(x_t, (right, wrong)), "c of another batch size")
        state = ck.fixed(lambda: cell(x_t, (right, right)), "h and c of the input's batch size")
    else:
        ck.says(lambda: cell(x_t, wrong), "h of another batch size")
        state = ck.fixed(lambda: cell(x_t, right), "h of the input's batch size")
    ck.true(_h(state).shape == (n, size), "one row of h per sequence")
    ck.fixed(lambda: cell(x_t), "no state")
