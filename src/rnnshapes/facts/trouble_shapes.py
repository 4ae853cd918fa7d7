"""Troubleshooting: shapes of the input and of the initial state. What torch says, and the fix."""

from __future__ import annotations
