"""Troubleshooting: the cells, RNNCell, LSTMCell and GRUCell. What torch says, and the fix."""

from __future__ import annotations
