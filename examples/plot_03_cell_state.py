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

import copy

import torch

import rnnshapes

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, (h_n, c_n) = lstm(x)

with torch.no_grad():
    u = rnnshapes.unroll(lstm, x)
c_t = u.c[0, 0, :, 0]  # layer 0, forward, every step, sequence 0: (L, H)
print(c_t)

# %%
# The recomputed ``h`` is the module's ``output``, up to rounding (the fused kernel adds in
# another order):

print(torch.allclose(u.output, output, atol=1e-6))

# %%
# c_n is the last c, and c is nowhere in output
# ---------------------------------------------
# What the module returns, for sequence 0, next to the recomputed ``c``. ``output``'s last step
# is ``h_n``, bit for bit (outlined). The recomputed ``c`` at the last step is the module's
# ``c_n`` up to rounding (``torch.testing.assert_close``), and ``c_n`` equals no step of
# ``output``, not even up to rounding (``torch.allclose``).

from rnnshapes import plot

fig = plot.heatmaps(
    {
        "output[:, 0]": output[:, 0],
        "h_n[:, 0]": h_n[:, 0],
        "c_t (unroll)": c_t,
        "c_n[:, 0]": c_n[:, 0],
    },
    equal=[("output[:, 0]", "h_n[:, 0]")],
    labels={
        "output[:, 0]": ("time step t (dim 0)", "hidden unit (dim 2)"),
        "h_n[:, 0]": ("layer (dim 0)", "unit (dim 2)"),
        "c_t (unroll)": ("time step t", "cell unit"),
        "c_n[:, 0]": ("layer (dim 0)", "unit (dim 2)"),
    },
)
fig.suptitle("One-layer LSTM, sequence 0: c leaves only as c_n, after the last step")

print(torch.equal(output[-1], h_n[0]))
torch.testing.assert_close(u.c[0, 0, -1], c_n[0])  # raises unless close
print(not any(torch.allclose(c_n[0, 0], output[t, 0]) for t in range(7)))

# %%
# In a stacked LSTM, ``c_n`` has one row per layer, next to ``h_n``'s:

with torch.no_grad():
    u2 = rnnshapes.unroll(torch.nn.LSTM(4, 5, num_layers=2), x)
ax = plot.state_grid(u2)

# %%
# GRU and RNN return no c_n
# -------------------------
# Their second value is ``h_n`` itself, a single tensor.

gru = torch.nn.GRU(4, 5, num_layers=2)
with torch.no_grad():
    out, second = gru(x)
print(isinstance(second, torch.Tensor), tuple(second.shape))

# %%
# Code written for an LSTM can still unpack it: ``out, (h, c) = gru(x)`` splits ``h_n`` along
# its rows. With two rows that silently succeeds, and ``c`` is ``h_n[1]``: here (one direction,
# two layers) the top layer's hidden state, not a cell state. With one row it fails.

with torch.no_grad():
    out, (h, c) = gru(x)
print(torch.equal(h, second[0]), torch.equal(c, second[1]))

try:
    with torch.no_grad():
        out, (h, c) = torch.nn.GRU(4, 5)(x)
except ValueError as err:
    print("ValueError:", err)

# %%
# Checked on every configuration
# ------------------------------

ids = [
    "lstm-returns-h-n-c-n-tuple",
    "c-n-not-in-output",
    "rnn-gru-return-bare-h-n",
    "gru-state-unpacked-as-h-c",
    "output-is-h-not-gate-o",
]
print(rnnshapes.verify(ids=ids))

# %%
# Conclusion
# ----------
# ``c`` is the LSTM's internal memory: it is updated at every step and returned once, as
# ``c_n``, to carry into a later call. What the network "outputs" at each step is ``h``.

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

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
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.verify`,
# :func:`rnnshapes.plot.heatmaps`, :func:`rnnshapes.plot.state_grid`.
