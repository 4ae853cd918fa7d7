"""Troubleshooting: constructor options torch refuses or warns about. What torch says, and the
fix."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import LSTM, NOT_LSTM, ONE_LAYER, PROJECTED, UNPACKED, Condition
from ..unroll import unroll

#: Only ``nn.RNN`` takes ``nonlinearity``.
RNN = Condition("RNN", lambda c: c.kind == "RNN", noun="RNN")
NOT_RNN = Condition("not RNN", lambda c: c.kind != "RNN", noun="LSTM or GRU")
#: oneDNN's LSTM runs float32 on the CPU; the warning comes only where it would have been used.
FLOAT32 = Condition("float32", lambda c: c.dtype == torch.float32, adjective="float32")
CPU = Condition("cpu", lambda c: c.device == "cpu", clause="on the CPU")

#: The start of the oneDNN note, as ``warnings.filterwarnings`` matches it.
ONEDNN = "LSTM with projections is not supported with oneDNN"


@claim(
    "proj-size-is-lstm-only",
    "structure",
    NOT_LSTM,
    message=(ValueError, r"^proj_size argument is only supported for LSTM, not RNN or GRU"),
)
def proj_size_lstm_only(cfg: Config, ck: Checker) -> None:
    """passing ``proj_size`` at all, even ``proj_size=0``, is refused with a ``ValueError``:
    only an LSTM has projections; drop the argument and choose the ``hidden_size`` you want
    the states to have, or use an ``nn.LSTM`` with ``proj_size``.

    >>> import torch
    >>> torch.nn.GRU(4, 5, proj_size=3)
    Traceback (most recent call last):
    ...
    ValueError: proj_size argument is only supported for LSTM, not RNN or GRU
    >>> output, h_n = torch.nn.GRU(4, 3)(torch.randn(7, 3, 4))
    >>> h_n.shape
    torch.Size([1, 3, 3])
    """
    small = cfg.hidden_size - 2
    ck.says(lambda: cfg.module(proj_size=small), f"proj_size={small}")
    ck.says(lambda: cfg.module(proj_size=0), "proj_size=0")
    smaller = cfg.with_(hidden_size=small)
    m = ck.fixed(lambda: smaller.module(), f"hidden_size={small}, no proj_size")
    ck.true(run(m, smaller.module_input()).h_n.shape[-1] == small, "h_n ends in hidden_size")
    lstm = cfg.with_(kind="LSTM", proj_size=small)
    m = ck.fixed(lambda: lstm.module(), f"an LSTM with proj_size={small}")
    ck.true(run(m, lstm.module_input()).h_n.shape[-1] == small, "the LSTM's h_n ends in proj_size")


@claim(
    "proj-size-must-be-below-hidden-size",
    "structure",
    LSTM,
    message=(
        ValueError,
        r"^proj_size has to be smaller than hidden_size"
        r"|^proj_size should be a positive integer or zero",
    ),
)
def proj_size_range(cfg: Config, ck: Checker) -> None:
    """a ``proj_size`` equal to ``hidden_size`` or larger is refused with a ``ValueError``, and so
    is a negative one (with another message); a projection must make ``h`` smaller, so
    ``proj_size`` runs from 1 to ``hidden_size - 1``, and 0 turns projections off.

    >>> import torch
    >>> torch.nn.LSTM(4, 5, proj_size=5)
    Traceback (most recent call last):
    ...
    ValueError: proj_size has to be smaller than hidden_size
    >>> torch.nn.LSTM(4, 5, proj_size=-1)
    Traceback (most recent call last):
    ...
    ValueError: proj_size should be a positive integer or zero to disable projections
    >>> output, (h_n, c_n) = torch.nn.LSTM(4, 5, proj_size=3)(torch.randn(7, 3, 4))
    >>> h_n.shape, c_n.shape
    (torch.Size([1, 3, 3]), torch.Size([1, 3, 5]))
    """
    h = cfg.hidden_size
    for bad in (h, h + 1, -1):
        ck.says(partial(cfg.module, proj_size=bad), f"proj_size={bad}")
    x = cfg.module_input()
    for good in (h - 1, 1):
        m = ck.fixed(partial(cfg.module, proj_size=good), f"proj_size={good}")
        ck.true(run(m, x).h_n.shape[-1] == good, f"h_n ends in proj_size={good}")
    m = ck.fixed(lambda: cfg.module(proj_size=0), "proj_size=0")
    ck.true(run(m, x).h_n.shape[-1] == h, "proj_size=0: h_n ends in hidden_size")


@claim(
    "dropout-with-one-layer-warns",
    "structure",
    ONE_LAYER,
    message=(
        UserWarning,
        r"^dropout option adds dropout after all but last recurrent layer, "
        r"so non-zero dropout expects num_layers greater than 1",
    ),
)
def dropout_one_layer_warns(cfg: Config, ck: Checker) -> None:
    """``dropout > 0`` gives a ``UserWarning`` when the module is made, because dropout acts
    only between layers; to drop out the module's ``output``, apply an ``nn.Dropout`` to it,
    and keep ``dropout`` for modules with ``num_layers > 1``.

    >>> import torch, warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     lstm = torch.nn.LSTM(4, 5, dropout=0.5)
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    dropout option adds dropout after all but last recurrent layer, ... num_layers=1
    >>> lstm, drop = torch.nn.LSTM(4, 5), torch.nn.Dropout(0.5)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> drop(output).shape
    torch.Size([7, 3, 5])
    """
    ck.says(lambda: cfg.module(dropout=0.5), "dropout=0.5, one layer")
    m = ck.fixed(lambda: cfg.module(), "no dropout")
    drop = nn.Dropout(0.5).train()
    out = run(m, cfg.input()).output
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        dropped = drop(out)
    ck.true(dropped.shape == out.shape, "nn.Dropout keeps the output's shape")
    ck.differ(dropped, out, "output through nn.Dropout in training mode vs output")
    ck.fixed(lambda: cfg.with_(num_layers=2).module(dropout=0.5), "dropout=0.5, two layers")


@claim(
    "dropout-must-be-a-probability",
    "structure",
    message=(ValueError, r"^dropout should be a number in range \[0, 1\]"),
)
def dropout_range(cfg: Config, ck: Checker) -> None:
    """a ``dropout`` outside ``[0, 1]`` (a percentage such as 50, or a negative number) is
    refused with a ``ValueError``, and so is ``True`` or ``False``: ``dropout`` is the
    probability that an element is zeroed, a number such as ``0.5``, not a switch.

    >>> import torch
    >>> torch.nn.GRU(4, 5, num_layers=2, dropout=50)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: dropout should be a number in range [0, 1] representing the probability ...
    >>> torch.nn.GRU(4, 5, num_layers=2, dropout=0.5)
    GRU(4, 5, num_layers=2, dropout=0.5)
    """
    for bad in (50, 1.5, -0.1, True, False):
        ck.says(partial(cfg.module, dropout=bad), f"dropout={bad!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one layer: dropout > 0 warns (another claim)
        for good in (0.5, 0.0, 1.0):
            m = ck.fixed(partial(cfg.module, dropout=good), f"dropout={good}")
            ck.true(m.dropout == good, f"dropout={good} kept")


@claim(
    "sizes-must-be-positive",
    "structure",
    message=(ValueError, r"^(input_size|hidden_size|num_layers) must be greater than zero"),
)
def sizes_positive(cfg: Config, ck: Checker) -> None:
    """an ``input_size``, ``hidden_size`` or ``num_layers`` of zero or less is refused with a
    ``ValueError`` that names it; each must be at least 1 (``num_layers=1`` is a single layer,
    the fewest a module can have).

    >>> import torch
    >>> torch.nn.LSTM(4, 5, num_layers=0)
    Traceback (most recent call last):
    ...
    ValueError: num_layers must be greater than zero
    >>> torch.nn.LSTM(4, 0)
    Traceback (most recent call last):
    ...
    ValueError: hidden_size must be greater than zero
    >>> torch.nn.LSTM(4, 5, num_layers=1)
    LSTM(4, 5)
    """
    for name in ("input_size", "hidden_size", "num_layers"):
        for bad in (0, -1):
            text = ck.says(cfg.with_(**{name: bad}).module, f"{name}={bad}")
            ck.true(text.startswith(name), f"{name}={bad}: the message names {name}")
    m = ck.fixed(lambda: cfg.module(num_layers=1), "num_layers=1")
    rows = run(m, cfg.module_input()).h_n.shape[0]
    ck.true(rows == cfg.num_directions, "num_layers=1: one layer's rows of h_n")


@claim(
    "sizes-must-be-ints",
    "structure",
    message=(
        TypeError,
        r"^(input_size|hidden_size) should be of type int, got: "
        r"|^'float' object cannot be interpreted as an integer",
    ),
)
def sizes_ints(cfg: Config, ck: Checker) -> None:
    """an ``input_size`` or ``hidden_size`` that is not a Python ``int`` (a float from ``/``,
    even ``5.0``, or a NumPy integer) is refused with a ``TypeError`` that names it, and a float
    ``num_layers`` with a ``TypeError`` that names nothing; compute sizes with ``//``, or wrap
    them in ``int(...)``.

    >>> import torch
    >>> torch.nn.GRU(4, 10 / 2)
    Traceback (most recent call last):
    ...
    TypeError: hidden_size should be of type int, got: float
    >>> torch.nn.GRU(4, 5, num_layers=4 / 2)
    Traceback (most recent call last):
    ...
    TypeError: 'float' object cannot be interpreted as an integer
    >>> torch.nn.GRU(4, 10 // 2, num_layers=int(4 / 2))
    GRU(4, 5, num_layers=2)
    """
    for name in ("input_size", "hidden_size"):
        size = getattr(cfg, name)
        for bad in (size * 2 / 2, np.int64(size)):
            what = f"{name}={bad!r}"
            text = ck.says(cfg.with_(**{name: bad}).module, what)
            ck.true(text.startswith(name), f"{what}: the message names {name}")
    ck.says(lambda: cfg.module(num_layers=float(cfg.num_layers)), "num_layers as a float")
    sizes = dict(
        input_size=cfg.input_size * 2 // 2,
        hidden_size=int(np.int64(cfg.hidden_size)),
        num_layers=int(float(cfg.num_layers)),
    )
    m = ck.fixed(lambda: cfg.with_(**sizes).module(), "sizes from // and int()")
    ck.true(
        run(m, cfg.module_input()).h_n.shape == run(cfg.module(), cfg.module_input()).h_n.shape,
        "h_n's shape with the int sizes",
    )


@claim(
    "nonlinearity-must-be-tanh-or-relu",
    "structure",
    RNN,
    message=(ValueError, r"^Unknown nonlinearity '.*'\. Select from 'tanh' or 'relu'"),
)
def nonlinearity_names(cfg: Config, ck: Checker) -> None:
    """a ``nonlinearity`` other than ``'tanh'`` or ``'relu'`` (``'sigmoid'``, or ``'ReLU'``
    capitalised) is refused with a ``ValueError`` that names it; those two, in lower case, are
    the only ones.

    >>> import torch
    >>> torch.nn.RNN(4, 5, nonlinearity="sigmoid")
    Traceback (most recent call last):
    ...
    ValueError: Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'.
    >>> torch.nn.RNN(4, 5, nonlinearity="relu").nonlinearity
    'relu'
    """
    for bad in ("sigmoid", "ReLU", "Tanh", "gelu"):
        text = ck.says(partial(cfg.module, nonlinearity=bad), f"nonlinearity={bad!r}")
        ck.true(f"'{bad}'" in text, f"nonlinearity={bad!r}: the message names it")
    for good in ("tanh", "relu"):
        m = ck.fixed(partial(cfg.module, nonlinearity=good), f"nonlinearity={good!r}")
        ck.true(m.nonlinearity == good, f"nonlinearity={good!r} kept")


@claim(
    "nonlinearity-is-rnn-only",
    "structure",
    NOT_RNN,
    message=(TypeError, r"unexpected keyword argument 'nonlinearity'"),
)
def nonlinearity_rnn_only(cfg: Config, ck: Checker) -> None:
    """passing ``nonlinearity``, even ``'tanh'``, is refused with a ``TypeError``: only
    ``nn.RNN`` takes it; drop the argument.

    >>> import torch
    >>> torch.nn.LSTM(4, 5, nonlinearity="relu")
    Traceback (most recent call last):
    ...
    TypeError: RNNBase.__init__() got an unexpected keyword argument 'nonlinearity'
    >>> torch.nn.LSTM(4, 5)
    LSTM(4, 5)
    """
    for name in ("relu", "tanh"):
        ck.says(partial(cfg.module, nonlinearity=name), f"nonlinearity={name!r}")
    m = ck.fixed(lambda: cfg.module(), "no nonlinearity")
    ck.true(not hasattr(m, "nonlinearity"), "the module has no nonlinearity")


def _quiet(call: Callable[[], Any]) -> Any:
    """``call()`` with the oneDNN note filtered out, as a reader would filter it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=ONEDNN, category=UserWarning)
        return call()


