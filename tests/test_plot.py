"""rnnshapes.plot draws what the tensors say: h_n cells where h_n is, padding where it is."""

from __future__ import annotations

import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch.nn.utils.rnn import pack_padded_sequence

import rnnshapes
from rnnshapes import plot
from rnnshapes.configs import Config

LENGTHS = [4, 7, 1]


@pytest.fixture(autouse=True)
def no_figures_left() -> object:
    """Every test starts and ends with no pyplot figure open."""
    plt.close("all")
    yield
    plt.close("all")


def _unrolled(cfg: Config, packed: bool = False, batched: bool = True) -> rnnshapes.Unrolled:
    module = cfg.module()
    x = cfg.input(batched=batched)
    if packed:
        x = pack_padded_sequence(x, LENGTHS, batch_first=cfg.batch_first, enforce_sorted=False)
    return rnnshapes.unroll(module, x)


def _fresh_axes() -> Axes:
    return Figure(layout="constrained").subplots()


def _rects(ax: Axes, gid: str) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == gid]


def _text_at(ax: Axes, x: float, y: float) -> str:
    found = [t.get_text() for t in ax.texts if t.get_position() == (x, y)]
    assert len(found) == 1, f"expected one label at {(x, y)}, got {found}"
    return found[0]


def _labelled(ax: Axes) -> None:
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert ax.get_legend() is not None
    assert ax.figure.get_figwidth() <= 7.2


def test_import_rnnshapes_does_not_import_matplotlib() -> None:
    code = "import sys, rnnshapes; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


CONFIGS = [
    Config("RNN"),
    Config("LSTM", num_layers=2),
    Config("GRU", num_layers=3, bidirectional=True, batch_first=True),
    Config("LSTM", num_layers=2, bidirectional=True, proj_size=2),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
@pytest.mark.parametrize("packed", [False, True], ids=["tensor", "packed"])
def test_state_grid_outlines_each_h_n_row_where_it_is(cfg: Config, packed: bool) -> None:
    u = _unrolled(cfg, packed)
    sequence = 0
    ax = plot.state_grid(u, sequence=sequence, ax=_fresh_axes())
    _labelled(ax)
    cells = _rects(ax, plot.H_N_GID)
    # one outlined cell per row of h_n: num_layers × num_directions
    assert len(cells) == u.h_n.shape[0] == cfg.num_layers * cfg.num_directions
    rows = {tick.get_position()[1]: tick.get_text() for tick in ax.get_yticklabels()}
    seen = set()
    for cell in cells:
        t = round(cell.get_x() + 0.45)
        y = cell.get_y() + 0.42
        name = rows[min(rows, key=lambda r: abs(r - y))]
        match = re.fullmatch(r"layer (\d+)( forward| backward)?", name)
        assert match is not None
        layer, d = int(match[1]), int(match[2] == " backward")
        k = layer * cfg.num_directions + d
        # the cell drawn as h_n[k] holds exactly h_n[k]
        assert torch.equal(u.h[layer, d, t, sequence], u.h_n[k, sequence])
        label = _text_at(ax, t, y)
        assert label.split("\n")[0] == f"h_n[{k}]"
        assert ("c_n" in label) == (cfg.kind == "LSTM")
        seen.add(k)
    assert seen == set(range(u.h_n.shape[0]))
    length = LENGTHS[sequence] if packed else cfg.seq_len
    pads = _rects(ax, plot.PADDING_GID)
    assert len(pads) == (cfg.seq_len - length) * cfg.num_layers * cfg.num_directions
    # padding in the grid is zeros: every hatched cell is past the sequence's end
    assert all(round(p.get_x() + 0.45) >= length for p in pads)


def test_state_grid_axes_name_the_tensor_dimensions() -> None:
    cfg = Config("LSTM", num_layers=2, batch_first=True)
    ax = plot.state_grid(_unrolled(cfg), ax=_fresh_axes())
    assert ax.get_xlabel() == "time step t (dim 1 of output)"
    assert "h_n.view(num_layers, D, N, H)" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(t) for t in range(7)]
    assert "2-layer LSTM" in ax.get_title()
    unbatched = plot.state_grid(_unrolled(cfg, batched=False), ax=_fresh_axes())
    assert unbatched.get_xlabel() == "time step t (dim 0 of output)"
    assert "h_n.view(num_layers, D, H)" in unbatched.get_ylabel()


