"""Troubleshooting: padding, unpadding, and padded batches fed without packing. What torch says,
and the fix."""

from __future__ import annotations

from typing import Any

import torch
from torch.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pad_packed_sequence,
    unpack_sequence,
    unpad_sequence,
)

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import BATCH_FIRST, BIDIRECTIONAL, NOT_RELU, PACKED, UNEVEN, Condition

#: No sequence of the packed batch is as long as the padded input, so unpacking gives fewer
#: steps than went in.
NONE_FULL_LENGTH = Condition(
    "no sequence full length",
    lambda c: c.lengths is not None and max(c.lengths) < c.seq_len,
    clause="with a packed batch where no sequence is as long as the padded input",
)
#: A padded batch (the configurations' packed ones, fed unpacked) with some padding in it.
SOME_PADDING = Condition(
    "some padding",
    lambda c: c.lengths is not None and min(c.lengths) < c.seq_len,
    clause="with a padded batch where some sequence is shorter than the batch's steps",
)
#: The longest sequence's length is not the batch size, so time and batch axes differ in size.
STEPS_NOT_BATCH = Condition(
    "steps differ from sequences",
    lambda c: c.lengths is not None and max(c.lengths) != c.batch,
    clause="with a packed batch whose sequence count differs from its longest sequence's length",
)
BIASED = Condition("bias", lambda c: c.bias, trait="with bias=True (the default)")


def _output(cfg: Config) -> PackedSequence:
    """The module's ``output`` for the configuration's packed batch."""
    out = run(cfg.module(), cfg.module_input()).output
    assert isinstance(out, PackedSequence)
    return out


def _lengths(cfg: Config) -> list[int]:
    assert cfg.lengths is not None
    return list(cfg.lengths)


def _packed(cfg: Config) -> PackedSequence:
    packed = cfg.module_input()
    assert isinstance(packed, PackedSequence)
    return packed


def _alone(cfg: Config, x: torch.Tensor, b: int, n: int) -> torch.Tensor:
    """Sequence ``b`` alone, its first ``n`` steps, as a batch of one in the module's layout."""
    return x[b : b + 1, :n] if cfg.batch_first else x[:n, b : b + 1]


@claim(
    "packed-output-has-no-shape",
    "structure",
    PACKED,
    message=(AttributeError, r"^'PackedSequence' object has no attribute '(shape|size)'$"),
)
def packed_output_no_shape(cfg: Config, ck: Checker) -> None:
    """a module fed a ``PackedSequence`` returns its ``output`` as a ``PackedSequence`` too,
    which has no ``.shape`` and no ``.size()`` (an ``AttributeError``);
    ``pad_packed_sequence(output, batch_first=...)`` turns it back into a padded tensor, with
    as many steps as the longest sequence.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> gru = torch.nn.GRU(4, 5)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> output, h_n = gru(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> output.shape
    Traceback (most recent call last):
    ...
    AttributeError: 'PackedSequence' object has no attribute 'shape'
    >>> padded, lengths = pad_packed_sequence(output)
    >>> padded.shape
    torch.Size([7, 3, 5])
    """
    out = run(cfg.module(), cfg.module_input()).output
    ck.says(lambda: out.shape, "output.shape")
    ck.says(lambda: out.size(), "output.size()")
    padded, _ = ck.fixed(lambda: pad_packed_sequence(out, batch_first=cfg.batch_first), "unpacked")
    steps = (max(_lengths(cfg)), cfg.batch)
    want = (*(steps[::-1] if cfg.batch_first else steps), cfg.num_directions * cfg.h_out)
    ck.true(tuple(padded.shape) == want, f"unpacked output's shape {tuple(padded.shape)}")


@claim(
    "pad-packed-returns-a-pair",
    "structure",
    PACKED,
    message=(AttributeError, r"^'tuple' object has no attribute '(shape|size)'$"),
)
def pad_packed_pair(cfg: Config, ck: Checker) -> None:
    """``pad_packed_sequence`` returns a pair, the padded tensor and the lengths, so using what
    it returns as a tensor (``.shape``, ``.size()``) fails with an ``AttributeError`` about a
    ``'tuple'``; unpack it: ``padded, lengths = pad_packed_sequence(output)``.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> output, (h_n, c_n) = lstm(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> pad_packed_sequence(output).shape
    Traceback (most recent call last):
    ...
    AttributeError: 'tuple' object has no attribute 'shape'
    >>> padded, lengths = pad_packed_sequence(output)
    >>> padded.shape, lengths
    (torch.Size([7, 3, 5]), tensor([4, 7, 1]))
    """
    out = run(cfg.module(), cfg.module_input()).output
    pair: Any = pad_packed_sequence  # called as if it returned a tensor, as the reader did
    ck.says(lambda: pair(out).shape, "pad_packed_sequence(output).shape")
    ck.says(lambda: pair(out).size(), "pad_packed_sequence(output).size()")
    padded, lengths = ck.fixed(lambda: pad_packed_sequence(out), "the pair unpacked")
    ck.true(isinstance(padded, torch.Tensor), "the first of the pair is a tensor")
    ck.true(lengths.tolist() == _lengths(cfg), f"the second is the lengths: {lengths.tolist()}")


