"""Troubleshooting: packing a batch and its lengths. What torch says, and the fix."""

from __future__ import annotations

from functools import partial

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pack_sequence, unpack_sequence

from ..configs import Config, run
from ..registry import Checker, claim
from ..scope import BATCH_FIRST, PACKED, SEVERAL_STEPS, Condition

#: The configurations whose lengths are not sorted longest first (``(4, 7, 1)``, say).
OUT_OF_ORDER = Condition(
    "lengths out of order",
    lambda c: c.lengths is not None and list(c.lengths) != sorted(c.lengths, reverse=True),
    clause="with a packed batch whose lengths are not sorted longest first",
)
#: The configurations whose padded batch has a number of steps other than its number of sequences.
STEPS_NOT_BATCH = Condition(
    "steps other than sequences",
    lambda c: c.seq_len != c.batch,
    clause="where the number of steps differs from the number of sequences",
)


def _pack(cfg: Config, x: torch.Tensor, lengths: object, **kwargs: object) -> object:
    """``pack_padded_sequence`` of ``x`` in the config's layout; ``kwargs`` override."""
    options: dict[str, object] = dict(
        batch_first=cfg.batch_first, enforce_sorted=cfg.enforce_sorted
    )
    options.update(kwargs)
    return pack_padded_sequence(x, lengths, **options)  # type: ignore[arg-type]


@claim(
    "unsorted-lengths-need-enforce-sorted-false",
    "structure",
    OUT_OF_ORDER,
    message=(RuntimeError, r"`lengths` array must be sorted in decreasing order"),
)
def unsorted_lengths(cfg: Config, ck: Checker) -> None:
    """``pack_padded_sequence`` with its default ``enforce_sorted=True`` refuses them with a
    ``RuntimeError``; ``enforce_sorted=False`` packs them, and ``h_n`` comes back with its rows
    in the batch's own order (as if the batch had been sorted first and the sort undone).

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> x, lengths = torch.randn(7, 3, 4), torch.tensor([4, 7, 1])
    >>> pack_padded_sequence(x, lengths)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: `lengths` array must be sorted in decreasing order when `enforce_sorted` is ...
    >>> gru = torch.nn.GRU(4, 5)
    >>> _, h_n = gru(pack_padded_sequence(x, lengths, enforce_sorted=False))
    >>> order = lengths.argsort(descending=True)
    >>> _, h_sorted = gru(pack_padded_sequence(x[:, order], lengths[order]))
    >>> torch.equal(h_n[:, order], h_sorted)
    True
    """
    m, x, lengths = cfg.module(), cfg.input(), list(cfg.lengths or ())
    ck.says(lambda: _pack(cfg, x, lengths, enforce_sorted=True), "unsorted lengths")
    packed = ck.fixed(lambda: _pack(cfg, x, lengths, enforce_sorted=False), "enforce_sorted=False")
    r = run(m, packed)
    order = torch.tensor(lengths).argsort(descending=True, stable=True)
    xs = x.index_select(0 if cfg.batch_first else 1, order)
    s = run(m, _pack(cfg, xs, [lengths[i] for i in order.tolist()], enforce_sorted=True))
    ck.equal(r.h_n[:, order], s.h_n, "h_n rows vs the presorted batch's")
    ck.true(r.h_n.shape[1] == cfg.batch, "one h_n row per sequence")


@claim(
    "pack-sequence-needs-longest-first",
    "structure",
    OUT_OF_ORDER,
    message=(RuntimeError, r"`lengths` array must be sorted in decreasing order"),
)
def pack_sequence_unsorted(cfg: Config, ck: Checker) -> None:
    """``pack_sequence`` of the list of those sequences (each a tensor ``(length, H_in)``) in
    that order refuses it with the same ``RuntimeError`` as ``pack_padded_sequence``;
    ``pack_sequence(seqs, enforce_sorted=False)`` packs it, and ``h_n`` has the list's order.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> seqs = [torch.randn(4, 4), torch.randn(7, 4), torch.randn(1, 4)]
    >>> pack_sequence(seqs)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: `lengths` array must be sorted in decreasing order when `enforce_sorted` is ...
    >>> gru = torch.nn.GRU(4, 5)
    >>> output, h_n = gru(pack_sequence(seqs, enforce_sorted=False))
    >>> [len(out) for out in unpack_sequence(output)]  # the list's order
    [4, 7, 1]
    """
    m, x, lengths = cfg.module(), cfg.time_major(cfg.input()), list(cfg.lengths or ())
    seqs = [x[:n, b] for b, n in enumerate(lengths)]
    ck.says(lambda: pack_sequence(seqs), "a list not sorted longest first")
    packed = ck.fixed(lambda: pack_sequence(seqs, enforce_sorted=False), "enforce_sorted=False")
    r = run(m, packed)
    ck.equal(r.h_n, run(m, cfg.module_input()).h_n, "h_n vs the padded batch packed unsorted")
    out = unpack_sequence(r.output)
    ck.true([len(s) for s in out] == lengths, "the unpacked outputs come in the list's order")


