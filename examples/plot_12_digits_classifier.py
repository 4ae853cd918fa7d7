"""
A digits classifier's final state
=================================

A small GRU reads scikit-learn's 8×8 handwritten digits row by row and classifies them from
one state. Which state it reads decides the accuracy: ``h_n[-1]``, ``output[:, -1]``, the mean
of ``output``, and for a bidirectional GRU the right final state against the wrong one.
"""

# %%
# The data
# --------
# ``load_digits`` ships with scikit-learn (no download): 1797 images of 8×8 pixels in 0–16.
# Each image becomes a sequence of 8 steps (its rows) of 8 features (the pixels of a row).

import torch
from sklearn.datasets import load_digits

torch.manual_seed(0)
torch.set_num_threads(1)  # a small model: one thread is fast, and sums in a fixed order

digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32) / 16.0  # (1797, 8 rows, 8 pixels)
labels = torch.tensor(digits.target)
order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
train, test = order[:1200], order[1200:]
print("train", tuple(images[train].shape), "test", tuple(images[test].shape))

# %%
# One model, four readouts
# ------------------------
# A 1-layer GRU (8 inputs, 24 hidden units, ``batch_first``) and a linear layer over 10
# classes. ``readout`` picks the state the linear layer sees:
#
# - ``"h_n[-1]"``: the top layer's final state;
# - ``"output[:, -1]"``: the last step of ``output``;
# - ``"mean output"``: ``output`` averaged over the 8 steps;
# - ``"final state"``: ``h_n``'s two top rows joined, forward and backward (bidirectional).


class DigitsGRU(torch.nn.Module):
    def __init__(self, readout, bidirectional=False):
        super().__init__()
        self.readout = readout
        self.gru = torch.nn.GRU(8, 24, batch_first=True, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(24 * (2 if bidirectional else 1), 10)

    def features(self, x):
        output, h_n = self.gru(x)  # output (N, 8, D*24), h_n (D, N, 24)
        if self.readout == "h_n[-1]":
            return h_n[-1]
        if self.readout == "output[:, -1]":
            return output[:, -1]
        if self.readout == "mean output":
            return output.mean(dim=1)
        return torch.cat([h_n[-2], h_n[-1]], dim=-1)  # "final state": forward ‖ backward

    def forward(self, x):
        return self.fc(self.features(x))


def fit(model, epochs=6, batch=64):
    """Adam on the training images, in a seeded order; returns the test accuracy."""
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    shuffle = torch.Generator().manual_seed(1)
    for _ in range(epochs):
        for idx in train[torch.randperm(len(train), generator=shuffle)].split(batch):
            optimiser.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(images[idx]), labels[idx])
            loss.backward()
            optimiser.step()
    with torch.no_grad():
        return (model(images[test]).argmax(dim=1) == labels[test]).float().mean().item()


# %%
# Training
# --------
# Each model starts from the same seed, so the unidirectional ones start with the same weights.

setups = [
    ("h_n[-1]", False),
    ("output[:, -1]", False),
    ("mean output", False),
    ("final state", True),
    ("output[:, -1]", True),
]
accuracy, models = {}, {}
for readout, bidirectional in setups:
    name = ("bidirectional " if bidirectional else "") + readout
    torch.manual_seed(0)
    models[name] = DigitsGRU(readout, bidirectional)
    accuracy[name] = fit(models[name])

print(f"{'readout':<30} {'test accuracy':>13}")
for name, acc in accuracy.items():
    print(f"{name:<30} {acc:>13.3f}")

# %%
# ``h_n[-1]`` and ``output[:, -1]`` are the same tensor values for a one-direction module over
# full-length sequences, so the two models trained identically, to the last bit:

a, b = models["h_n[-1]"], models["output[:, -1]"]
assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
assert accuracy["h_n[-1]"] == accuracy["output[:, -1]"]

# %%
# For the bidirectional GRU, the joined final state is what ``rnnshapes.final_state`` picks,
# while ``output[:, -1]`` holds a backward half that has read only the bottom row:

import rnnshapes

bi = models["bidirectional final state"].gru
with torch.no_grad():
    output, h_n = bi(images[test])
final = rnnshapes.final_state(h_n, bi)
assert torch.equal(final, torch.cat([h_n[-2], h_n[-1]], dim=-1))
assert not torch.equal(output[:, -1], final)

# %%
# The accuracies
# --------------

import matplotlib.pyplot as plt

names = list(accuracy)
colours = ["#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00"]  # Okabe–Ito
fig, ax = plt.subplots(figsize=(7.2, 3.0), layout="constrained")
bars = ax.barh(names, [accuracy[n] for n in names], color=colours)
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.invert_yaxis()
ax.set_xlim(0, 1.1)
ax.set(
    title="Digits read row by row by a GRU",
    xlabel=f"test accuracy ({len(test)} images)",
    ylabel="state fed to the linear layer",
)
plt.show()

# %%
# Where the bidirectional readouts come from
# ------------------------------------------
# Three test digits through the bidirectional GRU: the backward direction's final state
# (``h_n[1]``) is at row 0; the last column, which ``output[:, -1]`` reads, holds it only after
# one row.

from rnnshapes import plot

with torch.no_grad():
    u = rnnshapes.unroll(bi, images[test[:3]])
plot.packed_batch(u)
plt.show()

# %%
# Conclusion
# ----------
# With one direction and full-length sequences, ``h_n[-1]`` and ``output[:, -1]`` are the same
# readout; pooling ``output`` is a different model, which may learn faster or slower. With two
# directions, feed the classifier both ends, ``torch.cat([h_n[-2], h_n[-1]], dim=-1)``: the
# last step of ``output`` discards almost everything the backward direction read.
#
# ``python -m rnnshapes verify`` checks these facts on every configuration they apply to:
# :claim:`output's last step is h_n <output-last-step-is-h-n>` and
# :claim:`the bidirectional last step is not final <bidirectional-last-step-is-not-final>` in
# the :doc:`claims index </reference/claims>`.

# %%
# References
# ----------
# The torch APIs used here:
#
# - :class:`torch.nn.GRU`
# - :class:`torch.nn.Linear`
# - :class:`torch.optim.Adam`
# - :func:`torch.nn.functional.cross_entropy`
# - :func:`torch.manual_seed`
# - :func:`torch.set_num_threads`
# - :func:`torch.cat`
# - :func:`torch.equal`
#
# scikit-learn's :func:`sklearn.datasets.load_digits`, and from ``rnnshapes``:
# :func:`rnnshapes.final_state`, :func:`rnnshapes.unroll`, :func:`rnnshapes.plot.packed_batch`.
