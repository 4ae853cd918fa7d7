"""Troubleshooting: unpacking and indexing what a module returns. What torch says, and the fix."""

from __future__ import annotations
