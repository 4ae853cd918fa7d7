"""
The LSTM recurrence by hand
===========================

The equations in torch's documentation, applied one step at a time with the module's own
weights, give what the fused kernel returns, up to rounding. Written out, they show the order
of the four gates inside the weight matrices.
"""

# %%
# The gates in the weights
# ------------------------
# ``weight_ih_l0`` stacks the four gates' weights as input ``i``, forget ``f``, cell ``g``,
# output ``o``: 4 × H = 20 rows for H=5 hidden units, on an input of H_in=4 features.

import torch

torch.manual_seed(0)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, (h_n, c_n) = lstm(x)

print(tuple(lstm.weight_ih_l0.shape))  # (4*H, H_in): i, f, g, o
print(tuple(lstm.weight_hh_l0.shape))  # (4*H, H): the same gates, from the previous h

# %%
# Seven steps by hand
# -------------------
# From a zero state, each step splits the gate pre-activations into ``i, f, g, o``, updates the
# cell state ``c`` and reads ``h`` out of it. ``torch.testing.assert_close`` raises unless the
# result is the module's ``output``, up to rounding (the fused kernel sums in another order).

h, c = torch.zeros(3, 5), torch.zeros(3, 5)  # (N, H): h_{-1} and c_{-1}
steps = []
with torch.no_grad():
    for x_t in x:
        gates = (
            x_t @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
        )
        i, f, g, o = gates.chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        steps.append(h)
by_hand = torch.stack(steps)  # (L, N, H)
torch.testing.assert_close(by_hand, output)
torch.testing.assert_close(c, c_n[0])

# %%
# The order matters
# -----------------
# Read in another order (``f`` and ``o`` swapped) the same weights give something else, and
# the output gate ``o`` itself is not what ``output`` returns: ``output`` is ``h``. Each
# ``assert`` raises if the two were close after all.

with torch.no_grad():
    gates = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0  # h_{-1} = 0
    i, o_, g, f_ = gates.chunk(4, dim=-1)  # f and o swapped
    wrong = torch.sigmoid(o_) * torch.tanh(torch.sigmoid(i) * torch.tanh(g))
    o = gates.chunk(4, dim=-1)[3]
assert not torch.allclose(wrong, output[0], atol=1e-6)
assert not torch.allclose(torch.sigmoid(o), output[0], atol=1e-6)

# %%
# The two, side by side
# ---------------------
# Sequence 0's ``output`` from the module and from the loop above. The two panels look the
# same; rows that are also bit-equal are outlined, and a row without an outline differs in its
# last bits.

import matplotlib.pyplot as plt

from rnnshapes import plot

fused, hand = "module output[:, 0]", "by hand h[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {fused: output[:, 0], hand: by_hand[:, 0]},
    equal=[(fused, hand)],  # outline the rows that are bit-equal
    labels=dict.fromkeys([fused, hand], ("time step t (dim 0)", "hidden unit (dim 2)")),
)
fig.suptitle("One-layer LSTM, sequence 0: the module vs the equations")
plt.show()

# %%
# Conclusion
# ----------
# The LSTM module is the documented recurrence and nothing more: ``output`` is ``h`` at every
# step, computed from the gates in the order i, f, g, o. The GRU's equations are in
# :ref:`sphx_glr_auto_examples_plot_13_gru_by_hand.py`, and every layer and kind against the
# fused kernel in :ref:`sphx_glr_auto_examples_plot_14_unroll_vs_fused.py`.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`the gate order is i, f, g, o <lstm-gate-order-is-i-f-g-o>`,
# :claim:`output is h, not the gate o <output-is-h-not-gate-o>` and
# :claim:`the cell loop reproduces the module <cell-loop-reproduces-module>` in the
# :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :func:`torch.sigmoid`
# - :func:`torch.tanh`
# - :func:`torch.stack`
# - :meth:`torch.Tensor.chunk`
# - :func:`torch.allclose`
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.plot.heatmaps`.
