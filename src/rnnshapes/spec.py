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

        A ``torch.compile``'d module is read through to the module it compiles (see
        :func:`resolve`).

        >>> Spec.of(torch.nn.LSTMCell(4, 5))
        Traceback (most recent call last):
        ...
        TypeError: expected a torch.nn.RNN, nn.LSTM or nn.GRU module, got nn.LSTMCell \
(cells take one step; wrap the loop yourself or use nn.LSTM)
        """
        module = resolve(module)
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


def _type_name(value: object) -> str:
    """``nn.LSTMCell``, ``torch.ao.nn.quantized.dynamic.LSTM``, ``int``: where a type lives."""
    cls = type(value)
    where = cls.__module__
    if where == "builtins":
        return cls.__qualname__
    if where.startswith("torch.nn.modules."):
        return f"nn.{cls.__qualname__}"
    for public in ("torch.ao.nn.quantized.dynamic", "torch.ao.nn.quantized", "torch.jit"):
        if where.startswith(public + "."):
            return f"{public}.{cls.__qualname__}"
    return f"{where}.{cls.__qualname__}"


def resolve(module: object) -> nn.RNNBase:
    """The ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` that ``module`` is, or raise ``TypeError``.

    A ``torch.compile``'d module (an ``OptimizedModule``) computes what the module it wraps
    computes, with that module's weights: its original is returned and read. Look-alikes are
    refused with a message that names their type: cells, TorchScript modules
    (``torch.jit.script`` / ``trace``), quantized modules (whose packed integer weights compute
    other numbers) and anything else.

    >>> lstm = torch.nn.LSTM(4, 5)
    >>> resolve(torch.compile(lstm)) is lstm
    True
    >>> resolve(torch.jit.script(lstm))
    Traceback (most recent call last):
    ...
    TypeError: expected a torch.nn.RNN, nn.LSTM or nn.GRU module, got \
torch.jit.RecursiveScriptModule, a TorchScript module: its configuration cannot be read back; \
pass the module you scripted or traced
    """
    original = getattr(module, "_orig_mod", None)
    if type(module).__name__ == "OptimizedModule" and isinstance(original, nn.Module):
        module = original  # what torch.compile wraps, unchanged
    if isinstance(module, nn.RNNBase) and getattr(module, "mode", None) in _MODES:
        return module
    name = _type_name(module)
    hint = ""
    if isinstance(module, nn.RNNCellBase):
        hint = f" (cells take one step; wrap the loop yourself or use nn.{name[3:-4]})"
    elif isinstance(module, torch.jit.ScriptModule):
        hint = (
            ", a TorchScript module: its configuration cannot be read back; "
            "pass the module you scripted or traced"
        )
    elif ".quantized" in type(module).__module__:
        hint = (
            ", a quantized module: its packed integer weights compute other numbers than a "
            "float module's; pass the float module you quantized"
        )
    raise TypeError(f"expected a torch.nn.RNN, nn.LSTM or nn.GRU module, got {name}{hint}")


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
