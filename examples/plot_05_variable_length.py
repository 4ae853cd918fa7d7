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

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

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
# and row ``b`` is ``output[b, lengths[b] - 1]``, bit for bit: the ``assert`` raises if not.

for b, n in enumerate(lengths):
    assert torch.equal(h_n[-1, b], output[b, n - 1]), f"sequence {b}"

# %%
# output[:, -1] is padding for short sequences
# --------------------------------------------
# ``pad_packed_sequence`` fills the steps past each sequence's end with zeros:

print(output[:, -1])
assert torch.equal(output[0, -1], torch.zeros(5)) and torch.equal(output[2, -1], torch.zeros(5))

# %%
# The right readout gathers each sequence's last valid step:

last = output[torch.arange(3), lengths - 1]  # (N, H)
assert torch.equal(last, h_n[-1])

# %%
# The picture
# -----------
# Each sequence's last valid step is outlined where ``h_n`` is read; the dashed last column is
# what ``output[:, -1]`` reads.

import matplotlib.pyplot as plt

import rnnshapes
from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(lstm, packed)
plot.packed_batch(u)
plt.show()

# %%
# The values: only the full-length sequence (1) has its final state in the last column.

padded, gathered, h = "output[:, -1]", "output[b, len-1]", "h_n[-1]"  # the panels' titles
fig = plot.heatmaps(
    {padded: output[:, -1], gathered: last, h: h_n[-1]},
    equal=[(padded, h), (gathered, h)],  # outline the rows of each pair that are bit-equal
    labels=dict.fromkeys([padded, gathered, h], ("sequence b (dim 0)", "hidden unit (dim 1)")),
)
fig.suptitle("Packed LSTM batch of lengths 4, 7, 1: output[:, -1] is h_n only for sequence 1")
plt.show()

# %%
# Padding without packing runs into h_n
# -------------------------------------
# Fed the padded tensor directly, the module runs every sequence for all 7 steps, zeros
# included: ``h_n`` is then the state after the padding, not at each sequence's end, except for
# the sequence as long as the batch.

with torch.no_grad():
    _, (h_n_padded, _) = lstm(x)
for b, n in enumerate(lengths):
    if n < 7:
        assert not torch.allclose(h_n_padded[-1, b], h_n[-1, b]), f"sequence {b}"
torch.testing.assert_close(h_n_padded[-1, 1], h_n[-1, 1])  # length 7: the same state

# %%
# Conclusion
# ----------
# With a batch of different lengths, pack it, and read each sequence's final state from
# ``h_n`` (or from ``output`` at ``lengths - 1``). ``output[:, -1]`` is right only for the
# sequences as long as the longest.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`packed h_n is at each sequence's end <packed-h-n-at-each-sequences-end>`,
# :claim:`enforce_sorted=False keeps the order <enforce-sorted-false-keeps-batch-order>`,
# :claim:`padding holds the padding value <padded-positions-hold-padding-value>`,
# :claim:`the padded last step is wrong <padded-last-step-is-wrong-for-short-sequences>`,
# :claim:`unpacked padding runs into h_n <pad-unpacked-h-n-after-padding>` and
# :claim:`the final state from output <final-state-from-output-equals-h-n>` in the
# :doc:`claims index </reference/claims>`.

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
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.packed_batch`,
# :func:`rnnshapes.plot.heatmaps`.