def test_state_grid_rejects_a_sequence_outside_the_batch() -> None:
    u = _unrolled(Config("GRU"))
    with pytest.raises(ValueError, match="between 0 and 2 for a batch of 3 sequences, got 3"):
        plot.state_grid(u, sequence=3)
    with pytest.raises(TypeError, match="sequence must be an int"):
        plot.state_grid(u, sequence=True)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_batch_marks_final_steps_padding_and_the_trap(bidirectional: bool) -> None:
    cfg = Config("GRU", num_layers=2, bidirectional=bidirectional, batch_first=True)
    u = _unrolled(cfg, packed=True)
    ax = plot.packed_batch(u, ax=_fresh_axes())
    _labelled(ax)
    assert ax.get_xlabel() == "time step t (dim 1 of padded output)"
    top = (cfg.num_layers - 1) * cfg.num_directions
    finals = _rects(ax, plot.H_N_GID)
    assert len(finals) == cfg.batch * cfg.num_directions
    for cell in finals:
        x, y = cell.get_center()
        b, t = cfg.batch - 1 - round(y), round(x)
        forward = t == LENGTHS[b] - 1 and cell.get_edgecolor()[:3] == matplotlib.colors.to_rgb(
            plot.OKABE_ITO["vermillion"]
        )
        k = top if forward else top + 1
        h = u.spec.h_out
        assert torch.equal(u.h[-1, k - top, t, b], u.h_n[k, b][:h])
        assert f"h_n[{k}]" in _text_at(ax, t, round(y))
    assert len(_rects(ax, plot.PADDING_GID)) == sum(cfg.seq_len - n for n in LENGTHS)
    crosses = [line for line in ax.lines if line.get_gid() == plot.TRAP_GID]
    short = sum(n < cfg.seq_len for n in LENGTHS)
    assert len(crosses) == (cfg.batch if bidirectional else short)
    assert any(t.get_text() == "output[:, -1]" for t in ax.texts)


def test_packed_batch_time_major_and_unbatched() -> None:
    u = _unrolled(Config("LSTM"))
    ax = plot.packed_batch(u, ax=_fresh_axes())
    assert any(t.get_text() == "output[-1]" for t in ax.texts)
    # full-length sequences of a unidirectional module: output[-1] is right for all of them
    assert not [line for line in ax.lines if line.get_gid() == plot.TRAP_GID]
    with pytest.raises(ValueError, match="needs a batch"):
        plot.packed_batch(_unrolled(Config("LSTM"), batched=False))


def test_heatmaps_outline_only_bit_equal_rows() -> None:
    lstm = Config("LSTM", num_layers=2).module()
    output, (h_n, c_n) = lstm(Config().input())
    panels = {"output[:, 0]": output[:, 0], "h_n[:, 0]": h_n[:, 0], "c_n[:, 0]": c_n[:, 0]}
    fig = plot.heatmaps(
        panels, equal=[("output[:, 0]", "h_n[:, 0]"), ("output[:, 0]", "c_n[:, 0]")], fig=Figure()
    )
    outlined = {
        ax.get_title(): [round(p.get_y() + 0.5) for p in _rects(ax, plot.EQUAL_GID)]
        for ax in fig.axes
        if ax.get_title()
    }
    # only output's last step equals a row of h_n (the top layer's); c_n matches nothing
    assert outlined == {"output[:, 0]": [6], "h_n[:, 0]": [1], "c_n[:, 0]": []}
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3
    assert len({im.get_clim() for im in images}) == 1  # one shared colour scale
    assert len(fig.axes) == 4  # three panels and a colorbar
    for ax in fig.axes[:3]:
        assert ax.get_xlabel() == "feature (dim 1)" and ax.get_ylabel() == "row (dim 0)"
    assert fig.legends


def test_heatmaps_labels_and_errors() -> None:
    x = torch.zeros(3, 2)
    fig = plot.heatmaps({"a": x}, labels={"a": ("sequence (dim 1)", "H (dim 2)")}, fig=Figure())
    assert (fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel()) == ("sequence (dim 1)", "H (dim 2)")
    with pytest.raises(ValueError, match="must be 2-D"):
        plot.heatmaps({"a": torch.zeros(2, 3, 4)})
    with pytest.raises(ValueError, match="names panel 'b'"):
        plot.heatmaps({"a": x}, equal=[("a", "b")])
    with pytest.raises(TypeError, match=r"must be a torch\.Tensor"):
        plot.heatmaps({"a": [[1.0]]})  # type: ignore[dict-item]
    assert plt.get_fignums() == []


def test_new_figures_go_through_pyplot_and_fit_the_page() -> None:
    u = _unrolled(Config("GRU", num_layers=3, bidirectional=True, seq_len=20), packed=False)
    ax = plot.state_grid(u)
    assert plt.get_fignums() == [ax.figure.number]
    assert ax.figure.get_figwidth() <= 7.2
    plot.packed_batch(u)
    fig = plot.heatmaps({"output": u.h[-1, 0, :, 0], "h_n": u.h_n[:, 0]})
    assert len(plt.get_fignums()) == 3 and fig.get_figwidth() <= 7.2
    fig.canvas.draw()  # renders without error


def test_given_axes_leave_pyplot_alone() -> None:
    u = _unrolled(Config("LSTM", num_layers=2), packed=True)
    plot.state_grid(u, ax=_fresh_axes())
    plot.packed_batch(u, ax=_fresh_axes())
    plot.heatmaps({"h_n[:, 0]": u.h_n[:, 0]}, fig=Figure())
    assert plt.get_fignums() == []
