"""The claims, one module per topic; importing this package registers them all, in this order."""

# isort: skip_file
from . import layers, returns, layout, bidirectional, packed
from . import projection, chunks, dropout, cells, gradients
from . import trouble_dtypes, trouble_shapes, trouble_returns, trouble_packing
from . import trouble_padding, trouble_options, trouble_cells, trouble_grads

__all__ = [
    "bidirectional",
    "cells",
    "chunks",
    "dropout",
    "gradients",
    "layers",
    "layout",
    "packed",
    "projection",
    "returns",
    "trouble_cells",
    "trouble_dtypes",
    "trouble_grads",
    "trouble_options",
    "trouble_packing",
    "trouble_padding",
    "trouble_returns",
    "trouble_shapes",
]
