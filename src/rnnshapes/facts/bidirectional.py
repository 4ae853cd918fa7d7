"""Bidirectional modules: which half of ``output`` is which, where each direction ends, ``h_n``'s
order."""

from __future__ import annotations

import torch

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import BIDIRECTIONAL, NOT_RELU, ONE_LAYER, SEVERAL_STEPS, UNPACKED
from ..spec import parameter
from ..state import by_layer


@claim("bidirectional-output-halves", "close", ONE_LAYER & BIDIRECTIONAL & UNPACKED)
def bidirectional_output_halves(cfg: Config, ck: Checker) -> None:
    """``output[..., :H_out]`` is the forward direction and ``output[..., H_out:]`` the backward
    one: the backward half is what a one-direction module holding the backward weights returns
    for the time-reversed input, reversed back.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> bi = torch.nn.GRU(4, 5, bidirectional=True)
    >>> back = torch.nn.GRU(4, 5)  # a one-direction GRU with the backward weights
    >>> _ = back.load_state_dict({k.removesuffix("_reverse"): v
    ...                           for k, v in bi.state_dict().items() if "reverse" in k})
    >>> x = torch.randn(7, 3, 4)
    >>> output, h_n = bi(x)  # output: (L, N, 2*H) = (7, 3, 10)
    >>> torch.testing.assert_close(output[..., 5:], back(x.flip(0))[0].flip(0))
    """
    m = cfg.module()
    x = cfg.input()
    r = run(m, x)
    out, xs = cfg.time_major(r.output), cfg.time_major(x)
    for d, name in enumerate(("forward", "backward")):
        one = cfg.with_(bidirectional=False, batch_first=False).module()
        with torch.no_grad():
            for pname, p in one.named_parameters():
                p.copy_(parameter(m, pname + ("_reverse" if d else "")))
        seq = xs.flip(0) if d else xs
        half = run(one, seq).output
        half = half.flip(0) if d else half
        ck.same(out[..., d * cfg.h_out : (d + 1) * cfg.h_out], half, f"{name} half of output")


@claim("bidirectional-final-states-at-both-ends", "equal", BIDIRECTIONAL & UNPACKED)
def bidirectional_ends(cfg: Config, ck: Checker) -> None:
    """the forward direction ends at the last step and its backward
    direction at step 0: ``h_n[-2]`` is ``output[-1, :, :H_out]`` and ``h_n[-1]`` is
    ``output[0, :, H_out:]``, exactly (``output[:, -1, :H_out]`` and ``output[:, 0, H_out:]``
    with ``batch_first``; ``output[-1, :H_out]`` and ``output[0, H_out:]`` unbatched).

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> # h_n rows: 2 layers × 2 directions = 4; the top layer is rows 2 (forward), 3 (backward)
    >>> torch.equal(h_n[-2], output[-1, :, :5]), torch.equal(h_n[-1], output[0, :, 5:])
    (True, True)
    """
    r = run(cfg.module(), cfg.module_input())
    out = r.steps
    assert out is not None
    ck.equal(r.h[-2], out[-1, :, : cfg.h_out], "h_n[-2] vs output[-1, :, :H_out]")
    ck.equal(r.h[-1], out[0, :, cfg.h_out :], "h_n[-1] vs output[0, :, H_out:]")


@claim(
    "bidirectional-last-step-is-not-final",
    "structure",
    BIDIRECTIONAL & SEVERAL_STEPS & UNPACKED,
)
def bidirectional_last_step(cfg: Config, ck: Checker) -> None:
    """``output[-1]`` is not the final state: its backward half has taken one step of its own
    recurrence (it has yet to run back over the sequence), and differs from ``h_n[-1]``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True)
    >>> output, h_n = gru(torch.randn(7, 3, 4))
    >>> torch.allclose(output[-1, :, 5:], h_n[-1])
    False
    """
    r = run(cfg.module(), cfg.module_input())
    assert r.steps is not None
    ck.differ(r.steps[-1, :, cfg.h_out :], r.h[-1], "output[-1]'s backward half vs h_n[-1]")


@claim("h-n-rows-are-layer-major", "equal", BIDIRECTIONAL)
def h_n_rows_layer_major(cfg: Config, ck: Checker) -> None:
    """the rows of ``h_n`` (and ``c_n``) are ordered layer-major: layer 0 forward, layer 0
    backward, layer 1 forward, ...; ``h_n.view(num_layers, num_directions, N, H)`` separates
    them.

    >>> import torch
    >>> from rnnshapes import by_layer
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    >>> _, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> layers = h_n.view(2, 2, 3, 5)  # (num_layers, num_directions, N, H)
    >>> # layer 1, backward = row 1*2 + 1 = 3
    >>> torch.equal(layers[1, 1], h_n[3]), torch.equal(by_layer(h_n, lstm), layers)
    (True, True)
    """
    m = cfg.module()
    x = cfg.module_input()
    r = run(m, x)
    grid = by_layer(r.h_n, m)
    ck.equal(grid, r.h_n.view(cfg.num_layers, 2, *r.h_n.shape[1:]), "by_layer vs view")
    layer_input = x
    for layer, one in enumerate(cfg.one_layer_modules(m)):
        step = run(one, layer_input)
        for d in range(2):
            ck.same(
                grid[layer, d],
                step.h_n[d],
                f"h_n row {2 * layer + d} vs layer {layer}, direction {d}",
            )
        layer_input = step.output


# Not ReLU: a dead ReLU state is exactly zero, so later steps that leave it so change nothing
# earlier, and the check could not tell.
@claim(
    "chunks-do-not-carry-backward",
    "structure",
    NOT_RELU & BIDIRECTIONAL & SEVERAL_STEPS & UNPACKED,
)
def chunks_do_not_carry_backward(cfg: Config, ck: Checker) -> None:
    """carrying ``h_n`` into the next chunk does not reproduce a full run of a bidirectional
    module: the backward direction of the first chunk never saw the later steps.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True)
    >>> x = torch.randn(7, 3, 4)
    >>> full, _ = gru(x)
    >>> first, h = gru(x[:4])
    >>> torch.allclose(first[..., 5:], full[:4, :, 5:])  # backward half of steps 0..3
    False
    """
    m = cfg.module()
    x = cfg.input()
    split = cfg.seq_len // 2
    full = cfg.steps(run(m, x).output)
    first = cfg.steps(run(m, cfg.first_steps(x, split)).output)
    ck.differ(
        first[..., cfg.h_out :], full[:split, :, cfg.h_out :], "backward half, chunked vs full"
    )
