"""
Projections with proj_size
==========================

With ``proj_size=P`` an LSTM projects its hidden state to ``P`` features at every step. Then
``output`` ends in ``num_directions * P`` and ``h_n`` in ``P``, while ``c_n`` keeps
``hidden_size``.
"""

# %%
# Three sizes
# -----------
# A 2-layer LSTM with H_in=4, hidden_size H=5 and proj_size P=2, on N=3 sequences of L=7 steps.

import torch

torch.manual_seed(0)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5, num_layers=2, proj_size=2)
x = torch.randn(7, 3, 4)  # (L, N, H_in)

import warnings

with torch.no_grad(), warnings.catch_warnings():
    # torch's CPU kernel notes once that oneDNN has no projections and it uses its own
    warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")
    output, (h_n, c_n) = lstm(x)

print("output", tuple(output.shape))  # (L, N, P)
print("h_n   ", tuple(h_n.shape))  # (num_layers, N, P)
print("c_n   ", tuple(c_n.shape))  # (num_layers, N, H): the cell state is not projected

# %%
# ``rnnshapes.shapes`` predicts the same from the module alone:

import rnnshapes

print(rnnshapes.shapes(lstm, seq_len=7, batch=3))

# %%
# The projected state is what recurs
# ----------------------------------
# ``weight_hr_l0`` maps the 5 hidden units to 2; the recurrent weights ``weight_hh_l0`` take
# the 2 projected features, and so must an initial ``h0``.

print(tuple(lstm.weight_hr_l0.shape))  # (P, H)
print(tuple(lstm.weight_hh_l0.shape))  # (4*H, P): i, f, g, o gates from P features
h0, c0 = torch.zeros(2, 3, 2), torch.zeros(2, 3, 5)  # h0 ends in P, c0 in H
with torch.no_grad():
    assert torch.equal(lstm(x, (h0, c0))[0], output)  # raises unless bit-equal

# %%
# The grid
# --------
# The picture is the same as without projections: ``output`` is the top layer, ``h_n`` and
# ``c_n`` the last step; only the sizes differ.

import matplotlib.pyplot as plt

from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(lstm, x)
plot.state_grid(u)
plt.show()

# %%
# The last step of ``output`` is still ``h_n[-1]``, two features wide; ``c_n`` is five wide.

assert torch.equal(output[-1], h_n[-1])
out, h, c = "output[:, 0]", "h_n[:, 0]", "c_n[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {out: output[:, 0], h: h_n[:, 0], c: c_n[:, 0]},
    equal=[(out, h)],  # outline the rows that are bit-equal
    labels={  # (y label, x label) of each panel
        out: ("time step t (dim 0)", "projected unit (P=2)"),
        h: ("layer (dim 0)", "projected unit (P=2)"),
        c: ("layer (dim 0)", "cell unit (H=5)"),
    },
)
fig.suptitle("LSTM with proj_size=2: output and h_n are 2 wide, c_n is 5 wide")
plt.show()

# %%
# Conclusion
# ----------
# "``output`` ends in ``hidden_size``" holds only without projections (and for one direction).
# With ``proj_size``, size a classifier on ``num_directions * proj_size``, ``h0`` on
# ``proj_size`` and ``c0`` on ``hidden_size``.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`proj_size shrinks output and h_n <proj-size-shrinks-output-and-h-n>` and
# :claim:`the projected state is what recurs <projected-state-is-what-recurs>` in the
# :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :func:`torch.equal`
# - :func:`torch.zeros`
#
# and from ``rnnshapes``: :func:`rnnshapes.shapes`, :func:`rnnshapes.unroll`,
# :func:`rnnshapes.plot.state_grid`, :func:`rnnshapes.plot.heatmaps`.
