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

import torch

torch.manual_seed(0)

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
# ``output`` is transposed; ``h_n`` is the same tensor, still ``(num_layers, N, H)``. Each
# ``assert`` raises unless the two sides are bit-equal (``torch.equal``).

assert torch.equal(output_bf, output.transpose(0, 1))
assert torch.equal(h_n_bf, h_n)

# %%
# So with ``batch_first`` the last step is ``output[:, -1]``, and it is still ``h_n[-1]``:

assert torch.equal(output_bf[:, -1], h_n_bf[-1])

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
plt.show()

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
assert torch.equal(out_1, out_b[:, 0]) and torch.equal(h_n_1, h_n_b[:, 0])  # bit for bit

# %%
# ``h_n`` of each layout for sequence 0, with bit-equal rows outlined: all of them.

h, h_bf, h_1 = "h_n[:, 0]", "h_n_bf[:, 0]", "h_n_1 (unbatched)"  # the panels' titles
fig = plot.heatmaps(
    {h: h_n[:, 0], h_bf: h_n_bf[:, 0], h_1: h_n_1},
    equal=[(h, h_bf), (h, h_1)],  # outline the rows of each pair that are bit-equal
    labels={  # (y label, x label) of each panel
        h: ("layer (dim 0)", "hidden unit (dim 2)"),
        h_bf: ("layer (dim 0)", "hidden unit (dim 2)"),
        h_1: ("layer (dim 0)", "hidden unit (dim 1)"),
    },
)
fig.suptitle("Two-layer GRU: h_n is the same with batch_first, and for one unbatched sequence")
plt.show()

# %%
# Conclusion
# ----------
# ``batch_first`` is about ``input`` and ``output`` only. Index ``h_n`` and ``c_n`` the same way
# whatever it says: for one direction, ``h_n[-1]`` is the top layer's final state.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`batch_first moves input and output only <batch-first-moves-input-and-output-only>`,
# :claim:`h0 keeps its layout <batch-first-leaves-h0-layout>` and
# :claim:`unbatched input drops the batch axis <unbatched-input-drops-batch-axis>` in the
# :doc:`claims index </reference/claims>`.

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
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.state_grid`,
# :func:`rnnshapes.plot.heatmaps`.