@claim(
    "lstm-projection-onednn-warning",
    "structure",
    LSTM & FLOAT32 & PROJECTED & UNPACKED & CPU,
    message=(UserWarning, r"^LSTM with projections is not supported with oneDNN\. Using default"),
)
def onednn_projection(cfg: Config, ck: Checker) -> None:
    """the forward gives a ``UserWarning`` that oneDNN cannot run it and the default
    implementation is used, at most once per process: it is harmless (what the module
    returns is what ``rnnshapes.unroll`` recomputes); to hide it, filter that message with
    ``warnings.filterwarnings``.

    >>> import torch, warnings
    >>> lstm = torch.nn.LSTM(4, 5, proj_size=3)
    >>> x = torch.randn(7, 3, 4)
    >>> with warnings.catch_warnings():
    ...     warnings.filterwarnings("ignore", message="LSTM with projections is not supported")
    ...     output, (h_n, c_n) = lstm(x)
    >>> output.shape
    torch.Size([7, 3, 3])
    """
    m, x = cfg.module(), cfg.module_input()
    ck.says(lambda: m(x), "the forward")
    always = torch.is_warn_always_enabled()
    torch.set_warn_always(False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m(x)
            m(x)
    finally:
        torch.set_warn_always(always)
    notes = [w for w in caught if str(w.message).startswith(ONEDNN)]
    ck.true(len(notes) <= 1, f"two forwards without warn_always: {len(notes)} notes")
    out = ck.fixed(lambda: _quiet(lambda: m(x)), "the forward with the note filtered out")
    u = unroll(m, x)
    assert isinstance(u.output, torch.Tensor) and u.c_n is not None
    ck.close(u.output, out[0], "output vs rnnshapes.unroll's")
    ck.close(u.h_n, out[1][0], "h_n vs rnnshapes.unroll's")
    ck.close(u.c_n, out[1][1], "c_n vs rnnshapes.unroll's")
    ck.true(out[0].shape[-1] == cfg.num_directions * cfg.proj_size, "output ends in D * proj_size")
