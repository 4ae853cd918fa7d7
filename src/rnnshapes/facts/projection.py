"""LSTM's ``proj_size``: ``output`` and ``h_n`` end in ``proj_size``, ``c_n`` in ``hidden_size``."""

from __future__ import annotations

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import LSTM, PROJECTED, UNPACKED


@claim("proj-size-shrinks-output-and-h-n", "structure", LSTM & PROJECTED)
def proj_size_shapes(cfg: Config, ck: Checker) -> None:
    """``output`` ends in ``num_directions * P`` and ``h_n`` in ``P = proj_size``, while ``c_n``
    keeps ``hidden_size``: "output size equals hidden size" is false here.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, proj_size=2)
    >>> output, (h_n, c_n) = lstm(torch.randn(7, 3, 4))
    >>> # output (L, N, P) = (7, 3, 2); h_n (layers, N, P) = (2, 3, 2)
    >>> # c_n (layers, N, H) = (2, 3, 5)
    >>> output.shape, h_n.shape, c_n.shape
    (torch.Size([7, 3, 2]), torch.Size([2, 3, 2]), torch.Size([2, 3, 5]))
    """
    r = run(cfg.module(), cfg.module_input())
    assert r.c_n is not None
    d = cfg.num_directions
    ck.true(r.data.shape[-1] == d * cfg.proj_size, f"output ends in {r.data.shape[-1]}")
    ck.true(r.h_n.shape[-1] == cfg.proj_size, f"h_n ends in {r.h_n.shape[-1]}")
    ck.true(r.c_n.shape[-1] == cfg.hidden_size, f"c_n ends in {r.c_n.shape[-1]}")


# Unpacked only: with a packed batch torch 2.13 skips the check of h0's size, and a wrong h0 is
# refused with an unrelated message or, at some sizes, taken without one.
@claim("projected-state-is-what-recurs", "structure", LSTM & PROJECTED & UNPACKED)
def projected_state_recurs(cfg: Config, ck: Checker) -> None:
    """the projection applies at every step and the projected state is what recurs:
    ``weight_hh`` takes ``proj_size`` inputs, ``weight_hr`` maps ``hidden_size`` to
    ``proj_size``, and ``h0`` must end in ``proj_size``.

    >>> import torch
    >>> lstm = torch.nn.LSTM(4, 5, proj_size=2)
    >>> # W_hh: (4 gates × hidden_size, proj_size) = (20, 2)
    >>> # W_hr: (proj_size, hidden_size) = (2, 5)
    >>> lstm.weight_hh_l0.shape, lstm.weight_hr_l0.shape
    (torch.Size([20, 2]), torch.Size([2, 5]))
    """
    m = cfg.module()
    for layer in range(cfg.num_layers):
        for sfx in ("", "_reverse")[: cfg.num_directions]:
            w_hh = getattr(m, f"weight_hh_l{layer}{sfx}")
            w_hr = getattr(m, f"weight_hr_l{layer}{sfx}")
            ck.true(w_hh.shape == (4 * cfg.hidden_size, cfg.proj_size), f"W_hh {tuple(w_hh.shape)}")
            ck.true(w_hr.shape == (cfg.proj_size, cfg.hidden_size), f"W_hr {tuple(w_hr.shape)}")
    h0, c0 = cfg.with_(proj_size=0).initial_state()  # h0 ending in hidden_size: refused
    try:
        m(cfg.input(), (h0, c0))
    except RuntimeError:
        ck.true(True, "h0 ending in hidden_size refused")
    else:
        ck.true(False, "an h0 ending in hidden_size was accepted")
