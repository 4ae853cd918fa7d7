"""Troubleshooting: shapes of the input and of the initial state. What torch says, and the fix."""

from __future__ import annotations

import re
from typing import Any

import torch

from ..configs import Config, Returned, run
from ..registry import Checker, claim
from ..scope import (
    BATCHED,
    LSTM,
    NOT_LSTM,
    ONE_LAYER,
    PROJECTED,
    SEVERAL_ROWS,
    UNIDIRECTIONAL,
    UNPACKED,
    Condition,
)

#: The state's rows are not as many as the sequences: a state with its first two axes swapped
#: then has another shape (when they are as many, it has the same shape, and runs).
ROWS_NOT_BATCH = Condition(
    "rows are not the batch size",
    lambda c: c.num_layers * (2 if c.bidirectional else 1) != c.batch,
    clause="when num_layers * num_directions is not the batch size N",
)

#: What torch says when the state's shape is not the one the input asks for.
HIDDEN_SIZE = r"^Expected hidden(?:\[0\])? size \(\d+, \d+, \d+\), got \[\d+, \d+, \d+\]$"


def _each(state: Any, f: Any) -> Any:
    """``f`` applied to ``h0``, or to both of an LSTM's ``(h0, c0)``."""
    return tuple(f(s) for s in state) if isinstance(state, tuple) else f(state)


def _steps(returned: Returned) -> torch.Tensor:
    """``returned.steps``, which ``run`` always fills: ``(L, N, D * H_out)``."""
    assert returned.steps is not None
    return returned.steps


def _raised(call: Any) -> str:
    """The text of the exception ``call()`` raises."""
    try:
        call()
    except Exception as err:
        return str(err)
    raise AssertionError("nothing was raised")


@claim(
    "input-features-must-match-input-size",
    "structure",
    UNPACKED,
    message=(
        RuntimeError,
        r"^input\.size\(-1\) must be equal to input_size\. Expected \d+, got \d+$",
    ),
)
def feature_size(cfg: Config, ck: Checker) -> None:
    """input whose last axis does not hold ``input_size`` features is refused with a
    ``RuntimeError`` that gives both sizes; it runs once the features lie on the last axis
    (``x.transpose(-1, -2)`` for a ``Conv1d``'s output, ``(N, C, L)``) and the module is built
    with ``input_size`` equal to their number, ``x.size(-1)``.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, batch_first=True)
    >>> x = torch.randn(3, 4, 7)  # (N, C, L), as a Conv1d gives it
    >>> lstm(x)
    Traceback (most recent call last):
    ...
    RuntimeError: input.size(-1) must be equal to input_size. Expected 4, got 7
    >>> output, (h_n, c_n) = lstm(x.transpose(-1, -2))  # (N, L, C)
    >>> output.shape
    torch.Size([3, 7, 5])
    """
    m, x = cfg.module(), cfg.input()
    if x.size(-2) != cfg.input_size:  # else the swapped input still ends in input_size
        wrong = x.transpose(-1, -2)  # features on the axis before the last
        ck.says(lambda: m(wrong), "features on the second-to-last axis")
        out = ck.fixed(lambda: m(wrong.transpose(-1, -2)), "features moved to the last axis")
        ck.same(out[0], m(x)[0], "output of the moved features")
    fed = cfg.module_input()  # packed, where the configuration is
    other = cfg.with_(input_size=cfg.input_size + 1).module()
    ck.says(lambda: other(fed), "a module built for another input_size")
    built = cfg.with_(input_size=x.size(-1)).module()
    ck.fixed(lambda: built(fed), "a module built with input_size=x.size(-1)")


