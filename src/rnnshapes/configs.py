"""Configurations that claims are checked on: a module, its input and initial state, seeded.

>>> cfg = Config("GRU", num_layers=2, bidirectional=True)
>>> str(cfg)
'GRU layers=2 bidirectional float32 cpu (L=7 N=3 H_in=4 H=5)'
>>> cfg.module()
GRU(4, 5, num_layers=2, bidirectional=True)
>>> # each sequence's length for packed checks: distinct, unsorted, the longest is seq_len
>>> cfg.lengths()
[4, 7, 1]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn

from .spec import MODULES, Kind, parameter

__all__ = [
    "Config",
    "Returned",
    "bidirectional",
    "default_configs",
    "run",
    "stacked",
    "unidirectional",
]


@dataclass(frozen=True)
class Config:
    """A module configuration with seeded weights and inputs of distinct sizes."""

    kind: Kind = "LSTM"
    num_layers: int = 1
    bidirectional: bool = False
    batch_first: bool = False
    bias: bool = True
    proj_size: int = 0
    nonlinearity: str = "tanh"
    dtype: torch.dtype = torch.float32
    device: str = "cpu"
    seq_len: int = 7
    batch: int = 3
    input_size: int = 4
    hidden_size: int = 5
    seed: int = field(default=0, compare=False)

    def __str__(self) -> str:
        words: list[str] = [self.kind]
        if self.kind == "RNN" and self.nonlinearity != "tanh":
            words.append(self.nonlinearity)
        words.append(f"layers={self.num_layers}")
        words += [
            w
            for w, on in [
                ("bidirectional", self.bidirectional),
                ("batch_first", self.batch_first),
                ("bias=False", not self.bias),
            ]
            if on
        ]
        if self.proj_size:
            words.append(f"proj_size={self.proj_size}")
        words += [str(self.dtype).removeprefix("torch."), self.device]
        sizes = f"(L={self.seq_len} N={self.batch} H_in={self.input_size} H={self.hidden_size})"
        return " ".join([*words, sizes])

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        return self.proj_size or self.hidden_size

    def with_(self, **changes: Any) -> Config:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def module(self, **overrides: Any) -> nn.RNNBase:
        """The module, seeded by ``seed``, in eval mode; ``overrides`` go to its constructor."""
        kwargs: dict[str, Any] = dict(
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            batch_first=self.batch_first,
            bias=self.bias,
        )
        if self.kind == "RNN":
            kwargs["nonlinearity"] = self.nonlinearity
        if self.proj_size:
            kwargs["proj_size"] = self.proj_size
        kwargs.update(overrides)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            module = MODULES[self.kind](self.input_size, self.hidden_size, **kwargs)
        return module.to(dtype=self.dtype, device=self.device).eval()

    def _randn(self, *shape: int, salt: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(self.seed * 1000 + salt)
        return torch.randn(*shape, generator=gen, dtype=self.dtype).to(self.device)

    def input(self, batched: bool = True) -> torch.Tensor:
        """A seeded input in the module's layout (unbatched: ``(L, input_size)``)."""
        if not batched:
            return self._randn(self.seq_len, self.input_size, salt=1)
        if self.batch_first:
            return self._randn(self.batch, self.seq_len, self.input_size, salt=1)
        return self._randn(self.seq_len, self.batch, self.input_size, salt=1)

    def initial_state(self) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """A seeded, non-zero ``h0`` (RNN, GRU) or ``(h0, c0)`` (LSTM)."""
        rows = self.num_layers * self.num_directions
        h0 = self._randn(rows, self.batch, self.h_out, salt=2)
        if self.kind != "LSTM":
            return h0
        return h0, self._randn(rows, self.batch, self.hidden_size, salt=3)

    def time_major(self, t: torch.Tensor) -> torch.Tensor:
        """``t`` (an input or output in the module's layout) with time first."""
        return t.transpose(0, 1) if self.batch_first else t

    def first_steps(self, t: torch.Tensor, stop: int, start: int = 0) -> torch.Tensor:
        """Steps ``start..stop-1`` of ``t`` (in the module's layout), along the time axis."""
        return t[:, start:stop] if self.batch_first else t[start:stop]

    def one_layer_modules(self, module: nn.RNNBase) -> list[nn.RNNBase]:
        """One one-layer module per layer of ``module`` (built from this config), holding that
        layer's weights: feeding each one the previous one's output retraces ``module``."""
        stack = []
        for layer in range(self.num_layers):
            size = self.input_size if layer == 0 else self.num_directions * self.h_out
            one = self.with_(num_layers=1, input_size=size).module()
            with torch.no_grad():
                for name, p in one.named_parameters():
                    p.copy_(parameter(module, name.replace("_l0", f"_l{layer}")))
            stack.append(one)
        return stack

    def lengths(self) -> list[int]:
        """Distinct lengths (as far as ``seq_len`` allows), unsorted, the longest ``seq_len``."""
        n, top = self.batch, self.seq_len
        lengths = [max(1, top - (k * (top - 1)) // max(n - 1, 1)) for k in range(n)]
        if n > 1:
            lengths[0], lengths[1] = lengths[1], lengths[0]
        return lengths


@dataclass(frozen=True)
class Returned:
    """What a module returned, with ``c_n`` pulled out of LSTM's tuple (``None`` otherwise)."""

    output: Any
    h_n: torch.Tensor
    c_n: torch.Tensor | None


def unidirectional(cfg: Config) -> bool:
    """Claims about ``output[-1]`` and ``h_n[-1]`` need one direction."""
    return not cfg.bidirectional


def bidirectional(cfg: Config) -> bool:
    return cfg.bidirectional


def stacked(cfg: Config) -> bool:
    """Claims about lower layers need more than one."""
    return cfg.num_layers > 1


def run(module: nn.Module, input: Any, hx: Any = None) -> Returned:
    """Call ``module(input, hx)`` and name the parts of what it returns."""
    output, state = module(input, hx)
    if isinstance(state, tuple):
        return Returned(output, state[0], state[1])
    return Returned(output, state, None)


def default_configs(device: str = "cpu") -> Iterator[Config]:
    """The configurations ``verify`` checks each claim on: every kind (RNN tanh and ReLU, LSTM
    with and without ``proj_size``, GRU) × 1–2 layers × both directions, plus 3 layers, with
    ``batch_first``, ``bias`` and float64 spread across them.

    >>> len(list(default_configs()))
    25
    """
    kinds: list[dict[str, Any]] = [
        dict(kind="RNN"),
        dict(kind="RNN", nonlinearity="relu"),
        dict(kind="LSTM"),
        dict(kind="LSTM", proj_size=2),
        dict(kind="GRU"),
    ]
    i = 0
    for kind in kinds:
        for layers, both_ways in [
            (1, False),
            (1, True),
            (2, False),
            (2, True),
            (3, i % 2 == 0),
        ]:
            yield Config(
                **kind,
                num_layers=layers,
                bidirectional=both_ways,
                batch_first=i % 2 == 1,
                bias=i % 4 != 3,  # not % 5: that would always be the same (layers, D) slot
                dtype=torch.float64 if i % 3 == 2 else torch.float32,
                device=device,
                seed=i,
            )
            i += 1
