"""Troubleshooting: dtypes. What torch says when the input, the initial state and the weights
are not all of one floating dtype, and the fix."""

from __future__ import annotations

import torch

from ..configs import Config
from ..registry import Checker, claim
from ..scope import UNPACKED


def _other(dtype: torch.dtype) -> torch.dtype:
    """The other dtype of the two the checks use."""
    return torch.float32 if dtype == torch.float64 else torch.float64


@claim(
    "input-dtype-must-match-weights",
    "structure",
    UNPACKED,
    message=(ValueError, r"^RNN input dtype \(torch\.\w+\) does not match weight dtype"),
)
def input_dtype(cfg: Config, ck: Checker) -> None:
    """input of another dtype than the weights (float64 data meeting a float32 module, or the
    reverse) is refused with a ``ValueError`` that names both dtypes; converting the input to
    the weights' dtype, or the module to the input's, makes it run.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4, dtype=torch.float64)
    >>> lstm(x)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: RNN input dtype (torch.float64) does not match weight dtype (torch.float32). ...
    >>> output, (h_n, c_n) = lstm(x.to(lstm.weight_ih_l0.dtype))
    >>> output.dtype
    torch.float32
    """
    m, x = cfg.module(), cfg.module_input()
    other = _other(cfg.dtype)
    ck.says(lambda: m(x.to(other)), f"{other} input")
    out = ck.fixed(lambda: m(x.to(other).to(cfg.dtype)), "input converted to the weights' dtype")
    ck.true(out[0].dtype == cfg.dtype, "output of the converted input has the weights' dtype")
    out = ck.fixed(lambda: m.to(other)(x.to(other)), "module converted")
    ck.true(out[0].dtype == other, "output of the converted module has the input's dtype")


@claim(
    "integer-input-is-refused",
    "structure",
    message=(ValueError, r"^RNN input dtype \(torch\.int64\) does not match weight dtype"),
)
def integer_input(cfg: Config, ck: Checker) -> None:
    """integer input (token ids fed straight to the module) is refused with the same
    ``ValueError`` as any other dtype; the ids must first become vectors, with an
    ``nn.Embedding`` whose ``embedding_dim`` is the module's ``input_size``.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5)
    >>> ids = torch.randint(0, 10, (7, 3))  # 7 steps of 3 sequences of token ids
    >>> gru(ids)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: RNN input dtype (torch.int64) does not match weight dtype (torch.float32). ...
    >>> embed = torch.nn.Embedding(10, 4)  # 10 token ids, input_size 4
    >>> output, h_n = gru(embed(ids))
    >>> output.shape
    torch.Size([7, 3, 5])
    """
    m, x = cfg.module(), cfg.input()
    ids = (x.abs() * 3).long()  # the input's layout, as ids
    ck.says(lambda: m(ids), "int64 input")
    embed = torch.nn.Embedding(int(ids.max()) + 1, cfg.input_size).to(cfg.dtype)
    out = ck.fixed(lambda: m(embed(ids.select(-1, 0))), "embedded ids")
    ck.true(out[0].shape == m(x)[0].shape, "embedded ids give output of the input's shape")


@claim(
    "initial-state-dtype-must-match",
    "structure",
    message=(
        RuntimeError,
        r"must have the same dtype|expected m1 and m2 to have the same dtype"
        r"|get_mkldnn_dtype: unsupported data type",
    ),
)
def state_dtype(cfg: Config, ck: Checker) -> None:
    """an initial state of another dtype than the input and weights fails deep in the
    computation, with a ``RuntimeError`` that does not say which argument was wrong (the
    matrices it names are the weights and the state; an LSTM may say ``get_mkldnn_dtype:
    unsupported data type``); ``h0.to(x.dtype)`` (and ``c0``'s) makes it run.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5)
    >>> x, h0 = torch.randn(7, 3, 4), torch.zeros(1, 3, 5, dtype=torch.float64)
    >>> gru(x, h0)
    Traceback (most recent call last):
    ...
    RuntimeError: mat1 and mat2 must have the same dtype, but got Double and Float
    >>> output, h_n = gru(x, h0.to(x.dtype))
    >>> h_n.dtype
    torch.float32
    """
    m, x, state = cfg.module(), cfg.module_input(), cfg.initial_state()
    other = _other(cfg.dtype)
    if isinstance(state, tuple):
        h0, c0 = state
        ck.says(lambda: m(x, (h0.to(other), c0.to(other))), "both states of another dtype")
        ck.fixed(lambda: m(x, (h0.to(cfg.dtype), c0.to(cfg.dtype))), "states converted")
    else:
        ck.says(lambda: m(x, state.to(other)), "h0 of another dtype")
        ck.fixed(lambda: m(x, state.to(other).to(cfg.dtype)), "h0 converted")
