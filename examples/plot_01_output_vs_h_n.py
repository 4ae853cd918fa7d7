"""
Output vs h_n
=============

A one-layer LSTM returns ``output`` and ``(h_n, c_n)``. This example prints both for one
sequence, draws them side by side, and checks that the last step of ``output`` *is* ``h_n``.
"""

# %%
# A one-layer LSTM on a batch
# ---------------------------
# Seven steps (L=7) of three sequences (N=3), each step four features (H_in=4), hidden size five
# (H=5): distinct sizes, so every axis of every shape can be told apart.

import torch

torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, (h_n, c_n) = lstm(x)

print("output", tuple(output.shape))  # (L, N, H): every step
print("h_n   ", tuple(h_n.shape))  # (num_layers, N, H): the last step
print("c_n   ", tuple(c_n.shape))  # (num_layers, N, H): the last cell state

# %%
# The two tensors, for sequence 0
# -------------------------------
# ``output[:, 0]`` holds sequence 0's hidden state at each of the seven steps; ``h_n[:, 0]``
# holds its hidden state after the last step, once per layer (one layer here).

print(output[:, 0])
print(h_n[:, 0])

# %%
# The same numbers, bit for bit
# -----------------------------
# For a one-layer, one-direction module the last row of ``output`` is ``h_n``: not close,
# identical (``torch.equal``), for every sequence of the batch. Each ``assert`` raises if not.

assert torch.equal(output[-1], h_n[-1])
assert torch.equal(output[-1, 0], h_n[0, 0])

# %%
# Side by side
# ------------
# The heatmaps share one colour scale; the outlined rows are the ones that are bit-equal between
# the panels. ``c_n`` matches no row of ``output``: the cell state only comes back at the end.

import matplotlib.pyplot as plt

from rnnshapes import plot

out, h, c = "output[:, 0]", "h_n[:, 0]", "c_n[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {out: output[:, 0], h: h_n[:, 0], c: c_n[:, 0]},
    equal=[(out, h), (out, c)],  # outline the rows of each pair that are bit-equal
    labels={  # (y label, x label) of each panel
        out: ("time step t (dim 0)", "hidden unit (dim 2)"),
        h: ("layer (dim 0)", "hidden unit (dim 2)"),
        c: ("layer (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("One-layer LSTM, sequence 0: output's last step is h_n; c_n matches no step")
plt.show()

# %%
# The state grid
# --------------
# The same module as a grid of states: one row per layer, one column per step. ``output`` is
# the whole row; ``h_n`` (and ``c_n``) its last cell.

import rnnshapes

with torch.no_grad():
    u = rnnshapes.unroll(lstm, x)
plot.state_grid(u, sequence=0)
plt.show()

# %%
# Conclusion
# ----------
# ``output`` is the hidden state at every step; ``h_n`` is the hidden state at the last step.
# With one layer and one direction, ``output[-1]`` and ``h_n[-1]`` are the same tensor values,
# so either can feed a classifier. The next examples show where that stops being true: both
# directions, and batches of different lengths.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`output's last step is h_n <output-last-step-is-h-n>` and
# :claim:`c_n is no step of output <c-n-not-in-output>` in the :doc:`claims index
# </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :func:`torch.equal`
# - :func:`torch.manual_seed`
# - :func:`torch.set_printoptions`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.heatmaps`,
# :func:`rnnshapes.plot.state_grid`.