@claim(
    "input-must-be-2d-or-3d",
    "structure",
    message=(
        ValueError,
        r"(?:RNN|LSTM|GRU): Expected input to be 2D or 3D, got \d+D (?:tensor )?instead",
    ),
)
def input_axes(cfg: Config, ck: Checker) -> None:
    """an input tensor with four axes (token ids shaped ``(L, N, 1)`` through an
    ``nn.Embedding``, say) or with one is refused with a ``ValueError`` that gives its number of
    axes; the module reads a batch, ``(L, N, H_in)`` (``(N, L, H_in)`` with
    ``batch_first=True``), or one sequence, ``(L, H_in)``: ``squeeze`` the extra axis away, and
    make a lone vector one step of one sequence with ``unsqueeze(0)``.

    >>> import torch
    >>> gru, embed = torch.nn.GRU(4, 5), torch.nn.Embedding(10, 4)
    >>> ids = torch.randint(0, 10, (7, 3, 1))  # (L, N, 1)
    >>> gru(embed(ids))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: GRU: Expected input to be 2D or 3D, got 4D instead
    >>> output, h_n = gru(embed(ids.squeeze(-1)))
    >>> output.shape
    torch.Size([7, 3, 5])
    """
    m, x = cfg.module(), cfg.input(batched=True)  # unbatched, (L, 1, H_in) would be a batch
    x4 = x.unsqueeze(-2)  # a size-1 axis before the features
    ck.says(lambda: m(x4), "a 4-D input")
    out = ck.fixed(lambda: m(x4.squeeze(-2)), "the size-1 axis squeezed")
    ck.same(out[0], m(x)[0], "output of the squeezed input")
    x1 = x.reshape(-1, cfg.input_size)[0]  # one vector of features
    ck.says(lambda: m(x1), "a 1-D input")
    out = ck.fixed(lambda: m(x1.unsqueeze(0)), "the vector as one step")
    ck.true(out[0].shape == (1, cfg.num_directions * cfg.h_out), "one step of one sequence")


@claim(
    "batch-major-initial-state-is-refused",
    "structure",
    BATCHED & UNPACKED & ROWS_NOT_BATCH,
    message=(RuntimeError, HIDDEN_SIZE),
)
def batch_major_state(cfg: Config, ck: Checker) -> None:
    """an initial state laid out batch first, ``(N, num_layers * num_directions, H_out)`` (which
    ``batch_first=True`` does not ask for), is refused with a ``RuntimeError`` that gives the
    shape it expects, ``(num_layers * num_directions, N, H_out)``; ``h0.permute(1, 0, 2)`` (and
    ``c0``'s) makes it run with each sequence's own state, while ``reshape`` or ``view`` to that
    shape runs with the states of different sequences mixed, whenever there are several
    sequences and several rows.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5, num_layers=2, batch_first=True)
    >>> x, h0 = torch.randn(3, 7, 4), torch.randn(3, 2, 5)  # h0 made (N, layers, H)
    >>> gru(x, h0)
    Traceback (most recent call last):
    ...
    RuntimeError: Expected hidden size (2, 3, 5), got [3, 2, 5]
    >>> output, h_n = gru(x, h0.permute(1, 0, 2))
    >>> h_n.shape
    torch.Size([2, 3, 5])
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    right = run(m, x, state)
    batch_major = _each(state, lambda s: s.transpose(0, 1).contiguous())
    ck.says(lambda: m(x, batch_major), "a batch-major state")
    permuted = _each(batch_major, lambda s: s.permute(1, 0, 2))
    got = ck.fixed(lambda: run(m, x, permuted), "the state permuted")
    ck.same(_steps(got), _steps(right), "output from the permuted state")
    ck.same(got.h, right.h, "h_n from the permuted state")
    rows = cfg.num_layers * cfg.num_directions
    if rows > 1 and cfg.batch > 1:
        viewed = _each(batch_major, lambda s: s.reshape(rows, cfg.batch, -1))
        mixed = ck.fixed(lambda: run(m, x, viewed), "the state reshaped")
        ck.differ(_steps(mixed), _steps(right), "output from the reshaped state")


@claim(
    "initial-state-batch-must-match-input",
    "structure",
    BATCHED & UNPACKED,
    message=(RuntimeError, HIDDEN_SIZE),
)
def state_batch(cfg: Config, ck: Checker) -> None:
    """an initial state made once for a batch of ``N`` sequences meeting a batch of another
    number of them (a ``DataLoader``'s smaller last batch) is refused with a ``RuntimeError``
    whose expected shape has the input's batch size; making the state from each batch
    (``x.size(0)`` sequences with ``batch_first=True``, ``x.size(1)`` without) makes it run, and
    so does slicing the state to the batch, ``h0[:, :n]``.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5)
    >>> h0 = torch.zeros(1, 3, 5)  # made for batches of 3
    >>> x = torch.randn(7, 2, 4)  # the last batch has 2
    >>> gru(x, h0)
    Traceback (most recent call last):
    ...
    RuntimeError: Expected hidden size (1, 2, 5), got [1, 3, 5]
    >>> output, h_n = gru(x, torch.zeros(1, x.size(1), 5))
    >>> h_n.shape
    torch.Size([1, 2, 5])
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    n = x.size(0 if cfg.batch_first else 1) if isinstance(x, torch.Tensor) else cfg.batch
    bigger = _each(state, lambda s: torch.cat([s, s[:, :1]], 1))  # made for n + 1 sequences
    ck.says(lambda: m(x, bigger), "a state made for one sequence more")
    sliced = ck.fixed(lambda: run(m, x, _each(bigger, lambda s: s[:, :n])), "the state sliced")
    ck.same(_steps(sliced), _steps(run(m, x, state)), "output from the sliced state")
    zeros = _each(state, lambda s: s.new_zeros(s.size(0), n, s.size(2)))
    made = ck.fixed(lambda: run(m, x, zeros), "a state made from the input's batch size")
    ck.same(_steps(made), _steps(run(m, x)), "output from zeros made for the batch")


