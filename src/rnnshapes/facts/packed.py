"""Variable-length batches: packing, padding, ``enforce_sorted`` and the ``output[:, -1]`` trap."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import PACKED, UNEVEN, UNSORTED
from ..state import final_state, final_state_from_output


def _packed(cfg: Config) -> tuple[torch.Tensor, list[int], PackedSequence]:
    """The padded input, its lengths and the packed batch of a packed configuration."""
    assert cfg.lengths is not None
    packed = cfg.module_input()
    assert isinstance(packed, PackedSequence)
    return cfg.input(), list(cfg.lengths), packed


def _alone(cfg: Config, x: torch.Tensor, b: int, n: int) -> torch.Tensor:
    """Sequence ``b`` alone, its first ``n`` steps, as a batch of one in the module's layout."""
    return x[b : b + 1, :n] if cfg.batch_first else x[:n, b : b + 1]


@claim("packed-h-n-at-each-sequences-end", "equal", PACKED)
def packed_h_n_at_each_end(cfg: Config, ck: Checker) -> None:
    """``h_n`` holds each sequence's own final state, not the state at the padded input's last
    step: the forward direction's row equals the unpacked ``output`` at the sequence's last
    valid step, ``length - 1``, and a backward direction's row equals it at step 0, exactly.

    >>> import torch
    >>> from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> out, h_n = gru(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> padded, _ = pad_packed_sequence(out)  # (L, N, 2 × H) = (7, 3, 10)
    >>> # sequence 0 is 4 steps long: forward (h_n[0]) ends at step 3, backward (h_n[1]) at 0
    >>> torch.equal(h_n[0, 0], padded[3, 0, :5]), torch.equal(h_n[1, 0], padded[0, 0, 5:])
    (True, True)
    """
    _, lengths, packed = _packed(cfg)
    r = run(cfg.module(), packed)
    padded, _ = pad_packed_sequence(r.output)
    d, h = cfg.num_directions, cfg.h_out
    for b, n in enumerate(lengths):
        ck.equal(r.h_n[-d, b], padded[n - 1, b, :h], f"forward h_n vs output[{n - 1}], seq {b}")
        if d == 2:
            ck.equal(r.h_n[-1, b], padded[0, b, h:], f"backward h_n vs output[0], sequence {b}")


@claim("packed-sequence-runs-as-if-alone", "close", PACKED)
def packed_sequence_alone(cfg: Config, ck: Checker) -> None:
    """each sequence gets the ``h_n`` (and ``c_n``) and the ``output`` steps it would get if it
    were run alone, whatever the other sequences' lengths; close, as the kernel may sum in
    another order for another batch.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> out, (h_n, c_n) = lstm(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> # sequence 0 alone: its first 4 steps, unbatched
    >>> _, (h_alone, c_alone) = lstm(x[:4, 0])
    >>> torch.testing.assert_close((h_n[:, 0], c_n[:, 0]), (h_alone, c_alone))
    """
    m = cfg.module()
    x, lengths, packed = _packed(cfg)
    r = run(m, packed)
    padded, _ = pad_packed_sequence(r.output)
    for b, n in enumerate(lengths):
        alone = run(m, _alone(cfg, x, b, n))
        ck.close(r.h_n[:, b], alone.h_n[:, 0], f"packed h_n vs sequence {b} run alone")
        if r.c_n is not None and alone.c_n is not None:
            ck.close(r.c_n[:, b], alone.c_n[:, 0], f"packed c_n vs sequence {b} run alone")
        assert alone.steps is not None
        ck.close(padded[:n, b], alone.steps[:, 0], f"packed output vs sequence {b} run alone")


@claim("pad-packed-returns-longest-length", "equal", PACKED)
def pad_packed_length(cfg: Config, ck: Checker) -> None:
    """``pad_packed_sequence`` pads to the longest sequence in the batch, not to the length of
    the tensor that was packed, unless ``total_length`` is given; the lengths it returns are an
    int64 CPU tensor in the caller's batch order, exactly the lengths that were packed.

    >>> import torch
    >>> from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
    >>> x = torch.randn(7, 3, 4)  # padded to L=7, but no sequence is 7 steps long
    >>> out, h_n = torch.nn.GRU(4, 5)(pack_padded_sequence(x, [5, 2, 6], enforce_sorted=False))
    >>> padded, lengths = pad_packed_sequence(out)
    >>> padded.shape, lengths  # 6 steps: the longest sequence's
    (torch.Size([6, 3, 5]), tensor([5, 2, 6]))
    >>> pad_packed_sequence(out, total_length=7)[0].shape
    torch.Size([7, 3, 5])
    """
    _, lengths, packed = _packed(cfg)
    out = run(cfg.module(), packed).output
    want = torch.tensor(lengths)
    for batch_first in (False, True):
        axis = 1 if batch_first else 0
        padded, found = pad_packed_sequence(out, batch_first=batch_first)
        ck.true(padded.shape[axis] == max(lengths), f"padded to {padded.shape[axis]} steps")
        ck.equal(found, want, "the lengths pad_packed_sequence returns")
        ck.true(found.dtype == torch.int64 and found.device.type == "cpu", f"{found!r}")
        full, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=cfg.seq_len)
        ck.true(full.shape[axis] == cfg.seq_len, f"total_length gave {full.shape[axis]} steps")
        ck.equal(full.narrow(axis, 0, max(lengths)), padded, "total_length only pads further")


