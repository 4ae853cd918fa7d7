"""Configurations that claims are checked on: a module, its input and initial state, seeded.

>>> cfg = Config("GRU", num_layers=2, bidirectional=True)
>>> str(cfg)
'GRU layers=2 bidirectional float32 cpu (L=7 N=3 H_in=4 H=5)'
>>> cfg.module()
GRU(4, 5, num_layers=2, bidirectional=True)
>>> # a packed batch: each sequence's length, unsorted, one of them a single step
>>> packed = cfg.with_(lengths=(4, 7, 1))
>>> str(packed)
'GRU layers=2 bidirectional float32 cpu (L=7 N=3 H_in=4 H=5) packed lengths=(4, 7, 1)'
>>> packed.module_input().batch_sizes.tolist()  # sequences still running at each step
[3, 2, 2, 2, 1, 1, 1]

The configurations walk the edges of what claims say: one step and two, a batch of one,
unbatched input, packed batches with a length-1 sequence, with every sequence full length and
with none full length, ``enforce_sorted`` both ways, every kind, 1–3 layers, both directions,
``batch_first``, ``bias=False``, ``proj_size`` and float64. :func:`thorough_configs` walks them
all, deterministically; :func:`default_configs` (what ``verify`` checks by default) is a seeded
sample of them that still holds every edge.

>>> len(list(thorough_configs())), len(list(default_configs()))
(360, 57)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .spec import MODULES, Kind, parameter

__all__ = ["Config", "Returned", "default_configs", "run", "thorough_configs"]


@dataclass(frozen=True)
class Config:
    """A module configuration with seeded weights and inputs of distinct sizes.

    ``batched=False`` makes the input unbatched, ``(L, H_in)`` (``batch`` is then 1 and unused
    by the module). ``lengths`` makes it a packed batch of ``batch`` sequences of those lengths
    (at most ``seq_len``; their padded tensor is ``seq_len`` long), packed with
    ``enforce_sorted`` (the lengths must then be sorted, longest first).
    """

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
    batched: bool = True
    lengths: tuple[int, ...] | None = None
    enforce_sorted: bool = False
    seed: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.lengths is None:
            if self.enforce_sorted:
                raise ValueError("enforce_sorted needs packed lengths")
            return
        if not self.batched or len(self.lengths) != self.batch:
            raise ValueError(f"{len(self.lengths)} lengths for a batch of {self.batch}")
        if not all(1 <= n <= self.seq_len for n in self.lengths):
            raise ValueError(f"lengths {self.lengths} must lie in 1..{self.seq_len}")
        if self.enforce_sorted and list(self.lengths) != sorted(self.lengths, reverse=True):
            raise ValueError(f"enforce_sorted needs lengths sorted longest first: {self.lengths}")

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
        n = f"N={self.batch}" if self.batched else "unbatched"
        words.append(f"(L={self.seq_len} {n} H_in={self.input_size} H={self.hidden_size})")
        if self.lengths is not None:
            words.append(f"packed lengths={self.lengths}")
            if self.enforce_sorted:
                words.append("enforce_sorted")
        return " ".join(words)

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

    def input(self, batched: bool | None = None) -> torch.Tensor:
        """A seeded input tensor in the module's layout (unbatched: ``(L, input_size)``); for a
        packed configuration, the padded batch, zero past each sequence's length."""
        if not (self.batched if batched is None else batched):
            return self._randn(self.seq_len, self.input_size, salt=1)
        x = self._randn(self.seq_len, self.batch, self.input_size, salt=1)
        for b, n in enumerate(self.lengths or ()):
            x[n:, b] = 0
        return x.transpose(0, 1).contiguous() if self.batch_first else x

    def module_input(self) -> torch.Tensor | PackedSequence:
        """What this configuration feeds the module: :meth:`input`, packed if ``lengths``."""
        x = self.input()
        if self.lengths is None:
            return x
        return pack_padded_sequence(
            x, list(self.lengths), batch_first=self.batch_first, enforce_sorted=self.enforce_sorted
        )

    def initial_state(self) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """A seeded, non-zero ``h0`` (RNN, GRU) or ``(h0, c0)`` (LSTM), unbatched if the input
        is: ``(rows, H_out)``."""
        rows = self.num_layers * self.num_directions
        batch = (self.batch,) if self.batched else ()
        h0 = self._randn(rows, *batch, self.h_out, salt=2)
        if self.kind != "LSTM":
            return h0
        return h0, self._randn(rows, *batch, self.hidden_size, salt=3)

    @property
    def time_axis(self) -> int:
        """The time axis of the input and ``output`` tensors."""
        return 1 if self.batch_first and self.batched else 0

    def time_major(self, t: torch.Tensor) -> torch.Tensor:
        """``t`` (an input or output in the module's layout) with time first."""
        return t.transpose(0, 1) if self.time_axis else t

    def steps(self, t: torch.Tensor) -> torch.Tensor:
        """``t`` (an input or output tensor in the module's layout) time-major with a batch
        axis: ``(L, N, features)``, a batch of one for unbatched input."""
        return self.time_major(t) if self.batched else t.unsqueeze(1)

    def first_steps(self, t: torch.Tensor, stop: int, start: int = 0) -> torch.Tensor:
        """Steps ``start..stop-1`` of ``t`` (in the module's layout), along the time axis."""
        return t.narrow(self.time_axis, start, stop - start)

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