@claim(
    "zero-length-is-refused",
    "structure",
    PACKED,
    message=(RuntimeError, r"Length of all samples has to be greater than 0"),
)
def zero_length(cfg: Config, ck: Checker) -> None:
    """a sequence of length 0 is refused by ``pack_padded_sequence`` with a ``RuntimeError``,
    sorted or not; dropping the empty sequences from the batch (and their lengths) makes it
    pack, and so does giving them length 1 and masking their rows of ``h_n`` afterwards.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> x, lengths = torch.randn(7, 3, 4), torch.tensor([7, 4, 0])
    >>> pack_padded_sequence(x, lengths)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: Length of all samples has to be greater than 0, but found an element in ...
    >>> keep = lengths > 0
    >>> _, h_n = torch.nn.GRU(4, 5)(pack_padded_sequence(x[:, keep], lengths[keep]))
    >>> h_n.shape
    torch.Size([1, 2, 5])
    """
    m, x = cfg.module(), cfg.input()
    lengths = torch.tensor(cfg.lengths or ())
    lengths[-1] = 0  # the last (shortest, where sorted) sequence is empty
    ck.says(lambda: _pack(cfg, x, lengths), "a zero length")
    ck.says(lambda: _pack(cfg, x, lengths, enforce_sorted=False), "a zero length, unsorted")
    keep = lengths > 0
    axis = 0 if cfg.batch_first else 1
    if keep.any():
        kept = x.index_select(axis, keep.nonzero().flatten())
        packed = ck.fixed(lambda: _pack(cfg, kept, lengths[keep]), "empty sequences dropped")
        ck.true(run(m, packed).h_n.shape[1] == int(keep.sum()), "one h_n row per kept sequence")
    packed = ck.fixed(lambda: _pack(cfg, x, lengths.clamp(min=1)), "empty sequences given 1")
    h = run(m, packed).h_n * keep.to(x.dtype)[:, None]
    ck.true(not h[:, ~keep].any(), "the masked rows are zero")


@claim(
    "lengths-longer-than-input-fail-in-module",
    "structure",
    PACKED,
    message=(
        RuntimeError,
        r"start \(\d+\) \+ length \(\d+\) exceeds dimension size \(\d+\)"
        r"|shape '\[\d+, \d+, \d+\]' is invalid for input of size \d+",
    ),
)
def lengths_too_long(cfg: Config, ck: Checker) -> None:
    """a length greater than the padded input's number of steps is not refused by
    ``pack_padded_sequence``; the module then fails on the packed batch with a
    ``RuntimeError`` that names no argument (``start (12) + length (1) exceeds dimension
    size (12)``, or for an LSTM with a batch of one ``shape '[2, 1, 4]' is invalid``); lengths
    of at most the padded input's steps, checked with an ``assert`` before packing, make it run.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> x = torch.randn(7, 3, 4)
    >>> packed = pack_padded_sequence(x, [9, 4, 1])  # no error
    >>> torch.nn.GRU(4, 5)(packed)
    Traceback (most recent call last):
    ...
    RuntimeError: start (12) + length (1) exceeds dimension size (12).
    """
    m, x, lengths = cfg.module(), cfg.input(), list(cfg.lengths or ())
    steps = x.shape[cfg.time_axis]
    for extra in (1, 2):
        long = list(lengths)
        long[long.index(max(long))] = steps + extra  # the longest grows: still sorted
        packed = ck.fixed(partial(_pack, cfg, x, long), "packing lengths past the input")
        ck.says(partial(m, packed), f"a length {extra} past the padded input")
        ck.true(max(long) > steps, "an assert max(lengths) <= steps catches it")
    ck.true(max(lengths) <= steps, "the right lengths pass the assert")
    ck.fixed(lambda: m(_pack(cfg, x, lengths)), "lengths within the padded input")


