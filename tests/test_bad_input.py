"""No exception but TypeError or ValueError escapes a public function on wrong input."""

from __future__ import annotations

import warnings

import torch
from hypothesis import event, given
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnnshapes import by_layer, final_state, final_state_from_output, shapes, unroll, verify

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")

modules = st.one_of(
    st.builds(
        nn.LSTM,
        st.integers(1, 4),
        st.integers(2, 4),
        num_layers=st.integers(1, 2),
        bidirectional=st.booleans(),
        batch_first=st.booleans(),
    ),
    st.builds(
        nn.GRU,
        st.integers(1, 4),
        st.integers(1, 4),
        num_layers=st.integers(1, 2),
        bidirectional=st.booleans(),
    ),
    st.builds(
        nn.RNN, st.integers(1, 4), st.integers(1, 4), nonlinearity=st.sampled_from(["tanh", "relu"])
    ),
    st.builds(nn.LSTM, st.just(3), st.just(4), proj_size=st.integers(1, 3)),
    st.builds(nn.LSTMCell, st.just(3), st.just(4)),
    st.builds(nn.Linear, st.just(3), st.just(4)),
    st.sampled_from([None, 3, "LSTM", torch.zeros(2)]),
)

tensors = st.builds(
    lambda shape, dtype: torch.randn(shape).to(dtype),
    st.lists(st.integers(0, 5), min_size=0, max_size=4).map(tuple),
    st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool, torch.float16]),
)


@st.composite
def packed(draw: st.DrawFn) -> object:
    n = draw(st.integers(1, 3))
    length = draw(st.integers(1, 5))
    features = draw(st.integers(1, 5))
    lengths = draw(st.lists(st.integers(1, length), min_size=n, max_size=n))
    lengths[0] = length
    return pack_padded_sequence(torch.randn(length, n, features), lengths, enforce_sorted=False)


anything = st.one_of(
    tensors,
    packed(),
    st.none(),
    st.integers(-3, 9),
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.integers(-2, 9), max_size=5),
    st.lists(st.floats(-2, 9), max_size=3),
    st.tuples(tensors, tensors),
    st.tuples(tensors),
)


def _only_named_errors(call) -> None:  # type: ignore[no-untyped-def]
    try:
        call()
    except (TypeError, ValueError) as err:
        event(type(err).__name__)
    else:
        event("accepted")


@given(module=modules, seq_len=anything, batch=anything)
def test_shapes(module: object, seq_len: object, batch: object) -> None:
    _only_named_errors(lambda: shapes(module, seq_len, batch))  # type: ignore[arg-type]


@given(module=modules, x=anything, hx=anything)
def test_unroll(module: object, x: object, hx: object) -> None:
    _only_named_errors(lambda: unroll(module, x, hx))  # type: ignore[arg-type]


@given(module=modules, state=anything)
def test_by_layer_and_final_state(module: object, state: object) -> None:
    _only_named_errors(lambda: by_layer(state, module))  # type: ignore[arg-type]
    _only_named_errors(lambda: final_state(state, module))  # type: ignore[arg-type]


@given(module=modules, output=anything, lengths=anything)
def test_final_state_from_output(module: object, output: object, lengths: object) -> None:
    _only_named_errors(lambda: final_state_from_output(output, module, lengths))  # type: ignore[arg-type]


@given(device=anything | st.sampled_from(["cuda", "tpu", "cpu:0", "mps", "nonsense"]))
def test_verify_device(device: object) -> None:
    _only_named_errors(lambda: verify(device=device, ids=[]))  # type: ignore[arg-type]


def _perturbed(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape``, or one like it: a size changed, an axis dropped, or an axis added."""
    how = draw(st.sampled_from(["same", "size", "drop", "add"]))
    dims = list(shape)
    if how == "size" and dims:
        dims[draw(st.integers(0, len(dims) - 1))] = draw(st.integers(0, 7))
    elif how == "drop" and dims:
        dims.pop(draw(st.integers(0, len(dims) - 1)))
    elif how == "add":
        dims.insert(draw(st.integers(0, len(dims))), draw(st.integers(1, 3)))
    return tuple(dims)


@st.composite
def near_misses(draw: st.DrawFn) -> tuple[nn.Module, object, object, object]:
    """A valid module with an input, a state and lengths that are right or nearly right."""
    from strategies import configs

    cfg = draw(configs())
    m = cfg.module()
    dtype = draw(st.sampled_from([cfg.dtype, cfg.dtype, torch.float16, torch.int32]))
    x = torch.zeros(_perturbed(draw, tuple(cfg.input().shape))).to(dtype)
    rows = cfg.num_layers * cfg.num_directions
    h0 = torch.zeros(_perturbed(draw, (rows, cfg.batch, cfg.h_out)), dtype=cfg.dtype)
    c0 = torch.zeros(_perturbed(draw, (rows, cfg.batch, cfg.hidden_size)), dtype=cfg.dtype)
    hx = draw(st.sampled_from([None, h0, (h0, c0), (h0,), [h0, c0]]))
    lengths = draw(st.lists(st.integers(-1, cfg.seq_len + 2), min_size=0, max_size=cfg.batch + 1))
    return m, x, hx, lengths


@given(case=near_misses())
def test_near_misses(case: tuple[nn.Module, object, object, object]) -> None:
    m, x, hx, lengths = case
    _only_named_errors(lambda: unroll(m, x, hx))  # type: ignore[arg-type]
    _only_named_errors(lambda: by_layer(hx[0] if isinstance(hx, tuple) else hx, m))  # type: ignore[arg-type]
    _only_named_errors(lambda: final_state_from_output(x, m, lengths))  # type: ignore[arg-type]
    _only_named_errors(lambda: final_state_from_output(x, m))  # type: ignore[arg-type]
