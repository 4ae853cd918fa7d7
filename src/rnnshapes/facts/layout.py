"""``batch_first``, unbatched input and the initial state: what moves and what does not."""

from __future__ import annotations

import torch

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import BATCH_FIRST, BATCHED, UNBATCHED, UNPACKED


def _states_equal(ck: Checker, a: object, b: object, what: str) -> None:
    """Compare two (h, c) states with ``ck.equal``; ``c`` may be None in both."""
    pairs = zip(
        a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,), strict=True
    )
    for i, (x, y) in enumerate(pairs):
        if x is None and y is None:
            continue
        assert isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)
        ck.equal(x, y, f"{what} ({'hc'[i]})")


@claim("batch-first-moves-input-and-output-only", "equal", BATCH_FIRST & BATCHED & UNPACKED)
def batch_first_moves_output(cfg: Config, ck: Checker) -> None:
    """the first two axes of the input and of ``output`` are swapped, and nothing else moves:
    the same weights without ``batch_first`` on the transposed input give the transposed
    ``output`` and the very same ``h_n`` and ``c_n``, which stay ``(num_layers *
    num_directions, N, H)``.

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


@claim("batch-first-leaves-h0-layout", "structure", BATCH_FIRST & BATCHED & UNPACKED)
def batch_first_leaves_h0(cfg: Config, ck: Checker) -> None:
    """``h0`` and ``c0`` are still ``(num_layers * num_directions, N, H)``: ``batch_first``
    does not apply to them. A batch-major ``h0`` is refused, unless ``N`` happens
    to equal ``num_layers * num_directions``: then it is taken, without an error, as if it were
    ``(num_layers * num_directions, N, H)``.

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
    >>> # with N = 2 = num_layers × num_directions, the transposed h0 fits, and nothing says so
    >>> x2, h0 = torch.randn(2, 7, 4), torch.randn(2, 2, 5)
    >>> wrong = lstm(x2, (h0.transpose(0, 1), torch.zeros(2, 2, 5)))[1][0]
    >>> right = lstm(x2, (h0, torch.zeros(2, 2, 5)))[1][0]
    >>> torch.allclose(wrong, right)
    False
    """
    rows = cfg.num_layers * cfg.num_directions
    m = cfg.module()
    # N as configured, N made distinct from the rows, and N equal to the rows (the edge)
    for batch in sorted({cfg.batch, rows + 1, rows}):
        c = cfg.with_(batch=batch)
        hx = c.initial_state()
        got = run(m, c.input(), hx).h_n.shape[:2]
        ck.true(got == (rows, batch), f"h0 (rows, N, H) gave h_n {got}")
        swapped = (
            tuple(t.transpose(0, 1) for t in hx) if isinstance(hx, tuple) else hx.transpose(0, 1)
        )
        try:
            m(c.input(), swapped)
        except RuntimeError:
            ck.true(batch != rows, f"a batch-major h0 was refused with N = rows = {rows}")
        else:
            ck.true(batch == rows, f"a batch-major h0 was accepted with N={batch}, rows={rows}")


@claim("unbatched-input-drops-batch-axis", "equal", UNBATCHED)
def unbatched_input(cfg: Config, ck: Checker) -> None:
    """``output`` is ``(L, D * H_out)`` and ``h_n`` ``(num_layers * D, H_out)``, with no batch
    axis (``batch_first`` has no effect), and the numbers are those of a batch of one.

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
    x = cfg.input()
    d, rows = cfg.num_directions, cfg.num_layers * cfg.num_directions
    a = run(m, x)
    one = x.unsqueeze(0) if cfg.batch_first else x.unsqueeze(1)
    b = run(m, one)
    ck.true(a.output.shape == (cfg.seq_len, d * cfg.h_out), f"output {tuple(a.output.shape)}")
    ck.true(a.h_n.shape == (rows, cfg.h_out), f"h_n {tuple(a.h_n.shape)}")
    assert b.steps is not None
    ck.same(a.output, b.steps[:, 0], "unbatched vs batch of one")
    ck.same(a.h_n, b.h_n[:, 0], "unbatched h_n vs batch of one")


@claim("omitted-h0-is-zeros", "equal")
def omitted_h0_is_zeros(cfg: Config, ck: Checker) -> None:
    """omitting ``h0`` (and ``c0``) is the same as passing zeros: the results are bit-equal.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> x = torch.randn(7, 3, 4)
    >>> zeros = torch.zeros(2, 3, 5)  # (num_layers, N, H)
    >>> torch.equal(lstm(x)[0], lstm(x, (zeros, zeros))[0])
    True
    """
    m = cfg.module()
    x = cfg.module_input()
    hx = cfg.initial_state()
    zeros = tuple(t.zero_() for t in hx) if isinstance(hx, tuple) else hx.zero_()
    a, b = run(m, x), run(m, x, zeros)
    ck.equal(a.data, b.data, "output without h0 vs with zeros")
    _states_equal(ck, (a.h_n, a.c_n), (b.h_n, b.c_n), "final state without h0 vs with zeros")
