"""The claims, one module per topic; importing this package registers them all, in this order."""

# isort: skip_file
from . import layers, returns, layout, bidirectional, packed  # noqa: I001
from . import projection, chunks, dropout, cells, gradients

__all__ = [
    "layers",
    "returns",
    "layout",
    "bidirectional",
    "packed",
    "projection",
    "chunks",
    "dropout",
    "cells",
    "gradients",
]
