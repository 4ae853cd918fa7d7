"""
Output vs h_n in stacked layers
===============================

A two-layer GRU: ``output`` is the top layer at every step, ``h_n`` is every layer at the last
step. They share one cell; the lower layer's states never reach ``output``.
"""

# %%
# A two-layer GRU
# ---------------
# L=7 steps, N=3 sequences, H_in=4 input features, H=5 hidden units, 2 layers.

import torch

torch.manual_seed(0)

gru = torch.nn.GRU(input_size=4, hidden_size=5, num_layers=2)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, h_n = gru(x)

print("output", tuple(output.shape))  # (L, N, H): the top layer only
print("h_n   ", tuple(h_n.shape))  # (num_layers, N, H): one row per layer

# %%
# h_n has one row per layer
# -------------------------
# Row 1 of ``h_n`` is the top layer's final state: the last step of ``output``, bit for bit
# (``torch.equal``). Row 0 is the bottom layer's final state, and ``output`` holds no step equal
# to it, not even up to rounding (``torch.allclose``). Each ``assert`` raises if not.

assert torch.equal(h_n[1], output[-1])  # top layer: in output, at the last step
assert not any(torch.allclose(h_n[0], output[t]) for t in range(7))  # bottom: nowhere

# %%
# The state grid
# --------------
# Each cell is one layer's hidden state at one step. ``output`` returns the top row; ``h_n``
# returns the last column. The bottom row's other six states are never returned.

import matplotlib.pyplot as plt

import rnnshapes
from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(gru, x)
plot.state_grid(u, sequence=0)
plt.show()

# %%
# The values
# ----------
# Sequence 0's ``output`` and ``h_n`` with their bit-equal rows outlined: one pair, the top
# layer at the last step.

out, h = "output[:, 0]", "h_n[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {out: output[:, 0], h: h_n[:, 0]},
    equal=[(out, h)],  # outline the rows that are bit-equal
    labels={  # (y label, x label) of each panel
        out: ("time step t (dim 0)", "hidden unit (dim 2)"),
        h: ("layer (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("Two-layer GRU, sequence 0: only h_n's top row appears in output")
plt.show()

# %%
# Conclusion
# ----------
# Stacking layers adds rows to ``h_n`` and nothing to ``output``: ``output`` is always the top
# layer. ``h_n[-1]`` is still ``output[-1]``; ``h_n[0]`` is a lower layer's final state, which
# is not what a classifier on top of the module usually wants.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to, stacked
# LSTMs and bidirectional GRUs included: :claim:`output is the top layer <output-is-top-layer>`,
# :claim:`h_n is the last step of every layer <h-n-is-last-step-of-every-layer>` and
# :claim:`lower layers are not in output <lower-layers-not-in-output>` in the :doc:`claims index
# </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.GRU`
# - :func:`torch.equal`
# - :func:`torch.allclose`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.state_grid`,
# :func:`rnnshapes.plot.heatmaps`.
