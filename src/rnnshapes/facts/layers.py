"""The state grid: ``output`` is the top layer across time, ``h_n`` the last step across layers."""

from __future__ import annotations

import torch
from torch import nn

from ..configs import Config, run
from ..registry import Checker, claim
from ..shapes import shapes
from ..unroll import unroll


def _one_layer_stack(module: nn.RNNBase, cfg: Config) -> list[nn.RNNBase]:
    """One one-layer module per layer of ``module``, holding that layer's weights."""
    stack = []
    for layer in range(cfg.num_layers):
        size = cfg.input_size if layer == 0 else cfg.num_directions * cfg.h_out
        one = cfg.with_(num_layers=1, input_size=size).module()
        with torch.no_grad():
            for name, p in one.named_parameters():
                p.copy_(getattr(module, name.replace("_l0", f"_l{layer}")))
        stack.append(one)
    return stack


def _uni(cfg: Config) -> bool:
    return not cfg.bidirectional


def _stacked(cfg: Config) -> bool:
    return cfg.num_layers > 1


def _step_axis(cfg: Config) -> int:
    return 1 if cfg.batch_first else 0


@claim("output-last-step-is-h-n", "equal", applies=_uni)
def output_last_step_is_h_n(cfg: Config, ck: Checker) -> None:
    """For a unidirectional module, the last step of ``output`` is the last row of ``h_n``:
    ``output[-1]`` equals ``h_n[-1]`` exactly (``output[:, -1]`` with ``batch_first``).

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
    m = cfg.module()
    r = run(m, cfg.input())
    last = r.output[:, -1] if cfg.batch_first else r.output[-1]
    ck.equal(last, r.h_n[-1], "output's last step vs h_n[-1]")


@claim("output-is-top-layer", "close")
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
    >>> torch.testing.assert_close(layer1(layer0(x)[0])[0], output)
    """
    m = cfg.module()
    x = cfg.input()
    r = run(m, x)
    for one in _one_layer_stack(m, cfg):
        x = run(one, x).output
    ck.close(x, r.output, "top layer of the one-layer stack vs output")


@claim("h-n-is-last-step-of-every-layer", "close")
def h_n_is_last_step_of_every_layer(cfg: Config, ck: Checker) -> None:
    """``h_n`` holds every layer's (and direction's) state at the last step: row ``k`` of
    ``h_n`` is what a one-layer module with layer ``k``'s weights returns as its final state.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> rnn = torch.nn.RNN(4, 5, num_layers=2)
    >>> layer0 = torch.nn.RNN(4, 5)
    >>> _ = layer0.load_state_dict({k: v for k, v in rnn.state_dict().items() if "l0" in k})
    >>> x = torch.randn(7, 3, 4)
    >>> _, h_n = rnn(x)
    >>> out0, h0_n = layer0(x)
    >>> # h_n's first row is layer 0's last step
    >>> torch.testing.assert_close(h_n[0], out0[-1])
    """
    m = cfg.module()
    x = cfg.input()
    r = run(m, x)
    rows = []
    for one in _one_layer_stack(m, cfg):
        step = run(one, x)
        rows.append(step.h_n)
        x = step.output
    ck.close(torch.cat(rows), r.h_n, "the stack's final states vs h_n")


@claim("lower-layers-not-in-output", "structure", applies=_stacked)
def lower_layers_not_in_output(cfg: Config, ck: Checker) -> None:
    """Lower layers' states appear nowhere in ``output``: of each lower layer only the final
    state comes back, as a row of ``h_n``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> # compare layer 0's final state (h_n[0]) with all 7 steps of output
    >>> any(torch.allclose(output[t], h_n[0]) for t in range(7))
    False
    """
    m = cfg.module()
    r = run(m, cfg.input())
    steps = r.output.transpose(0, 1) if cfg.batch_first else r.output
    d, h = cfg.num_directions, cfg.h_out
    for row in range(d * (cfg.num_layers - 1)):
        for t in range(cfg.seq_len):
            for half in range(d):
                ck.differ(
                    steps[t, :, half * h : (half + 1) * h], r.h_n[row], f"h_n[{row}] in output[{t}]"
                )


@claim("unroll-reproduces-module", "close")
def unroll_reproduces_module(cfg: Config, ck: Checker) -> None:
    """Recomputed step by step from the module's weights with the documented equations, the
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
    x, hx = cfg.input(), cfg.initial_state()
    r = run(m, x, hx)
    u = unroll(m, x, hx)
    assert isinstance(u.output, torch.Tensor)
    ck.close(u.output, r.output, "unroll's output vs the module's")
    ck.close(u.h_n, r.h_n, "unroll's h_n vs the module's")
    if r.c_n is not None:
        assert u.c_n is not None
        ck.close(u.c_n, r.c_n, "unroll's c_n vs the module's")


@claim("shapes-match-module", "structure")
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
    for batched in (True, False):
        r = run(m, cfg.input(batched))
        s = shapes(m, cfg.seq_len, cfg.batch if batched else None)
        got = (r.output.shape, r.h_n.shape, None if r.c_n is None else r.c_n.shape)
        ck.true(got == (s.output, s.h_n, s.c_n), f"shapes() said {s}, module returned {got}")
