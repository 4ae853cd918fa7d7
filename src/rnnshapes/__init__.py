"""rnnshapes: what PyTorch's ``nn.RNN``, ``nn.LSTM`` and ``nn.GRU`` return, as checked claims.

>>> import torch, rnnshapes
>>> lstm = torch.nn.LSTM(input_size=4, hidden_size=5, num_layers=2)
>>> # 7 steps of 3 sequences: output (L, N, H) = (7, 3, 5), h_n and c_n (layers, N, H) = (2, 3, 5)
>>> rnnshapes.shapes(lstm, seq_len=7, batch=3).output
torch.Size([7, 3, 5])
>>> len(rnnshapes.claims) >= 30
True
"""

from . import facts as _facts  # noqa: F401  (registers the claims)
from .registry import Claim, ClaimFailed, claims
from .shapes import Shapes, shapes
from .spec import Spec, resolve
from .state import by_layer, final_state, final_state_from_output
from .unroll import Unrolled, effective_weights, unroll
from .verification import ClaimResult, Report, verify

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "ClaimFailed",
    "ClaimResult",
    "Report",
    "Shapes",
    "Spec",
    "Unrolled",
    "by_layer",
    "claims",
    "effective_weights",
    "final_state",
    "final_state_from_output",
    "resolve",
    "shapes",
    "unroll",
    "verify",
]
