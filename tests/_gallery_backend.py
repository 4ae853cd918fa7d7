"""A non-interactive matplotlib backend that records what a script shows, for the gallery tests.

Select it with ``MPLBACKEND=module://_gallery_backend`` (this folder on ``PYTHONPATH``) and name
a JSON file in ``GALLERY_SHOW_LOG``. It draws like Agg and writes nothing else. Each
``plt.show()`` is recorded with the numbers of the figures it showed and every drawn text (a
title, an axis label, a tick label, a legend entry, an annotation) whose window extent leaves
its figure's canvas; then it closes those figures, as a reader closes the windows. Each figure
made is recorded when it is made, so the log tells which figures were never shown.
"""

from __future__ import annotations

import json
import os
from typing import Any

import matplotlib.text
from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

_LOG: dict[str, list[Any]] = {"created": [], "shows": []}
_TOLERANCE = 1.0  # pixels: rounding of extents, not a clipped glyph


def _write() -> None:
    path = os.environ.get("GALLERY_SHOW_LOG")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_LOG, f)


class FigureManager(FigureManagerBase):
    def __init__(self, canvas: Any, num: int | str) -> None:
        super().__init__(canvas, num)
        _LOG["created"].append(num)
        _write()


class FigureCanvas(FigureCanvasAgg):
    manager_class = FigureManager  # type: ignore[assignment]


def _texts_outside(figure: Any) -> list[str]:
    """Draw ``figure`` and list each drawn text whose extent is not inside the canvas."""
    drawn: list[tuple[Any, Any]] = []
    original = matplotlib.text.Text.draw

    def recording_draw(self: matplotlib.text.Text, renderer: Any) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))

    matplotlib.text.Text.draw = recording_draw  # type: ignore[method-assign]
    try:
        figure.canvas.draw()
    finally:
        matplotlib.text.Text.draw = original  # type: ignore[method-assign]
    width, height = figure.bbox.width, figure.bbox.height
    outside = []
    for text, box in drawn:
        inside = (
            box.x0 >= -_TOLERANCE
            and box.y0 >= -_TOLERANCE
            and box.x1 <= width + _TOLERANCE
            and box.y1 <= height + _TOLERANCE
        )
        if not inside:
            outside.append(
                f"{text.get_text()!r} at x {box.x0:.0f}..{box.x1:.0f}, y {box.y0:.0f}..{box.y1:.0f}"
                f" on a {width:.0f} x {height:.0f} canvas"
            )
    return outside


def show(*args: Any, **kwargs: Any) -> None:
    managers = Gcf.get_all_fig_managers()
    _LOG["shows"].append(
        {
            "figures": [m.num for m in managers],
            "outside": {str(m.num): _texts_outside(m.canvas.figure) for m in managers},
        }
    )
    _write()
    Gcf.destroy_all()  # the reader closes the windows; the next show has only new figures
