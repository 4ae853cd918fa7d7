"""Gradients: a loss on ``h_n[-1]`` and one on ``output[-1]`` train the same way."""

from __future__ import annotations

import torch

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import UNIDIRECTIONAL, UNPACKED


@claim("same-gradients-from-h-n-or-output", "equal", UNIDIRECTIONAL & UNPACKED)
def same_gradients(cfg: Config, ck: Checker) -> None:
    """a loss on ``h_n[-1]`` and the same loss on ``output[-1]``
    give the same gradients for every weight: they are the same tensor values, reached through
    two outputs of the kernel.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2)
    >>> x = torch.randn(7, 3, 4)
    >>> output, h_n = gru(x)
    >>> g_h = torch.autograd.grad(h_n[-1].square().sum(), list(gru.parameters()))
    >>> output, h_n = gru(x)
    >>> g_out = torch.autograd.grad(output[-1].square().sum(), list(gru.parameters()))
    >>> all(torch.equal(a, b) for a, b in zip(g_h, g_out))
    True
    """
    m = cfg.module()
    x = cfg.module_input()
    params = list(m.parameters())
    grads = []
    for pick in ("h_n", "output"):
        r = run(m, x)
        assert r.steps is not None
        last = r.h[-1] if pick == "h_n" else r.steps[-1]
        grads.append(torch.autograd.grad(last.square().sum(), params))
    for name, (a, b) in zip(
        [n for n, _ in m.named_parameters()], zip(*grads, strict=True), strict=True
    ):
        ck.same(a, b, f"gradient of {name}")
