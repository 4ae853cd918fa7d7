"""Unit tests of the public API on hand-picked configurations."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnshapes
from rnnshapes import by_layer, final_state, final_state_from_output, shapes, unroll

L, N, H_IN, H, P = 7, 3, 4, 5, 2


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def test_public_api_is_listed() -> None:
    for name in rnnshapes.__all__:
        assert hasattr(rnnshapes, name), name
    assert {
        "shapes",
        "unroll",
        "by_layer",
        "final_state",
        "final_state_from_output",
        "claims",
        "verify",
    } <= set(rnnshapes.__all__)


def test_shapes_names_every_dimension() -> None:
    lstm = nn.LSTM(H_IN, H, num_layers=2, bidirectional=True, batch_first=True, proj_size=P)
    s = shapes(lstm, seq_len=L, batch=N)
    assert s.input == (N, L, H_IN)
    assert s.output == (N, L, 2 * P)
    assert s.h_n == (4, N, P)
    assert s.c_n == (4, N, H)
    lines = str(s).splitlines()
    assert [line.split()[0] for line in lines] == ["input", "output", "h_n", "c_n"]
    assert "batch=3, seq_len=7, num_directions*proj_size=2*2" in lines[1]
    assert lines[3].endswith("hidden_size=5")


def test_shapes_unbatched_has_no_batch_axis() -> None:
    s = shapes(nn.GRU(H_IN, H, num_layers=3, batch_first=True), seq_len=L)
    assert (s.input, s.output, s.h_n, s.c_n) == ((L, H_IN), (L, H), (3, H), None)
    assert "c_n" not in str(s)


def test_shapes_work_on_meta_modules() -> None:
    big = nn.LSTM(1000, 2000, num_layers=4, device="meta")
    assert shapes(big, seq_len=L, batch=N).h_n == (4, N, 2000)


def test_unroll_grid_layout_bidirectional_packed() -> None:
    gru = nn.GRU(H_IN, H, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(N, L, H_IN)
    lengths = [4, 7, 1]
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    u = unroll(gru, packed)
    assert u.h.shape == (2, 2, L, N, H)
    assert u.c is None and u.c_n is None
    assert u.lengths is not None and u.lengths.tolist() == lengths
    # positions past a sequence's length are zeros in the grid
    assert torch.equal(u.h[:, :, 4:, 0], torch.zeros(2, 2, 3, H))
    assert not torch.equal(u.h[:, :, 3, 0], torch.zeros(2, 2, H))
    out, h_n = gru(packed)
    assert isinstance(u.output, type(out))
    torch.testing.assert_close(u.output.data, out.data)
    assert torch.equal(u.output.batch_sizes, out.batch_sizes)
    assert torch.equal(u.output.unsorted_indices, out.unsorted_indices)
    torch.testing.assert_close(u.h_n, h_n)
    # the unpacked outputs agree, in the caller's order
    torch.testing.assert_close(pad_packed_sequence(u.output)[0], pad_packed_sequence(out)[0])


def test_unroll_lstm_with_state_unbatched() -> None:
    lstm = nn.LSTM(H_IN, H, num_layers=2, proj_size=P)
    x = torch.randn(L, H_IN)
    hx = (torch.randn(2, P), torch.randn(2, H))
    u = unroll(lstm, x, hx)
    assert u.h.shape == (2, 1, L, P) and u.c is not None and u.c.shape == (2, 1, L, H)
    out, (h_n, c_n) = lstm(x, hx)
    torch.testing.assert_close(u.output, out)
    torch.testing.assert_close((u.h_n, u.c_n), (h_n, c_n))


def test_unroll_is_differentiable() -> None:
    rnn = nn.RNN(H_IN, H, nonlinearity="relu")
    x = torch.randn(L, N, H_IN)
    unroll(rnn, x).h_n.sum().backward()
    assert rnn.weight_hh_l0.grad is not None and rnn.weight_hh_l0.grad.abs().sum() > 0


def test_unroll_rejects_dropout_in_training_but_not_in_eval() -> None:
    lstm = nn.LSTM(H_IN, H, num_layers=2, dropout=0.3)
    with pytest.raises(ValueError, match=r"training mode with dropout=0\.3"):
        unroll(lstm, torch.randn(L, N, H_IN))
    lstm.eval()
    x = torch.randn(L, N, H_IN)
    torch.testing.assert_close(unroll(lstm, x).output, lstm(x)[0])


def test_by_layer_rows_are_layer_major() -> None:
    lstm = nn.LSTM(H_IN, H, num_layers=3, bidirectional=True)
    _, (h_n, c_n) = lstm(torch.randn(L, N, H_IN))
    grid = by_layer(h_n, lstm)
    assert grid.shape == (3, 2, N, H)
    for layer in range(3):
        for d in range(2):
            assert torch.equal(grid[layer, d], h_n[2 * layer + d])
    assert by_layer(c_n, lstm).shape == (3, 2, N, H)
    assert by_layer(h_n[:, 0], lstm).shape == (3, 2, H)  # unbatched


def test_final_state_bidirectional_is_forward_then_backward() -> None:
    gru = nn.GRU(H_IN, H, num_layers=2, bidirectional=True)
    out, h_n = gru(torch.randn(L, N, H_IN))
    f = final_state(h_n, gru)
    assert torch.equal(f, torch.cat([h_n[-2], h_n[-1]], dim=-1))
    assert torch.equal(f[:, :H], out[-1, :, :H]) and torch.equal(f[:, H:], out[0, :, H:])
    assert not torch.allclose(f, out[-1])


def test_final_state_from_output_padded_batch_first() -> None:
    lstm = nn.LSTM(H_IN, H, bidirectional=True, batch_first=True)
    x = torch.randn(N, L, H_IN)
    lengths = torch.tensor([4, 7, 1])
    out, (h_n, _) = lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
    padded, found = pad_packed_sequence(out, batch_first=True)
    assert torch.equal(final_state_from_output(padded, lstm, found), final_state(h_n, lstm))
    assert torch.equal(
        final_state_from_output(padded, lstm, lengths.tolist()), final_state(h_n, lstm)
    )
    # without lengths the forward half is read at the last padded step: wrong for short ones
    wrong = final_state_from_output(padded, lstm)
    assert torch.equal(wrong[1], final_state(h_n, lstm)[1])  # the full-length sequence
    assert not torch.allclose(wrong[0], final_state(h_n, lstm)[0])


def test_final_state_from_output_takes_numpy_lengths() -> None:
    import numpy as np

    gru = nn.GRU(H_IN, H)
    x = torch.randn(L, N, H_IN)
    out, h_n = gru(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    padded, _ = pad_packed_sequence(out)
    for lengths in (np.array([4, 7, 1]), [np.int64(4), np.int64(7), np.int64(1)]):
        assert torch.equal(final_state_from_output(padded, gru, lengths), final_state(h_n, gru))


def test_final_state_from_output_unbatched() -> None:
    rnn = nn.RNN(H_IN, H, num_layers=2)
    out, h_n = rnn(torch.randn(L, H_IN))
    assert torch.equal(final_state_from_output(out, rnn), final_state(h_n, rnn))
    assert final_state(h_n, rnn).shape == (H,)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: shapes(nn.Linear(4, 5), 7), TypeError, "got nn.Linear"),
        (lambda: shapes(nn.GRUCell(4, 5), 7), TypeError, "cells take one step"),
        (lambda: shapes(nn.GRU(4, 5), 0), ValueError, "seq_len must be at least 1"),
        (lambda: shapes(nn.GRU(4, 5), 7, batch=True), TypeError, "batch must be an int"),
        (
            lambda: by_layer(torch.zeros(3, 2, 5), nn.LSTM(4, 5, 2, bidirectional=True)),
            ValueError,
            "state has 3 rows but a 2-layer bidirectional LSTM returns 4",
        ),
        (lambda: by_layer(torch.zeros(2, 3, 6), nn.GRU(4, 5, 2)), ValueError, "ends in 6"),
        (lambda: final_state([1, 2], nn.GRU(4, 5)), TypeError, "h_n must be a torch.Tensor"),
        (
            lambda: final_state(torch.zeros(3, 2, 5), nn.LSTM(4, 5, 2, bidirectional=True)),
            ValueError,
            "h_n has 3 rows but a 2-layer bidirectional LSTM returns 4",
        ),
        (
            lambda: final_state_from_output(torch.zeros(0, 5), nn.GRU(4, 5)),
            ValueError,
            "at least one step",
        ),
        (
            lambda: final_state_from_output(torch.zeros(7, 3, 5), nn.GRU(4, 5), [7, 7]),
            ValueError,
            "lengths has 2 entries but the batch has 3",
        ),
        (
            lambda: final_state_from_output(torch.zeros(7, 3, 5), nn.GRU(4, 5), [7, 8, 1]),
            ValueError,
            "between 1 and the sequence length 7",
        ),
        (
            lambda: final_state_from_output(torch.zeros(7, 3, 5), nn.GRU(4, 5), [7.0, 7.0, 1.0]),
            TypeError,
            "lengths must be integers",
        ),
        (
            lambda: final_state_from_output(torch.zeros(7, 3, 10), nn.GRU(4, 5)),
            ValueError,
            "output ends in 10",
        ),
        (lambda: unroll(nn.GRU(4, 5), torch.zeros(7, 3, 6)), ValueError, "takes input_size=4"),
        (lambda: unroll(nn.GRU(4, 5), torch.zeros(7, 3, 4, 1)), ValueError, "got 4-D"),
        (
            lambda: unroll(nn.GRU(4, 5), torch.zeros(7, 3, 4, dtype=torch.float64)),
            TypeError,
            "module's weights are torch.float32",
        ),
        (
            lambda: unroll(nn.GRU(4, 5), torch.zeros(7, 3, 4, dtype=torch.int64)),
            TypeError,
            "floating-point",
        ),
        (
            lambda: unroll(nn.LSTM(4, 5), torch.zeros(7, 3, 4), torch.zeros(1, 3, 5)),
            TypeError,
            "tuple \\(h0, c0\\)",
        ),
        (
            lambda: unroll(nn.GRU(4, 5), torch.zeros(7, 3, 4), (torch.zeros(1, 3, 5),)),
            TypeError,
            "one tensor h0",
        ),
        (
            lambda: unroll(nn.GRU(4, 5, 2), torch.zeros(7, 3, 4), torch.zeros(3, 3, 5)),
            ValueError,
            "h0 has 3 rows but a 2-layer GRU takes 2",
        ),
        (
            lambda: unroll(nn.GRU(4, 5), torch.zeros(7, 3, 4), torch.zeros(1, 2, 5)),
            ValueError,
            "h0 must have shape \\(1, 3, 5\\)",
        ),
        (lambda: unroll(nn.GRU(4, 5), torch.zeros(0, 3, 4)), ValueError, "at least one step"),
    ],
)
def test_bad_input_is_named(call, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        call()