@claim("pad-packed-shorter-than-input", "equal", NONE_FULL_LENGTH)
def pad_packed_shorter(cfg: Config, ck: Checker) -> None:
    """``pad_packed_sequence`` gives back only as many steps as the longest sequence, fewer
    than the padded input had, without any error, so a tensor made for the input's steps (a
    mask, targets) no longer lines up with the unpacked ``output``; ``total_length=`` the
    input's number of steps pads it to that length, exactly the default's values followed by
    padding.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> gru = torch.nn.GRU(4, 5)
    >>> x = torch.randn(7, 3, 4)  # padded to L=7, but no sequence is 7 steps long
    >>> output, h_n = gru(pack_padded_sequence(x, [5, 2, 6], enforce_sorted=False))
    >>> pad_packed_sequence(output)[0].shape  # 6 steps: the longest sequence's
    torch.Size([6, 3, 5])
    >>> pad_packed_sequence(output, total_length=x.size(0))[0].shape
    torch.Size([7, 3, 5])
    """
    x, out, axis = cfg.input(), _output(cfg), cfg.time_axis
    wrong, _ = pad_packed_sequence(out, batch_first=cfg.batch_first)
    ck.true(wrong.size(axis) == max(_lengths(cfg)), f"unpacked to {wrong.size(axis)} steps")
    ck.true(wrong.size(axis) < x.size(axis), "fewer steps than the padded input")
    right, _ = pad_packed_sequence(out, batch_first=cfg.batch_first, total_length=x.size(axis))
    ck.true(right.size(axis) == x.size(axis), f"total_length gave {right.size(axis)} steps")
    ck.equal(right.narrow(axis, 0, wrong.size(axis)), wrong, "the default's steps")
    tail = right.narrow(axis, wrong.size(axis), x.size(axis) - wrong.size(axis))
    ck.equal(tail, torch.zeros_like(tail), "the steps total_length adds are padding")


@claim(
    "pad-packed-total-length-too-short",
    "structure",
    PACKED,
    message=(
        ValueError,
        r"^Expected total_length to be at least the length of the longest sequence in input",
    ),
)
def total_length_too_short(cfg: Config, ck: Checker) -> None:
    """a ``total_length`` shorter than the batch's longest sequence is refused with a
    ``ValueError`` that gives both lengths; the padded input's number of steps, which no
    sequence exceeds, is the ``total_length`` that works.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> rnn = torch.nn.RNN(4, 5)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> output, h_n = rnn(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> pad_packed_sequence(output, total_length=5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Expected total_length to be at least the length of the longest sequence ...
    >>> pad_packed_sequence(output, total_length=x.size(0))[0].shape
    torch.Size([7, 3, 5])
    """
    x, out, axis = cfg.input(), _output(cfg), cfg.time_axis
    short = max(_lengths(cfg)) - 1
    ck.says(lambda: pad_packed_sequence(out, total_length=short), f"total_length={short}")
    padded, _ = ck.fixed(
        lambda: pad_packed_sequence(out, batch_first=cfg.batch_first, total_length=x.size(axis)),
        "total_length = the input's steps",
    )
    ck.true(padded.size(axis) == x.size(axis), f"{padded.size(axis)} steps")


@claim("pad-packed-batch-first-is-its-own", "equal", PACKED & BATCH_FIRST)
def pad_packed_batch_first(cfg: Config, ck: Checker) -> None:
    """``pad_packed_sequence`` does not take its layout from the packed batch: its own
    ``batch_first`` defaults to ``False``, so a batch packed with ``batch_first=True`` comes
    back time-major, ``(L, N, D * H_out)``, without any error; passing ``batch_first=True``
    to ``pad_packed_sequence`` too gives ``(N, L, D * H_out)``, the same numbers transposed.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> gru = torch.nn.GRU(4, 5, batch_first=True)
    >>> x = torch.randn(3, 7, 4)  # N=3, L=7
    >>> packed = pack_padded_sequence(x, [4, 7, 1], batch_first=True, enforce_sorted=False)
    >>> output, h_n = gru(packed)
    >>> pad_packed_sequence(output)[0].shape  # time first
    torch.Size([7, 3, 5])
    >>> pad_packed_sequence(output, batch_first=True)[0].shape
    torch.Size([3, 7, 5])
    """
    out, longest = _output(cfg), max(_lengths(cfg))
    wrong, _ = pad_packed_sequence(out)
    right, _ = pad_packed_sequence(out, batch_first=cfg.batch_first)
    ck.true(wrong.shape[:2] == (longest, cfg.batch), f"default layout {tuple(wrong.shape)}")
    if longest > 1 or cfg.batch > 1:  # a 1 x 1 batch reads the same either way
        ck.differ(wrong, right, "the default vs batch_first=True")
    ck.equal(wrong.transpose(0, 1), right, "the same numbers, transposed")


