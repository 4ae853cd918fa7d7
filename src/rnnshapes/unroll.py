"""A step-by-step reference unroll of RNN, LSTM and GRU, from the module's own weights.

:func:`unroll` never calls the module or torch's fused kernel: it applies the equations of
``torch.nn.RNN``, ``torch.nn.LSTM`` and ``torch.nn.GRU`` one layer, one direction and one step at
a time, and keeps every state. The grid it returns is the picture behind every claim:
``output`` is the top layer across time, ``h_n`` each layer's and direction's final state
(at the last step of a one-direction module fed full-length sequences; a backward direction's
at step 0, a packed sequence's at its own last step).

>>> import torch
>>> _ = torch.manual_seed(0)
>>> lstm = torch.nn.LSTM(4, 5, num_layers=2)
>>> x = torch.randn(7, 3, 4)  # L=7 steps, N=3 sequences, input_size=4
>>> u = unroll(lstm, x)
>>> # the grid: (num_layers, num_directions, L, N, H) = (2, 1, 7, 3, 5)
>>> u.h.shape
torch.Size([2, 1, 7, 3, 5])
>>> output, (h_n, c_n) = lstm(x)
>>> # recomputed by hand, the same numbers (close: the fused kernel sums in another order)
>>> torch.testing.assert_close(u.output, output)
>>> torch.testing.assert_close(u.h_n, h_n); torch.testing.assert_close(u.c_n, c_n)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.module import _global_forward_hooks, _global_forward_pre_hooks
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence
from torch.nn.utils.spectral_norm import SpectralNorm
from torch.nn.utils.weight_norm import WeightNorm

from .inputs import Batch, read_input, read_state
from .spec import Spec, parameter, resolve

__all__ = ["Unrolled", "effective_weights", "unroll"]


@dataclass(frozen=True)
class Unrolled:
    """Every state of every layer and direction at every step, and what the module returns.

    ``h`` has shape ``(num_layers, num_directions, seq_len, batch, H_out)`` in time order for both
    directions (the batch axis is absent for unbatched input, and the grid is time-major even
    with ``batch_first``). ``c`` is the same for the LSTM cell state, ending in ``hidden_size``;
    ``None`` for RNN and GRU. For packed input, ``lengths`` holds each sequence's length and grid
    positions past it hold zeros. ``output``, ``h_n`` and ``c_n`` are sliced from the grid in the
    layouts the module returns (``output`` is a ``PackedSequence`` for packed input).
    """

    h: torch.Tensor
    c: torch.Tensor | None
    output: torch.Tensor | PackedSequence
    h_n: torch.Tensor
    c_n: torch.Tensor | None
    lengths: torch.Tensor | None
    spec: Spec


def _weights(
    weights: dict[str, torch.Tensor], layer: int, direction: int
) -> dict[str, torch.Tensor | None]:
    sfx = f"_l{layer}" + ("_reverse" if direction else "")
    return {
        name: weights.get(name + sfx)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
    }


def _hook_name(hook: object) -> str:
    return getattr(hook, "__qualname__", None) or type(hook).__qualname__


def _spectral_weight(norm: SpectralNorm, module: nn.Module) -> torch.Tensor:
    """What ``SpectralNorm.compute_weight`` gives in the module's next forward, on copies of
    its ``u`` and ``v`` so that the module's buffers stay as they are."""
    weight = getattr(module, norm.name + "_orig")
    u = getattr(module, norm.name + "_u").clone()
    v = getattr(module, norm.name + "_v").clone()
    matrix = norm.reshape_weight_to_matrix(weight)
    if module.training:  # the forward's power iteration, as torch runs it
        with torch.no_grad():
            for _ in range(norm.n_power_iterations):
                v = F.normalize(torch.mv(matrix.t(), u), dim=0, eps=norm.eps)
                u = F.normalize(torch.mv(matrix, v), dim=0, eps=norm.eps)
    sigma = torch.dot(u, torch.mv(matrix, v))
    return torch.div(weight, sigma)


