"""PyTorch's own tests as the oracle: their configurations, checked against the module.

Two sources nobody here chose: the module inputs torch ships for its own module tests
(``torch.testing._internal.common_modules``: ``nn.RNN``, ``nn.GRU``, ``nn.LSTM``, both dtypes,
training and eval), and the cases of the recurrent-layer tests in PyTorch's ``test/test_nn.py``
re-derived here (``_test_RNN_cpu_vs_cudnn``'s grid with and without packing and projections,
``test_variable_sequence``, ``test_rnn_initial_hidden_state``). On each, ``unroll``, ``shapes``,
``by_layer``, ``final_state`` and ``final_state_from_output`` must agree with the module. A
second, independent reference for the equations (``tests/reference.py``, written from the
published equations, one sequence at a time) cross-checks ``unroll`` in float64.
"""

from __future__ import annotations

import dataclasses
import itertools
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from reference import reference
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from rnnshapes import by_layer, final_state, final_state_from_output, shapes, unroll
from rnnshapes.configs import thorough_configs

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")


def check_against_module(module: nn.RNNBase, input: Any, hx: Any = None) -> None:
    """Everything rnnshapes computes about ``module(input, hx)`` agrees with the module."""
    output, state = module(input, hx)
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    u = unroll(module, input, hx)
    if isinstance(output, PackedSequence):
        assert isinstance(u.output, PackedSequence)
        torch.testing.assert_close(u.output.data, output.data)
        assert torch.equal(u.output.batch_sizes, output.batch_sizes)
    else:
        torch.testing.assert_close(u.output, output)
    torch.testing.assert_close(u.h_n, h_n)
    if c_n is not None:
        torch.testing.assert_close(u.c_n, c_n)

    if not isinstance(input, PackedSequence):
        batched = input.dim() == 3
        seq_len = input.shape[1 if module.batch_first and batched else 0]
        batch = input.shape[0 if module.batch_first else 1] if batched else None
        s = shapes(module, seq_len, batch)
        assert (s.input, s.output, s.h_n) == (input.shape, output.shape, h_n.shape)
        assert s.c_n == (c_n.shape if c_n is not None else None)

    d = 2 if module.bidirectional else 1
    rows = by_layer(h_n, module)
    for layer, direction in itertools.product(range(module.num_layers), range(d)):
        assert torch.equal(rows[layer, direction], h_n[layer * d + direction])
    # the final state read from output is h_n's top layer, exactly, packed or not
    assert torch.equal(final_state_from_output(output, module), final_state(h_n, module))


# -- torch.testing._internal.common_modules ------------------------------------------------


def _common_module_cases() -> Iterator[Any]:
    try:
        from torch.testing._internal.common_modules import module_db
    except ImportError as err:  # a torch without them, or without expecttest
        pytest.skip(f"torch {torch.__version__} ships no usable common_modules: {err}")
    for info in module_db:
        if info.module_cls not in (nn.RNN, nn.GRU, nn.LSTM):
            continue
        for dtype, training in itertools.product(info.dtypes, (False, True)):
            inputs = info.module_inputs_func(
                info, device="cpu", dtype=dtype, requires_grad=False, training=training
            )
            for i, module_input in enumerate(inputs):
                mode = "train" if training else "eval"
                name = f"{info.module_cls.__name__}-{str(dtype)[6:]}-{mode}-{i}"
                yield pytest.param(info.module_cls, dtype, training, module_input, id=name)


COMMON = list(_common_module_cases())


@pytest.mark.parametrize(("cls", "dtype", "training", "module_input"), COMMON)
def test_torch_module_inputs(
    cls: type, dtype: torch.dtype, training: bool, module_input: Any
) -> None:
    torch.manual_seed(0)
    ctor = module_input.constructor_input
    module = cls(*ctor.args, **ctor.kwargs).to(dtype).train(training)
    fwd = module_input.forward_input
    check_against_module(module, *fwd.args, **fwd.kwargs)


