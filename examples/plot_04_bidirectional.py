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

import torch

torch.manual_seed(0)

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

import matplotlib.pyplot as plt

import rnnshapes
from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(gru, x)
plot.state_grid(u, sequence=0)
plt.show()

# %%
# The rows of h_n
# ---------------
# ``h_n``'s rows are layer-major: layer 0 forward, layer 0 backward, layer 1 forward, layer 1
# backward. ``h_n.view(num_layers, num_directions, N, H)`` separates them; each ``assert``
# raises unless the two sides are bit-equal (``torch.equal``).

D = 2  # num_directions of a bidirectional module
layers = h_n.view(gru.num_layers, D, *h_n.shape[1:])  # (num_layers, D, N, H)
assert torch.equal(layers[1, 0], h_n[2]) and torch.equal(layers[1, 1], h_n[3])

# %%
# The top layer's forward state is the forward half of the *last* step; its backward state is
# the backward half of the *first* step.

H = 5
assert torch.equal(h_n[-2], output[:, -1, :H])  # forward: last step
assert torch.equal(h_n[-1], output[:, 0, H:])  # backward: step 0

# %%
# The last step is not the final state
# ------------------------------------
# Over several full-length steps, ``output[:, -1]`` is right for the forward half only: its
# backward half has taken only one step of its own recurrence, and has not yet run back over the
# sequence. The final state of the whole top layer is both ends joined, as
# ``rnnshapes.final_state`` returns it.

assert not torch.equal(output[:, -1, H:], h_n[-1])  # the last step's backward half
final = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (N, 2*H)
assert torch.equal(final, rnnshapes.final_state(h_n, gru))

# %%
# Conclusion
# ----------
# For a bidirectional module, read the final state from ``h_n``:
# ``torch.cat([h_n[-2], h_n[-1]], dim=-1)``, or from ``output`` at both ends. Over more than one
# step, ``output[:, -1]`` mixes a final forward state with a backward state that has taken only
# one step of its own recurrence.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`the halves of output <bidirectional-output-halves>`,
# :claim:`final states at both ends <bidirectional-final-states-at-both-ends>`,
# :claim:`the last step is not the final state <bidirectional-last-step-is-not-final>` and
# :claim:`h_n's rows are layer-major <h-n-rows-are-layer-major>` in the :doc:`claims index
# </reference/claims>`.

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
# :func:`rnnshapes.plot.state_grid`.
