"""An independent reference for the recurrent layers, written from the published equations.

Not derived from ``rnnshapes.unroll``: each sequence runs alone, for exactly its own length, one
layer and one direction at a time, with every gate's weights sliced out by name as PyTorch's
documentation writes them (``W_ii, W_if, W_ig, W_io`` for the LSTM; ``W_ir, W_iz, W_in`` for
the GRU, the reset gate multiplying ``W_hn h + b_hn``), and the backward direction fed the
reversed sequence and reversed back. Used in float64, to cross-check ``unroll``.
"""

from __future__ import annotations

import torch
from torch import nn


def _gates(w: torch.Tensor, names: str) -> dict[str, torch.Tensor]:
    return dict(zip(names, w.chunk(len(names), dim=0), strict=True))


def _cell(
    mode: str, p: dict[str, torch.Tensor | None], x: torch.Tensor, h: torch.Tensor, c: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    def affine(w: torch.Tensor, b: torch.Tensor | None, v: torch.Tensor) -> torch.Tensor:
        return torch.mv(w, v) + (0 if b is None else b)

    w_ih, w_hh, b_ih, b_hh = p["w_ih"], p["w_hh"], p["b_ih"], p["b_hh"]
    assert w_ih is not None and w_hh is not None
    if mode.startswith("RNN"):
        pre = affine(w_ih, b_ih, x) + affine(w_hh, b_hh, h)
        return (torch.tanh(pre) if mode == "RNN_TANH" else torch.relu(pre)), c
    if mode == "LSTM":
        wi, wh = _gates(w_ih, "ifgo"), _gates(w_hh, "ifgo")
        bi = _gates(b_ih, "ifgo") if b_ih is not None else dict.fromkeys("ifgo")
        bh = _gates(b_hh, "ifgo") if b_hh is not None else dict.fromkeys("ifgo")
        i = torch.sigmoid(affine(wi["i"], bi["i"], x) + affine(wh["i"], bh["i"], h))
        f = torch.sigmoid(affine(wi["f"], bi["f"], x) + affine(wh["f"], bh["f"], h))
        g = torch.tanh(affine(wi["g"], bi["g"], x) + affine(wh["g"], bh["g"], h))
        o = torch.sigmoid(affine(wi["o"], bi["o"], x) + affine(wh["o"], bh["o"], h))
        c = f * c + i * g
        h = o * torch.tanh(c)
        if p["w_hr"] is not None:
            h = torch.mv(p["w_hr"], h)
        return h, c
    wi, wh = _gates(w_ih, "rzn"), _gates(w_hh, "rzn")
    bi = _gates(b_ih, "rzn") if b_ih is not None else dict.fromkeys("rzn")
    bh = _gates(b_hh, "rzn") if b_hh is not None else dict.fromkeys("rzn")
    r = torch.sigmoid(affine(wi["r"], bi["r"], x) + affine(wh["r"], bh["r"], h))
    z = torch.sigmoid(affine(wi["z"], bi["z"], x) + affine(wh["z"], bh["z"], h))
    n = torch.tanh(affine(wi["n"], bi["n"], x) + r * affine(wh["n"], bh["n"], h))
    return (1 - z) * n + z * h, c


def reference(
    module: nn.RNNBase,
    sequences: list[torch.Tensor],
    h0: torch.Tensor | None = None,
    c0: torch.Tensor | None = None,
) -> tuple[list[torch.Tensor], torch.Tensor, torch.Tensor | None]:
    """Run ``module``'s equations on each sequence ``(length, input_size)`` alone.

    Returns each sequence's top-layer output ``(length, D * H_out)``, and ``h_n``, ``c_n`` as
    ``(num_layers * D, N, ·)``; ``h0``/``c0`` are ``(num_layers * D, N, ·)`` or ``None``.
    """
    d = 2 if module.bidirectional else 1
    h_out = module.proj_size or module.hidden_size
    outputs, h_last, c_last = [], [], []
    for b, seq in enumerate(sequences):
        layer_in = seq
        hs, cs = [], []
        for layer in range(module.num_layers):
            directions = []
            for direction in range(d):
                sfx = f"_l{layer}" + ("_reverse" if direction else "")
                p = {
                    key: getattr(module, f"{name}{sfx}", None)
                    for key, name in [
                        ("w_ih", "weight_ih"), ("w_hh", "weight_hh"), ("b_ih", "bias_ih"),
                        ("b_hh", "bias_hh"), ("w_hr", "weight_hr"),
                    ]
                }  # fmt: skip
                row = layer * d + direction
                h = h0[row, b] if h0 is not None else seq.new_zeros(h_out)
                c = c0[row, b] if c0 is not None else seq.new_zeros(module.hidden_size)
                steps = layer_in.flip(0) if direction else layer_in
                out = []
                for x in steps:
                    h, c = _cell(module.mode, p, x, h, c)
                    out.append(h)
                stacked = torch.stack(out)
                directions.append(stacked.flip(0) if direction else stacked)
                hs.append(h)
                cs.append(c)
            layer_in = torch.cat(directions, dim=-1)
        outputs.append(layer_in)
        h_last.append(torch.stack(hs))
        c_last.append(torch.stack(cs))
    h_n = torch.stack(h_last, dim=1)
    c_n = torch.stack(c_last, dim=1) if module.mode == "LSTM" else None
    return outputs, h_n, c_n
