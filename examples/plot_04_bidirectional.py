"""
Bidirectional final states
==========================

A bidirectional module runs one pass forward and one backward in every layer. The forward pass
ends at the last step, the backward pass at step 0, so over more than one step
``output[:, -1]`` holds the final state of only one of them.
"""

# %%
# A two-layer bidirectional GRU
# -----------------------------
# ``batch_first=True``: N=3 sequences of L=7 steps, H_in=4, H=5, 2 layers, 2 directions.

import copy

import torch

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

gru = torch.nn.GRU(input_size=4, hidden_size=5, num_layers=2, bidirectional=True, batch_first=True)
x = torch.randn(3, 7, 4)  # (N, L, H_in)
with torch.no_grad():
    output, h_n = gru(x)

print("output", tuple(output.shape))  # (N, L, 2*H): forward and backward halves side by side
print("h_n   ", tuple(h_n.shape))  # (num_layers*2, N, H): 2 layers × 2 directions = 4 rows

# %%
# Where each direction ends
# -------------------------
# In the grid the backward band runs right to left: its final state (a row of ``h_n``) is at
# step 0.

import rnnshapes
from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(gru, x)
ax = plot.state_grid(u, sequence=0)

# %%
# The rows of h_n
# ---------------
# ``h_n``'s rows are layer-major: layer 0 forward, layer 0 backward, layer 1 forward, layer 1
# backward. ``h_n.view(num_layers, num_directions, N, H)`` separates them.

D = 2  # num_directions of a bidirectional module
layers = h_n.view(gru.num_layers, D, *h_n.shape[1:])  # (num_layers, D, N, H)
print(torch.equal(layers[1, 0], h_n[2]), torch.equal(layers[1, 1], h_n[3]))

# %%
# The top layer's forward state is the forward half of the *last* step; its backward state is
# the backward half of the *first* step.

H = 5
print(torch.equal(h_n[-2], output[:, -1, :H]))  # forward: last step
print(torch.equal(h_n[-1], output[:, 0, H:]))  # backward: step 0

# %%
# The last step is not the final state
# ------------------------------------
# Over several full-length steps, ``output[:, -1]`` is right for the forward half only: its
# backward half has taken only one step of its own recurrence, and has not yet run back over the
# sequence. The final state of the whole top layer is both ends joined.

print("output[:, -1, H:] is the backward final state:", torch.equal(output[:, -1, H:], h_n[-1]))
final = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (N, 2*H)
print(torch.equal(final, rnnshapes.final_state(h_n, gru)))

# %%
# Each sequence's two halves, with the rows equal to ``h_n`` outlined: the forward half at the
# last step, the backward half at step 0.

fig = plot.heatmaps(
    {
        "output[0, :, :H]": output[0, :, :H],
        "output[0, :, H:]": output[0, :, H:],
        "h_n[:, 0]": h_n[:, 0],
    },
    equal=[("output[0, :, :H]", "h_n[:, 0]"), ("output[0, :, H:]", "h_n[:, 0]")],
    labels={
        "output[0, :, :H]": ("time step t (dim 1)", "forward unit (dim 2)"),
        "output[0, :, H:]": ("time step t (dim 1)", "backward unit (dim 2)"),
        "h_n[:, 0]": ("layer × direction (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("Bidirectional GRU, sequence 0: h_n[2] is the last step, h_n[3] the first")

# %%
# Across the batch the trap is the same for every sequence: the last column is the backward
# direction's *first* state.

ax = plot.packed_batch(u)

# %%
# Checked on every configuration
# ------------------------------

ids = [
    "bidirectional-output-halves",
    "bidirectional-final-states-at-both-ends",
    "bidirectional-last-step-is-not-final",
    "h-n-rows-are-layer-major",
]
print(rnnshapes.verify(ids=ids))

# %%
# Conclusion
# ----------
# For a bidirectional module, read the final state from ``h_n``:
# ``torch.cat([h_n[-2], h_n[-1]], dim=-1)``, or from ``output`` at both ends. Over more than one
# step, ``output[:, -1]`` mixes a final forward state with a backward state that has taken only
# one step of its own recurrence.

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.GRU`
# - :func:`torch.cat`
# - :func:`torch.equal`
# - :meth:`torch.Tensor.view`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.final_state`,
# :func:`rnnshapes.verify`, :func:`rnnshapes.plot.state_grid`, :func:`rnnshapes.plot.heatmaps`,
# :func:`rnnshapes.plot.packed_batch`.