@dataclass(frozen=True)
class Returned:
    """What a module returned, with ``c_n`` pulled out of LSTM's tuple (``None`` otherwise).

    ``steps``, ``h`` and ``c`` are the same tensors in one layout whatever the input's:
    ``steps`` is ``output`` time-major with a batch axis, ``(L, N, D * H_out)``; ``h`` and ``c``
    are ``h_n`` and ``c_n`` with a batch axis, ``(rows, N, H)``. Unbatched input gets a batch of
    one; packed input gets ``output`` unpacked by ``pad_packed_sequence`` (padded with zeros to
    the longest sequence, in the caller's batch order), so a check given a packed configuration
    reads what a reader who unpacks would read.
    """

    output: Any
    h_n: torch.Tensor
    c_n: torch.Tensor | None
    steps: torch.Tensor | None = None
    h: torch.Tensor = field(init=False)
    c: torch.Tensor | None = field(init=False)

    @property
    def data(self) -> torch.Tensor:
        """``output`` as one tensor: itself, or a ``PackedSequence``'s ``data``."""
        return self.output.data if isinstance(self.output, PackedSequence) else self.output

    def __post_init__(self) -> None:
        unbatched = self.h_n.dim() == 2
        object.__setattr__(self, "h", self.h_n.unsqueeze(1) if unbatched else self.h_n)
        c = self.c_n
        object.__setattr__(self, "c", c.unsqueeze(1) if unbatched and c is not None else c)


def run(module: nn.Module, input: Any, hx: Any = None) -> Returned:
    """Call ``module(input, hx)`` and name the parts of what it returns."""
    output, state = module(input, hx)
    h_n, c_n = state if isinstance(state, tuple) else (state, None)
    if isinstance(output, PackedSequence):
        steps = pad_packed_sequence(output)[0]
    elif h_n.dim() == 2:  # unbatched: (L, D * H_out)
        steps = output.unsqueeze(1)
    else:
        steps = output.transpose(0, 1) if getattr(module, "batch_first", False) else output
    return Returned(output, h_n, c_n, steps)


#: The module variants every configuration space walks: RNN (tanh, ReLU), LSTM (with and
#: without ``proj_size``) and GRU.
_KINDS: list[dict[str, Any]] = [
    dict(kind="RNN"),
    dict(kind="RNN", nonlinearity="relu"),
    dict(kind="LSTM"),
    dict(kind="LSTM", proj_size=2),
    dict(kind="GRU"),
]

#: The input edges: the comfortable middle, then each place a sentence can break.
_INPUTS: list[dict[str, Any]] = [
    dict(seq_len=7, batch=3),  # the middle
    dict(seq_len=1, batch=3),  # one step
    dict(seq_len=2, batch=1),  # two steps, a batch of one
    dict(seq_len=1, batch=1),  # one step, a batch of one: every index of output meets
    dict(seq_len=7, batch=1, batched=False),  # unbatched
    dict(seq_len=1, batch=1, batched=False),  # unbatched, one step
    dict(seq_len=7, batch=3, lengths=(4, 7, 1)),  # packed, unsorted, a length-1 sequence
    dict(seq_len=7, batch=3, lengths=(7, 7, 7)),  # packed, every sequence full length
    dict(seq_len=7, batch=3, lengths=(5, 2, 6)),  # packed, none full length
    dict(seq_len=7, batch=3, lengths=(7, 4, 1), enforce_sorted=True),  # packed, sorted
    dict(seq_len=2, batch=2, lengths=(1, 2)),  # packed, two steps, a length-1 sequence
    dict(seq_len=1, batch=1, lengths=(1,)),  # packed, a single one-step sequence
]


def thorough_configs(device: str = "cpu") -> Iterator[Config]:
    """Every module variant × 1–3 layers × both directions, each on every input edge, with
    ``batch_first``, ``bias`` and float64 cycled across them: 5 × 3 × 2 × 12 = 360
    configurations, the same ones on every run."""
    i = 0
    for kind in _KINDS:
        for layers in (1, 2, 3):
            for both_ways in (False, True):
                for inputs in _INPUTS:
                    yield Config(
                        **kind,
                        **inputs,
                        num_layers=layers,
                        bidirectional=both_ways,
                        batch_first=i % 2 == 1,
                        bias=i % 3 != 2,
                        dtype=torch.float64 if i % 4 == 3 else torch.float32,
                        device=device,
                        seed=i,
                    )
                    i += 1


def default_configs(device: str = "cpu", seed: int = 0) -> Iterator[Config]:
    """What ``verify`` checks by default: a seeded sample of the
    :func:`~rnnshapes.configs.thorough_configs` in which every claim meets every input edge,
    module variant, layer count, direction, layout, ``bias`` setting and dtype that the
    thorough walk gives it, on some configuration; so each claim is still checked at every edge
    of what it says, in a few seconds."""
    from . import facts  # noqa: F401  (registers the claims)
    from .registry import claims  # the claims decide which edges matter; imported late (cycle)

    pool = list(thorough_configs(device))
    random.Random(seed).shuffle(pool)

    def features(cfg: Config) -> set[tuple[Any, ...]]:
        mine = {
            ("input", cfg.seq_len, cfg.batch, cfg.batched, cfg.lengths, cfg.enforce_sorted),
            ("variant", cfg.kind, cfg.nonlinearity, cfg.proj_size),
            ("layers", cfg.num_layers),
            ("bidirectional", cfg.bidirectional),
            ("batch_first", cfg.batch_first),
            ("bias", cfg.bias),
            ("dtype", cfg.dtype),
        }
        return {(cid, f) for cid, item in claims.items() if item.applies(cfg) for f in mine}

    covers = {id(cfg): features(cfg) for cfg in pool}
    needed = set().union(*covers.values())
    while needed:  # greedy cover: the next config is the one that meets the most unmet pairs
        best = max(pool, key=lambda c: len(covers[id(c)] & needed))
        pool.remove(best)
        needed -= covers[id(best)]
        yield best