def test_the_common_module_inputs_are_many_and_varied() -> None:
    """The oracle is not empty: both dtypes, both modes, every kind, unbatched and with hx."""
    assert len(COMMON) >= 300
    kinds = {p.values[0] for p in COMMON}
    assert kinds == {nn.RNN, nn.GRU, nn.LSTM}
    assert {p.values[1] for p in COMMON} == {torch.float32, torch.float64}


# -- test/test_nn.py, re-derived -----------------------------------------------------------


def _cpu_vs_cudnn() -> Iterator[Any]:
    """``_test_RNN_cpu_vs_cudnn``: input_size=10, hidden_size=6, num_layers=2, seq_length=7,
    batch=6, float64, random hx (c0 = h0 + 1), over bias × bidirectional × batch_first × contig
    × variable_len (lengths 7, 5, 5, 2, 1, 1) × lens_as_tensor, for RNN, LSTM, GRU and an LSTM
    with proj_size=3; then RNN with each nonlinearity."""
    grid = itertools.product((True, False), repeat=6)
    for (cls, proj), flags in itertools.product(
        [(nn.RNN, 0), (nn.LSTM, 0), (nn.GRU, 0), (nn.LSTM, 3)], list(grid)
    ):
        name = f"{cls.__name__}{'-proj' if proj else ''}-" + "".join("TF"[not f] for f in flags)
        yield pytest.param(cls, proj, *flags, "tanh", id=name)
    for nonlinearity in ("tanh", "relu"):
        yield pytest.param(
            nn.RNN, 0, True, False, False, True, False, False, nonlinearity, id=nonlinearity
        )


def _noncontiguous(t: torch.Tensor) -> torch.Tensor:
    """The same numbers, strided (as ``make_noncontig`` in test_nn.py)."""
    return torch.stack([t.clone().zero_(), t], t.dim()).select(t.dim(), 1)


@pytest.mark.parametrize(
    ("cls", "proj", "bias", "bidirectional", "batch_first", "contig", "variable_len",
     "lens_as_tensor", "nonlinearity"),
    list(_cpu_vs_cudnn()),
)  # fmt: skip
def test_rnn_cpu_vs_cudnn_cases(
    cls: type, proj: int, bias: bool, bidirectional: bool, batch_first: bool, contig: bool,
    variable_len: bool, lens_as_tensor: bool, nonlinearity: str,
) -> None:  # fmt: skip
    torch.manual_seed(0)
    input_size, hidden_size, num_layers, seq_length, batch = 10, 6, 2, 7, 6
    d = 2 if bidirectional else 1
    kwargs: dict[str, Any] = {
        "bias": bias,
        "bidirectional": bidirectional,
        "batch_first": batch_first,
    }
    if proj:
        kwargs["proj_size"] = proj
    if cls is nn.RNN:
        kwargs["nonlinearity"] = nonlinearity
    module = cls(input_size, hidden_size, num_layers, dtype=torch.float64, **kwargs)
    shape = (batch, seq_length, input_size) if batch_first else (seq_length, batch, input_size)
    x = torch.randn(*shape, dtype=torch.float64)
    h0 = torch.randn(num_layers * d, batch, proj or hidden_size, dtype=torch.float64)
    c0 = torch.randn(num_layers * d, batch, hidden_size, dtype=torch.float64)
    if not contig:
        x, h0, c0 = _noncontiguous(x), _noncontiguous(h0), _noncontiguous(c0)
        assert not x.is_contiguous()
    input: Any = x
    if variable_len:
        lengths: Any = [7, 5, 5, 2, 1, 1]
        if lens_as_tensor:
            lengths = torch.tensor(lengths, dtype=torch.long)
        input = pack_padded_sequence(x, lengths, batch_first=batch_first)
    hx = (h0, c0) if cls is nn.LSTM else h0
    check_against_module(module, input, hx)


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_variable_sequence(enforce_sorted: bool) -> None:
    """``test_variable_sequence``: a 2-layer bidirectional LSTM(3, 4) on lengths 10, 10, 6, 2,
    2, 1, 1 packed, against each sequence run alone, and unroll against both."""
    torch.manual_seed(0)
    lengths = [10, 10, 6, 2, 2, 1, 1]
    if not enforce_sorted:
        lengths = [2, 10, 1, 6, 10, 1, 2]
    x = torch.randn(max(lengths), len(lengths), 3)
    lstm = nn.LSTM(3, 4, bidirectional=True, num_layers=2)
    packed = pack_padded_sequence(x, lengths, enforce_sorted=enforce_sorted)
    check_against_module(lstm, packed)
    out, (h_n, _) = lstm(packed)
    unpacked, found = pad_packed_sequence(out)
    assert found.tolist() == lengths
    u = unroll(lstm, packed)
    for b, n in enumerate(lengths):
        alone, (h_alone, _) = lstm(x[:n, b : b + 1])
        torch.testing.assert_close(unpacked[:n, b : b + 1], alone)
        torch.testing.assert_close(h_n[:, b : b + 1], h_alone)
        torch.testing.assert_close(u.h_n[:, b : b + 1], h_alone)
        assert not unpacked[n:, b].any()  # padded with zeros past its end


