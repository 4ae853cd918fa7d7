"""What a recurrent module is, read from its configuration: the one place that inspects modules.

Every public function of rnnshapes starts by turning its module argument into a :class:`Spec`,
so every one of them rejects the same wrong inputs with the same message.

>>> import torch
>>> spec = Spec.of(torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2))
>>> spec.describe()
'2-layer bidirectional LSTM with proj_size=2'
>>> # h_n has num_layers × num_directions = 2 × 2 = 4 rows, each of H_out = proj_size = 2
>>> spec.state_rows, spec.h_out
(4, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

Kind = Literal["RNN", "LSTM", "GRU"]

#: The module class of each kind.
MODULES: dict[Kind, Callable[..., nn.RNNBase]] = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}

_MODES: dict[str, tuple[Kind, str | None]] = {
    "RNN_TANH": ("RNN", "tanh"),
    "RNN_RELU": ("RNN", "relu"),
    "LSTM": ("LSTM", None),
    "GRU": ("GRU", None),
}


@dataclass(frozen=True)
class Spec:
    """The configuration of an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` that decides its shapes."""

    kind: Kind
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    batch_first: bool
    bias: bool
    proj_size: int
    nonlinearity: str | None
    dropout: float

    @classmethod
    def of(cls, module: object) -> Spec:
        """Read the spec of ``module``; raise ``TypeError`` if it is not an RNN, LSTM or GRU.

        >>> Spec.of(torch.nn.LSTMCell(4, 5))
        Traceback (most recent call last):
        ...
        TypeError: expected a torch.nn.RNN, nn.LSTM or nn.GRU module, got LSTMCell \
(cells take one step; wrap the loop yourself or use nn.LSTM)
        """
        if not isinstance(module, nn.RNNBase) or module.mode not in _MODES:
            name = type(module).__name__
            hint = ""
            if isinstance(module, nn.RNNCellBase):
                hint = f" (cells take one step; wrap the loop yourself or use nn.{name[:-4]})"
            raise TypeError(f"expected a torch.nn.RNN, nn.LSTM or nn.GRU module, got {name}{hint}")
        kind, nonlinearity = _MODES[module.mode]
        return cls(
            kind=kind,
            input_size=module.input_size,
            hidden_size=module.hidden_size,
            num_layers=module.num_layers,
            bidirectional=module.bidirectional,
            batch_first=module.batch_first,
            bias=module.bias,
            proj_size=module.proj_size,
            nonlinearity=nonlinearity,
            dropout=float(module.dropout),
        )

    @property
    def num_directions(self) -> int:
        """2 for a bidirectional module, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        """Size of each hidden state (``proj_size`` if set, else ``hidden_size``)."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    @property
    def state_rows(self) -> int:
        """Rows of ``h_n`` / ``c_n`` / ``h0`` / ``c0``: ``num_layers * num_directions``."""
        return self.num_layers * self.num_directions

    @property
    def has_cell(self) -> bool:
        """Whether the module returns a cell state ``c_n`` (LSTM only)."""
        return self.kind == "LSTM"

    def describe(self) -> str:
        """A short English name, as used in error messages: ``'2-layer bidirectional LSTM'``."""
        words = [f"{self.num_layers}-layer"]
        if self.bidirectional:
            words.append("bidirectional")
        if self.kind == "RNN" and self.nonlinearity == "relu":
            words.append("ReLU")
        words.append(self.kind)
        if self.proj_size:
            words.append(f"with proj_size={self.proj_size}")
        return " ".join(words)


def parameter(module: nn.Module, name: str) -> torch.Tensor:
    """The tensor ``module.<name>`` (a weight or bias), typed as a tensor."""
    value = getattr(module, name)
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{type(module).__name__}.{name} is not a tensor")
    return value


def check_tensor(value: object, name: str) -> torch.Tensor:
    """Return ``value`` if it is a tensor, else raise ``TypeError`` naming the argument."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    return value


def check_int(value: object, name: str, minimum: int = 1) -> int:
    """Return ``value`` if it is an int ≥ ``minimum`` (bools refused), else raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value
