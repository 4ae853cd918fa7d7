"""The claims registry: well-formed claims, all holding here, and checks that can fail."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import torch

import rnnshapes
from rnnshapes import Claim, Report, claims, verify
from rnnshapes.configs import Config, Returned, default_configs, thorough_configs
from rnnshapes.registry import EXACT_WORDS, Checker, ClaimFailed

ROOT = Path(__file__).resolve().parents[1]

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")


def test_at_least_30_well_formed_claims() -> None:
    assert len(claims) >= 30
    for cid, item in claims.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", cid), cid
        assert item.statement.endswith("."), cid
        assert item.comparison in ("equal", "close", "structure")
        assert ">>>" in (item.function.__doc__ or ""), cid
        assert any(item.applies(cfg) for cfg in default_configs()), f"{cid} applies to no config"


def test_statement_is_the_scope_then_the_sentence() -> None:
    """The words of a claim's conditions come from its scope, never from its sentence too."""
    for cid, item in claims.items():
        where = str(item.scope)
        assert item.statement.lower().startswith(where.lower()), cid
        assert not re.match(r"(for an? |with |when |in an? )", item.sentence, re.I), (
            f"{cid}: its sentence states a condition; put it in the scope: {item.sentence!r}"
        )


def test_exactness_label_and_words_agree() -> None:
    """A claim that is only close, or only about shapes, never says bit-equal; an equal one's
    check really compares bit for bit (test_equal_claims_really_were_bit_equal)."""
    for cid, item in claims.items():
        if item.comparison != "equal":
            assert not EXACT_WORDS.search(item.statement.lower()), (cid, item.statement)


def test_default_configs_meet_every_edge_of_every_claim() -> None:
    """The quick sample still puts each claim at every input edge the thorough walk gives it."""
    sample, walk = list(default_configs()), list(thorough_configs())

    def edges(item: Claim, pool: list[Config]) -> set[tuple[object, ...]]:
        return {
            (c.seq_len, c.batch, c.batched, c.lengths, c.enforce_sorted)
            for c in pool
            if item.applies(c)
        }

    for cid, item in claims.items():
        assert edges(item, sample) == edges(item, walk), cid
    assert len(sample) < len(walk) / 5


def test_the_edges_are_in_the_walk() -> None:
    walk = list(thorough_configs())
    assert len(walk) == len(set(walk))
    assert any(c.seq_len == 1 and c.lengths is None and c.batched for c in walk)  # one step
    assert any(c.batch == 1 and c.batched for c in walk)  # a batch of one
    assert any(not c.batched for c in walk)  # unbatched
    packed = [c.lengths for c in walk if c.lengths is not None]
    assert any(1 in lengths and len(lengths) > 1 for lengths in packed)  # a length-1 sequence
    seq = {c.lengths: c.seq_len for c in walk if c.lengths is not None}
    assert any(min(n) == max(n) == seq[n] for n in seq)  # every sequence full length
    assert any(max(n) < seq[n] for n in seq)  # none full length
    assert {c.enforce_sorted for c in walk if c.lengths} == {False, True}
    for field in ("bidirectional", "batch_first", "bias"):
        assert {getattr(c, field) for c in walk} == {False, True}, field
    assert {c.num_layers for c in walk} == {1, 2, 3}
    assert {c.dtype for c in walk} == {torch.float32, torch.float64}
    assert {(c.kind, c.nonlinearity, c.proj_size > 0) for c in walk} == {
        ("RNN", "tanh", False), ("RNN", "relu", False), ("LSTM", "tanh", False),
        ("LSTM", "tanh", True), ("GRU", "tanh", False),
    }  # fmt: skip


