"""Figures drawn from real tensors: the state grid, a packed batch, and heatmaps with equal rows.

This is the only module of rnnshapes that imports matplotlib (``pip install rnnshapes[plot]``);
``import rnnshapes`` does not load it. Every function draws on an ``Axes`` or ``Figure`` you pass,
or makes a new one with ``matplotlib.pyplot`` (so that ``plt.show()``, notebooks and
sphinx-gallery find it), and returns what it drew on. Colours are Okabe–Ito's, which readers
with any common colour-vision deficiency can tell apart; cells also carry text or hatching, so
no meaning rests on colour alone. Each figure's title says what it shows (sphinx-gallery uses it
as the image's alt text).

>>> import torch
>>> from matplotlib.figure import Figure
>>> from rnnshapes import unroll
>>> from rnnshapes.plot import state_grid
>>> _ = torch.manual_seed(0)
>>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
>>> u = unroll(lstm, torch.randn(7, 3, 4))  # L=7 steps, N=3 sequences
>>> ax = state_grid(u, ax=Figure().subplots())
>>> # 2 layers × 1 direction = 2 rows of h_n (and of c_n), each outlined once
>>> [t.get_text() for t in ax.texts if t.get_text().startswith("h_n")]
['h_n[0]\\nc_n[0]', 'h_n[1]\\nc_n[1]']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import matplotlib.patches as mpatches
import matplotlib.patheffects as patheffects
import torch
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

if TYPE_CHECKING:
    from .unroll import Unrolled

__all__ = ["OKABE_ITO", "equal_rows", "heatmaps", "packed_batch", "state_grid"]

#: Okabe & Ito's palette (2008), safe for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}

_OUTPUT = OKABE_ITO["sky blue"]  # cells that come back in output
_ONLY_H_N = OKABE_ITO["orange"]  # lower layers' final cells: only in h_n
_HIDDEN = "#F2F2F2"  # states that never come back
_PADDING = "#FFFFFF"
_H_N_EDGE = OKABE_ITO["vermillion"]
_BACKWARD_EDGE = OKABE_ITO["blue"]
# one line style per pair of panels in heatmaps(equal=...)
_EQUAL_STYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")
_MAX_WIDTH = 7.2  # inches

#: The ``gid`` of the rectangles that mark ``h_n`` cells, padding and equal rows (for tests).
H_N_GID = "h_n"
PADDING_GID = "padding"
EQUAL_GID = "equal-row"
TRAP_GID = "trap"


def _new_axes(width: float, height: float) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(min(width, _MAX_WIDTH), height), layout="constrained")
    return ax


def _grid_of(u: Unrolled) -> tuple[torch.Tensor, bool]:
    """``u.h`` with a batch axis, ``(layers, D, L, N, H_out)``, and whether ``u`` had one."""
    h = u.h.detach()
    if h.dim() == 4:
        return h.unsqueeze(3), False
    return h, True


def _lengths_of(u: Unrolled, seq_len: int, batch: int) -> list[int]:
    if u.lengths is None:
        return [seq_len] * batch
    return [int(n) for n in u.lengths.tolist()]


def _cell(
    ax: Axes,
    x: float,
    y: float,
    *,
    face: str,
    edge: str = "#999999",
    lw: float = 0.8,
    hatch: str | None = None,
    gid: str | None = None,
    linestyle: str = "-",
) -> mpatches.Rectangle:
    rect = mpatches.Rectangle(
        (x - 0.45, y - 0.42),
        0.9,
        0.84,
        facecolor=face,
        edgecolor=edge,
        linewidth=lw,
        hatch=hatch,
        linestyle=linestyle,
        zorder=2 if gid is None else 3,
    )
    if gid is not None:
        rect.set_gid(gid)
    ax.add_patch(rect)
    return rect


def _time_label(u: Unrolled, batched: bool) -> str:
    if u.lengths is not None:
        return "time step t (dim 0 of pad_packed_sequence(output)[0])"
    dim = 1 if batched and u.spec.batch_first else 0
    return f"time step t (dim {dim} of output)"


def state_grid(u: Unrolled, *, sequence: int = 0, ax: Axes | None = None) -> Axes:
    """Draw every state of one sequence: layers × directions × time, and what comes back.

    Rows are layers (the top layer at the top; a bidirectional layer has a forward band above
    its backward band), columns are time steps. Cells in ``output`` (the top layer at every
    step, both directions) are sky blue; lower layers' states never come back except their
    final cell, which is orange. Each direction's final cell, a row of ``h_n``, is outlined in
    vermillion and named (``h_n[k]``, with ``c_n[k]`` for an LSTM): the forward direction ends
    at the sequence's last valid step, the backward direction at step 0. For packed input, steps
    past the sequence's length are hatched padding.

    ``sequence`` picks the batch entry; it must be 0 for unbatched input.
    Returns the ``Axes`` drawn on (a new figure's if ``ax`` is None).

    >>> import torch
    >>> from matplotlib.figure import Figure
    >>> from rnnshapes import unroll
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True)
    >>> u = unroll(gru, torch.randn(7, 4))  # unbatched: L=7, H_in=4
    >>> ax = state_grid(u, ax=Figure().subplots())
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['layer 0 backward', 'layer 0 forward']
    >>> state_grid(u, sequence=1)
    Traceback (most recent call last):
    ...
    ValueError: sequence must be 0 for unbatched input (1 sequence), got 1
    """
    grid, batched = _grid_of(u)
    spec = u.spec
    layers, directions, seq_len, batch = grid.shape[:4]
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"sequence must be an int, got {type(sequence).__name__}")
    if not 0 <= sequence < batch:
        what = "unbatched input (1 sequence)" if not batched else f"a batch of {batch} sequences"
        want = "0" if batch == 1 else f"between 0 and {batch - 1}"
        raise ValueError(f"sequence must be {want} for {what}, got {sequence}")
    length = _lengths_of(u, seq_len, batch)[sequence]
    lstm = spec.has_cell
    gap = 0.35
    if ax is None:
        rows = layers * directions
        ax = _new_axes(2.6 + 0.75 * seq_len, max(3.0, 1.9 + 0.62 * rows + 0.25 * layers))

    yticks: list[float] = []
    ylabels: list[str] = []
    for layer in range(layers):
        top = layer == layers - 1
        for d in range(directions):
            y = layer * (directions + gap) + (directions - 1 - d)
            yticks.append(y)
            name = f"layer {layer}" + ("" if directions == 1 else (" backward", " forward")[1 - d])
            ylabels.append(name)
            k = layer * directions + d
            end = 0 if d else length - 1
            if top:
                halves = (f"[..., :{spec.h_out}]", f"[..., {spec.h_out}:]")
                half = halves[d] if directions == 2 else ""
                ax.text(seq_len - 0.4, y, f" output{half}", ha="left", va="center", fontsize=8)
            for t in range(seq_len):
                if t >= length:
                    _cell(ax, t, y, face=_PADDING, hatch="///", gid=PADDING_GID)
                    ax.text(t, y, "pad", ha="center", va="center", fontsize=7, zorder=4)
                    continue
                face = _OUTPUT if top else (_ONLY_H_N if t == end else _HIDDEN)
                if t == end:
                    _cell(ax, t, y, face=face, edge=_H_N_EDGE, lw=2.4, gid=H_N_GID)
                    label = f"h_n[{k}]" + (f"\nc_n[{k}]" if lstm else "")
                    ax.text(t, y, label, ha="center", va="center", fontsize=7, zorder=4)
                else:
                    _cell(ax, t, y, face=face)
                    arrow = "←" if d else "→"
                    ax.text(t, y, arrow, ha="center", va="center", fontsize=9, color="#555555")
    order = sorted(range(len(yticks)), key=lambda i: yticks[i])
    ax.set_yticks([yticks[i] for i in order], [ylabels[i] for i in order])
    ax.set_xticks(range(seq_len))
    ax.set_xlim(-0.6, seq_len - 0.4)
    ax.set_ylim(min(yticks) - 0.6, max(yticks) + 0.6)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    n_axis = "N, " if batched else ""
    ax.set(
        xlabel=_time_label(u, batched),
        ylabel=f"layer (dim 0 of\nh_n.view(num_layers, D, {n_axis}H))",
    )
    which = f", sequence {sequence}" if batched else ""
    also = ", c_n beside it" if lstm else ""
    ax.set_title(
        f"{spec.describe()}{which}: output is the top layer at every step, "
        f"h_n each layer's final step{also}",
        fontsize="medium",
        wrap=True,
    )
    handles = [
        mpatches.Patch(facecolor=_OUTPUT, edgecolor="#999999", label="in output (top layer)"),
        mpatches.Patch(facecolor=_HIDDEN, edgecolor="#999999", label="never returned"),
        mpatches.Patch(facecolor=_ONLY_H_N, edgecolor="#999999", label="only in h_n (lower layer)"),
        mpatches.Patch(
            facecolor="white",
            edgecolor=_H_N_EDGE,
            linewidth=2.4,
            label="final step: a row of h_n" + (" and c_n" if lstm else ""),
        ),
    ]
    if length < seq_len:
        handles.append(
            mpatches.Patch(facecolor=_PADDING, edgecolor="#999999", hatch="///", label="padding")
        )
    if layers == 1:
        del handles[1:3]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16 - 0.06 / max(layers * directions, 1)),
        ncols=min(len(handles), 3),
        fontsize="small",
        frameon=False,
    )
    return ax


def packed_batch(u: Unrolled, *, ax: Axes | None = None) -> Axes:
    """Draw the top layer of a batch, sequences × time: where ``h_n`` is read, and the trap.

    Each sequence's steps are sky blue up to its length and hatched padding after it (packed
    input; for a plain tensor every sequence is full length). The forward direction's final
    step, where ``h_n`` is read, is outlined in vermillion; for a bidirectional module the
    backward direction's final step, step 0, is outlined in blue. The last column, which
    ``output[:, -1]`` (``output[-1]`` time-major) reads, is outlined with a dashed line, and
    a cross marks every sequence for which it is not the final state: short sequences (it reads
    padding) and, for a bidirectional module over more than one step, every sequence (its
    backward half has taken only one step of its own recurrence).

    >>> import torch
    >>> from matplotlib.figure import Figure
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> from rnnshapes import unroll
    >>> gru = torch.nn.GRU(4, 5, batch_first=True)
    >>> packed = pack_padded_sequence(torch.randn(3, 7, 4), [4, 7, 1], batch_first=True,
    ...                               enforce_sorted=False)
    >>> ax = packed_batch(unroll(gru, packed), ax=Figure().subplots())
    >>> # 2 of the 3 sequences are shorter than 7 steps: output[:, -1] reads padding for them
    >>> sum(line.get_gid() == "trap" for line in ax.lines)
    2
    """
    grid, batched = _grid_of(u)
    if not batched:
        raise ValueError("packed_batch needs a batch: the input was unbatched (one sequence)")
    spec = u.spec
    layers, directions, seq_len, batch = grid.shape[:4]
    lengths = _lengths_of(u, seq_len, batch)
    if ax is None:
        ax = _new_axes(2.2 + 0.75 * seq_len, max(3.0, 2.3 + 0.55 * batch))
    top_row = (layers - 1) * directions
    trap = "output[:, -1]" if spec.batch_first else "output[-1]"
    bidirectional = directions == 2
    for b, n in enumerate(lengths):
        y = batch - 1 - b
        for t in range(seq_len):
            if t >= n:
                _cell(ax, t, y, face=_PADDING, hatch="///", gid=PADDING_GID)
                ax.text(t, y, "pad", ha="center", va="center", fontsize=7, zorder=4)
                continue
            labels = []
            if t == n - 1:
                _cell(ax, t, y, face=_OUTPUT, edge=_H_N_EDGE, lw=2.4, gid=H_N_GID)
                labels.append(f"h_n[{top_row}]")
            if bidirectional and t == 0:
                inset = mpatches.Rectangle(
                    (t - 0.36, y - 0.33),
                    0.72,
                    0.66,
                    facecolor=_OUTPUT if t < n - 1 else "none",
                    edgecolor=_BACKWARD_EDGE,
                    linewidth=2.0,
                    zorder=3,
                )
                inset.set_gid(H_N_GID)
                ax.add_patch(inset)
                if t < n - 1:
                    _cell(ax, t, y, face=_OUTPUT)
                labels.append(f"h_n[{top_row + 1}]")
            if not labels:
                _cell(ax, t, y, face=_OUTPUT)
            else:
                ax.text(t, y, "\n".join(labels), ha="center", va="center", fontsize=7, zorder=4)
        if n < seq_len or (bidirectional and seq_len > 1):
            (mark,) = ax.plot(
                seq_len - 1 + 0.3,
                y + 0.25,
                marker="X",
                markersize=8,
                color="black",
                linestyle="none",
                zorder=5,
            )
            mark.set_gid(TRAP_GID)
    column = mpatches.Rectangle(
        (seq_len - 1 - 0.5, -0.5),
        1.0,
        batch,
        fill=False,
        edgecolor="black",
        linestyle="--",
        linewidth=1.5,
        zorder=5,
    )
    column.set_gid(TRAP_GID)
    ax.add_patch(column)
    ax.text(seq_len - 1, batch - 0.45, trap, ha="center", va="bottom", fontsize=8)
    ax.set_yticks(
        [batch - 1 - b for b in range(batch)],
        [f"{b} (length {n})" for b, n in enumerate(lengths)],
    )
    ax.set_xticks(range(seq_len))
    ax.set_xlim(-0.6, seq_len - 0.4)
    ax.set_ylim(-0.6, batch + 0.1)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    t_dim, b_dim = (1, 0) if spec.batch_first else (0, 1)
    padded = "padded output" if u.lengths is not None else "output"
    ax.set(
        xlabel=f"time step t (dim {t_dim} of {padded})",
        ylabel=f"sequence (dim {b_dim} of\n{padded}, dim 1 of h_n)",
    )
    ax.set_title(
        f"{spec.describe()}, top layer of {batch} sequences: h_n is read at each sequence's "
        f"final step, {trap} at the last column",
        fontsize="medium",
        wrap=True,
    )
    handles: list[Artist] = [
        mpatches.Patch(facecolor=_OUTPUT, edgecolor="#999999", label="valid step"),
        mpatches.Patch(
            facecolor="white",
            edgecolor=_H_N_EDGE,
            linewidth=2.4,
            label=f"h_n[{top_row}]" + (" (forward)" if bidirectional else "") + " read here",
        ),
    ]
    if bidirectional:
        handles.append(
            mpatches.Patch(
                facecolor="white",
                edgecolor=_BACKWARD_EDGE,
                linewidth=2.0,
                label=f"h_n[{top_row + 1}] (backward) read here",
            )
        )
    if any(n < seq_len for n in lengths):
        handles.append(
            mpatches.Patch(facecolor=_PADDING, edgecolor="#999999", hatch="///", label="padding")
        )
    handles.append(
        mpatches.Patch(
            facecolor="white", edgecolor="black", linestyle="--", label=f"{trap} reads here"
        )
    )
    handles.append(
        Line2D(
            [],
            [],
            marker="X",
            color="black",
            linestyle="none",
            markersize=8,
            label=f"{trap} is not the final state",
        )
    )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18 - 0.1 / batch),
        ncols=3,
        fontsize="small",
        frameon=False,
    )
    return ax


def _check_panel(name: str, value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"panel {name!r} must be a torch.Tensor, got {type(value).__name__}")
    if value.dim() != 2:
        raise ValueError(
            f"panel {name!r} must be 2-D (rows, features), got shape {tuple(value.shape)}"
        )
    if value.numel() == 0:
        raise ValueError(f"panel {name!r} is empty: shape {tuple(value.shape)}")
    return value.detach().cpu()


def equal_rows(a: torch.Tensor, b: torch.Tensor) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` such that row ``i`` of ``a`` and row ``j`` of ``b`` are bit-equal.

    >>> a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> equal_rows(a, torch.tensor([[3.0, 4.0]]))
    [(1, 0)]
    """
    if a.shape[-1] != b.shape[-1]:
        return []
    return [(i, j) for i in range(a.shape[0]) for j in range(b.shape[0]) if torch.equal(a[i], b[j])]