@pytest.mark.parametrize("cls", [nn.RNN, nn.GRU, nn.LSTM])
def test_rnn_initial_hidden_state(cls: type) -> None:
    """``test_rnn_initial_hidden_state``: (30, 20, 2) on (10, 32, 30); a zero hx is no hx."""
    torch.manual_seed(0)
    module = cls(30, 20, 2)
    x = torch.randn(10, 32, 30)
    zeros = torch.zeros(2, 32, 20)
    hx = (zeros, zeros) if cls is nn.LSTM else zeros
    check_against_module(module, x, hx)
    assert torch.equal(unroll(module, x, hx).output, unroll(module, x).output)


# -- an independent reference for the equations --------------------------------------------


def _float64_walk() -> list[Any]:
    seen, cases = set(), []
    for cfg in thorough_configs():
        cfg64 = dataclasses.replace(cfg, dtype=torch.float64)
        if cfg64 not in seen:
            seen.add(cfg64)
            cases.append(pytest.param(cfg64, id=str(cfg64)))
    return cases


@pytest.mark.parametrize("cfg", _float64_walk())
def test_unroll_agrees_with_the_published_equations(cfg: Any) -> None:
    module = cfg.module().eval()
    u = unroll(module, cfg.module_input(), cfg.initial_state())
    x = cfg.time_major(cfg.input()) if cfg.batched else cfg.input().unsqueeze(1)
    lengths = list(cfg.lengths) if cfg.lengths else [cfg.seq_len] * x.shape[1]
    state = cfg.initial_state()
    h0, c0 = state if isinstance(state, tuple) else (state, None)
    if not cfg.batched:
        h0 = h0.unsqueeze(1)
        c0 = c0.unsqueeze(1) if c0 is not None else None
    outputs, h_n, c_n = reference(module, [x[:n, b] for b, n in enumerate(lengths)], h0, c0)
    top = torch.cat(list(u.h[-1]), dim=-1)  # (L, N, D * H_out), time-major, zeros past the end
    if not cfg.batched:
        top = top.unsqueeze(1)
    tight = {"rtol": 1e-12, "atol": 1e-12}
    for b, n in enumerate(lengths):
        torch.testing.assert_close(top[:n, b], outputs[b], **tight)
    u_h_n = u.h_n if cfg.batched else u.h_n.unsqueeze(1)
    torch.testing.assert_close(u_h_n, h_n, **tight)
    if c_n is not None:
        u_c_n = u.c_n if cfg.batched else u.c_n.unsqueeze(1)
        torch.testing.assert_close(u_c_n, c_n, **tight)