#: Pairs (claim, condition) of the scopes whose condition no configuration of the thorough walk
#: shows to be needed, each with the reason it stays. Every other condition of every scope is
#: needed: without it, the claim's check fails (ClaimFailed) on some configuration of the walk.
_TENSOR_OUTPUT = (
    "kept: the sentence reads ``output`` as a tensor (indexes, slices or compares it); packed "
    "input returns a PackedSequence, which the sentence does not describe"
)
_NAMED = "kept: the sentence is about this condition and says nothing outside it"
_CANNOT_RUN = "kept: outside it the check cannot be run at all (torch or the check refuses)"
_IMPLIED = "kept for the words: another condition of the scope implies it"
_CELL = (
    "kept: a cell is one layer in one direction, without proj_size, on a tensor; the check "
    "builds the cell from the configuration's kind and sizes, so it walks the ones a cell has"
)
_NEEDS_LENGTHS = _CANNOT_RUN + " (the check packs the configuration's lengths)"
EXPLAINED = {
    ("view-after-permute-needs-reshape", "wide"): (
        "kept: with proj_size=1 the state's last axis has size one and view works; the "
        "thorough walk has no H_out of 1, the property tests reach it (hypothesis found it)"
    ),
    ("projected-lstm-state-widths", "LSTM"): _IMPLIED + " (proj_size > 0 is an LSTM's)",
    ("lstm-projection-onednn-warning", "LSTM"): _IMPLIED + " (proj_size > 0 is an LSTM's)",
    ("lstm-projection-onednn-warning", "cpu"): _NAMED + " (oneDNN is the CPU's library)",
    ("zero-length-is-refused", "packed"): _NEEDS_LENGTHS,
    ("lengths-longer-than-input-fail-in-module", "packed"): _NEEDS_LENGTHS,
    ("pad-packed-batch-first-is-its-own", "packed"): _NEEDS_LENGTHS,
    ("pad-packed-total-length-too-short", "packed"): _NEEDS_LENGTHS,
    ("cell-returns-state-only", "no projection"): _CELL,
    ("cell-returns-state-only", "one layer"): _CELL,
    ("cell-returns-state-only", "unidirectional"): _CELL,
    ("cell-returns-state-only", "unpacked"): _CELL,
    ("cell-state-batch-must-match", "no projection"): _CELL,
    ("cell-state-batch-must-match", "one layer"): _CELL,
    ("cell-state-batch-must-match", "unidirectional"): _CELL,
    ("cell-state-batch-must-match", "unpacked"): _CELL,
    ("cell-takes-one-step", "no projection"): _CELL,
    ("cell-takes-one-step", "one layer"): _CELL,
    ("cell-takes-one-step", "unidirectional"): _CELL,
    ("cell-takes-one-step", "unpacked"): _CELL,
    ("lstm-cell-state-is-a-pair", "no projection"): _CELL,
    ("lstm-cell-state-is-a-pair", "one layer"): _CELL,
    ("lstm-cell-state-is-a-pair", "unidirectional"): _CELL,
    ("lstm-cell-state-is-a-pair", "unpacked"): _CELL,
    ("cell-state-is-one-tensor", "one layer"): _CELL,
    ("cell-state-is-one-tensor", "unidirectional"): _CELL,
    ("cell-state-is-one-tensor", "unpacked"): _CELL,
    ("cell-state-is-one-tensor", "no projection"): _IMPLIED + " (proj_size > 0 is an LSTM's)",
    ("lower-layers-not-in-output", "unpacked"): _TENSOR_OUTPUT,
    ("shapes-match-module", "unpacked"): _TENSOR_OUTPUT,
    ("c-n-not-in-output", "LSTM"): _NAMED + " (only an LSTM has a cell state)",
    ("c-n-not-in-output", "unpacked"): _TENSOR_OUTPUT,
    ("output-is-h-not-gate-o", "LSTM"): _NAMED + " (only an LSTM has an output gate)",
    ("output-is-h-not-gate-o", "unidirectional"): _CANNOT_RUN
    + " (the gates are recomputed for one direction)",
    ("output-is-h-not-gate-o", "unpacked"): _TENSOR_OUTPUT,
    ("batch-first-moves-input-and-output-only", "batched"): _CANNOT_RUN
    + " (unbatched input has no batch axis to move)",
    ("batch-first-moves-input-and-output-only", "unpacked"): _TENSOR_OUTPUT,
    ("batch-first-leaves-h0-layout", "batch_first"): _NAMED,
    ("batch-first-leaves-h0-layout", "unpacked"): _CANNOT_RUN
    + " (its check builds a padded h0 for a tensor input)",
    ("unbatched-input-drops-batch-axis", "unbatched"): _NAMED,
    ("bidirectional-output-halves", "bidirectional"): _NAMED
    + " (a unidirectional output has no halves)",
    ("bidirectional-output-halves", "one layer"): _CANNOT_RUN
    + " (a one-direction module holding the backward weights is one layer)",
    ("bidirectional-output-halves", "unpacked"): _TENSOR_OUTPUT,
    ("bidirectional-last-step-is-not-final", "bidirectional"): _NAMED + " (its backward half)",
    ("bidirectional-last-step-is-not-final", "unpacked"): _TENSOR_OUTPUT,
    ("h-n-rows-are-layer-major", "bidirectional"): _NAMED
    + " (one direction has no forward/backward order)",
    ("chunks-do-not-carry-backward", "bidirectional"): _NAMED
    + " (carried-state-reproduces-full-run says the opposite for one direction)",
    ("chunks-do-not-carry-backward", "several steps"): _CANNOT_RUN
    + " (one step cannot be cut into chunks)",
    ("chunks-do-not-carry-backward", "unpacked"): _TENSOR_OUTPUT,
    ("packed-h-n-at-each-sequences-end", "packed"): _NAMED,
    ("packed-sequence-runs-as-if-alone", "packed"): _NAMED,
    ("pad-packed-returns-longest-length", "packed"): _NAMED,
    ("enforce-sorted-false-keeps-batch-order", "enforce_sorted=False"): _NAMED,
    ("padded-positions-hold-padding-value", "packed"): _NAMED,
    ("final-state-from-output-equals-h-n", "packed"): _NAMED,
    ("proj-size-shrinks-output-and-h-n", "LSTM"): _IMPLIED + " (proj_size > 0)",
    ("projected-state-is-what-recurs", "LSTM"): _IMPLIED + " (proj_size > 0)",
    ("projected-state-is-what-recurs", "projected"): _NAMED,
    ("projected-state-is-what-recurs", "unpacked"): _TENSOR_OUTPUT,
    ("carried-state-reproduces-full-run", "several steps"): _NAMED + " (one step makes one chunk)",
    ("carried-state-reproduces-full-run", "unpacked"): _TENSOR_OUTPUT
    + " (it cuts the input in time)",
    ("dropout-spares-output-last-step", "stacked"): _NAMED
    + " (one layer has no dropout between layers; torch warns)",
    ("dropout-acts-between-layers-only", "stacked"): _NAMED
    + " (one layer has no dropout between layers; torch warns)",
    ("dropout-acts-between-layers-only", "unpacked"): _TENSOR_OUTPUT,
    ("cell-loop-reproduces-module", "no projection"): _CANNOT_RUN
    + " (the cells have no proj_size)",
    ("cell-loop-reproduces-module", "unpacked"): _TENSOR_OUTPUT,
    ("lstm-gate-order-is-i-f-g-o", "LSTM"): _NAMED + " (its gates)",
    ("gru-gate-order-is-r-z-n", "GRU"): _NAMED + " (its gates)",
}