@claim(
    "initial-state-rows-must-match-layers",
    "structure",
    UNPACKED,
    message=(RuntimeError, HIDDEN_SIZE),
)
def state_rows(cfg: Config, ck: Checker) -> None:
    """an initial state whose first axis is not ``num_layers * num_directions`` (made with one
    row for a stacked module, or ``num_layers`` rows for a bidirectional one) is refused with a
    ``RuntimeError`` that gives the expected shape first, starting with the module's number of
    rows, then the state's, starting with its own; making the state with
    ``num_layers * (2 if bidirectional else 1)`` rows makes it run.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> x = torch.randn(7, 3, 4)
    >>> h0 = c0 = torch.zeros(1, 3, 5)  # one row, but the module has two layers
    >>> lstm(x, (h0, c0))
    Traceback (most recent call last):
    ...
    RuntimeError: Expected hidden[0] size (2, 3, 5), got [1, 3, 5]
    >>> h0 = c0 = torch.zeros(lstm.num_layers * (2 if lstm.bidirectional else 1), 3, 5)
    >>> output, (h_n, c_n) = lstm(x, (h0, c0))
    >>> h_n.shape
    torch.Size([2, 3, 5])
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    rows = cfg.num_layers * (2 if cfg.bidirectional else 1)
    wrong = {rows + 1: _each(state, lambda s: torch.cat([s, s[:1]], 0))}  # one row too many
    if rows > 1:
        wrong[1] = _each(state, lambda s: s[:1])  # one row, as for one layer
        wrong[rows - 1] = _each(state, lambda s: s[:-1])
    if cfg.bidirectional:
        wrong[cfg.num_layers] = _each(state, lambda s: s[: cfg.num_layers])  # a row per layer

    def call_with(bad: Any) -> Any:
        return lambda: m(x, bad)

    for given, bad in wrong.items():
        text = ck.says(call_with(bad), f"a state of {given} rows")
        shapes = re.match(r"Expected hidden(?:\[0\])? size \((\d+), .*\), got \[(\d+), ", text)
        ck.true(
            shapes is not None and (int(shapes[1]), int(shapes[2])) == (rows, given),
            f"the message gives the module's rows, then the state's: {text}",
        )
    made = _each(state, lambda s: s.new_zeros(rows, *s.shape[1:]))
    got = ck.fixed(lambda: run(m, x, made), "a state of num_layers * num_directions rows")
    ck.same(_steps(got), _steps(run(m, x)), "output from zeros of that many rows")


@claim(
    "state-and-input-must-agree-on-batching",
    "structure",
    UNPACKED,
    message=(
        RuntimeError,
        r"^For (?:unbatched 2-D|batched 3-D) input, hx (?:and cx )?should also be [23]-D but got",
    ),
)
def state_batching(cfg: Config, ck: Checker) -> None:
    """an unbatched input, ``(L, H_in)``, with a 3-D state, ``(rows, 1, H_out)``, or a batched
    input with a 2-D state, ``(rows, H_out)``, is refused with a ``RuntimeError`` that says
    which the input is and what the state should be; ``h0.squeeze(1)`` makes the state of one
    unbatched sequence, and ``h0.unsqueeze(1).expand(-1, N, -1)`` gives a 2-D state to each of
    ``N`` sequences.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5)
    >>> x, h0 = torch.randn(7, 4), torch.zeros(1, 1, 5)  # one sequence, a batch-of-one state
    >>> gru(x, h0)
    Traceback (most recent call last):
    ...
    RuntimeError: For unbatched 2-D input, hx should also be 2-D but got 3-D tensor
    >>> output, h_n = gru(x, h0.squeeze(1))
    >>> h_n.shape
    torch.Size([1, 5])
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    right = run(m, x, state)
    if not cfg.batched:
        three = _each(state, lambda s: s.unsqueeze(1))
        ck.says(lambda: m(x, three), "unbatched input, a 3-D state")
        got = ck.fixed(lambda: run(m, x, _each(three, lambda s: s.squeeze(1))), "squeezed")
        ck.same(_steps(got), _steps(right), "output from the squeezed state")
        return
    two = _each(state, lambda s: s[:, 0])  # the first sequence's state alone
    ck.says(lambda: m(x, two), "batched input, a 2-D state")
    spread = _each(two, lambda s: s.unsqueeze(1).expand(-1, cfg.batch, -1))
    got = ck.fixed(lambda: run(m, x, spread), "the 2-D state expanded to the batch")
    ck.same(_steps(got)[:, 0], _steps(right)[:, 0], "the first sequence's output")


