"""
Reading the seed thread
=======================

The most-read answers to "What's the difference between hidden and output in PyTorch LSTM?"
(Stack Overflow question 48302810), rerun with distinct sizes and checked: what they get right,
and the two places where they mislead.
"""

# %%
# The question
# ------------
# PyTorch's documentation says an LSTM returns ``output``, the top layer's ``h_t`` for every
# ``t``, and ``(h_n, c_n)``, the states for ``t = seq_len``. Both hold hidden states, so is
# ``h_n`` just the last step of ``output`` again? The answers, in short:
#
# - a diagram: ``output`` is every hidden state of the *last layer* ("last" in depth, not in
#   time); ``(h_n, c_n)`` are the states after the *last step*, for every layer;
# - a five-step loop over ``nn.LSTM(3, 3)`` that prints ``out`` and ``hidden`` after each step,
#   with the reading that ``output`` gives each cell's output in the last layer while "hidden
#   and cell state give the output of each hidden cell" in every layer, and that input and
#   output are both 3-dimensional;
# - printouts of the shapes for several layers and both directions;
# - a classifier that reads an image row by row and feeds ``out[:, -1, :]`` to a linear layer.
#
# Here they are again, with sizes that cannot be confused: H_in=4 inputs, H=5 hidden units.
#
# The five-step loop
# ------------------
# One sequence fed one step at a time, carrying ``(h, c)`` from call to call, from a random
# initial state as in the answer.

import torch

torch.manual_seed(0)

lstm = torch.nn.LSTM(input_size=4, hidden_size=5)
steps = [torch.randn(1, 1, 4) for _ in range(5)]  # 5 steps of (L=1, N=1, H_in=4)
hidden = (torch.randn(1, 1, 5), torch.randn(1, 1, 5))  # (h0, c0)
start = hidden
outs = []
with torch.no_grad():
    for x_t in steps:
        out, hidden = lstm(x_t, hidden)
        outs.append(out)
        assert torch.equal(out[0], hidden[0][0])  # out is the new h, bit for bit
print(tuple(out.shape), tuple(hidden[0].shape))  # (L=1, N=1, H) both

# %%
# Right: after each one-step call, ``out`` *is* the new ``h`` (the prints in the answer show the
# same numbers twice; here the ``assert torch.equal`` above says so). Run the five steps in one
# call and ``output`` stacks those same states, up to rounding:

with torch.no_grad():
    output, (h_n, c_n) = lstm(torch.cat(steps), start)
torch.testing.assert_close(output, torch.cat(outs))
assert torch.equal(output[-1], h_n[-1])

# %%
# Misleading, 1: "output size equals hidden size"
# -----------------------------------------------
# In ``nn.LSTM(3, 3)`` the input size and the hidden size are both 3, so the answer's comment
# that "input and output are 3-dimensional" cannot be told from "output is hidden_size". With
# distinct sizes, ``output`` ends in 5 here, not 4. And it is ``hidden_size`` only without
# projections and for one direction: with ``proj_size=2`` it ends in 2, bidirectional in 10.

import warnings

with torch.no_grad(), warnings.catch_warnings():
    # torch's CPU kernel notes once that oneDNN has no projections and it uses its own
    warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")
    out_proj, (h_proj, c_proj) = torch.nn.LSTM(4, 5, proj_size=2)(torch.cat(steps))
    out_bi, _ = torch.nn.LSTM(4, 5, bidirectional=True)(torch.cat(steps))
print("proj_size=2:  ", tuple(out_proj.shape), tuple(h_proj.shape), tuple(c_proj.shape))
print("bidirectional:", tuple(out_bi.shape))

# %%
# Misleading, 2: "hidden and cell state give the output of each hidden cell"
# --------------------------------------------------------------------------
# ``h_n`` holds one state per layer (and direction), at the last step only: not every cell of
# the stack. ``c_n`` is no output at all: the cell state is internal memory, and no step of
# ``output`` equals it.

assert not any(torch.allclose(c_n[0], output[t]) for t in range(5))

# %%
# The multi-layer and bidirectional printouts
# -------------------------------------------
# Two layers, both directions, N=3 sequences of L=7 steps: ``output`` is ``(L, N, 2*H)``, and
# ``h_n`` has 2 × 2 = 4 rows. The diagram answer is right that ``h_n`` is "the last step", with
# one refinement: for the backward direction the last step it takes is step 0.

import matplotlib.pyplot as plt

import rnnshapes
from rnnshapes import plot

deep = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
x = torch.randn(7, 3, 4)
with torch.no_grad():
    output, (h_n, c_n) = deep(x)
    u = rnnshapes.unroll(deep, x)
print(tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape))
plot.state_grid(u)
plt.show()

# %%
# The row-wise image classifier
# -----------------------------
# The classifier reads each image as a sequence of rows (here 7 rows of 4 pixels) and
# classifies ``out[:, -1, :]``. For a one-direction LSTM over full-length sequences that is
# ``h_n[-1]``, bit for bit: right.


class RowClassifier(torch.nn.Module):
    def __init__(self, bidirectional=False):
        super().__init__()
        self.lstm = torch.nn.LSTM(4, 5, batch_first=True, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(5 * (2 if bidirectional else 1), 10)

    def forward(self, images):
        out, _ = self.lstm(images)  # (N, rows, D*H)
        return self.fc(out[:, -1, :])


images = torch.rand(3, 7, 4)  # N=3 images of 7 rows × 4 pixels
model = RowClassifier()
with torch.no_grad():
    out, (h_n, _) = model.lstm(images)
assert torch.equal(out[:, -1, :], h_n[-1])

# %%
# Made bidirectional, the same line reads the backward direction's *first* state: its half of
# ``out[:, -1, :]`` has seen only the last row of the image.

model = RowClassifier(bidirectional=True)
with torch.no_grad():
    out, (h_n, _) = model.lstm(images)
assert not torch.equal(out[:, -1, 5:], h_n[-1])  # not the backward final state
assert torch.equal(out[:, 0, 5:], h_n[-1])  # that is at step 0
with torch.no_grad():
    plot.packed_batch(rnnshapes.unroll(model.lstm, images))
plt.show()

# %%
# Conclusion
# ----------
# The answers are right about the picture: ``output`` is the top layer across time, ``h_n``
# the last step across layers, and for one direction ``output[-1]`` is ``h_n[-1]``. They
# mislead where equal sizes hide the axes (``output`` ends in ``num_directions * proj_size``
# or ``num_directions * hidden_size``, whatever ``input_size`` is), and where ``c_n`` is called
# an output. ``out[:, -1, :]`` is the final state only for one direction and full-length
# sequences, or over a single step; see the bidirectional and variable-length examples for the
# general readout.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`output's last step is h_n <output-last-step-is-h-n>`,
# :claim:`proj_size shrinks output and h_n <proj-size-shrinks-output-and-h-n>`,
# :claim:`c_n is no step of output <c-n-not-in-output>`,
# :claim:`the bidirectional last step is not final <bidirectional-last-step-is-not-final>` and
# :claim:`the padded last step is wrong <padded-last-step-is-wrong-for-short-sequences>` in the
# :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.LSTM`
# - :class:`torch.nn.Linear`
# - :class:`torch.nn.Module`
# - :func:`torch.cat`
# - :func:`torch.equal`
# - :func:`torch.allclose`
# - :func:`torch.testing.assert_close`
#
# and from ``rnnshapes``: :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.state_grid`,
# :func:`rnnshapes.plot.packed_batch`.
#
# The thread: https://stackoverflow.com/questions/48302810
