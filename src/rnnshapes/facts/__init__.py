"""The claims, one module per topic; importing this package registers them all, in this order."""

# isort: skip_file
from . import layers, returns, layout, bidirectional, packed
from . import projection, chunks, dropout, cells, gradients

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
]
