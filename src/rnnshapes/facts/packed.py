"""Variable-length batches: packing, padding, ``enforce_sorted`` and the ``output[:, -1]`` trap."""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..configs import Config, run
from ..registry import Checker, claim
from ..state import final_state, final_state_from_output


def _varied(cfg: Config) -> bool:
    """Configurations whose batch has sequences of different lengths."""
    return cfg.batch > 1 and cfg.seq_len > 1


def _packed(cfg: Config) -> tuple[torch.Tensor, list[int], object]:
    x = cfg.input()
    lengths = cfg.lengths()
    return (
        x,
        lengths,
        pack_padded_sequence(x, lengths, batch_first=cfg.batch_first, enforce_sorted=False),
    )


def _alone(cfg: Config, x: torch.Tensor, b: int, n: int) -> torch.Tensor:
    """Sequence ``b`` alone, its first ``n`` steps, as a batch of one in the module's layout."""
    return x[b : b + 1, :n] if cfg.batch_first else x[:n, b : b + 1]


@claim("packed-h-n-at-each-sequences-end", "close", applies=_varied)
def packed_h_n_at_each_end(cfg: Config, ck: Checker) -> None:
    """With a packed batch, ``h_n`` holds each sequence's state at its own last valid step: the
    same as running that sequence alone, and bit-equal to the unpacked ``output`` at step
    ``length - 1``.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> lengths = [4, 7, 1]
    >>> out, (h_n, c_n) = lstm(pack_padded_sequence(x, lengths, enforce_sorted=False))
    >>> padded, _ = pad_packed_sequence(out)
    >>> # sequence 0 is 4 steps long: its final state is at step 3
    >>> torch.equal(h_n[0, 0], padded[3, 0])
    True
    >>> torch.testing.assert_close(h_n[0, 0], lstm(x[:4, 0])[1][0][0])  # run alone, unbatched
    """
    m = cfg.module()
    x, lengths, packed = _packed(cfg)
    r = run(m, packed)
    padded, _ = pad_packed_sequence(r.output)
    d, h = cfg.num_directions, cfg.h_out
    for b, n in enumerate(lengths):
        ck.equal(r.h_n[-d, b], padded[n - 1, b, :h], f"h_n vs output at step {n - 1}, sequence {b}")
        alone = run(m, _alone(cfg, x, b, n))
        ck.close(r.h_n[:, b], alone.h_n[:, 0], f"packed h_n vs sequence {b} run alone")


@claim("enforce-sorted-false-keeps-batch-order", "equal", applies=_varied)
def enforce_sorted_false(cfg: Config, ck: Checker) -> None:
    """With ``enforce_sorted=False``, ``h_n`` and the unpacked ``output`` come back in the
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


@claim("padded-positions-hold-padding-value", "equal", applies=_varied)
def padded_positions(cfg: Config, ck: Checker) -> None:
    """``pad_packed_sequence`` fills every step past a sequence's length with ``padding_value``
    (0 by default), exactly.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
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
        padded, _ = pad_packed_sequence(out, padding_value=value)
        for b, n in enumerate(lengths):
            tail = padded[n:, b]
            ck.equal(tail, torch.full_like(tail, value), f"steps {n}.. of sequence {b}")


@claim("padded-last-step-is-wrong-for-short-sequences", "equal", applies=_varied)
def padded_last_step_wrong(cfg: Config, ck: Checker) -> None:
    """After unpacking, ``output[:, -1]`` (batch first) is padding for every sequence shorter
    than the batch's longest, not its final state: the forward direction ends at
    ``output[b, length - 1]`` (a backward direction at step 0), as ``h_n`` says.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
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
        if n < cfg.seq_len:
            last = padded[b, -1]
            ck.equal(last, torch.zeros_like(last), f"output[{b}, -1] is padding")
            ck.equal(padded[b, n - 1, :h], r.h_n[-cfg.num_directions, b], f"output[{b}, {n - 1}]")


@claim("unpacked-padding-runs-into-h-n", "close", applies=_varied)
def unpacked_padding(cfg: Config, ck: Checker) -> None:
    """Feeding a padded batch without packing runs the recurrence over the padding: each
    sequence's ``h_n`` is then its state after all ``L`` steps, padding included, and its forward
    direction does not stop at the sequence's own last step as the packed run does.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)
    >>> x[4:, 0] = 0  # sequence 0 is 4 steps long, then zero padding
    >>> _, (h_packed, _) = lstm(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> _, (h_padded, _) = lstm(x)
    >>> torch.allclose(h_packed[0, 0], h_padded[0, 0])
    False
    >>> torch.testing.assert_close(h_padded[0, 0], lstm(x[:, 0])[1][0][0])  # all 7 steps
    """
    m = cfg.module()
    x, lengths, packed = _packed(cfg)
    packed_h = run(m, packed).h_n
    padded_x = x.clone()
    for b, n in enumerate(lengths):
        (padded_x[b, n:] if cfg.batch_first else padded_x[n:, b]).zero_()
    padded_h = run(m, padded_x).h_n
    for b in range(cfg.batch):
        alone = run(m, _alone(cfg, padded_x, b, cfg.seq_len)).h_n
        ck.close(
            padded_h[:, b], alone[:, 0], f"sequence {b}: h_n after all steps, padding included"
        )
        if lengths[b] < cfg.seq_len:
            forward = slice(0, None, cfg.num_directions)  # rows of the forward direction
            ck.differ(
                padded_h[forward, b], packed_h[forward, b], f"sequence {b}: padded vs packed h_n"
            )


@claim("final-state-from-output-equals-h-n", "equal", applies=_varied)
def final_state_from_packed_output(cfg: Config, ck: Checker) -> None:
    """For a packed batch, ``rnnshapes.final_state_from_output`` (forward half at each
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
