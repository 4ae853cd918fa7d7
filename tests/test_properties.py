"""Property tests: the helpers agree with torch on every configuration hypothesis draws."""

from __future__ import annotations

import warnings

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import configs, lengths_for
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnshapes import by_layer, claims, final_state, final_state_from_output, shapes, unroll
from rnnshapes.configs import Config, run, thorough_configs

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")


def _assert_same_state(got: torch.Tensor | None, want: torch.Tensor | None) -> None:
    assert (got is None) == (want is None)
    if got is not None:
        torch.testing.assert_close(got, want)


tensor_configs = configs().filter(lambda c: c.lengths is None and c.batched)


@given(cfg=tensor_configs, data=st.data())
def test_unroll_matches_module(cfg: Config, data: st.DataObject) -> None:
    m = cfg.module()
    mode = data.draw(st.sampled_from(["tensor", "unbatched", "packed"]), label="mode")
    with_state = data.draw(st.booleans(), label="with hx")
    hx = None
    if mode == "packed":
        lengths = data.draw(lengths_for(cfg), label="lengths")
        enforce = data.draw(st.booleans(), label="enforce_sorted")
        if enforce:
            lengths = sorted(lengths, reverse=True)
        x = pack_padded_sequence(
            cfg.input(), lengths, batch_first=cfg.batch_first, enforce_sorted=enforce
        )
    else:
        x = cfg.input(batched=mode == "tensor")
    if with_state:
        hx = cfg.initial_state()
        if mode == "unbatched":
            hx = tuple(t[:, 0] for t in hx) if isinstance(hx, tuple) else hx[:, 0]
    want = run(m, x, hx)
    got = unroll(m, x, hx)
    if mode == "packed":
        assert torch.equal(got.output.batch_sizes, want.output.batch_sizes)
        torch.testing.assert_close(got.output.data, want.output.data)
        assert got.lengths is not None
        # grid positions past each sequence's end are zeros
        for b, n in enumerate(got.lengths.tolist()):
            assert not got.h[:, :, n:, b].any()
    else:
        torch.testing.assert_close(got.output, want.output)
    _assert_same_state(got.h_n, want.h_n)
    _assert_same_state(got.c_n, want.c_n)
    # the grid is the picture: output is the top layer across time, h_n the last steps
    top = got.h[-1]
    if mode == "tensor":
        out = want.output.transpose(0, 1) if cfg.batch_first else want.output
        torch.testing.assert_close(torch.cat(list(top), dim=-1), out)
    if mode != "packed":
        last = torch.stack([got.h[:, 0, -1], got.h[:, -1, 0]], dim=1)[:, : cfg.num_directions]
        assert torch.equal(last.flatten(0, 1), got.h_n)


@given(cfg=tensor_configs, batched=st.booleans())
def test_shapes_match_module(cfg: Config, batched: bool) -> None:
    m = cfg.module()
    r = run(m, cfg.input(batched))
    s = shapes(m, cfg.seq_len, cfg.batch if batched else None)
    assert s.output == r.output.shape
    assert s.h_n == r.h_n.shape
    assert s.c_n == (None if r.c_n is None else r.c_n.shape)
    assert s.input == cfg.input(batched).shape
    assert len(str(s).splitlines()) == (4 if r.c_n is not None else 3) + len(s.notes)


@given(cfg=tensor_configs, batched=st.booleans())
def test_by_layer_and_final_state(cfg: Config, batched: bool) -> None:
    m = cfg.module()
    r = run(m, cfg.input(batched))
    grid = by_layer(r.h_n, m)
    for layer in range(cfg.num_layers):
        for d in range(cfg.num_directions):
            assert torch.equal(grid[layer, d], r.h_n[layer * cfg.num_directions + d])
    f = final_state(r.h_n, m)
    assert f.shape == (*r.h_n.shape[1:-1], cfg.num_directions * cfg.h_out)
    assert torch.equal(final_state_from_output(r.output, m), f)


@given(cfg=tensor_configs, data=st.data())
def test_final_state_from_output_packed_and_padded(cfg: Config, data: st.DataObject) -> None:
    m = cfg.module()
    lengths = data.draw(lengths_for(cfg), label="lengths")
    packed = pack_padded_sequence(
        cfg.input(), lengths, batch_first=cfg.batch_first, enforce_sorted=False
    )
    r = run(m, packed)
    expected = final_state(r.h_n, m)
    assert torch.equal(final_state_from_output(r.output, m), expected)
    padded, found = pad_packed_sequence(r.output, batch_first=cfg.batch_first)
    assert torch.equal(final_state_from_output(padded, m, found), expected)
    assert torch.equal(final_state_from_output(padded, m, lengths), expected)


# The claims on configurations hypothesis draws, every input form and edge included (one step, a
# batch of one, unbatched, packed with any lengths). The hidden size stays large enough that a
# "these differ" check cannot be fooled by a tiny all-zero ReLU state.
claim_configs = configs(min_hidden=3)


@pytest.mark.parametrize("claim_id", list(claims))
@given(cfg=claim_configs)
def test_claim_holds(claim_id: str, cfg: Config) -> None:
    item = claims[claim_id]
    if not item.applies(cfg):
        return
    outcome = item.check(cfg)
    assert outcome.comparisons > 0


@pytest.mark.parametrize("claim_id", list(claims))
def test_claim_holds_at_every_edge(claim_id: str) -> None:
    """Deterministically, every configuration of the thorough walk the claim's scope admits."""
    item = claims[claim_id]
    checked = [item.check(cfg) for cfg in thorough_configs() if item.applies(cfg)]
    assert checked and all(o.comparisons > 0 for o in checked)