@claim("pad-packed-zero-padding-in-max-pool", "equal", NOT_RELU & UNEVEN)
def zero_padding_max_pool(cfg: Config, ck: Checker) -> None:
    """the 0 that ``pad_packed_sequence`` pads with by default takes part in a max (or min)
    over time: for a sequence shorter than the longest, a feature that is negative at every
    valid step comes out of a max as 0 instead of its largest value (one positive at every
    valid step, out of a min), and nothing says so; with ``padding_value=float('-inf')``
    (``float('inf')`` for a min) it is the max (min) over the valid steps, exactly.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5)
    >>> x = torch.randn(7, 3, 4)  # L=7, N=3
    >>> output, h_n = gru(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> padded, lengths = pad_packed_sequence(output)
    >>> right = padded[:1, 2].max(dim=0).values  # sequence 2 has 1 valid step
    >>> torch.equal(padded.max(dim=0).values[2], right)
    False
    >>> padded, lengths = pad_packed_sequence(output, padding_value=float("-inf"))
    >>> torch.equal(padded.max(dim=0).values[2], right)
    True
    """
    m, packed, lengths = cfg.module(), _packed(cfg), _lengths(cfg)
    short = [b for b, n in enumerate(lengths) if n < max(lengths)]
    wrongs, rights = [], []
    for hx in (None, cfg.initial_state()):  # two outputs, for more features to show it
        out = run(m, packed, hx).output
        zeros, _ = pad_packed_sequence(out)
        for pool, fill in [(torch.amax, float("-inf")), (torch.amin, float("inf"))]:
            right = torch.stack([pool(zeros[:n, b], dim=0) for b, n in enumerate(lengths)])
            wrong = pool(zeros, dim=0)[short]
            clipped = right[short].clamp(min=0) if fill < 0 else right[short].clamp(max=0)
            ck.equal(wrong, clipped, f"{pool.__name__} with 0 padding: 0 takes part")
            filled, _ = pad_packed_sequence(out, padding_value=fill)
            ck.equal(pool(filled, dim=0), right, f"{pool.__name__} with {fill} padding")
            wrongs.append(pool(zeros, dim=0))
            rights.append(right)
    # the trap shows wherever a short sequence has a one-signed feature: with several features
    # and two outputs there always is one on the walk; a single feature (proj_size=1) may
    # change sign within a sequence, and then the 0 changes nothing (hypothesis found one)
    if cfg.h_out > 1:
        ck.differ(torch.cat(wrongs), torch.cat(rights), "max and min over time with 0 padding")


@claim("pad-unpacked-h-n-after-padding", "close", SOME_PADDING)
def unpacked_h_n(cfg: Config, ck: Checker) -> None:
    """fed to the module without packing, the padded batch runs every sequence on through its
    padding, so the forward direction's ``h_n`` of a sequence shorter than the batch is its
    state after the padding, not after its own last step, and nothing says so; packing it
    with ``pack_padded_sequence(x, lengths, enforce_sorted=False)`` gives each sequence the
    ``h_n`` it gets when run alone.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)
    >>> x[4:, 0] = 0  # sequence 0 is 4 steps long, then zero padding
    >>> _, (h_alone, _) = lstm(x[:4, 0])  # sequence 0 alone, its 4 steps
    >>> _, (h_n, c_n) = lstm(x)
    >>> torch.allclose(h_n[:, 0], h_alone)
    False
    >>> _, (h_n, c_n) = lstm(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> torch.allclose(h_n[:, 0], h_alone)
    True
    """
    m, x, lengths = cfg.module(), cfg.input(), _lengths(cfg)
    unpacked = run(m, x).h_n
    packed = run(m, pack_padded_sequence(x, lengths, cfg.batch_first, enforce_sorted=False)).h_n
    forward = slice(0, None, cfg.num_directions)  # the forward direction's rows
    for b, n in enumerate(lengths):
        through = run(m, _alone(cfg, x, b, cfg.seq_len)).h_n[:, 0]  # all L steps, padding too
        ck.close(unpacked[:, b], through, f"sequence {b}: unpacked h_n vs all steps run alone")
        alone = run(m, _alone(cfg, x, b, n)).h_n[:, 0]
        if n < cfg.seq_len:
            ck.differ(unpacked[forward, b], alone[forward], f"sequence {b}: unpacked h_n")
        ck.close(packed[:, b], alone, f"sequence {b}: packed h_n vs run alone")
    ck.differ(unpacked[forward], packed[forward], "the batch's h_n, unpacked vs packed")


