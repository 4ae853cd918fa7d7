"""
Carrying state across chunks
============================

A long sequence run in chunks, each chunk starting from the previous chunk's ``h_n`` (and
``c_n``), gives the same ``output`` as one run over the whole sequence: exactly, or up to the
last bits of a float. A bidirectional module is the exception.
"""

# %%
# One run, and four chunks
# ------------------------
# A sequence of 28 steps (N=3 sequences, H_in=4) through 2-layer modules with H=5: once whole,
# and once as 4 chunks of 7 steps with the state carried from one chunk to the next.

import torch

torch.manual_seed(0)

x = torch.randn(28, 3, 4)  # (L, N, H_in)
chunks = x.split(7)  # 4 chunks of (7, N, H_in)


def in_chunks(module, chunks):
    """Run ``module`` over ``chunks`` in turn, passing each chunk's final state on."""
    state, outputs = None, []
    for chunk in chunks:
        out, state = module(chunk, state)
        outputs.append(out)
    return torch.cat(outputs), state


modules = {
    "RNN": torch.nn.RNN(4, 5, num_layers=2),
    "LSTM": torch.nn.LSTM(4, 5, num_layers=2),
    "GRU": torch.nn.GRU(4, 5, num_layers=2),
}
results = {}
with torch.no_grad():
    for kind, module in modules.items():
        results[kind] = (module(x)[0], in_chunks(module, chunks)[0])

# %%
# The difference, measured
# ------------------------
# The input-to-hidden products are computed per chunk instead of once for all 28 steps, which
# may round differently in the last bit. ``torch.testing.assert_close`` raises unless the two
# runs are close, for every kind; the largest difference, in units of float32's epsilon, is 0
# where they are bit-equal:

eps = torch.finfo(torch.float32).eps
for kind, (whole, chunked) in results.items():
    torch.testing.assert_close(chunked, whole)
    print(f"{kind:<5} max |diff| / eps: {(whole - chunked).abs().max().item() / eps:.1f}")

# %%
# Step by step
# ------------
# The largest difference at each step, per kind; zero where the chunked run is bit-equal.

import matplotlib.pyplot as plt

colours = {"RNN": "#0072B2", "LSTM": "#D55E00", "GRU": "#009E73"}  # Okabe–Ito
markers = {"RNN": "o", "LSTM": "s", "GRU": "^"}
fig, ax = plt.subplots(figsize=(7.2, 3.2), layout="constrained")
for kind, (whole, chunked) in results.items():
    per_step = (whole - chunked).abs().amax(dim=(1, 2)) / eps
    ax.plot(per_step, marker=markers[kind], color=colours[kind], label=kind)
for edge in (7, 14, 21):
    ax.axvline(edge - 0.5, color="#999999", linestyle=":", linewidth=1)
ax.set(
    title="Whole run vs 4 chunks of 7 steps: largest |difference| per step",
    xlabel="time step t (dim 0 of output); dotted lines: chunk boundaries",
    ylabel="max |difference| / float32 eps",
)
ax.legend(title="module")
plt.show()

# %%
# The RNN's outputs side by side, for sequence 0, rows that are bit-equal outlined; a row not
# outlined differs in its last bits. Even the first chunk, which starts from the same zero state
# with the same inputs, may differ: its input projection is one product over 7 steps instead of
# 28, and the kernel may sum in another order.

from rnnshapes import plot

whole, chunked = results["RNN"]
whole_t, chunked_t = "whole output[:, 0]", "chunked output[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {whole_t: whole[:, 0], chunked_t: chunked[:, 0]},
    equal=[(whole_t, chunked_t)],  # outline the rows that are bit-equal
    labels=dict.fromkeys([whole_t, chunked_t], ("time step t (dim 0)", "hidden unit (dim 2)")),
)
fig.suptitle("2-layer RNN, sequence 0: 28 steps whole vs in 4 carried chunks")
plt.show()

# %%
# Not for a bidirectional module
# ------------------------------
# The backward direction of a chunk starts at the chunk's end, from a state that has seen
# none of the later steps, so carrying state does not reproduce the whole run.

bi = torch.nn.GRU(4, 5, bidirectional=True)
with torch.no_grad():
    whole_bi = bi(x)[0]
    chunked_bi = in_chunks(bi, chunks)[0]
assert not torch.allclose(whole_bi, chunked_bi)  # not even close

# %%
# Conclusion
# ----------
# For one direction, carrying ``h_n`` (and ``c_n``) from chunk to chunk is the same
# computation as one long run, up to rounding in the last bits; detach the carried state
# between chunks when training with truncated backpropagation through time.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`carried state reproduces the full run <carried-state-reproduces-full-run>` and
# :claim:`chunks do not carry the backward direction <chunks-do-not-carry-backward>` in the
# :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.RNN`
# - :class:`torch.nn.LSTM`
# - :class:`torch.nn.GRU`
# - :meth:`torch.Tensor.split`
# - :func:`torch.cat`
# - :func:`torch.allclose`
# - :func:`torch.testing.assert_close`
# - :class:`torch.finfo`
#
# and from ``rnnshapes``: :func:`rnnshapes.plot.heatmaps`.
