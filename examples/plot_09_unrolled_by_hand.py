"""
The recurrence unrolled by hand
===============================

The equations in torch's documentation, applied one step at a time with the module's own
weights, give what the fused kernel returns: the same numbers or a few units in the last place.
Written out, they also show the gate order inside the weight matrices.
"""

# %%
# One LSTM step by hand
# ---------------------
# ``weight_ih_l0`` stacks the four gates' weights as input ``i``, forget ``f``, cell ``g``,
# output ``o`` (4 × H rows). From a zero state, one step is:

import copy

import torch

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5)
x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, (h_n, c_n) = lstm(x)

    gates = x[0] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0  # h_{-1} = 0
    i, f, g, o = gates.chunk(4, dim=-1)
    c_0 = torch.sigmoid(i) * torch.tanh(g)  # f * c_{-1} vanishes: c_{-1} = 0
    h_0 = torch.sigmoid(o) * torch.tanh(c_0)
print(torch.allclose(h_0, output[0], atol=1e-6))

# %%
# Read in another order (``f`` and ``o`` swapped) the same weights give something else, and
# the output gate ``o`` itself is not what ``output`` returns: ``output`` is ``h``.

with torch.no_grad():
    i, o_, g, f_ = gates.chunk(4, dim=-1)
    wrong = torch.sigmoid(o_) * torch.tanh(torch.sigmoid(i) * torch.tanh(g))
print("f and o swapped:", torch.allclose(wrong, output[0], atol=1e-6))
print("output is the o gate:", torch.allclose(torch.sigmoid(o), output[0], atol=1e-6))

# %%
# A GRU, all seven steps
# ----------------------
# A GRU stacks reset ``r``, update ``z`` and new ``n``; the reset gate multiplies
# ``W_hn h + b_hn``, bias included.

gru = torch.nn.GRU(input_size=4, hidden_size=5)
with torch.no_grad():
    gru_output, _ = gru(x)
    h = torch.zeros(3, 5)
    steps = []
    for x_t in x:
        gi = x_t @ gru.weight_ih_l0.T + gru.bias_ih_l0
        gh = h @ gru.weight_hh_l0.T + gru.bias_hh_l0
        i_r, i_z, i_n = gi.chunk(3, dim=-1)
        h_r, h_z, h_n_ = gh.chunk(3, dim=-1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n_)
        h = (1 - z) * n + z * h
        steps.append(h)
print(torch.allclose(torch.stack(steps), gru_output, atol=1e-6))

# %%
# Every layer, every kind
# -----------------------
# ``rnnshapes.unroll`` does this for any RNN, LSTM or GRU: every layer and direction, keeping
# every state. Against the fused kernel, measured in units of float32's machine epsilon:

import rnnshapes

eps = torch.finfo(torch.float32).eps
modules = {
    "RNN": torch.nn.RNN(4, 5, num_layers=2),
    "LSTM": torch.nn.LSTM(4, 5, num_layers=2),
    "GRU": torch.nn.GRU(4, 5, num_layers=2),
}
diffs = {}
with torch.no_grad():
    for kind, module in modules.items():
        fused = module(x)[0]
        u = rnnshapes.unroll(module, x)
        diffs[kind] = (u.output - fused).abs().amax(dim=(1, 2)) / eps  # per step
        torch.testing.assert_close(u.output, fused)  # raises unless close
        print(
            f"{kind:<5} bit-equal: {torch.equal(u.output, fused)!s:<5}  "
            f"max |diff| / eps: {diffs[kind].max().item():.1f}"
        )

# %%
# The differences, step by step
# -----------------------------
# Zero, or a few units in the last place: the fused kernel adds the same products in another
# order.

import matplotlib.pyplot as plt

colours = {"RNN": "#0072B2", "LSTM": "#D55E00", "GRU": "#009E73"}  # Okabe–Ito
markers = {"RNN": "o", "LSTM": "s", "GRU": "^"}
fig, ax = plt.subplots(figsize=(7.2, 3.2), layout="constrained")
for kind, per_step in diffs.items():
    ax.plot(per_step, marker=markers[kind], color=colours[kind], label=kind)
ax.set(
    title="rnnshapes.unroll vs the fused kernel: largest |difference| per step",
    xlabel="time step t (dim 0 of output)",
    ylabel="max |difference| / float32 eps",
)
ax.legend(title="2-layer module")

# %%
# The LSTM's ``output`` from both, for sequence 0, bit-equal rows outlined:

from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(modules["LSTM"], x)
    fused = modules["LSTM"](x)[0]
fig = plot.heatmaps(
    {"fused output[:, 0]": fused[:, 0], "unrolled output[:, 0]": u.output[:, 0]},
    equal=[("fused output[:, 0]", "unrolled output[:, 0]")],
    labels={
        "fused output[:, 0]": ("time step t (dim 0)", "hidden unit (dim 2)"),
        "unrolled output[:, 0]": ("time step t (dim 0)", "hidden unit (dim 2)"),
    },
)
fig.suptitle("2-layer LSTM, sequence 0: the fused kernel vs the equations step by step")

# %%
# Checked on every configuration
# ------------------------------
# The gate orders and the cell loops on every configuration; the full unroll (slower) on a few:
# a stacked bidirectional LSTM, an LSTM with projections and a stacked ``batch_first`` GRU.

from rnnshapes.configs import Config

print(
    rnnshapes.verify(
        ids=[
            "lstm-gate-order-is-i-f-g-o",
            "gru-gate-order-is-r-z-n",
            "output-is-h-not-gate-o",
            "cell-loop-reproduces-module",
        ]
    )
)
configs = [
    Config("LSTM", num_layers=2, bidirectional=True),
    Config("LSTM", proj_size=2),
    Config("GRU", num_layers=2, batch_first=True),
]
print(rnnshapes.verify(ids=["unroll-reproduces-module"], configs=configs))

# %%
# Conclusion
# ----------
# The module is the documented recurrence and nothing more: ``output`` is ``h`` at every step
# of the top layer, computed from the gates in the order i, f, g, o (LSTM) or r, z, n (GRU).

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :class:`torch.nn.GRU`
# - :class:`torch.nn.RNN`
# - :func:`torch.sigmoid`
# - :func:`torch.tanh`
# - :meth:`torch.Tensor.chunk`
# - :func:`torch.allclose`
# - :func:`torch.equal`
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.verify`,
# :func:`rnnshapes.plot.heatmaps`.
