"""Troubleshooting: gradients across chunks and batches. What torch says, and the fix."""

from __future__ import annotations