@claim("enforce-sorted-false-keeps-batch-order", "equal", UNSORTED)
def enforce_sorted_false(cfg: Config, ck: Checker) -> None:
    """``h_n`` and the unpacked ``output`` come back in the
    caller's batch order: sorting the batch by length first and undoing the sort gives the same
    result.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5)
    >>> x = torch.randn(7, 3, 4)
    >>> lengths = torch.tensor([4, 7, 1])  # unsorted
    >>> _, h_n = gru(pack_padded_sequence(x, lengths, enforce_sorted=False))
    >>> order = lengths.argsort(descending=True)  # [1, 0, 2]
    >>> _, h_sorted = gru(pack_padded_sequence(x[:, order], lengths[order]))
    >>> torch.equal(h_n[:, order], h_sorted)
    True
    """
    m = cfg.module()
    x, lengths, packed = _packed(cfg)
    r = run(m, packed)
    order = torch.tensor(lengths).argsort(descending=True, stable=True)
    xs = x[order] if cfg.batch_first else x[:, order]
    sorted_lengths = [lengths[i] for i in order.tolist()]
    s = run(m, pack_padded_sequence(xs, sorted_lengths, batch_first=cfg.batch_first))
    ck.same(r.h_n[:, order.to(r.h_n.device)], s.h_n, "h_n vs the presorted batch's")
    a, _ = pad_packed_sequence(r.output)
    b, _ = pad_packed_sequence(s.output)
    ck.same(a[:, order.to(a.device)], b, "unpacked output vs the presorted batch's")


@claim("padded-positions-hold-padding-value", "equal", PACKED)
def padded_positions(cfg: Config, ck: Checker) -> None:
    """``pad_packed_sequence`` fills every step past a sequence's length with ``padding_value``
    (0 by default), exactly, up to ``total_length`` if it is given.

    >>> import torch
    >>> from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
    >>> rnn = torch.nn.RNN(4, 5)
    >>> out, h_n = rnn(pack_padded_sequence(torch.randn(7, 3, 4), [4, 7, 1], enforce_sorted=False))
    >>> padded, lengths = pad_packed_sequence(out, padding_value=-1.0)
    >>> # sequence 2 has 1 valid step: steps 1..6 are padding
    >>> torch.equal(padded[1:, 2], torch.full((6, 5), -1.0))
    True
    """
    _, lengths, packed = _packed(cfg)
    out = run(cfg.module(), packed).output
    for value in (0.0, -1.5):
        for total in (None, cfg.seq_len):
            padded, _ = pad_packed_sequence(out, padding_value=value, total_length=total)
            for b, n in enumerate(lengths):
                tail = padded[n:, b]
                ck.equal(tail, torch.full_like(tail, value), f"steps {n}.. of sequence {b}")


@claim("padded-last-step-is-wrong-for-short-sequences", "equal", UNEVEN)
def padded_last_step_wrong(cfg: Config, ck: Checker) -> None:
    """after unpacking, ``output[:, -1]`` (batch first) is padding for every sequence shorter
    than the batch's longest, not its final state: the forward direction ends at
    ``output[b, length - 1]`` (a backward direction at step 0), as ``h_n`` says.

    >>> import torch
    >>> from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, batch_first=True)
    >>> x = torch.randn(3, 7, 4)  # N=3, L=7
    >>> out, h_n = gru(pack_padded_sequence(x, [4, 7, 1], batch_first=True, enforce_sorted=False))
    >>> padded, lengths = pad_packed_sequence(out, batch_first=True)
    >>> # sequence 0 (length 4): its last padded step is zeros, its state is at step 3
    >>> torch.equal(padded[0, -1], torch.zeros(5)), torch.equal(padded[0, 3], h_n[-1, 0])
    (True, True)
    """
    _, lengths, packed = _packed(cfg)
    r = run(cfg.module(), packed)
    padded, _ = pad_packed_sequence(r.output, batch_first=True)
    h = cfg.h_out
    for b, n in enumerate(lengths):
        if n < max(lengths):
            last = padded[b, -1]
            ck.equal(last, torch.zeros_like(last), f"output[{b}, -1] is padding")
            ck.equal(padded[b, n - 1, :h], r.h_n[-cfg.num_directions, b], f"output[{b}, {n - 1}]")


@claim("final-state-from-output-equals-h-n", "equal", PACKED)
def final_state_from_packed_output(cfg: Config, ck: Checker) -> None:
    """``rnnshapes.final_state_from_output`` (forward half at each
    sequence's last step, backward half at step 0) equals ``rnnshapes.final_state(h_n)`` bit for
    bit.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> from rnnshapes import final_state, final_state_from_output
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True)
    >>> packed = pack_padded_sequence(torch.randn(7, 3, 4), [4, 7, 1], enforce_sorted=False)
    >>> out, (h_n, c_n) = lstm(packed)
    >>> torch.equal(final_state_from_output(out, lstm), final_state(h_n, lstm))
    True
    """
    m = cfg.module()
    _, lengths, packed = _packed(cfg)
    r = run(m, packed)
    ck.equal(final_state_from_output(r.output, m), final_state(r.h_n, m), "from output vs from h_n")
    padded, _ = pad_packed_sequence(r.output, batch_first=cfg.batch_first)
    ck.equal(final_state_from_output(padded, m, lengths), final_state(r.h_n, m), "padded + lengths")
