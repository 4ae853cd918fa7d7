"""Troubleshooting: constructor options torch refuses or warns about. What torch says, and the fix."""

from __future__ import annotations