def _mutant_outcomes() -> dict[tuple[str, str], set[str]]:
    """For every condition of every scope: what the claim's check does, with that one condition
    dropped, on the configurations of the walk that only the wider scope admits."""
    import dataclasses

    walk = list(thorough_configs())
    outcomes: dict[tuple[str, str], set[str]] = {}
    for cid, item in claims.items():
        for name in item.scope.names:
            mutant = dataclasses.replace(item, scope=item.scope.without(name))
            seen = outcomes.setdefault((cid, name), set())
            for cfg in walk:
                if not mutant.applies(cfg) or item.applies(cfg):
                    continue
                try:
                    mutant.check(cfg)
                    seen.add("held")
                except ClaimFailed:
                    seen.add("failed")
                    break
                except Exception as exc:  # the check cannot run there
                    seen.add(type(exc).__name__)
    return outcomes


def test_every_condition_of_every_scope_is_needed_or_explained() -> None:
    """The machinery catches a claim that says more than is true: drop one condition of a scope
    and the same check fails on some configuration of the thorough walk, unless the pair is
    listed in ``EXPLAINED`` with its reason; the list holds no pair that is in fact needed."""
    outcomes = _mutant_outcomes()
    unexplained = {pair for pair, seen in outcomes.items() if "failed" not in seen}
    assert unexplained - EXPLAINED.keys() == set(), "conditions no check needs, unexplained"
    assert EXPLAINED.keys() - unexplained == set(), "explained, but needed (or gone): remove"
    # the ones this issue was about stay proven
    for pair in [
        ("bidirectional-last-step-is-not-final", "several steps"),  # T = 1: the halves meet
        ("output-last-step-is-h-n", "unpacked"),  # a short packed sequence: output[-1] is padding
        ("output-last-step-is-h-n", "unidirectional"),
        ("carried-state-reproduces-full-run", "unidirectional"),
        ("dropout-with-one-layer-does-nothing", "one layer"),
    ]:
        assert "failed" in outcomes[pair], pair


