"""Dropout between layers: where it acts in training mode, and what it leaves alone."""

from __future__ import annotations

import warnings

import torch

from ..configs import Config, Returned, run
from ..registry import Checker, claim
from ..scope import ONE_LAYER, STACKED, UNIDIRECTIONAL, UNPACKED

P = 0.5


def _train_and_eval(cfg: Config, p: float = P) -> tuple[Returned, Returned]:
    """The same module and input, run in training mode (seeded masks) and in eval mode."""
    m = cfg.module(dropout=p)
    x = cfg.module_input()
    m.train()
    cuda = cfg.device.startswith("cuda")
    with torch.random.fork_rng(devices=[torch.device(cfg.device).index or 0] if cuda else []):
        torch.manual_seed(cfg.seed)
        trained = run(m, x)
    m.eval()
    return trained, run(m, x)


@claim("dropout-spares-output-last-step", "equal", STACKED & UNIDIRECTIONAL & UNPACKED)
def dropout_spares_top(cfg: Config, ck: Checker) -> None:
    """dropout between layers never touches the top layer's output: in training mode
    ``output[-1]`` still equals ``h_n[-1]`` exactly.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, dropout=0.5).train()
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> torch.equal(output[-1], h_n[-1])
    True
    """
    trained, _ = _train_and_eval(cfg)
    assert trained.steps is not None
    ck.equal(trained.steps[-1], trained.h[-1], "output's last step vs h_n[-1] in training mode")


@claim("dropout-acts-between-layers-only", "equal", STACKED & UNPACKED)
def dropout_between_layers(cfg: Config, ck: Checker) -> None:
    """dropout acts on each layer's output before the next layer reads it, never on the module's
    input or inside the recurrence: in training mode the first layer's states (``h_n``'s first
    rows) are exactly those of eval mode, the layers above change, and with ``dropout=1`` every
    layer above runs exactly as if it were fed zeros.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2, dropout=0.5)
    >>> x = torch.randn(7, 3, 4)
    >>> _, h_train = gru.train()(x)
    >>> _, h_eval = gru.eval()(x)
    >>> # row 0 is layer 0: untouched; row 1 is layer 1: it read a dropped-out layer 0
    >>> torch.equal(h_train[0], h_eval[0]), torch.allclose(h_train[1], h_eval[1])
    (True, False)
    """
    trained, evaluated = _train_and_eval(cfg)
    d = cfg.num_directions
    ck.equal(trained.h_n[:d], evaluated.h_n[:d], "layer 0's h_n, train vs eval")
    ck.differ(trained.h_n[d:], evaluated.h_n[d:], "upper layers' h_n, train vs eval")
    # dropout=1 zeroes what each upper layer reads, and nothing else
    m = cfg.module(dropout=1.0).train()
    dropped = run(m, cfg.input())
    layers = cfg.one_layer_modules(m)
    below = run(layers[0], cfg.input())
    for layer, one in enumerate(layers[1:], start=1):
        below = run(one, torch.zeros_like(below.output))
        rows = dropped.h_n[layer * d : (layer + 1) * d]
        ck.equal(rows, below.h_n, f"layer {layer} with dropout=1 vs fed zeros")
    ck.equal(dropped.output, below.output, "output with dropout=1 vs top layer fed zeros")


@claim("dropout-with-one-layer-does-nothing", "equal", ONE_LAYER)
def dropout_one_layer(cfg: Config, ck: Checker) -> None:
    """there is no "between layers": ``dropout > 0`` only warns, and training mode returns
    exactly what eval mode does.

    >>> import torch, warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     lstm = torch.nn.LSTM(4, 5, dropout=0.5)
    >>> [w.category.__name__ for w in caught]
    ['UserWarning']
    >>> x = torch.randn(7, 3, 4)
    >>> torch.equal(lstm.train()(x)[0], lstm.eval()(x)[0])
    True
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trained, evaluated = _train_and_eval(cfg)
    ck.true(any("dropout" in str(w.message) for w in caught), "no warning about dropout")
    ck.equal(trained.data, evaluated.data, "output, train vs eval")
    ck.equal(trained.h_n, evaluated.h_n, "h_n, train vs eval")
