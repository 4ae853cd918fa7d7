"""Gradients: a loss on ``h_n[-1]`` and one on ``output[-1]`` train the same way."""

from __future__ import annotations

import torch

from ..configs import Config, unidirectional
from ..registry import Checker, claim


@claim("same-gradients-from-h-n-or-output", "equal", applies=unidirectional)
def same_gradients(cfg: Config, ck: Checker) -> None:
    """For a unidirectional module, a loss on ``h_n[-1]`` and the same loss on ``output[-1]``
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
    x = cfg.input()
    params = list(m.parameters())
    grads = []
    for pick in ("h_n", "output"):
        output, state = m(x)
        h_n = state[0] if isinstance(state, tuple) else state
        last = h_n[-1] if pick == "h_n" else cfg.time_major(output)[-1]
        grads.append(torch.autograd.grad(last.square().sum(), params))
    for name, (a, b) in zip(
        [n for n, _ in m.named_parameters()], zip(*grads, strict=True), strict=True
    ):
        ck.same(a, b, f"gradient of {name}")
