"""
batch_first and unbatched input
===============================

``batch_first=True`` swaps the first two axes of the input and of ``output``, and nothing
else: ``h_n``, ``c_n``, ``h0`` and ``c0`` keep their layer-first layout. Unbatched input drops
the batch axis everywhere.
"""

# %%
# The same weights, two layouts
# -----------------------------
# Two 2-layer GRUs (H_in=4, H=5) with the same weights, one of them ``batch_first``; the same
# 3 sequences of 7 steps, in each one's layout.

import copy

import torch

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

gru = torch.nn.GRU(input_size=4, hidden_size=5, num_layers=2)
gru_bf = torch.nn.GRU(input_size=4, hidden_size=5, num_layers=2, batch_first=True)
gru_bf.load_state_dict(gru.state_dict())

x = torch.randn(7, 3, 4)  # (L, N, H_in)
with torch.no_grad():
    output, h_n = gru(x)
    output_bf, h_n_bf = gru_bf(x.transpose(0, 1))  # (N, L, H_in)

print("output  ", tuple(output.shape), "h_n  ", tuple(h_n.shape))
print("output_bf", tuple(output_bf.shape), "h_n_bf", tuple(h_n_bf.shape))

# %%
# What moves and what does not
# ----------------------------
# ``output`` is transposed; ``h_n`` is the same tensor, still ``(num_layers, N, H)``.

print(torch.equal(output_bf, output.transpose(0, 1)))
print(torch.equal(h_n_bf, h_n))

# %%
# So with ``batch_first`` the last step is ``output[:, -1]``, and it is still ``h_n[-1]``:

print(torch.equal(output_bf[:, -1], h_n_bf[-1]))

# %%
# ``h0`` does not follow ``batch_first`` either: a batch-major initial state is refused, unless
# ``N`` happens to equal ``num_layers * num_directions`` (then it is silently misread).

h0 = torch.zeros(2, 3, 5)  # (num_layers, N, H), whatever batch_first says
with torch.no_grad():
    gru_bf(x.transpose(0, 1), h0)
try:
    with torch.no_grad():
        gru_bf(x.transpose(0, 1), h0.transpose(0, 1))  # (N, num_layers, H)
except RuntimeError as err:
    print("RuntimeError:", err)

# %%
# Both layouts drawn
# ------------------
# The grid is the same; only the axis of ``output`` that holds time changes (dim 0 or dim 1).

import matplotlib.pyplot as plt

import rnnshapes
from rnnshapes import plot

fig, axs = plt.subplots(2, 1, figsize=(7.2, 7.6), layout="constrained")
with torch.no_grad():
    plot.state_grid(rnnshapes.unroll(gru, x), ax=axs[0])
    plot.state_grid(rnnshapes.unroll(gru_bf, x.transpose(0, 1)), ax=axs[1])
axs[0].set_title("batch_first=False: time is dim 0 of output", fontsize="medium")
axs[1].set_title(
    "batch_first=True: time is dim 1 of output; h_n's rows unchanged", fontsize="medium"
)

# %%
# Unbatched input
# ---------------
# A 2-D input ``(L, H_in)`` is one sequence: ``output`` is ``(L, D * H_out)`` and ``h_n`` is
# ``(num_layers * D, H_out)``, whatever ``batch_first`` says, with the numbers of a batch of one
# (here D = 1 and H_out = H).

with torch.no_grad():
    out_1, h_n_1 = gru_bf(x[:, 0])  # (L, H_in): batch_first does not apply
    out_b, h_n_b = gru(x[:, :1])  # the same sequence as a batch of one
print(tuple(out_1.shape), tuple(h_n_1.shape))
print(torch.equal(out_1, out_b[:, 0]), torch.equal(h_n_1, h_n_b[:, 0]))  # bit for bit

# %%
# ``h_n`` of each layout for sequence 0, with bit-equal rows outlined: all of them.

fig = plot.heatmaps(
    {"h_n[:, 0]": h_n[:, 0], "h_n_bf[:, 0]": h_n_bf[:, 0], "h_n_1 (unbatched)": h_n_1},
    equal=[("h_n[:, 0]", "h_n_bf[:, 0]"), ("h_n[:, 0]", "h_n_1 (unbatched)")],
    labels={
        "h_n[:, 0]": ("layer (dim 0)", "hidden unit (dim 2)"),
        "h_n_bf[:, 0]": ("layer (dim 0)", "hidden unit (dim 2)"),
        "h_n_1 (unbatched)": ("layer (dim 0)", "hidden unit (dim 1)"),
    },
)
fig.suptitle("Two-layer GRU: h_n is the same with batch_first, and for one unbatched sequence")

# %%
# Checked on every configuration
# ------------------------------

ids = [
    "batch-first-moves-input-and-output-only",
    "batch-first-leaves-h0-layout",
    "unbatched-input-drops-batch-axis",
]
print(rnnshapes.verify(ids=ids))

# %%
# Conclusion
# ----------
# ``batch_first`` is about ``input`` and ``output`` only. Index ``h_n`` and ``c_n`` the same way
# whatever it says: for one direction, ``h_n[-1]`` is the top layer's final state.

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.GRU`
# - :meth:`torch.nn.Module.load_state_dict`
# - :meth:`torch.Tensor.transpose`
# - :func:`torch.equal`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.verify`,
# :func:`rnnshapes.plot.state_grid`, :func:`rnnshapes.plot.heatmaps`.