def effective_weights(module: nn.Module, allow_hooks: bool = False) -> dict[str, torch.Tensor]:
    """The weights and biases ``module``'s next forward computes with, by name.

    Usually ``module.weight_ih_l0`` and the rest as they are (parametrizations from
    ``torch.nn.utils.parametrizations`` compute theirs when read). The hook-based
    ``torch.nn.utils.weight_norm`` and ``spectral_norm`` refresh their weight only in a forward
    pre-hook, so the attribute is stale after an optimizer step (and, for ``spectral_norm``,
    unnormalized before the first forward): their weight is computed here as the hook computes
    it, without changing the module (``spectral_norm``'s power iteration, which a forward in
    training mode runs, is run on copies of its vectors). Any other forward pre-hook or forward
    hook, on the module or global, could change the input, the weights or what the module
    returns, so it is refused with ``ValueError`` unless ``allow_hooks=True``; then the hooks
    are ignored.
    """
    norms = {}
    others = []
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm | SpectralNorm):
            norms[hook.name] = hook
        else:
            others.append(f"forward pre-hook {_hook_name(hook)}")
    others += [f"forward hook {_hook_name(h)}" for h in module._forward_hooks.values()]
    others += [
        f"global forward pre-hook {_hook_name(h)}" for h in _global_forward_pre_hooks.values()
    ]
    others += [f"global forward hook {_hook_name(h)}" for h in _global_forward_hooks.values()]
    if others and not allow_hooks:
        raise ValueError(
            f"the module has hooks that unroll cannot follow ({', '.join(others)}): a forward "
            "pre-hook can change the input or the weights before the module runs, and a "
            "forward hook what it returns, so the unrolled numbers might not be the module's; "
            "remove the hooks, or pass allow_hooks=True to unroll the weights as they are now "
            "and ignore the hooks"
        )
    weights = {}
    names: list[str] = list(getattr(module, "_flat_weights_names", []))
    for name in names:
        if name in norms:
            norm = norms[name]
            weights[name] = (
                _spectral_weight(norm, module)
                if isinstance(norm, SpectralNorm)
                else norm.compute_weight(module)
            )
        else:
            weights[name] = parameter(module, name)
    return weights


def _linear(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None) -> torch.Tensor:
    y = x @ w.T
    return y if b is None else y + b


def _step(
    spec: Spec,
    w: dict[str, torch.Tensor | None],
    gi: torch.Tensor,
    h: torch.Tensor,
    c: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of one layer and direction: the equations in torch's documentation, given the
    step's input term ``gi = W_i x_t + b_i`` (computed for every step at once)."""
    assert w["weight_hh"] is not None
    gh = _linear(h, w["weight_hh"], w["bias_hh"])
    if spec.kind == "RNN":
        pre = gi + gh
        return (torch.tanh(pre) if spec.nonlinearity == "tanh" else torch.relu(pre)), c
    if spec.kind == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, dim=-1)  # gate order i, f, g, o
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        if w["weight_hr"] is not None:
            h = h @ w["weight_hr"].T  # the projection, at every step
        return h, c
    i_r, i_z, i_n = gi.chunk(3, dim=-1)  # gate order r, z, n
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h, c


def unroll(
    module: nn.Module,
    input: torch.Tensor | PackedSequence,
    hx: torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None = None,
    *,
    allow_hooks: bool = False,
) -> Unrolled:
    """Recompute ``module(input, hx)`` step by step and return every state (see :class:`Unrolled`).

    Takes what the module takes: a tensor in the module's layout (``batch_first`` or not, or
    unbatched 2-D), or a ``PackedSequence``; ``hx`` as the module takes it. Dropout between layers
    draws random masks that cannot be reproduced, so a module in training mode with
    ``dropout > 0`` and more than one layer is rejected: call ``module.eval()`` first.

    The weights are those the module's next forward uses (:func:`effective_weights`):
    ``weight_norm`` and ``spectral_norm`` are followed, other hooks refused unless
    ``allow_hooks=True``. A ``torch.compile``'d module is unrolled through the module it wraps.
    A batch of zero sequences gives empty grids, as torch gives empty outputs.

    Bidirectional modules: the backward direction's grid is in time order too, so its state at
    step 0 is its final one.

    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True, batch_first=True)
    >>> u = unroll(gru, torch.randn(3, 7, 4))  # N=3, L=7 (batch_first)
    >>> # the backward direction (index 1) ends at step 0: that is h_n's second row
    >>> torch.equal(u.h[0, 1, 0], u.h_n[1])
    True
    >>> unroll(torch.nn.LSTM(4, 5, num_layers=2, dropout=0.5), torch.randn(7, 4))
    Traceback (most recent call last):
    ...
    ValueError: cannot unroll a 2-layer LSTM in training mode with dropout=0.5: \
its random masks cannot be reproduced; call module.eval() first
    """
    module = resolve(module)
    spec = Spec.of(module)
    if module.training and spec.dropout > 0 and spec.num_layers > 1:
        raise ValueError(
            f"cannot unroll a {spec.describe()} in training mode with dropout={spec.dropout}: "
            "its random masks cannot be reproduced; call module.eval() first"
        )
    weights = effective_weights(module, allow_hooks)
    weight = weights["weight_ih_l0"]
    batch = read_input(spec, input, weight)
    h0, c0 = read_state(spec, hx, batch, weight)
    h_grid, c_grid, h_n, c_n = _run(weights, spec, batch, h0, c0)
    top = torch.cat(list(h_grid[-1]), dim=-1)  # (L, N, D*H_out)

    output: torch.Tensor | PackedSequence
    if batch.packed is not None:
        output = _repack(top, batch)
    elif not batch.batched:
        output = top[:, 0]
    else:
        output = top.transpose(0, 1) if spec.batch_first else top
    if not batch.batched:
        h_grid, c_grid, h_n, c_n = h_grid[:, :, :, 0], c_grid[:, :, :, 0], h_n[:, 0], c_n[:, 0]
    return Unrolled(
        h=h_grid,
        c=c_grid if spec.has_cell else None,
        output=output,
        h_n=h_n,
        c_n=c_n if spec.has_cell else None,
        lengths=batch.lengths if batch.packed is not None else None,
        spec=spec,
    )


