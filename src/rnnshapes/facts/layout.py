"""``batch_first``, unbatched input and the initial state: what moves and what does not."""

from __future__ import annotations

import torch

from ..configs import Config, run
from ..registry import Checker, claim


def _batch_first(cfg: Config) -> bool:
    return cfg.batch_first


def _states_equal(ck: Checker, a: object, b: object, what: str) -> None:
    """Compare two (h, c) states with ``ck.equal``; ``c`` may be None."""
    pairs = zip(
        a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True
    )
    for i, (x, y) in enumerate(pairs):
        assert isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)
        ck.equal(x, y, f"{what} ({'hc'[i]})")


@claim("batch-first-moves-input-and-output-only", "equal", applies=_batch_first)
def batch_first_moves_output(cfg: Config, ck: Checker) -> None:
    """``batch_first=True`` swaps the first two axes of the input and of ``output`` only: the
    same weights on the transposed input give the transposed ``output`` and the very same
    ``h_n`` and ``c_n``, which stay ``(num_layers * num_directions, N, H)``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2, batch_first=True)
    >>> output, h_n = gru(torch.randn(3, 7, 4))  # N=3 first, L=7
    >>> # output is (N, L, H) = (3, 7, 5), but h_n is still (num_layers, N, H) = (2, 3, 5)
    >>> output.shape, h_n.shape
    (torch.Size([3, 7, 5]), torch.Size([2, 3, 5]))
    """
    bf = cfg.module()
    tm = cfg.with_(batch_first=False).module()
    x = cfg.input()
    a, b = run(bf, x), run(tm, x.transpose(0, 1))
    ck.same(a.output, b.output.transpose(0, 1), "batch_first output vs transposed output")
    ck.same(a.h_n, b.h_n, "h_n with and without batch_first")
    if a.c_n is not None and b.c_n is not None:
        ck.same(a.c_n, b.c_n, "c_n with and without batch_first")


@claim("batch-first-leaves-h0-layout", "structure", applies=_batch_first)
def batch_first_leaves_h0(cfg: Config, ck: Checker) -> None:
    """``batch_first`` does not apply to ``h0`` and ``c0``: they are ``(num_layers *
    num_directions, N, H)`` either way, and a batch-major ``h0`` is refused.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, batch_first=True)
    >>> x = torch.randn(3, 7, 4)  # N=3, L=7
    >>> h0, c0 = torch.zeros(2, 3, 5), torch.zeros(2, 3, 5)  # (num_layers, N, H)
    >>> lstm(x, (h0, c0))[0].shape
    torch.Size([3, 7, 5])
    >>> lstm(x, (h0.transpose(0, 1), c0.transpose(0, 1)))  # (N, num_layers, H): wrong
    Traceback (most recent call last):
    ...
    RuntimeError: Expected hidden[0] size (2, 3, 5), got [3, 2, 5]
    """
    rows = cfg.num_layers * cfg.num_directions
    batch = cfg.batch if cfg.batch != rows else cfg.batch + 1  # keep the two axes distinct
    c = cfg.with_(batch=batch)
    m = c.module()
    hx = c.initial_state()
    ck.true(run(m, c.input(), hx).h_n.shape[:2] == (rows, batch), "h0 (rows, N, H) accepted")
    swapped = tuple(t.transpose(0, 1) for t in hx) if isinstance(hx, tuple) else hx.transpose(0, 1)
    try:
        m(c.input(), swapped)
    except RuntimeError:
        ck.true(True, "batch-major h0 refused")
    else:
        ck.true(False, "a batch-major h0 was accepted")


@claim("unbatched-input-drops-batch-axis", "equal")
def unbatched_input(cfg: Config, ck: Checker) -> None:
    """Unbatched 2-D input ``(L, H_in)`` gives ``output`` ``(L, D * H_out)`` and ``h_n``
    ``(num_layers * D, H_out)``, with no batch axis (``batch_first`` has no effect), and the
    same numbers as a batch of one.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    >>> x = torch.randn(7, 4)  # L=7, H_in=4, no batch
    >>> output, (h_n, c_n) = lstm(x)
    >>> # output: (L, 2*H) = (7, 10); h_n: (2 layers × 2 directions, H) = (4, 5)
    >>> output.shape, h_n.shape
    (torch.Size([7, 10]), torch.Size([4, 5]))
    >>> torch.equal(output, lstm(x.unsqueeze(1))[0].squeeze(1))  # a batch of one
    True
    """
    m = cfg.module()
    x = cfg.input(batched=False)
    d, rows = cfg.num_directions, cfg.num_layers * cfg.num_directions
    a = run(m, x)
    one = x.unsqueeze(0) if cfg.batch_first else x.unsqueeze(1)
    b = run(m, one)
    ck.true(a.output.shape == (cfg.seq_len, d * cfg.h_out), f"output {tuple(a.output.shape)}")
    ck.true(a.h_n.shape == (rows, cfg.h_out), f"h_n {tuple(a.h_n.shape)}")
    ck.same(a.output, cfg.time_major(b.output)[:, 0], "unbatched vs batch of one")
    ck.same(a.h_n, b.h_n[:, 0], "unbatched h_n vs batch of one")


@claim("omitted-h0-is-zeros", "equal")
def omitted_h0_is_zeros(cfg: Config, ck: Checker) -> None:
    """Omitting ``h0`` (and ``c0``) is the same as passing zeros: the results are bit-equal.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> x = torch.randn(7, 3, 4)
    >>> zeros = torch.zeros(2, 3, 5)  # (num_layers, N, H)
    >>> torch.equal(lstm(x)[0], lstm(x, (zeros, zeros))[0])
    True
    """
    m = cfg.module()
    x = cfg.input()
    rows = cfg.num_layers * cfg.num_directions
    h0 = x.new_zeros(rows, cfg.batch, cfg.h_out)
    hx = (h0, x.new_zeros(rows, cfg.batch, cfg.hidden_size)) if cfg.kind == "LSTM" else h0
    a, b = m(x), m(x, hx)
    ck.equal(a[0], b[0], "output without h0 vs with zeros")
    _states_equal(ck, a[1], b[1], "final state without h0 vs with zeros")
