"""The shape calculator: what a module returns, from its configuration alone.

>>> import torch
>>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2)
>>> # L=7 steps, N=3 sequences: output is (L, N, D*H_out) = (7, 3, 2*2)
>>> print(shapes(lstm, seq_len=7, batch=3))
input   (7, 3, 4)  seq_len=7, batch=3, input_size=4
output  (7, 3, 4)  seq_len=7, batch=3, num_directions*proj_size=2*2
h_n     (4, 3, 2)  num_layers*num_directions=2*2, batch=3, proj_size=2
c_n     (4, 3, 5)  num_layers*num_directions=2*2, batch=3, hidden_size=5
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .spec import Spec, check_int

__all__ = ["Dim", "Shapes", "shapes"]


@dataclass(frozen=True)
class Dim:
    """One dimension of a shape: its size and the name of what it counts."""

    size: int
    name: str

    def __str__(self) -> str:
        return f"{self.name}={self.size}" if "*" not in self.name else self.name


@dataclass(frozen=True)
class Shapes:
    """The shapes of a module's input and of what it returns; ``c_n`` is ``None`` for RNN/GRU.

    ``input``, ``output``, ``h_n`` and ``c_n`` are ``torch.Size``; ``dims`` names each dimension.
    ``h0`` and ``c0`` have the shapes of ``h_n`` and ``c_n``. ``notes`` says what a reader
    could misread: an option that has no effect on this input, a batch of zero sequences.
    """

    input: torch.Size
    output: torch.Size
    h_n: torch.Size
    c_n: torch.Size | None
    dims: dict[str, tuple[Dim, ...]]
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        rows = [(k, v, self.dims[k]) for k, v in self.as_dict().items() if v is not None]
        width = max(len(str(tuple(v))) for _, v, _ in rows)
        lines = [f"{k:<7} {tuple(v)!s:<{width}}  {', '.join(map(str, d))}" for k, v, d in rows]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def as_dict(self) -> dict[str, torch.Size | None]:
        """The four shapes by name."""
        return {"input": self.input, "output": self.output, "h_n": self.h_n, "c_n": self.c_n}


def shapes(module: torch.nn.Module, seq_len: int, batch: int | None = None) -> Shapes:
    """The shapes ``module`` takes and returns for ``seq_len`` steps of ``batch`` sequences.

    ``batch=None`` means unbatched 2-D input; ``batch=0``, a batch of zero sequences, which torch
    takes (and returns empty tensors). Computed from the configuration alone: the module does
    not run. ``batch_first`` moves the batch axis of ``input`` and ``output`` only, so it has no
    effect on unbatched input (a note says so).

    >>> gru = torch.nn.GRU(4, 5, num_layers=3, batch_first=True)
    >>> s = shapes(gru, seq_len=7, batch=3)
    >>> # batch_first puts N first in output, but h_n stays (num_layers, N, H) = (3, 3, 5)
    >>> s.output, s.h_n, s.c_n
    (torch.Size([3, 7, 5]), torch.Size([3, 3, 5]), None)
    >>> # unbatched input: no batch axis anywhere
    >>> print(shapes(torch.nn.RNN(4, 5), seq_len=7))
    input   (7, 4)  seq_len=7, input_size=4
    output  (7, 5)  seq_len=7, num_directions*hidden_size=1*5
    h_n     (1, 5)  num_layers*num_directions=1*1, hidden_size=5
    >>> print(shapes(torch.nn.RNN(4, 5, batch_first=True), seq_len=7).notes[0])
    batch_first=True has no effect on unbatched input: there is no batch axis to move
    """
    spec = Spec.of(module)
    check_int(seq_len, "seq_len")
    if batch is not None:
        check_int(batch, "batch", minimum=0)
    h_name = "proj_size" if spec.proj_size else "hidden_size"
    length = Dim(seq_len, "seq_len")
    rows = Dim(
        spec.state_rows, f"num_layers*num_directions={spec.num_layers}*{spec.num_directions}"
    )
    features = Dim(
        spec.num_directions * spec.h_out,
        f"num_directions*{h_name}={spec.num_directions}*{spec.h_out}",
    )

    def sequence(last: Dim) -> tuple[Dim, ...]:
        if batch is None:
            return (length, last)
        n = Dim(batch, "batch")
        return (n, length, last) if spec.batch_first else (length, n, last)

    def state(last: Dim) -> tuple[Dim, ...]:
        return (rows, last) if batch is None else (rows, Dim(batch, "batch"), last)

    dims = {
        "input": sequence(Dim(spec.input_size, "input_size")),
        "output": sequence(features),
        "h_n": state(Dim(spec.h_out, h_name)),
    }
    if spec.has_cell:
        dims["c_n"] = state(Dim(spec.hidden_size, "hidden_size"))

    def size(key: str) -> torch.Size:
        return torch.Size(d.size for d in dims[key])

    notes = []
    if spec.batch_first and batch is None:
        notes.append(
            "batch_first=True has no effect on unbatched input: there is no batch axis to move"
        )
    if batch == 0:
        notes.append("a batch of zero sequences: torch returns empty tensors of these shapes")
    return Shapes(
        notes=tuple(notes),
        input=size("input"),
        output=size("output"),
        h_n=size("h_n"),
        c_n=size("c_n") if spec.has_cell else None,
        dims=dims,
    )
