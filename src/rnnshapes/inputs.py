"""Checking what a module is fed: the input sequence and the initial state ``hx``.

These checks mirror torch's own, with messages that say what was expected; they also catch what
torch lets through (a length longer than the sequence, for one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import torch
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from .spec import Spec, check_tensor

__all__ = ["Batch", "check_lengths", "read_input", "read_state"]


@dataclass(frozen=True)
class Batch:
    """A module's input brought to one layout: time-major, batched, in the caller's batch order."""

    x: torch.Tensor  # (L, N, input_size)
    lengths: torch.Tensor  # (N,) on the CPU: each sequence's number of valid steps
    batched: bool
    packed: PackedSequence | None

    @property
    def seq_len(self) -> int:
        return self.x.shape[0]

    @property
    def batch(self) -> int:
        return self.x.shape[1]


def _check_floating(t: torch.Tensor, name: str, like: torch.Tensor | None) -> None:
    if not t.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {t.dtype}")
    if like is not None and t.dtype != like.dtype:
        raise TypeError(f"{name} has dtype {t.dtype} but the module's weights are {like.dtype}")
    if like is not None and t.device != like.device:
        raise ValueError(f"{name} is on {t.device} but the module's weights are on {like.device}")


def read_input(spec: Spec, value: object, weight: torch.Tensor | None = None) -> Batch:
    """Check a module input (tensor or ``PackedSequence``) against ``spec``, time-major."""
    if isinstance(value, PackedSequence):
        _check_floating(value.data, "input", weight)
        x, lengths = pad_packed_sequence(value)
        if x.shape[-1] != spec.input_size:
            raise ValueError(
                f"input has {x.shape[-1]} features but a {spec.describe()} "
                f"takes input_size={spec.input_size}"
            )
        return Batch(x=x, lengths=lengths, batched=True, packed=value)
    x = check_tensor(value, "input")
    shape = tuple(x.shape)
    _check_floating(x, "input", weight)
    layout = "(N, L, input_size)" if spec.batch_first else "(L, N, input_size)"
    if x.dim() not in (2, 3):
        raise ValueError(
            f"input must be 3-D {layout} or unbatched 2-D (L, input_size), "
            f"got {x.dim()}-D shape {tuple(x.shape)}"
        )
    if x.shape[-1] != spec.input_size:
        raise ValueError(
            f"input has {x.shape[-1]} features (last dim) but a {spec.describe()} "
            f"takes input_size={spec.input_size}"
        )
    batched = x.dim() == 3
    if not batched:
        x = x.unsqueeze(1)
    elif spec.batch_first:
        x = x.transpose(0, 1)
    if x.shape[0] == 0:
        raise ValueError(
            f"input must have at least one step (torch refuses a sequence of length 0), "
            f"got shape {shape}"
        )
    lengths = torch.full((x.shape[1],), x.shape[0], dtype=torch.int64)
    return Batch(x=x, lengths=lengths, batched=batched, packed=None)


def _check_state(
    spec: Spec,
    t: object,
    name: str,
    batch: Batch,
    size: int,
    size_name: str,
    weight: torch.Tensor | None,
) -> torch.Tensor:
    t = check_tensor(t, name)
    _check_floating(t, name, weight)
    if batch.batched:
        want: tuple[int, ...] = (spec.state_rows, batch.batch, size)
        layout = f"(num_layers*num_directions, batch, {size_name})"
    else:
        want = (spec.state_rows, size)
        layout = f"(num_layers*num_directions, {size_name}) for unbatched input"
    if t.dim() != len(want):
        raise ValueError(f"{name} must be {len(want)}-D {layout}, got shape {tuple(t.shape)}")
    if t.shape[0] != spec.state_rows:
        raise ValueError(
            f"{name} has {t.shape[0]} rows but a {spec.describe()} takes {spec.state_rows}"
        )
    if tuple(t.shape) != want:
        raise ValueError(f"{name} must have shape {want} {layout}, got {tuple(t.shape)}")
    return t if batch.batched else t.unsqueeze(1)


def read_state(
    spec: Spec, hx: object, batch: Batch, weight: torch.Tensor | None = None
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Check an initial state against ``spec`` and ``batch``; return ``(h0, c0)``, batched."""
    if hx is None:
        return None, None
    if spec.has_cell:
        if not isinstance(hx, tuple | list) or len(hx) != 2:
            raise TypeError(
                f"an LSTM's initial state must be a tuple (h0, c0), got {type(hx).__name__}"
            )
        h0 = _check_state(spec, hx[0], "h0", batch, spec.h_out, _h_name(spec), weight)
        c0 = _check_state(spec, hx[1], "c0", batch, spec.hidden_size, "hidden_size", weight)
        return h0, c0
    if isinstance(hx, tuple | list):
        raise TypeError(
            f"a {spec.kind}'s initial state is one tensor h0, not a {type(hx).__name__}"
        )
    return _check_state(spec, hx, "h0", batch, spec.h_out, _h_name(spec), weight), None


def _h_name(spec: Spec) -> str:
    return "proj_size" if spec.proj_size else "hidden_size"


def check_lengths(lengths: object, batch: int, seq_len: int) -> torch.Tensor:
    """Check per-sequence lengths: ``batch`` integers, each in ``1..seq_len``; return them on CPU.

    >>> check_lengths([7, 0, 3], batch=3, seq_len=7)
    Traceback (most recent call last):
    ...
    ValueError: lengths must be between 1 and the sequence length 7, got [7, 0, 3]
    """
    if not isinstance(lengths, torch.Tensor) and hasattr(lengths, "__array__"):
        lengths = torch.as_tensor(lengths)  # a NumPy array, as pack_padded_sequence accepts
    if isinstance(lengths, torch.Tensor):
        if lengths.is_floating_point() or lengths.is_complex() or lengths.dtype == torch.bool:
            raise TypeError(f"lengths must hold integers, got dtype {lengths.dtype}")
        if lengths.dim() != 1:
            raise ValueError(f"lengths must be 1-D, got shape {tuple(lengths.shape)}")
        values = lengths.detach().cpu().to(torch.int64)
    elif isinstance(lengths, Sequence) and not isinstance(lengths, str | bytes):
        if not all(isinstance(v, Integral) and not isinstance(v, bool) for v in lengths):
            raise TypeError(f"lengths must be integers, got {list(lengths)!r}")
        values = torch.tensor([int(v) for v in lengths], dtype=torch.int64)
    else:
        raise TypeError(
            f"lengths must be a list or 1-D tensor of ints, got {type(lengths).__name__}"
        )
    if values.numel() != batch:
        raise ValueError(
            f"lengths has {values.numel()} entries but the batch has {batch} sequences"
        )
    if batch and (values.min() < 1 or values.max() > seq_len):
        raise ValueError(
            f"lengths must be between 1 and the sequence length {seq_len}, got {values.tolist()}"
        )
    return values
