"""The state grid: ``output`` is the top layer across time, ``h_n`` the last step across layers."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import STACKED, UNIDIRECTIONAL, UNPACKED
from ..shapes import shapes
from ..unroll import unroll


def run_like(output: torch.Tensor | PackedSequence) -> torch.Tensor:
    """``output`` as one tensor, as :attr:`Returned.data <rnnshapes.configs.Returned.data>`."""
    return output.data if isinstance(output, PackedSequence) else output


@claim("output-last-step-is-h-n", "equal", UNIDIRECTIONAL & UNPACKED)
def output_last_step_is_h_n(cfg: Config, ck: Checker) -> None:
    """the last step of ``output`` is the last row of ``h_n``: ``output[-1]`` equals
    ``h_n[-1]`` exactly (``output[:, -1]`` with ``batch_first`` and batched input).

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(input_size=4, hidden_size=5, num_layers=2)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))  # L=7, N=3
    >>> # output: (L, N, H) = (7, 3, 5); h_n: (num_layers, N, H) = (2, 3, 5)
    >>> output.shape, h_n.shape
    (torch.Size([7, 3, 5]), torch.Size([2, 3, 5]))
    >>> torch.equal(output[-1], h_n[-1])
    True
    """
    r = run(cfg.module(), cfg.module_input())
    assert r.steps is not None
    ck.same(r.steps[-1], r.h[-1], "output's last step vs h_n[-1]")


@claim("output-is-top-layer", "equal")
def output_is_top_layer(cfg: Config, ck: Checker) -> None:
    """``output`` is the top layer's hidden state at every step: a stack of one-layer modules
    holding the same weights gives the same ``output``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, num_layers=2)
    >>> layer0, layer1 = torch.nn.GRU(4, 5), torch.nn.GRU(5, 5)
    >>> _ = layer0.load_state_dict({k: v for k, v in gru.state_dict().items() if "l0" in k})
    >>> _ = layer1.load_state_dict(
    ...     {k.replace("l1", "l0"): v for k, v in gru.state_dict().items() if "l1" in k})
    >>> x = torch.randn(7, 3, 4)
    >>> output, h_n = gru(x)
    >>> # layer 1 reads layer 0's output; its own output is the module's output
    >>> torch.equal(layer1(layer0(x)[0])[0], output)
    True
    """
    m = cfg.module()
    x = cfg.module_input()
    r = run(m, x)
    for one in cfg.one_layer_modules(m):
        top = run(one, x)
        x = top.output
    ck.same(top.data, r.data, "top layer of the one-layer stack vs output")


@claim("h-n-is-last-step-of-every-layer", "equal")
def h_n_is_last_step_of_every_layer(cfg: Config, ck: Checker) -> None:
    """``h_n`` holds the final state of every layer and direction: row ``layer * D +
    direction`` of ``h_n`` is what a one-layer module with that layer's weights, fed the layer
    below's ``output``, returns as its final state in that direction.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> rnn = torch.nn.RNN(4, 5, num_layers=2)
    >>> layer0 = torch.nn.RNN(4, 5)
    >>> _ = layer0.load_state_dict({k: v for k, v in rnn.state_dict().items() if "l0" in k})
    >>> x = torch.randn(7, 3, 4)
    >>> _, h_n = rnn(x)
    >>> out0, h0_n = layer0(x)
    >>> # h_n's first row is layer 0's last step
    >>> torch.equal(h_n[0], out0[-1])
    True
    """
    m = cfg.module()
    x = cfg.module_input()
    r = run(m, x)
    rows = []
    for one in cfg.one_layer_modules(m):
        step = run(one, x)
        rows.append(step.h_n)
        x = step.output
    ck.same(torch.cat(rows), r.h_n, "the stack's final states vs h_n")


@claim("lower-layers-not-in-output", "structure", STACKED & UNPACKED)
def lower_layers_not_in_output(cfg: Config, ck: Checker) -> None:
    """lower layers' states appear nowhere in ``output``: of each lower layer only the final
    state comes back, as a row of ``h_n``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> # compare layer 0's final state (h_n[0]) with all 7 steps of output
    >>> any(torch.allclose(output[t], h_n[0]) for t in range(7))
    False
    """
    r = run(cfg.module(), cfg.module_input())
    steps = r.steps
    assert steps is not None
    d, h = cfg.num_directions, cfg.h_out
    for row in range(d * (cfg.num_layers - 1)):
        for t in range(steps.shape[0]):
            for half in range(d):
                ck.differ(
                    steps[t, :, half * h : (half + 1) * h], r.h[row], f"h_n[{row}] in output[{t}]"
                )


@claim("unroll-reproduces-module", "close")
def unroll_reproduces_module(cfg: Config, ck: Checker) -> None:
    """recomputed step by step from the module's weights with the documented equations, the
    recurrence gives the module's ``output``, ``h_n`` and ``c_n``: ``rnnshapes.unroll`` matches
    the fused kernel.

    >>> import torch
    >>> from rnnshapes import unroll
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2)
    >>> x = torch.randn(7, 3, 4)
    >>> output, (h_n, c_n) = lstm(x)
    >>> u = unroll(lstm, x)
    >>> torch.testing.assert_close(u.output, output)
    >>> torch.testing.assert_close((u.h_n, u.c_n), (h_n, c_n))
    """
    m = cfg.module()
    x, hx = cfg.module_input(), cfg.initial_state()
    r = run(m, x, hx)
    u = unroll(m, x, hx)
    ck.same(run_like(u.output), r.data, "unroll's output vs the module's")
    ck.same(u.h_n, r.h_n, "unroll's h_n vs the module's")
    if r.c_n is not None:
        assert u.c_n is not None
        ck.same(u.c_n, r.c_n, "unroll's c_n vs the module's")


@claim("shapes-match-module", "structure", UNPACKED)
def shapes_match_module(cfg: Config, ck: Checker) -> None:
    """``rnnshapes.shapes`` predicts the shape of everything a module returns from its
    configuration alone, batched or unbatched.

    >>> import torch
    >>> from rnnshapes import shapes
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, batch_first=True)
    >>> output, (h_n, c_n) = lstm(torch.randn(3, 7, 4))  # N=3, L=7
    >>> s = shapes(lstm, seq_len=7, batch=3)
    >>> (s.output, s.h_n, s.c_n) == (output.shape, h_n.shape, c_n.shape)
    True
    """
    m = cfg.module()
    r = run(m, cfg.input())
    s = shapes(m, cfg.seq_len, cfg.batch if cfg.batched else None)
    got = (r.output.shape, r.h_n.shape, None if r.c_n is None else r.c_n.shape)
    ck.true(got == (s.output, s.h_n, s.c_n), f"shapes() said {s}, module returned {got}")
