"""
Dropout between layers
======================

``dropout=p`` drops units of each layer's output before the next layer reads it, in training
mode only. The first layer's states and the link between ``output`` and ``h_n`` are untouched.
"""

# %%
# Train mode and eval mode
# ------------------------
# A 2-layer LSTM (H_in=4, H=5) with ``dropout=0.5``, run on the same input (L=7, N=3) in both
# modes.

import copy

import torch

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5, num_layers=2, dropout=0.5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    lstm.train()
    out_train, (h_train, c_train) = lstm(x)
    lstm.eval()
    out_eval, (h_eval, c_eval) = lstm(x)

# %%
# Which states it touches
# -----------------------
# Layer 0 reads the input, not a dropped-out layer: its final states are the same in both
# modes. Layer 1 reads layer 0's output after dropout: its states change.

print("layer 0 h_n, train == eval:", torch.equal(h_train[0], h_eval[0]))
print("layer 0 c_n, train == eval:", torch.equal(c_train[0], c_eval[0]))
print("layer 1 h_n, train == eval:", torch.equal(h_train[1], h_eval[1]))

# %%
# No dropout is applied to the top layer's output: in training mode too, ``output[-1]`` is
# ``h_n[-1]``.

print(torch.equal(out_train[-1], h_train[-1]))

# %%
# The final states of sequence 0 in both modes, bit-equal rows outlined:

from rnnshapes import plot

fig = plot.heatmaps(
    {"h_n[:, 0] (eval)": h_eval[:, 0], "h_n[:, 0] (train)": h_train[:, 0]},
    equal=[("h_n[:, 0] (eval)", "h_n[:, 0] (train)")],
    labels={
        "h_n[:, 0] (eval)": ("layer (dim 0)", "hidden unit (dim 2)"),
        "h_n[:, 0] (train)": ("layer (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("2-layer LSTM, dropout=0.5: layer 0's h_n is the same in train and eval mode")

# %%
# And the top layer's ``output`` against ``h_n`` in training mode:

fig = plot.heatmaps(
    {"output[:, 0] (train)": out_train[:, 0], "h_n[:, 0] (train)": h_train[:, 0]},
    equal=[("output[:, 0] (train)", "h_n[:, 0] (train)")],
    labels={
        "output[:, 0] (train)": ("time step t (dim 0)", "hidden unit (dim 2)"),
        "h_n[:, 0] (train)": ("layer (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("2-layer LSTM in training mode: output's last step is still h_n's top row")

# %%
# One layer: nothing between layers
# ---------------------------------
# With one layer there is nowhere to apply dropout: torch warns when the module is built, and
# training mode returns what eval mode does.

import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    single = torch.nn.GRU(4, 5, dropout=0.5)
print(caught[0].category.__name__, caught[0].message)
with torch.no_grad():
    print(torch.equal(single.train()(x)[0], single.eval()(x)[0]))

# %%
# Checked on every configuration
# ------------------------------

import rnnshapes

ids = [
    "dropout-spares-output-last-step",
    "dropout-acts-between-layers-only",
    "dropout-with-one-layer-does-nothing",
]
print(rnnshapes.verify(ids=ids))

# %%
# Conclusion
# ----------
# Dropout in a recurrent module sits between layers: it never touches the input, the
# recurrence inside a layer, or the top layer's ``output``. Add an ``nn.Dropout`` after the
# module for that.

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :class:`torch.nn.GRU`
# - :class:`torch.nn.Dropout`
# - :meth:`torch.nn.Module.train`
# - :meth:`torch.nn.Module.eval`
# - :func:`torch.equal`
#
# and from ``rnnshapes``: :func:`rnnshapes.verify`, :func:`rnnshapes.plot.heatmaps`.