@claim(
    "lstm-state-is-a-pair",
    "structure",
    LSTM & ONE_LAYER & UNIDIRECTIONAL & UNPACKED,
    message=(IndexError, r"^index 1 is out of bounds for dimension 0 with size 1$"),
)
def lone_lstm_state(cfg: Config, ck: Checker) -> None:
    """``h0`` passed alone, without ``c0``, is refused with an ``IndexError`` that names neither:
    the module reads its state as the pair ``(h0, c0)``, and ``h0[1]``, which it takes for
    ``c0``, is not there in a state of one row; passing the pair, with a ``c0`` of ``h0``'s
    shape but ``hidden_size`` wide (zeros where there is no cell state to carry), makes it run.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x, h0 = torch.randn(7, 3, 4), torch.zeros(1, 3, 5)
    >>> lstm(x, h0)
    Traceback (most recent call last):
    ...
    IndexError: index 1 is out of bounds for dimension 0 with size 1
    >>> output, (h_n, c_n) = lstm(x, (h0, torch.zeros(1, 3, 5)))
    >>> c_n.shape
    torch.Size([1, 3, 5])
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    h0 = state[0] if isinstance(state, tuple) else state
    text = ck.says(lambda: m(x, h0), "h0 alone")
    ck.true(text == _raised(lambda: h0[1]), "the message is h0[1]'s")
    zeros = h0.new_zeros(*h0.shape[:-1], cfg.hidden_size)
    got = ck.fixed(lambda: run(m, x, (h0, zeros)), "the pair (h0, zeros)")
    ck.true(got.c is not None and got.c.size(-1) == cfg.hidden_size, "c_n is hidden_size wide")


@claim(
    "lstm-lone-state-of-several-rows",
    "structure",
    LSTM & SEVERAL_ROWS & UNPACKED,
    message=(
        RuntimeError,
        r"^For (?:unbatched 2-D|batched 3-D) input, hx and cx should also be [23]-D"
        r" but got \([12]-D, [12]-D\) tensors$",
    ),
)
def lone_state_rows(cfg: Config, ck: Checker) -> None:
    """``h0`` passed alone, without ``c0``, is refused with a ``RuntimeError`` that says
    ``hx`` and ``cx`` have one axis too few: the module takes ``h0[0]`` and ``h0[1]``, its first
    two rows, for the pair; passing the pair ``(h0, c0)`` makes it run.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> x, h0 = torch.randn(7, 3, 4), torch.zeros(2, 3, 5)
    >>> lstm(x, h0)
    Traceback (most recent call last):
    ...
    RuntimeError: For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors
    >>> output, (h_n, c_n) = lstm(x, (h0, torch.zeros(2, 3, 5)))
    >>> c_n.shape
    torch.Size([2, 3, 5])
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    h0 = state[0] if isinstance(state, tuple) else state
    text = ck.says(lambda: m(x, h0), "h0 alone")
    ck.true(f"({h0[0].dim()}-D, {h0[1].dim()}-D)" in text, "the axes counted are h0[0]'s, h0[1]'s")
    zeros = h0.new_zeros(*h0.shape[:-1], cfg.hidden_size)
    got = ck.fixed(lambda: run(m, x, (h0, zeros)), "the pair (h0, zeros)")
    ck.true(got.c is not None and got.c.size(-1) == cfg.hidden_size, "c_n is hidden_size wide")


