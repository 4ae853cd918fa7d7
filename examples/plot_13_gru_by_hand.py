"""
The GRU recurrence by hand
==========================

A GRU's weights stack three gates, reset ``r``, update ``z`` and new ``n``, and its reset gate
multiplies ``W_hn h + b_hn``, bias included. Applied step by step, the documented equations
give what the module returns, up to rounding.
"""

# %%
# The gates in the weights
# ------------------------
# A one-layer GRU with H_in=4 inputs and H=5 hidden units: 3 × H = 15 rows per weight matrix,
# in the order r, z, n.

import torch

torch.manual_seed(0)

gru = torch.nn.GRU(input_size=4, hidden_size=5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, h_n = gru(x)

print(tuple(gru.weight_ih_l0.shape))  # (3*H, H_in): r, z, n
print(tuple(gru.weight_hh_l0.shape))  # (3*H, H)

# %%
# Seven steps by hand
# -------------------
# From a zero state. Unlike an LSTM, the input and hidden products are kept apart, because the
# reset gate ``r`` multiplies only the hidden one of the new gate ``n``.
# ``torch.testing.assert_close`` raises unless the loop gives the module's ``output``.

h = torch.zeros(3, 5)  # (N, H): h_{-1}
steps = []
with torch.no_grad():
    for x_t in x:
        i_r, i_z, i_n = (x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0).chunk(3, dim=-1)
        h_r, h_z, h_n_ = (h @ gru.weight_hh_l0.T + gru.bias_hh_l0).chunk(3, dim=-1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n_)  # r multiplies W_hn h + b_hn
        h = (1 - z) * n + z * h
        steps.append(h)
by_hand = torch.stack(steps)  # (L, N, H)
torch.testing.assert_close(by_hand, output)
torch.testing.assert_close(h, h_n[0])

# %%
# The two, side by side
# ---------------------
# Sequence 0's ``output`` from the module and from the loop; rows that are also bit-equal are
# outlined.

import matplotlib.pyplot as plt

from rnnshapes import plot

fused, hand = "module output[:, 0]", "by hand h[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {fused: output[:, 0], hand: by_hand[:, 0]},
    equal=[(fused, hand)],  # outline the rows that are bit-equal
    labels=dict.fromkeys([fused, hand], ("time step t (dim 0)", "hidden unit (dim 2)")),
)
fig.suptitle("One-layer GRU, sequence 0: the module vs the equations")
plt.show()

# %%
# Conclusion
# ----------
# The GRU module is the documented recurrence: gates in the order r, z, n, and the reset gate
# applied to the hidden product with its bias. ``output`` is ``h`` at every step.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`the gate order is r, z, n <gru-gate-order-is-r-z-n>` and
# :claim:`the cell loop reproduces the module <cell-loop-reproduces-module>` in the
# :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.GRU`
# - :func:`torch.sigmoid`
# - :func:`torch.tanh`
# - :func:`torch.stack`
# - :meth:`torch.Tensor.chunk`
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.plot.heatmaps`.