def test_the_over_general_bidirectional_claim_fails_verify() -> None:
    """ "The backward half of output[-1] differs from h_n[-1]", with no condition on the number
    of steps, is false at T = 1, and verify says so, naming that configuration."""
    import dataclasses

    from rnnshapes import verification

    item = claims["bidirectional-last-step-is-not-final"]
    mutant = dataclasses.replace(item, scope=item.scope.without("several steps"))
    result = verification._check_claim(mutant, list(default_configs()))
    assert not result.passed
    assert "(L=1 " in str(result.failing_config)
    assert "expected different values" in str(result.failure)


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
        steps = None if r.steps is None else r.steps + 1e-3
        return Returned(r.output + 1e-3, r.h_n, r.c_n, steps)

    monkeypatch.setattr(layers, "run", tampered)
    with pytest.raises(ClaimFailed, match="not bit-equal"):
        claims["output-last-step-is-h-n"].check(Config())
    report = verify(ids=["output-last-step-is-h-n", "output-is-top-layer", "omitted-h0-is-zeros"])
    assert [r.passed for r in report.results] == [False, False, True]
    assert not report.ok
    failed = report.results[0]
    first = next(c for c in default_configs() if claims["output-last-step-is-h-n"].applies(c))
    assert failed.failing_config == str(first)
    assert f"fails on {first}" in str(report)
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
        item.id, item.sentence, item.comparison, item.topic, item.scope, lambda cfg, ck: None
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
    } | {topic for topic in topics if topic.startswith("trouble_")}
    trouble = {topic.removeprefix("trouble_") for topic in topics if topic.startswith("trouble_")}
    assert trouble <= set(TROUBLE_FAMILIES), trouble - set(TROUBLE_FAMILIES)


#: The troubleshooting section's families: each a topic of its own claims.
TROUBLE_FAMILIES = (
    *("dtypes", "shapes", "returns", "packing", "padding", "options", "cells", "grads"),
)


def test_every_troubleshooting_claim_has_one_page_and_every_page_a_claim() -> None:
    """Each troubleshooting claim is shown in a box on exactly one entry page, and each entry
    page boxes a troubleshooting claim."""
    pages = sorted((ROOT / "docs" / "troubleshooting").glob("*-*.md"))
    boxes: dict[str, list[str]] = {}
    for page in pages:
        for claim_id in re.findall(r"^```\{claim\} ([a-z0-9-]+)$", page.read_text(), re.M):
            boxes.setdefault(claim_id, []).append(page.name)
    ids = [cid for cid, item in claims.items() if item.topic.startswith("trouble_")]
    assert ids and pages
    for cid in ids:
        assert len(boxes.get(cid, [])) == 1, f"{cid} is boxed on {boxes.get(cid)}"
    for page in pages:
        assert any(page.name in names for names in boxes.values()), f"{page.name} boxes no claim"
    assert set(boxes) <= set(ids), "a box on an entry page shows a claim of another topic"


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
@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="needs a CUDA device: on a machine with one, `nox -s tests -- -m cuda`",
)
def test_claims_on_cuda() -> None:
    report = verify(device="cuda")
    assert report.ok, str(report)