def heatmaps(
    panels: Mapping[str, torch.Tensor],
    *,
    equal: Sequence[tuple[str, str]] = (),
    labels: Mapping[str, tuple[str, str]] | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Draw 2-D tensors side by side, on one colour scale, and outline the rows two share.

    ``panels`` maps a title (say ``"output[:, 0]"``) to a 2-D tensor (rows × features). For each
    pair of titles in ``equal``, every row of the first panel that is bit-equal
    (``torch.equal``) to a row of the second is outlined in both panels (black on a white halo,
    one line style per pair); rows that only look alike are not. ``labels`` maps a title to its
    axes' ``(ylabel, xlabel)``; the default names dim 0 and dim 1 of the panel. The colour map is
    PuOr (a colour-blind-safe diverging map) centred on 0, shared by every panel, with one
    colorbar.

    >>> import torch
    >>> from matplotlib.figure import Figure
    >>> _ = torch.manual_seed(0)
    >>> out = torch.randn(7, 5)  # 7 steps of 5 features
    >>> fig = heatmaps({"output": out, "h_n": out[-1:]}, equal=[("output", "h_n")], fig=Figure())
    >>> # output's last row and h_n's only row: one outline in each panel
    >>> sum(p.get_gid() == "equal-row" for ax in fig.axes for p in ax.patches)
    2
    """
    if not panels:
        raise ValueError("heatmaps needs at least one panel")
    data = {name: _check_panel(name, value) for name, value in panels.items()}
    for pair in equal:
        if len(pair) != 2:
            raise ValueError(f"each entry of equal must be a pair of panel names, got {pair!r}")
        for name in pair:
            if name not in data:
                raise ValueError(f"equal names panel {name!r}, but the panels are {list(data)}")
    labels = labels or {}
    vmax = max(float(t.abs().max()) for t in data.values()) or 1.0
    norm = Normalize(vmin=-vmax, vmax=vmax)
    rows = max(t.shape[0] for t in data.values())
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(
            figsize=(min(_MAX_WIDTH, 1.2 + 2.2 * len(data)), min(6.5, 1.6 + 0.3 * rows)),
            layout="constrained",
        )
    widths = [t.shape[1] for t in data.values()]
    axes = fig.subplots(1, len(data), squeeze=False, width_ratios=widths)[0]
    image = None
    by_name: dict[str, Axes] = {}
    for ax, (name, t) in zip(axes, data.items(), strict=True):
        aspect = "equal" if rows <= 16 else "auto"  # long panels: fill the height instead
        image = ax.imshow(t.double().numpy(), cmap="PuOr", norm=norm, aspect=aspect)
        ylabel, xlabel = labels.get(name, ("row (dim 0)", "feature (dim 1)"))
        ax.set(title=name, xlabel=xlabel, ylabel=ylabel)
        ax.set_xticks(range(t.shape[1]))
        ax.set_yticks(range(t.shape[0]))
        ax.tick_params(labelsize="small")
        by_name[name] = ax
    counts: list[int] = []
    for pair_index, (first, second) in enumerate(equal):
        style = _EQUAL_STYLES[pair_index % len(_EQUAL_STYLES)]
        marked: set[tuple[str, int]] = set()
        pairs = equal_rows(data[first], data[second])
        counts.append(len(pairs))
        for i, j in pairs:
            for name, row in ((first, i), (second, j)):
                if (name, row) in marked:
                    continue
                marked.add((name, row))
                width = data[name].shape[1]
                rect = mpatches.Rectangle(
                    (-0.5, row - 0.5),
                    width,
                    1.0,
                    fill=False,
                    edgecolor="black",
                    linewidth=2.0,
                    linestyle=style,
                    zorder=3,
                    clip_on=False,
                    path_effects=[patheffects.withStroke(linewidth=4.0, foreground="white")],
                )
                rect.set_gid(EQUAL_GID)
                rect.set_label(f"rows equal in {first} and {second}")
                by_name[name].add_patch(rect)
    assert image is not None
    fig.colorbar(image, ax=list(axes), label="value", shrink=0.9)
    if equal:
        handles = [
            mpatches.Patch(
                facecolor="none",
                edgecolor="black",
                linewidth=2.0,
                linestyle=_EQUAL_STYLES[i % len(_EQUAL_STYLES)],
                label=f"torch.equal rows of {a} and {b}: "
                + (f"{n} pair{'s' if n > 1 else ''}" if n else "none"),
            )
            for i, ((a, b), n) in enumerate(zip(equal, counts, strict=True))
        ]
        fig.legend(handles=handles, loc="outside lower center", fontsize="small", frameon=False)
    return fig
