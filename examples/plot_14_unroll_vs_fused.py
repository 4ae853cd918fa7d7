"""
Unrolled vs fused kernel
========================

``rnnshapes.unroll`` recomputes any RNN, LSTM or GRU step by step, every layer and direction,
keeping every state. Against torch's fused kernel the difference is zero or a few units in the
last place.
"""

# %%
# Three kinds, two layers
# -----------------------
# L=7 steps of N=3 sequences with H_in=4 features, through 2-layer modules with H=5.
# ``torch.testing.assert_close`` raises unless the two computations are close; the largest
# difference per step is measured in units of float32's machine epsilon.

import torch

import rnnshapes

torch.manual_seed(0)

x = torch.randn(7, 3, 4)  # (L, N, H_in)
modules = {
    "RNN": torch.nn.RNN(4, 5, num_layers=2),
    "LSTM": torch.nn.LSTM(4, 5, num_layers=2),
    "GRU": torch.nn.GRU(4, 5, num_layers=2),
}
eps = torch.finfo(torch.float32).eps
diffs = {}
with torch.no_grad():
    for kind, module in modules.items():
        fused = module(x)[0]
        u = rnnshapes.unroll(module, x)
        torch.testing.assert_close(u.output, fused)
        diffs[kind] = (u.output - fused).abs().amax(dim=(1, 2)) / eps  # (L,): per step
        print(f"{kind:<5} max |diff| / eps: {diffs[kind].max().item():.1f}")

# %%
# The differences, step by step
# -----------------------------
# Zero, or a few units in the last place: the fused kernel adds the same products in another
# order.

import matplotlib.pyplot as plt

colours = {"RNN": "#0072B2", "LSTM": "#D55E00", "GRU": "#009E73"}  # Okabe–Ito
markers = {"RNN": "o", "LSTM": "s", "GRU": "^"}
fig, ax = plt.subplots(figsize=(7.2, 3.2), layout="constrained")
for kind, per_step in diffs.items():
    ax.plot(per_step, marker=markers[kind], color=colours[kind], label=kind)
ax.set(
    title="rnnshapes.unroll vs the fused kernel: largest |difference| per step",
    xlabel="time step t (dim 0 of output)",
    ylabel="max |difference| / float32 eps",
)
ax.legend(title="2-layer module")
plt.show()

# %%
# Conclusion
# ----------
# What ``rnnshapes.unroll`` draws in this gallery's state grids is what the module computes:
# the same numbers, up to the order of a few sums.
#
# ``python -m rnnshapes verify`` checks this on every configuration it applies to, bidirectional
# and projected modules included: :claim:`unroll reproduces the module
# <unroll-reproduces-module>` in the :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.RNN`
# - :class:`torch.nn.LSTM`
# - :class:`torch.nn.GRU`
# - :class:`torch.finfo`
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`.