@claim(
    "rnn-gru-state-is-one-tensor",
    "structure",
    NOT_LSTM,
    message=(AttributeError, r"^'tuple' object has no attribute '\w+'$"),
)
def tuple_state(cfg: Config, ck: Checker) -> None:
    """a tuple passed as the state (a pair ``(h0, c0)`` as an LSTM takes, or ``(h0,)``) is
    refused with an ``AttributeError`` about a ``'tuple'`` object, which the module used as
    a tensor; the state of an RNN or GRU is one tensor, ``h0``, passed as it is.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5)
    >>> x, h0 = torch.randn(7, 3, 4), torch.zeros(1, 3, 5)
    >>> gru(x, (h0, h0))
    Traceback (most recent call last):
    ...
    AttributeError: 'tuple' object has no attribute 'dim'
    >>> output, h_n = gru(x, h0)
    >>> h_n.shape
    torch.Size([1, 3, 5])
    """
    m, x, h0 = cfg.module(), cfg.module_input(), cfg.initial_state()
    ck.says(lambda: m(x, (h0, h0)), "a pair of states")
    ck.says(lambda: m(x, (h0,)), "a tuple of one state")
    got = ck.fixed(lambda: run(m, x, h0), "h0 alone")
    ck.true(got.c_n is None, "one state back")


@claim(
    "projected-lstm-state-widths",
    "structure",
    LSTM & PROJECTED & UNPACKED,
    message=(
        RuntimeError,
        r"^Expected hidden\[[01]\] size \(\d+, \d+, \d+\), got \[\d+, \d+, \d+\]$",
    ),
)
def projected_widths(cfg: Config, ck: Checker) -> None:
    """an ``h0`` of ``hidden_size`` features is refused with a ``RuntimeError`` that calls it
    ``hidden[0]`` and expects ``proj_size`` features, and a ``c0`` of ``proj_size`` features
    is refused as ``hidden[1]``, expecting ``hidden_size``; ``h0`` is ``proj_size`` wide and
    ``c0`` ``hidden_size`` wide.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, proj_size=3)
    >>> x = torch.randn(7, 3, 4)
    >>> lstm(x, (torch.zeros(1, 3, 5), torch.zeros(1, 3, 5)))
    Traceback (most recent call last):
    ...
    RuntimeError: Expected hidden[0] size (1, 3, 3), got [1, 3, 5]
    >>> output, (h_n, c_n) = lstm(x, (torch.zeros(1, 3, 3), torch.zeros(1, 3, 5)))
    >>> h_n.shape, c_n.shape
    (torch.Size([1, 3, 3]), torch.Size([1, 3, 5]))
    """
    m, x = cfg.module(), cfg.module_input()
    h0, c0 = cfg.initial_state()
    wide = c0.new_zeros(c0.shape)  # hidden_size wide, as c0
    narrow = h0.new_zeros(h0.shape)  # proj_size wide, as h0
    text = ck.says(lambda: m(x, (wide, wide)), "both states hidden_size wide")
    ck.true("hidden[0]" in text, "h0 is named hidden[0]")
    text = ck.says(lambda: m(x, (narrow, narrow)), "both states proj_size wide")
    ck.true("hidden[1]" in text, "c0 is named hidden[1]")
    got = ck.fixed(lambda: run(m, x, (narrow, wide)), "h0 proj_size wide, c0 hidden_size wide")
    ck.true(got.h.size(-1) == cfg.proj_size, "h_n is proj_size wide")
    ck.true(got.c is not None and got.c.size(-1) == cfg.hidden_size, "c_n is hidden_size wide")
