"""Picking the right final state: by layer and direction, from ``h_n`` or from ``output``.

>>> import torch
>>> _ = torch.manual_seed(0)
>>> gru = torch.nn.GRU(4, 5, num_layers=2, bidirectional=True)
>>> output, h_n = gru(torch.randn(7, 3, 4))  # L=7, N=3
>>> # what a classifier should read: top layer, forward ‖ backward = (N, 2*H) = (3, 10)
>>> final_state(h_n, gru).shape
torch.Size([3, 10])
>>> # the same numbers read from output: forward at the last step, backward at step 0
>>> torch.equal(final_state_from_output(output, gru), final_state(h_n, gru))
True
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from .inputs import check_lengths
from .spec import Spec, check_tensor

__all__ = ["by_layer", "final_state", "final_state_from_output"]


def by_layer(state: torch.Tensor, module: nn.Module) -> torch.Tensor:
    """View ``h_n``, ``c_n``, ``h0`` or ``c0`` as ``(num_layers, num_directions, batch, H)``.

    Unbatched states ``(num_layers*num_directions, H)`` become ``(num_layers, num_directions, H)``.
    The rows of a state are layer-major: layer 0 forward, layer 0 backward, layer 1 forward, ...

    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    >>> _, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> # 4 rows = 2 layers × 2 directions; row 2 is layer 1 forward
    >>> torch.equal(by_layer(h_n, lstm)[1, 0], h_n[2])
    True
    >>> by_layer(h_n[:3], lstm)
    Traceback (most recent call last):
    ...
    ValueError: state has 3 rows but a 2-layer bidirectional LSTM returns 4 \
(num_layers*num_directions = 2*2)
    """
    return _by_layer(state, Spec.of(module), "state")


def _by_layer(state: object, spec: Spec, name: str) -> torch.Tensor:
    state = check_tensor(state, name)
    if state.dim() not in (2, 3):
        raise ValueError(
            f"{name} must be 3-D (num_layers*num_directions, batch, H) or unbatched 2-D, "
            f"got shape {tuple(state.shape)}"
        )
    if state.shape[0] != spec.state_rows:
        raise ValueError(
            f"{name} has {state.shape[0]} rows but a {spec.describe()} returns {spec.state_rows} "
            f"(num_layers*num_directions = {spec.num_layers}*{spec.num_directions})"
        )
    sizes = {spec.h_out, spec.hidden_size} if spec.has_cell else {spec.h_out}
    if state.shape[-1] not in sizes:
        want = " or ".join(str(s) for s in sorted(sizes))
        raise ValueError(
            f"{name} ends in {state.shape[-1]} but a {spec.describe()}'s states end in {want}"
        )
    return state.view(spec.num_layers, spec.num_directions, *state.shape[1:])


def final_state(h_n: torch.Tensor, module: nn.Module) -> torch.Tensor:
    """The top layer's final state, ``(batch, num_directions * H_out)``, forward then backward.

    This is what a classifier on top of the module should consume. For a unidirectional module
    it is ``h_n[-1]``; for a bidirectional one, ``torch.cat([h_n[-2], h_n[-1]], dim=-1)``.
    Unbatched ``h_n`` gives ``(num_directions * H_out,)``.

    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, proj_size=2)
    >>> _, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> final_state(h_n, lstm).shape  # (N, H_out) = (3, proj_size)
    torch.Size([3, 2])
    >>> final_state(c_n, lstm)
    Traceback (most recent call last):
    ...
    ValueError: h_n ends in 5 but a 2-layer LSTM with proj_size=2 returns h_n ending in 2
    """
    spec = Spec.of(module)
    top = _by_layer(h_n, spec, "h_n")[-1]  # (D, N, H)
    if top.shape[-1] != spec.h_out:
        raise ValueError(
            f"h_n ends in {top.shape[-1]} but a {spec.describe()} "
            f"returns h_n ending in {spec.h_out}"
        )
    return torch.cat(list(top), dim=-1)


def final_state_from_output(
    output: torch.Tensor | PackedSequence,
    module: nn.Module,
    lengths: Sequence[int] | torch.Tensor | None = None,
) -> torch.Tensor:
    """The top layer's final state read from ``output``: ``(batch, num_directions * H_out)``.

    The forward half comes from each sequence's last valid step, the backward half from step 0
    (where the backward direction ends). ``output`` is the module's output: a ``PackedSequence``,
    or a tensor in the module's layout, padded, with each sequence's ``lengths`` (default: all
    steps are valid). For packed input this equals :func:`final_state` exactly.

    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True, batch_first=True)
    >>> x = torch.randn(3, 7, 4)  # N=3, L=7
    >>> packed = pack_padded_sequence(x, [7, 2, 5], batch_first=True, enforce_sorted=False)
    >>> out, h_n = gru(packed)
    >>> torch.equal(final_state_from_output(out, gru), final_state(h_n, gru))
    True
    >>> padded, lengths = pad_packed_sequence(out, batch_first=True)
    >>> torch.equal(final_state_from_output(padded, gru, lengths), final_state(h_n, gru))
    True
    >>> final_state_from_output(padded, gru, [7, 9, 5])
    Traceback (most recent call last):
    ...
    ValueError: lengths must be between 1 and the sequence length 7, got [7, 9, 5]
    """
    spec = Spec.of(module)
    if isinstance(output, PackedSequence):
        if lengths is not None:
            raise ValueError("a PackedSequence carries its own lengths: pass lengths=None")
        padded, found = pad_packed_sequence(output)
        _check_features(padded, spec)
        return _read_final(padded, found, spec)
    output = check_tensor(output, "output")
    if output.dim() == 2:
        if lengths is not None:
            raise ValueError("unbatched output (L, D*H_out) has one sequence: pass lengths=None")
        _check_features(output, spec)
        if output.shape[0] == 0:
            raise ValueError("output must have at least one step, got shape (0, ...)")
        return _read_final(output.unsqueeze(1), torch.tensor([output.shape[0]]), spec)[0]
    if output.dim() != 3:
        layout = "(N, L, D*H_out)" if spec.batch_first else "(L, N, D*H_out)"
        raise ValueError(
            f"output must be 3-D {layout} or unbatched 2-D, got shape {tuple(output.shape)}"
        )
    _check_features(output, spec)
    time_major = output.transpose(0, 1) if spec.batch_first else output
    seq_len, batch = time_major.shape[:2]
    if seq_len == 0:
        raise ValueError(f"output must have at least one step, got shape {tuple(output.shape)}")
    found = (
        torch.full((batch,), seq_len, dtype=torch.int64)
        if lengths is None
        else check_lengths(lengths, batch, seq_len)
    )
    return _read_final(time_major, found, spec)


def _check_features(output: torch.Tensor, spec: Spec) -> None:
    want = spec.num_directions * spec.h_out
    if output.shape[-1] != want:
        raise ValueError(
            f"output ends in {output.shape[-1]} but a {spec.describe()} returns output ending in "
            f"num_directions*H_out = {spec.num_directions}*{spec.h_out} = {want}"
        )


def _read_final(time_major: torch.Tensor, lengths: torch.Tensor, spec: Spec) -> torch.Tensor:
    """Forward half at step ``lengths - 1``, backward half at step 0, from ``(L, N, D*H)``."""
    steps = (lengths - 1).to(time_major.device)
    batch = torch.arange(time_major.shape[1], device=time_major.device)
    forward = time_major[steps, batch, : spec.h_out]
    if not spec.bidirectional:
        return forward
    return torch.cat([forward, time_major[0, :, spec.h_out :]], dim=-1)