def _run(
    weights: dict[str, torch.Tensor],
    spec: Spec,
    batch: Batch,
    h0: torch.Tensor | None,
    c0: torch.Tensor | None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The grids ``(layers, D, L, N, H_out)`` and ``(layers, D, L, N, hidden_size)``, and the
    final states ``h_n`` and ``c_n`` (``(layers*D, N, ·)``): each direction's state when its
    loop ends, at a sequence's last valid step (forward) or at step 0 (backward)."""
    seq_len, n = batch.seq_len, batch.batch
    x = batch.x
    # valid[t, b]: step t belongs to sequence b (always true without packing)
    valid = (torch.arange(seq_len)[:, None] < batch.lengths[None, :]).to(x.device)[..., None]
    hs, cs, h_last, c_last = [], [], [], []
    layer_input = x
    for layer in range(spec.num_layers):
        layer_h, layer_c = [], []
        for d in range(spec.num_directions):
            row = layer * spec.num_directions + d
            w = _weights(weights, layer, d)
            h = h0[row] if h0 is not None else x.new_zeros(n, spec.h_out)
            c = c0[row] if c0 is not None else x.new_zeros(n, spec.hidden_size)
            steps_h: list[torch.Tensor] = [x.new_zeros(0)] * seq_len
            steps_c: list[torch.Tensor] = [x.new_zeros(0)] * seq_len
            order = range(seq_len - 1, -1, -1) if d else range(seq_len)
            assert w["weight_ih"] is not None
            gi = _linear(layer_input, w["weight_ih"], w["bias_ih"])  # (L, N, gates)
            for t in order:
                new_h, new_c = _step(spec, w, gi[t], h, c)
                if batch.packed is None:  # every step of every sequence is valid
                    h, c = steps_h[t], steps_c[t] = new_h, new_c
                    continue
                ok = valid[t]
                # past a sequence's end its state is held (and the grid holds zeros)
                h, c = torch.where(ok, new_h, h), torch.where(ok, new_c, c)
                steps_h[t] = torch.where(ok, new_h, torch.zeros_like(new_h))
                steps_c[t] = torch.where(ok, new_c, torch.zeros_like(new_c))
            h_last.append(h)
            c_last.append(c)
            layer_h.append(torch.stack(steps_h))
            layer_c.append(torch.stack(steps_c))
        hs.append(torch.stack(layer_h))
        cs.append(torch.stack(layer_c))
        layer_input = torch.cat(layer_h, dim=-1)
    return torch.stack(hs), torch.stack(cs), torch.stack(h_last), torch.stack(c_last)


def _repack(top: torch.Tensor, batch: Batch) -> PackedSequence:
    """Pack ``top`` (L, N, F) like the input: same batch sizes and the same batch permutation."""
    assert batch.packed is not None
    sorted_indices = batch.packed.sorted_indices
    padded, lengths = top, batch.lengths
    if sorted_indices is not None:
        padded = top.index_select(1, sorted_indices.to(top.device))
        lengths = lengths[sorted_indices.cpu()]
    data = pack_padded_sequence(padded, lengths, enforce_sorted=True).data
    return PackedSequence(
        data, batch.packed.batch_sizes, sorted_indices, batch.packed.unsorted_indices
    )
