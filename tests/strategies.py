"""Hypothesis strategies: module configurations and inputs with small, varied sizes."""

from __future__ import annotations

import torch
from hypothesis import strategies as st

from rnnshapes.configs import Config


@st.composite
def configs(
    draw: st.DrawFn,
    min_batch: int = 1,
    min_hidden: int = 1,
    min_seq: int = 1,
) -> Config:
    """Any kind (RNN tanh/ReLU, LSTM with or without proj_size, GRU), 1–3 layers, both
    directions, batch_first, bias, float32/float64, small distinct-or-not sizes, and any input
    form: batched, unbatched, or packed with any lengths (a length-1 sequence, all full length,
    none full length), ``enforce_sorted`` either way."""
    kind = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
    hidden = draw(st.integers(max(min_hidden, 1), 6))
    proj = 0
    if kind == "LSTM" and hidden > 1 and draw(st.booleans()):
        proj = draw(st.integers(1, hidden - 1))
    seq_len = draw(st.integers(min_seq, 6))
    batch = draw(st.integers(min_batch, 4))
    form = draw(st.sampled_from(["batched", "unbatched", "packed"]))
    lengths, enforce_sorted = None, False
    if form == "unbatched":
        batch = 1
    if form == "packed":
        lengths = draw(st.lists(st.integers(1, seq_len), min_size=batch, max_size=batch))
        enforce_sorted = draw(st.booleans())
        if enforce_sorted:
            lengths = sorted(lengths, reverse=True)
    return Config(
        kind=kind,
        nonlinearity=draw(st.sampled_from(["tanh", "relu"])) if kind == "RNN" else "tanh",
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        bias=draw(st.booleans()),
        proj_size=proj,
        dtype=draw(st.sampled_from([torch.float32, torch.float64])),
        seq_len=seq_len,
        batch=batch,
        batched=form != "unbatched",
        lengths=None if lengths is None else tuple(lengths),
        enforce_sorted=enforce_sorted,
        input_size=draw(st.integers(1, 5)),
        hidden_size=hidden,
        seed=draw(st.integers(0, 2**16)),
    )


@st.composite
def lengths_for(draw: st.DrawFn, cfg: Config) -> list[int]:
    """Per-sequence lengths in 1..seq_len, the longest equal to seq_len (as packing needs)."""
    lengths = draw(st.lists(st.integers(1, cfg.seq_len), min_size=cfg.batch, max_size=cfg.batch))
    lengths[draw(st.integers(0, cfg.batch - 1))] = cfg.seq_len
    return lengths
