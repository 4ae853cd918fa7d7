"""Dropout between layers: where it acts in training mode, and what it leaves alone."""

from __future__ import annotations

import warnings

import torch

from ..configs import Config, Returned, run
from ..registry import Checker, claim

P = 0.5


def _stacked(cfg: Config) -> bool:
    return cfg.num_layers > 1


def _uni_stacked(cfg: Config) -> bool:
    return cfg.num_layers > 1 and not cfg.bidirectional


def _one_layer(cfg: Config) -> bool:
    return cfg.num_layers == 1


def _train_and_eval(cfg: Config) -> tuple[Returned, Returned]:
    """The same module and input, run in training mode (seeded masks) and in eval mode."""
    m = cfg.module(dropout=P)
    x = cfg.input()
    m.train()
    with torch.random.fork_rng(devices=[x.device] if x.is_cuda else []):
        torch.manual_seed(cfg.seed)
        trained = run(m, x)
    m.eval()
    return trained, run(m, x)


@claim("dropout-spares-output-last-step", "equal", applies=_uni_stacked)
def dropout_spares_top(cfg: Config, ck: Checker) -> None:
    """Dropout between layers never touches the top layer's output: in training mode
    ``output[-1]`` still equals ``h_n[-1]`` exactly.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, dropout=0.5).train()
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> torch.equal(output[-1], h_n[-1])
    True
    """
    trained, _ = _train_and_eval(cfg)
    last = trained.output[:, -1] if cfg.batch_first else trained.output[-1]
    ck.equal(last, trained.h_n[-1], "output's last step vs h_n[-1] in training mode")


@claim("dropout-acts-between-layers-only", "close", applies=_stacked)
def dropout_between_layers(cfg: Config, ck: Checker) -> None:
    """Dropout acts on each layer's output before the next layer reads it, never on the module's
    input or inside the recurrence: in training mode the first layer's states (``h_n``'s first
    rows) are those of eval mode, and the layers above change.

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
    ck.close(trained.h_n[:d], evaluated.h_n[:d], "layer 0's h_n, train vs eval")
    ck.differ(trained.h_n[d:], evaluated.h_n[d:], "upper layers' h_n, train vs eval")


@claim("dropout-with-one-layer-does-nothing", "equal", applies=_one_layer)
def dropout_one_layer(cfg: Config, ck: Checker) -> None:
    """With one layer there is no "between layers": ``dropout > 0`` only warns, and training
    mode returns exactly what eval mode does.

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
    ck.equal(trained.output, evaluated.output, "output, train vs eval")
    ck.equal(trained.h_n, evaluated.h_n, "h_n, train vs eval")