@claim(
    "batch-first-packed-as-time-first",
    "structure",
    PACKED & BATCH_FIRST & STEPS_NOT_BATCH,
    message=(
        RuntimeError,
        r"Expected `len\(lengths\)` to be equal to batch_size, but got \d+ \(batch_size=\d+\)",
    ),
)
def batch_first_count(cfg: Config, ck: Checker) -> None:
    """a batch-first padded tensor ``(N, L, H_in)`` packed without ``batch_first=True`` is
    read as ``(L, N, H_in)``: with the default ``enforce_sorted=True``, ``pack_padded_sequence``
    refuses its ``N`` lengths with a ``RuntimeError`` that names ``L`` as the batch size;
    passing ``batch_first=True`` to ``pack_padded_sequence`` (as to the module) makes it pack.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> x = torch.randn(3, 7, 4)  # (N, L, H_in)
    >>> pack_padded_sequence(x, [7, 4, 1])
    Traceback (most recent call last):
    ...
    RuntimeError: Expected `len(lengths)` to be equal to batch_size, but got 3 (batch_size=7)
    >>> pack_padded_sequence(x, [7, 4, 1], batch_first=True).batch_sizes
    tensor([3, 2, 2, 2, 1, 1, 1])
    """
    m, x, lengths = cfg.module(), cfg.input(), list(cfg.lengths or ())
    ck.says(lambda: pack_padded_sequence(x, lengths), "batch-first tensor packed time-first")
    packed = ck.fixed(lambda: _pack(cfg, x, lengths, batch_first=True), "batch_first=True")
    ck.true(int(packed.batch_sizes[0]) == cfg.batch, "the first step holds every sequence")
    ck.true(run(m, packed).h_n.shape[1] == cfg.batch, "one h_n row per sequence")


@claim("square-batch-first-packed-as-time-first", "equal", SEVERAL_STEPS)
def batch_first_square(cfg: Config, ck: Checker) -> None:
    """a batch-first padded tensor that holds as many sequences as steps (``N == L``),
    packed without ``batch_first=True``, raises nothing, but each sequence is read from the
    other sequences' steps and ``h_n`` is wrong; ``batch_first=True`` in
    ``pack_padded_sequence`` gives the same ``h_n`` as the sequences packed one by one.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5, batch_first=True)
    >>> x, lengths = torch.randn(3, 3, 4), [3, 2, 1]  # (N, L, H_in), N == L
    >>> _, wrong = gru(pack_padded_sequence(x, lengths))  # no error
    >>> _, right = gru(pack_padded_sequence(x, lengths, batch_first=True))
    >>> torch.equal(wrong, right)
    False
    """
    square = cfg.with_(batch=cfg.seq_len, lengths=None, enforce_sorted=False, batched=True)
    square = square.with_(batch_first=True)  # the padded tensor is batch-first, N == L
    m, x = cfg.module(), square.input()
    lengths = list(range(cfg.seq_len, 0, -1))  # L, L - 1, ..., 1: N == L of them
    wrong = run(m, pack_padded_sequence(x, lengths)).h_n
    right = run(m, pack_padded_sequence(x, lengths, batch_first=True)).h_n
    ck.differ(wrong, right, "h_n of the batch packed time-first vs batch-first")
    seqs = [x[b, :n] for b, n in enumerate(lengths)]
    ck.equal(right, run(m, pack_sequence(seqs)).h_n, "h_n vs the sequences packed one by one")


@claim(
    "lengths-must-be-1d",
    "structure",
    PACKED,
    message=(RuntimeError, r"'lengths' argument should be a 1D CPU int64 tensor, but got 2D"),
)
def lengths_2d(cfg: Config, ck: Checker) -> None:
    """lengths given as a 2-D tensor (a column ``(N, 1)`` from stacking one-element tensors,
    or a row ``(1, N)``) are refused by ``pack_padded_sequence`` with its default
    ``enforce_sorted=True`` with a ``RuntimeError`` asking for a 1D tensor; flattening them
    (``lengths.flatten()``) makes it pack.

    >>> import torch
    >>> from torch.nn.utils.rnn import pack_padded_sequence
    >>> x = torch.randn(7, 3, 4)
    >>> lengths = torch.stack([torch.tensor([7]), torch.tensor([4]), torch.tensor([1])])
    >>> lengths.shape
    torch.Size([3, 1])
    >>> pack_padded_sequence(x, lengths)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: 'lengths' argument should be a 1D CPU int64 tensor, but got 2D cpu Long tensor
    >>> pack_padded_sequence(x, lengths.flatten()).batch_sizes
    tensor([3, 2, 2, 2, 1, 1, 1])
    """
    m, x = cfg.module(), cfg.input()
    lengths = torch.tensor(cfg.lengths or ())
    for shape in ((-1, 1), (1, -1)):
        two_d = lengths.reshape(shape)
        refused = partial(_pack, cfg, x, two_d, enforce_sorted=True)
        ck.says(refused, f"lengths {tuple(two_d.shape)}")
        packed = ck.fixed(partial(_pack, cfg, x, two_d.flatten()), "flattened lengths")
        ck.equal(run(m, packed).h_n, run(m, cfg.module_input()).h_n, "h_n vs 1-D lengths")
