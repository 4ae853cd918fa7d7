"""
Variable-length batches
=======================

Sequences of 4, 7 and 1 steps in one batch. Packed, the module stops each sequence at its own
end and ``h_n`` holds each one's final state; the padded ``output[:, -1]`` holds zeros for the
short ones.
"""

# %%
# A packed batch
# --------------
# An LSTM (H_in=4, H=5) with ``batch_first=True``; three sequences padded to L=7, with lengths
# given in no particular order, so ``enforce_sorted=False``.

import copy

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# the RNG state and print options before this script; the closing cell puts them back
rng, print_opts = torch.get_rng_state(), copy.copy(torch._tensor_str.PRINT_OPTS)
torch.manual_seed(0)
torch.set_printoptions(precision=3, sci_mode=False)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5, batch_first=True)
lengths = torch.tensor([4, 7, 1])
x = torch.randn(3, 7, 4)  # (N, L, H_in), padded
for b, n in enumerate(lengths):
    x[b, n:] = 0.0

packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
with torch.no_grad():
    packed_output, (h_n, c_n) = lstm(packed)
output, found_lengths = pad_packed_sequence(packed_output, batch_first=True)
print(tuple(output.shape), found_lengths)

# %%
# h_n is each sequence's own last step
# ------------------------------------
# ``h_n`` comes back in the batch's original order (``enforce_sorted=False`` undoes the sort),
# and row ``b`` is ``output[b, lengths[b] - 1]``, bit for bit.

for b, n in enumerate(lengths):
    print(b, int(n), torch.equal(h_n[-1, b], output[b, n - 1]))

# %%
# output[:, -1] is padding for short sequences
# --------------------------------------------
# ``pad_packed_sequence`` fills the steps past each sequence's end with zeros:

print(output[:, -1])
print(torch.equal(output[0, -1], torch.zeros(5)), torch.equal(output[2, -1], torch.zeros(5)))

# %%
# The right readout gathers each sequence's last valid step:

last = output[torch.arange(3), lengths - 1]  # (N, H)
print(torch.equal(last, h_n[-1]))

# %%
# The picture
# -----------
# Each sequence's last valid step is outlined where ``h_n`` is read; the dashed last column is
# what ``output[:, -1]`` reads.

import rnnshapes
from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(lstm, packed)
ax = plot.packed_batch(u)

# %%
# The values: only the full-length sequence (1) has its final state in the last column.

fig = plot.heatmaps(
    {"output[:, -1]": output[:, -1], "output[b, len-1]": last, "h_n[-1]": h_n[-1]},
    equal=[("output[:, -1]", "h_n[-1]"), ("output[b, len-1]", "h_n[-1]")],
    labels={
        name: ("sequence b (dim 0)", "hidden unit (dim 1)")
        for name in ("output[:, -1]", "output[b, len-1]", "h_n[-1]")
    },
)
fig.suptitle("Packed LSTM batch of lengths 4, 7, 1: output[:, -1] is h_n only for sequence 1")

# %%
# Padding without packing runs into h_n
# -------------------------------------
# Fed the padded tensor directly, the module runs every sequence for all 7 steps, zeros
# included: ``h_n`` is then the state after the padding, not at each sequence's end.

with torch.no_grad():
    _, (h_n_padded, _) = lstm(x)
for b, n in enumerate(lengths):
    print(b, int(n), torch.allclose(h_n_padded[-1, b], h_n[-1, b], atol=1e-6))

# %%
# Checked on every configuration
# ------------------------------

ids = [
    "packed-h-n-at-each-sequences-end",
    "enforce-sorted-false-keeps-batch-order",
    "padded-positions-hold-padding-value",
    "padded-last-step-is-wrong-for-short-sequences",
    "unpacked-padding-runs-into-h-n",
    "final-state-from-output-equals-h-n",
]
print(rnnshapes.verify(ids=ids))

# %%
# Conclusion
# ----------
# With a batch of different lengths, pack it, and read each sequence's final state from
# ``h_n`` (or from ``output`` at ``lengths - 1``). ``output[:, -1]`` is right only for the
# sequences as long as the longest.

torch.set_rng_state(rng)
torch.set_printoptions(precision=print_opts.precision, sci_mode=print_opts.sci_mode)

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :func:`torch.nn.utils.rnn.pack_padded_sequence`
# - :func:`torch.nn.utils.rnn.pad_packed_sequence`
# - :class:`torch.nn.utils.rnn.PackedSequence`
# - :func:`torch.equal`
# - :func:`torch.allclose`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.verify`,
# :func:`rnnshapes.plot.packed_batch`, :func:`rnnshapes.plot.heatmaps`.
