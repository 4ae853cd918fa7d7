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

import copy

import torch

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

gru = torch.nn.GRU(input_size=4, hidden_size=5, num_layers=2)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, h_n = gru(x)

print("output", tuple(output.shape))  # (L, N, H): the top layer only
print("h_n   ", tuple(h_n.shape))  # (num_layers, N, H): one row per layer

# %%
# h_n has one row per layer
# -------------------------
# Row 1 of ``h_n`` is the top layer's final state: the last step of ``output``. Row 0 is the
# bottom layer's final state, and ``output`` holds no step equal to it, not even up to rounding
# (``torch.allclose``).

print(torch.equal(h_n[1], output[-1]))  # top layer: in output, at the last step
steps_close_to_row_0 = [torch.allclose(h_n[0], output[t]) for t in range(7)]
print(not any(steps_close_to_row_0))  # bottom layer: nowhere in output

# %%
# The state grid
# --------------
# Each cell is one layer's hidden state at one step. ``output`` returns the top row; ``h_n``
# returns the last column. The bottom row's other six states are never returned.

import rnnshapes
from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(gru, x)
ax = plot.state_grid(u, sequence=0)

# %%
# The values
# ----------
# Sequence 0's ``output`` and ``h_n`` with their bit-equal rows outlined: one pair, the top
# layer at the last step.

fig = plot.heatmaps(
    {"output[:, 0]": output[:, 0], "h_n[:, 0]": h_n[:, 0]},
    equal=[("output[:, 0]", "h_n[:, 0]")],
    labels={
        "output[:, 0]": ("time step t (dim 0)", "hidden unit (dim 2)"),
        "h_n[:, 0]": ("layer (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("Two-layer GRU, sequence 0: only h_n's top row appears in output")

# %%
# Checked on every configuration
# ------------------------------
# The three claims shown above, checked on a stacked LSTM and a stacked bidirectional GRU too
# (the full check runs them on every configuration they apply to: ``python -m rnnshapes verify``).

from rnnshapes.configs import Config

configs = [
    Config("GRU", num_layers=2),
    Config("LSTM", num_layers=3),
    Config("GRU", num_layers=2, bidirectional=True, batch_first=True),
]
ids = ["output-is-top-layer", "h-n-is-last-step-of-every-layer", "lower-layers-not-in-output"]
print(rnnshapes.verify(ids=ids, configs=configs))

# %%
# Conclusion
# ----------
# Stacking layers adds rows to ``h_n`` and nothing to ``output``: ``output`` is always the top
# layer. ``h_n[-1]`` is still ``output[-1]``; ``h_n[0]`` is a lower layer's final state, which
# is not what a classifier on top of the module usually wants.

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.GRU`
# - :func:`torch.equal`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.verify`,
# :func:`rnnshapes.plot.state_grid`, :func:`rnnshapes.plot.heatmaps`.
