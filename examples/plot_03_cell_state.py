"""
The LSTM cell state
===================

An LSTM carries two states, ``h`` and ``c``. ``output`` returns ``h`` at every step; ``c``
leaves the module once, as ``c_n``, after the last step. GRU and RNN have no cell state.
"""

# %%
# h and c over time
# -----------------
# A one-layer LSTM (L=7, N=3, H_in=4, H=5). ``rnnshapes.unroll`` recomputes the recurrence
# step by step from the module's weights and keeps every state, ``c`` included: of ``c`` the
# module itself returns only the last, as ``c_n``.

import torch

import rnnshapes

torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, (h_n, c_n) = lstm(x)
    u = rnnshapes.unroll(lstm, x)

c_t = u.c[0, 0, :, 0]  # layer 0, forward, every step, sequence 0: (L, H)
print(c_t)

# %%
# The recomputed ``h`` is the module's ``output`` up to rounding (the fused kernel adds in
# another order): ``torch.testing.assert_close`` raises unless they are close.

torch.testing.assert_close(u.output, output)

# %%
# c_n is the last c, and c is nowhere in output
# ---------------------------------------------
# ``output``'s last step is ``h_n``, bit for bit (``torch.equal``). The recomputed ``c`` at the
# last step is the module's ``c_n`` up to rounding, and ``c_n`` equals no step of ``output``,
# not even up to rounding (``torch.allclose``).

assert torch.equal(output[-1], h_n[0])
torch.testing.assert_close(u.c[0, 0, -1], c_n[0])
assert not any(torch.allclose(c_n[0, 0], output[t, 0]) for t in range(7))

# %%
# What the module returns, for sequence 0, next to the recomputed ``c``; the rows of ``output``
# and ``h_n`` that are bit-equal are outlined.

import matplotlib.pyplot as plt

from rnnshapes import plot

out, h, c, cn = "output[:, 0]", "h_n[:, 0]", "c_t (unroll)", "c_n[:, 0]"  # the panels' titles
fig = plot.heatmaps(
    {out: output[:, 0], h: h_n[:, 0], c: c_t, cn: c_n[:, 0]},
    equal=[(out, h)],  # outline the rows that are bit-equal
    labels={  # (y label, x label) of each panel
        out: ("time step t (dim 0)", "hidden unit (dim 2)"),
        h: ("layer (dim 0)", "unit (dim 2)"),
        c: ("time step t", "cell unit"),
        cn: ("layer (dim 0)", "unit (dim 2)"),
    },
)
fig.suptitle("One-layer LSTM, sequence 0: c leaves only as c_n, after the last step")
plt.show()

# %%
# In a stacked LSTM
# -----------------
# ``c_n`` has one row per layer, next to ``h_n``'s:

with torch.no_grad():
    u2 = rnnshapes.unroll(torch.nn.LSTM(4, 5, num_layers=2), x)
plot.state_grid(u2)
plt.show()

# %%
# GRU and RNN return no c_n
# -------------------------
# Their second value is ``h_n`` itself, a single tensor.

gru = torch.nn.GRU(4, 5, num_layers=2)
with torch.no_grad():
    out, second = gru(x)
assert isinstance(second, torch.Tensor)
print(tuple(second.shape))  # (num_layers, N, H)

# %%
# Code written for an LSTM can still unpack it: ``out, (h, c) = gru(x)`` splits ``h_n`` along
# its rows. With two rows that silently succeeds, and ``c`` is ``h_n[1]``: here (one direction,
# two layers) the top layer's hidden state, not a cell state. With one row it fails.

with torch.no_grad():
    out, (h, c) = gru(x)
assert torch.equal(h, second[0]) and torch.equal(c, second[1])

try:
    with torch.no_grad():
        out, (h, c) = torch.nn.GRU(4, 5)(x)
except ValueError as err:
    print("ValueError:", err)

# %%
# Conclusion
# ----------
# ``c`` is the LSTM's internal memory: it is updated at every step and returned once, as
# ``c_n``, to carry into a later call. What the network "outputs" at each step is ``h``.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`an LSTM returns (h_n, c_n) <lstm-returns-h-n-c-n-tuple>`,
# :claim:`c_n is no step of output <c-n-not-in-output>`,
# :claim:`RNN and GRU return a bare h_n <rnn-gru-return-bare-h-n>`,
# :claim:`a GRU's h_n unpacks as (h, c) <gru-state-unpacked-as-h-c>` and
# :claim:`output is h, not the gate o <output-is-h-not-gate-o>` in the :doc:`claims index
# </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :class:`torch.nn.GRU`
# - :func:`torch.equal`
# - :func:`torch.allclose`
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.heatmaps`,
# :func:`rnnshapes.plot.state_grid`.
