"""Troubleshooting: packing a batch and its lengths. What torch says, and the fix."""

from __future__ import annotations
