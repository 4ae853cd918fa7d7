"""Re-check every claim on this machine's torch and device.

>>> report = verify(ids=["output-last-step-is-h-n"])
>>> report.ok, report.results[0].configs  # the default configs in the claim's scope
(True, 22)
>>> print(report.results[0].line())
output-last-step-is-h-n  holds  equal  22 configs
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

import torch

from . import facts as _facts  # noqa: F401  (registers the claims)
from .configs import Config, default_configs
from .registry import Claim, Comparison, claims

__all__ = ["ClaimResult", "Report", "verify"]


@dataclass(frozen=True)
class ClaimResult:
    """One claim checked on every configuration it applies to."""

    id: str
    statement: str
    comparison: Comparison
    configs: int
    passed: bool
    bit_equal_configs: int
    max_diff: float
    failure: str | None = None
    failing_config: str | None = None

    def line(self) -> str:
        """One line: id, result, comparison, configurations (and, if close, how close)."""
        result = "holds" if self.passed else "FAILS"
        parts = [f"{self.id:<45}", f"{result}  {self.comparison:<9}", f"{self.configs} configs"]
        if self.comparison == "close" and self.passed:
            if self.bit_equal_configs == self.configs:
                parts.append("(bit-equal on all)")
            else:
                parts.append(
                    f"(bit-equal on {self.bit_equal_configs}, max |diff| {self.max_diff:.2g})"
                )
        return " ".join(parts)


@dataclass(frozen=True)
class Report:
    """Every claim's result, with the torch version and device they were checked on."""

    results: tuple[ClaimResult, ...]
    torch_version: str
    device: str
    configs: int = 0  #: configurations in the pool the claims were checked on
    seconds: float = 0.0  #: how long the checks took

    @property
    def ok(self) -> bool:
        """Whether every claim held."""
        return all(r.passed for r in self.results)

    def summary(self) -> str:
        held = sum(r.passed for r in self.results)
        where = f"on torch {self.torch_version} ({self.device})"
        if self.ok:
            return f"{held} {'claim holds' if held == 1 else 'claims hold'} {where}"
        return f"{len(self.results) - held} of {len(self.results)} claims fail {where}"

    def timing(self) -> str:
        """``'checked on 47 configurations in 2.4 s'``."""
        return f"checked on {self.configs} configurations in {self.seconds:.1f} s"

    def details(self) -> str:
        """What follows the claims' lines: each failure, the summary, the time taken."""
        lines = [
            f"\n{r.id} fails on {r.failing_config}:\n  {r.failure}"
            for r in self.results
            if not r.passed
        ]
        return "\n".join([*lines, f"{self.summary()}, {self.timing()}"])

    def __str__(self) -> str:
        return "\n".join([*(r.line() for r in self.results), self.details()])

    def to_json(self) -> str:
        return json.dumps(
            {
                "torch": self.torch_version,
                "device": self.device,
                "ok": self.ok,
                "configs": self.configs,
                "seconds": self.seconds,
                "claims": [asdict(r) for r in self.results],
            },
            indent=2,
        )


def _check_device(device: object) -> str:
    if not isinstance(device, str | torch.device):
        raise TypeError(
            f"device must be a string such as 'cpu' or 'cuda', got {type(device).__name__}"
        )
    try:
        dev = torch.device(device)
    except RuntimeError as err:
        raise ValueError(f"not a device: {device!r} ({err})") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for, but torch sees no CUDA device here")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {str(dev)!r}")
    return str(dev)


def verify(
    device: str = "cpu",
    ids: Sequence[str] | None = None,
    configs: Iterable[Config] | None = None,
    progress: Callable[[ClaimResult], object] | None = None,
) -> Report:
    """Check every registered claim (or those in ``ids``) on ``configs`` (default: the
    :func:`~rnnshapes.configs.default_configs` on ``device``). A claim stops at its first
    failing configuration, which the report names. ``progress``, if given, is called with each
    claim's result as soon as that claim is checked."""
    dev = _check_device(device)
    if ids is not None:
        if isinstance(ids, str):
            raise TypeError("ids must be a list of claim ids, not one string")
        unknown = [i for i in ids if i not in claims]
        if unknown:
            raise ValueError(f"no claim {unknown[0]!r}; known ids: {', '.join(claims)}")
        chosen = [claims[i] for i in ids]
    else:
        chosen = list(claims.values())
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable, got {type(progress).__name__}")
    start = time.perf_counter()
    pool = list(default_configs(dev) if configs is None else configs)
    results = []
    with warnings.catch_warnings():
        # torch's CPU kernel notes that oneDNN lacks LSTM projections; it is no finding of ours
        warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")
        for item in chosen:
            results.append(_check_claim(item, pool))
            if progress is not None:
                progress(results[-1])
    seconds = time.perf_counter() - start
    return Report(tuple(results), torch.__version__, dev, len(pool), seconds)


def _check_claim(item: Claim, pool: list[Config]) -> ClaimResult:
    """Check one claim on each configuration of ``pool`` it applies to, up to the first failure."""
    count = bit_equal = 0
    max_diff = 0.0
    failure = failing = None
    for cfg in pool:
        if not item.applies(cfg):
            continue
        count += 1
        try:
            outcome = item.check(cfg)
        except Exception as err:  # any error is a finding on this configuration
            failure, failing = f"{type(err).__name__}: {err}", str(cfg)
            break
        bit_equal += outcome.bit_equal
        max_diff = max(max_diff, outcome.max_diff)
    return ClaimResult(
        id=item.id,
        statement=item.statement,
        comparison=item.comparison,
        configs=count,
        passed=failure is None and count > 0,
        bit_equal_configs=bit_equal,
        max_diff=max_diff,
        failure=failure if count else "no configuration applies",
        failing_config=failing,
    )
