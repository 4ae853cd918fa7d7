"""Carrying ``(h_n, c_n)`` from one chunk of a long sequence into the next."""

from __future__ import annotations

import torch

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import SEVERAL_STEPS, UNIDIRECTIONAL, UNPACKED


@claim("carried-state-reproduces-full-run", "close", UNIDIRECTIONAL & SEVERAL_STEPS & UNPACKED)
def carried_state(cfg: Config, ck: Checker) -> None:
    """running a sequence in chunks and passing each chunk's final state (``h_n``, or ``(h_n,
    c_n)``) as the next chunk's ``hx`` reproduces the full run, to within rounding: the kernel
    computes each chunk's input projection separately, so the last bits may differ.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> x = torch.randn(7, 3, 4)
    >>> full, _ = lstm(x)
    >>> first, state = lstm(x[:3])  # steps 0..2
    >>> second, _ = lstm(x[3:], state)  # steps 3..6, starting from where the first chunk ended
    >>> torch.testing.assert_close(torch.cat([first, second]), full)
    """
    m = cfg.module()
    x = cfg.input()
    axis = cfg.time_axis
    full = run(m, x)
    outputs, state = [], None
    # two or three chunks, whatever the length: steps [0, a), [a, b), [b, L)
    cuts = sorted({max(1, cfg.seq_len // 3), max(1, 2 * cfg.seq_len // 3)})
    for chunk in x.tensor_split(cuts, dim=axis):
        if chunk.shape[axis] == 0:
            continue
        r = run(m, chunk, state)
        outputs.append(r.output)
        state = r.h_n if r.c_n is None else (r.h_n, r.c_n)
    ck.close(torch.cat(outputs, dim=axis), full.output, "chunked output vs full run")
    ck.close(r.h_n, full.h_n, "last chunk's h_n vs full run")
    if r.c_n is not None and full.c_n is not None:
        ck.close(r.c_n, full.c_n, "last chunk's c_n vs full run")
