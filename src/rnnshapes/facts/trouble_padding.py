"""Troubleshooting: padding, unpadding, and padded batches fed without packing. What torch says, and the fix."""

from __future__ import annotations