@claim(
    "pad-unpacked-bidirectional-output-differs",
    "close",
    BIDIRECTIONAL & BIASED & SOME_PADDING,
)
def unpacked_bidirectional(cfg: Config, ck: Checker) -> None:
    """fed without packing, the backward direction starts on the padding, not at each
    sequence's last step, so even ``output`` at the valid steps of a sequence shorter than the
    batch differs from what packing gives, and nothing says so; packed, each sequence's
    ``output`` at its valid steps is what it gets when run alone.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, bidirectional=True)
    >>> x = torch.randn(7, 3, 4)
    >>> x[4:, 0] = 0  # sequence 0 is 4 steps long, then zero padding
    >>> alone, _ = gru(x[:4, 0])  # sequence 0 alone: (4, 2 * 5)
    >>> output, h_n = gru(x)
    >>> torch.allclose(output[:4, 0], alone)
    False
    >>> output, h_n = gru(pack_padded_sequence(x, [4, 7, 1], enforce_sorted=False))
    >>> torch.allclose(pad_packed_sequence(output)[0][:4, 0], alone)
    True
    """
    m, x, lengths = cfg.module(), cfg.input(), _lengths(cfg)
    unpacked = run(m, x).steps
    packed = run(m, pack_padded_sequence(x, lengths, cfg.batch_first, enforce_sorted=False)).steps
    assert unpacked is not None and packed is not None
    for b, n in enumerate(lengths):
        alone = run(m, _alone(cfg, x, b, n)).steps
        assert alone is not None
        if n < cfg.seq_len:
            ck.differ(unpacked[:n, b], alone[:, 0], f"sequence {b}: unpacked output, valid steps")
        ck.close(packed[:n, b], alone[:, 0], f"sequence {b}: packed output vs run alone")
    valid = torch.cat([unpacked[:n, b] for b, n in enumerate(lengths)])
    ck.differ(valid, torch.cat([packed[:n, b] for b, n in enumerate(lengths)]), "the batch")


@claim(
    "unpad-batch-first-must-match",
    "structure",
    STEPS_NOT_BATCH,
    message=(ValueError, r"^zip\(\) argument 2 is (shorter|longer) than argument 1$"),
)
def unpad_batch_first(cfg: Config, ck: Checker) -> None:
    """``unpad_sequence`` given a ``batch_first`` that does not match the padded tensor's
    layout splits it along the time axis instead of the batch axis, and fails with a
    ``ValueError`` from ``zip``, the steps and the lengths not being as many; with the padded
    tensor's own ``batch_first``, or with ``unpack_sequence(output)`` on the
    ``PackedSequence``, each sequence comes back alone, at its own length.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, unpad_sequence
    >>> gru = torch.nn.GRU(4, 5, batch_first=True)
    >>> x = torch.randn(3, 7, 4)  # N=3, L=7
    >>> packed = pack_padded_sequence(x, [4, 7, 1], batch_first=True, enforce_sorted=False)
    >>> output, h_n = gru(packed)
    >>> padded, lengths = pad_packed_sequence(output, batch_first=True)
    >>> unpad_sequence(padded.clone(), lengths)  # batch_first=False, the default
    Traceback (most recent call last):
    ...
    ValueError: zip() argument 2 is shorter than argument 1
    >>> [seq.shape for seq in unpad_sequence(padded, lengths, batch_first=True)]
    [torch.Size([4, 5]), torch.Size([7, 5]), torch.Size([1, 5])]
    """
    out, lengths = _output(cfg), _lengths(cfg)
    time_major, found = pad_packed_sequence(out)
    padded = pad_packed_sequence(out, batch_first=cfg.batch_first)[0]
    wrong = not cfg.batch_first
    ck.says(lambda: unpad_sequence(padded.clone(), found, batch_first=wrong), "other batch_first")
    for how, call in [
        (
            "the padded tensor's batch_first",
            lambda: unpad_sequence(padded.clone(), found, cfg.batch_first),
        ),
        ("unpack_sequence", lambda: unpack_sequence(out)),
    ]:
        seqs = ck.fixed(call, how)
        ck.true(len(seqs) == cfg.batch, f"{how}: {len(seqs)} sequences")
        for b, n in enumerate(lengths):
            ck.equal(seqs[b], time_major[:n, b], f"{how}: sequence {b}, its {n} steps")
