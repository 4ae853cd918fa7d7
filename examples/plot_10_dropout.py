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

import torch

torch.manual_seed(0)

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
# modes. Layer 1 reads layer 0's output after dropout: its states change. Each ``assert``
# raises if not.

assert torch.equal(h_train[0], h_eval[0]) and torch.equal(c_train[0], c_eval[0])  # layer 0
assert not torch.equal(h_train[1], h_eval[1])  # layer 1

# %%
# No dropout is applied to the top layer's output: in training mode too, ``output[-1]`` is
# ``h_n[-1]``.

assert torch.equal(out_train[-1], h_train[-1])

# %%
# The picture
# -----------
# Sequence 0's final states in both modes, and its training-mode ``output``; the rows of each
# pair that are bit-equal are outlined: layer 0 across the modes, and ``output``'s last step
# with the top layer.

import matplotlib.pyplot as plt

from rnnshapes import plot

h_ev, h_tr, out_tr = "h_n[:, 0] (eval)", "h_n[:, 0] (train)", "output[:, 0] (train)"  # titles
fig = plot.heatmaps(
    {h_ev: h_eval[:, 0], h_tr: h_train[:, 0], out_tr: out_train[:, 0]},
    equal=[(h_ev, h_tr), (out_tr, h_tr)],  # outline the rows of each pair that are bit-equal
    labels={  # (y label, x label) of each panel
        h_ev: ("layer (dim 0)", "hidden unit (dim 2)"),
        h_tr: ("layer (dim 0)", "hidden unit (dim 2)"),
        out_tr: ("time step t (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("2-layer LSTM, dropout=0.5: dropout changes neither layer 0 nor output[-1] = h_n[-1]")
plt.show()

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
    assert torch.equal(single.train()(x)[0], single.eval()(x)[0])

# %%
# Conclusion
# ----------
# Dropout in a recurrent module sits between layers: it never touches the input, the
# recurrence inside a layer, or the top layer's ``output``. Add an ``nn.Dropout`` after the
# module for that.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`dropout spares output's last step <dropout-spares-output-last-step>`,
# :claim:`dropout acts between layers only <dropout-acts-between-layers-only>` and
# :claim:`dropout with one layer does nothing <dropout-with-one-layer-does-nothing>` in the
# :doc:`claims index </reference/claims>`.

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
# and from ``rnnshapes``: :func:`rnnshapes.plot.heatmaps`.
