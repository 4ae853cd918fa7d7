"""The claims registry: well-formed claims, all holding here, and checks that can fail."""

from __future__ import annotations

import re
import warnings

import pytest
import torch

import rnnshapes
from rnnshapes import Report, claims, verify
from rnnshapes.configs import Config, Returned, default_configs
from rnnshapes.registry import Checker, ClaimFailed

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")


def test_at_least_30_well_formed_claims() -> None:
    assert len(claims) >= 30
    for cid, item in claims.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", cid), cid
        assert item.statement.endswith("."), cid
        assert item.comparison in ("equal", "close", "structure")
        assert ">>>" in (item.function.__doc__ or ""), cid
        assert any(item.applies(cfg) for cfg in default_configs()), f"{cid} applies to no config"


def test_every_claim_holds_on_the_default_configs(report: Report) -> None:
    failing = [r for r in report.results if not r.passed]
    assert not failing, str(report)
    assert len(report.results) == len(claims)
    assert report.summary() == f"{len(claims)} claims hold on torch {torch.__version__} (cpu)"


def test_equal_claims_really_were_bit_equal(report: Report) -> None:
    for result in report.results:
        if result.comparison == "equal":
            assert result.bit_equal_configs == result.configs, result.id


def test_unknown_claim_id_is_named() -> None:
    with pytest.raises(KeyError, match="no claim 'nope'"):
        claims["nope"]
    with pytest.raises(ValueError, match="no claim 'nope'"):
        verify(ids=["output-last-step-is-h-n", "nope"])
    with pytest.raises(TypeError, match="not one string"):
        verify(ids="output-last-step-is-h-n")  # type: ignore[arg-type]


def test_summary_counts_in_words() -> None:
    one = verify(ids=["omitted-h0-is-zeros"])
    assert one.summary() == f"1 claim holds on torch {torch.__version__} (cpu)"


def test_claim_refuses_a_config_it_does_not_apply_to() -> None:
    with pytest.raises(ValueError, match="does not apply"):
        claims["output-last-step-is-h-n"].check(Config(bidirectional=True))


def test_checker_raises_on_each_kind_of_mismatch() -> None:
    ck = Checker()
    a = torch.tensor([1.0, 2.0])
    with pytest.raises(ClaimFailed, match="not bit-equal"):
        ck.equal(a, a + 1e-7, "nudged")
    ck.close(a, a + 1e-7, "nudged")
    assert not ck.bit_equal and 0 < ck.max_diff < 1e-6
    with pytest.raises(ClaimFailed, match="not close"):
        ck.close(a, a + 1, "shifted")
    with pytest.raises(ClaimFailed, match="expected different"):
        ck.differ(a, a.clone(), "same")
    with pytest.raises(ClaimFailed, match="false"):
        ck.true(False, "false")
    ck.differ(torch.zeros(3), torch.zeros(3), "dead ReLU states")  # zero meets zero: no finding
    with pytest.raises(ClaimFailed, match="expected different"):
        ck.differ(torch.zeros(3), torch.full((3,), 1e-9), "nearly zero")
    assert ck.comparisons == 7


def test_same_follows_the_claims_label() -> None:
    a = torch.tensor([1.0, 2.0])
    Checker("close").same(a, a + 1e-7, "close claim")
    with pytest.raises(ClaimFailed, match="not bit-equal"):
        Checker("equal").same(a, a + 1e-7, "equal claim")


def test_a_broken_fact_fails_its_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    """If torch's output stopped ending in h_n's top row, the claim and verify would say so."""
    from rnnshapes.facts import layers

    real_run = layers.run

    def tampered(module, input, hx=None):  # type: ignore[no-untyped-def]
        r = real_run(module, input, hx)
        return Returned(r.output + 1e-3, r.h_n, r.c_n)

    monkeypatch.setattr(layers, "run", tampered)
    with pytest.raises(ClaimFailed, match="not bit-equal"):
        claims["output-last-step-is-h-n"].check(Config())
    report = verify(ids=["output-last-step-is-h-n", "output-is-top-layer", "omitted-h0-is-zeros"])
    assert [r.passed for r in report.results] == [False, False, True]
    assert not report.ok
    failed = report.results[0]
    assert failed.failing_config == str(next(c for c in default_configs() if not c.bidirectional))
    assert "fails on RNN layers=1" in str(report)
    assert report.summary().startswith("2 of 3 claims fail")


def test_an_unexpected_error_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from rnnshapes.facts import layers

    def broken(*args: object) -> None:
        raise IndexError("boom")

    monkeypatch.setattr(layers, "run", broken)
    result = verify(ids=["output-last-step-is-h-n"]).results[0]
    assert not result.passed and result.failure == "IndexError: boom"


def test_a_claim_that_compares_nothing_fails() -> None:
    item = claims["output-last-step-is-h-n"]
    silent = type(item)(
        item.id, item.statement, item.comparison, item.topic, item.applies, lambda cfg, ck: None
    )
    with pytest.raises(ClaimFailed, match="compared nothing"):
        silent.check(Config())


def test_claims_cover_the_issue_topics() -> None:
    topics = {item.topic for item in claims.values()}
    assert topics == {
        "layers",
        "returns",
        "layout",
        "bidirectional",
        "packed",
        "projection",
        "chunks",
        "dropout",
        "cells",
        "gradients",
    }


def test_import_loads_neither_sphinx_nor_matplotlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, rnnshapes; "
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'matplotlib', 'sphinx', 'docutils'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert rnnshapes.__version__


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_claims_on_cuda() -> None:
    report = verify(device="cuda")
    assert report.ok, str(report)
