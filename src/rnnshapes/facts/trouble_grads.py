"""Troubleshooting: gradients across chunks and batches. What torch says, and the fix."""

from __future__ import annotations

import functools
from typing import Any

import torch
from torch import nn

from ..configs import Config, Returned, run
from ..registry import Checker, claim
from ..scope import LSTM, NOT_RELU, UNPACKED

State = Any  # h_n, or LSTM's (h_n, c_n)


def _state(r: Returned) -> State:
    """What the next call takes as ``hx``: ``h_n``, or LSTM's ``(h_n, c_n)``."""
    return r.h_n if r.c_n is None else (r.h_n, r.c_n)


def _detach(state: State) -> State:
    """``state.detach()``, or each of LSTM's pair detached."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def _batches(cfg: Config) -> tuple[Any, Any]:
    """Two batches of ``cfg``'s form and sizes, of different numbers."""
    return cfg.module_input(), cfg.with_(seed=cfg.seed + 1000).module_input()


def _loss(r: Returned) -> torch.Tensor:
    """A loss on every number of ``output``."""
    return r.data.square().sum()


def _grads(m: nn.Module) -> torch.Tensor:
    """Every weight's accumulated gradient, flattened into one vector (zeros where unset)."""
    return torch.cat(
        [(p.grad if p.grad is not None else torch.zeros_like(p)).flatten() for p in m.parameters()]
    )


def _backward(loss: torch.Tensor, retain: bool = False) -> None:
    """``loss.backward(retain_graph=retain)``."""
    torch.autograd.backward(loss, retain_graph=retain)


@claim(
    "carried-state-backward-twice",
    "structure",
    message=(RuntimeError, r"^Trying to backward through the graph a second time"),
)
def backward_twice(cfg: Config, ck: Checker) -> None:
    """carrying the state from one batch into the next (``output, h = rnn(x, h)`` in a loop)
    and calling ``backward()`` on each batch's loss fails at the second batch with a
    ``RuntimeError``: the second batch's graph runs through ``h`` into the first batch's graph,
    which the first ``backward()`` freed; ``h = h.detach()`` (and ``c``'s) between batches
    makes it run: the next batch starts from the same values, and its gradients stop at the
    boundary instead of reaching the previous batch's computation.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5)
    >>> batches, h = torch.randn(2, 7, 3, 4), None  # two batches, each (L, N, H_in)
    >>> for x in batches:  # doctest: +ELLIPSIS
    ...     output, h = gru(x, h)
    ...     output.square().sum().backward()
    Traceback (most recent call last):
    ...
    RuntimeError: Trying to backward through the graph a second time (or directly access ...
    >>> h = None
    >>> for x in batches:
    ...     output, h = gru(x, h)
    ...     output.square().sum().backward()
    ...     h = h.detach()  # cut the graph at the boundary
    >>> h.requires_grad
    False
    """
    m = cfg.module()
    x1, x2 = _batches(cfg)

    def carried(detach: bool) -> tuple[Returned, Returned]:
        first = run(m, x1)
        _backward(_loss(first))
        state = _state(first)
        second = run(m, x2, _detach(state) if detach else state)
        _backward(_loss(second))
        return first, second

    ck.says(lambda: carried(detach=False), "backward on the second batch, state carried")
    first, second = ck.fixed(lambda: carried(detach=True), "state detached between batches")
    # the next batch starts from the same values: its output is the carried run's
    carried_run = run(m, x2, _state(first))
    ck.equal(second.data, carried_run.data, "the second batch's output, detached vs carried")
    # its gradients do not reach the first batch's computation
    reach = torch.autograd.grad(_loss(second), [first.h_n], allow_unused=True)[0]
    ck.true(reach is None, "the second batch's loss does not reach the first batch's h_n")
    reach = torch.autograd.grad(_loss(carried_run), [first.h_n], allow_unused=True)[0]
    ck.true(reach is not None, "without detach it does")


@claim("retain-graph-is-not-detach", "equal", NOT_RELU)
def retain_graph(cfg: Config, ck: Checker) -> None:
    """calling ``backward(retain_graph=True)`` on each batch's loss, with the state carried
    into the next batch undetached, runs but trains differently from detaching it: the second
    batch's loss also sends gradients back through the first batch's steps, so the weights'
    gradients after the second batch differ from those of ``h = h.detach()`` between batches,
    which are bit-equal to the sum of each batch's own gradients (the second's computed from a
    state that is a plain tensor); the forward values are bit-equal either way.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(4, 5)
    >>> batches = torch.randn(2, 7, 3, 4)  # two batches, each (L, N, H_in)
    >>> def train(detach):
    ...     gru.zero_grad()
    ...     h = None
    ...     for x in batches:
    ...         output, h = gru(x, h)
    ...         output.square().sum().backward(retain_graph=not detach)
    ...         h = h.detach() if detach else h
    ...     return gru.weight_hh_l0.grad.clone(), output
    >>> (g_retained, out_retained), (g_detached, out_detached) = train(False), train(True)
    >>> torch.allclose(g_retained, g_detached), torch.equal(out_retained, out_detached)
    (False, True)
    """
    m = cfg.module()
    x1, x2 = _batches(cfg)

    def train(detach: bool) -> tuple[torch.Tensor, Returned]:
        m.zero_grad()
        first = run(m, x1)
        _backward(_loss(first), retain=not detach)
        state = _state(first)
        second = run(m, x2, _detach(state) if detach else state)
        _backward(_loss(second), retain=not detach)
        return _grads(m), second

    retained, out_retained = train(detach=False)
    detached, out_detached = train(detach=True)
    ck.differ(retained, detached, "weights' gradients, retain_graph vs detach")
    ck.equal(out_retained.data, out_detached.data, "the second batch's output")
    ck.equal(out_retained.h_n, out_detached.h_n, "the second batch's h_n")
    # each batch's own gradients: the first's, and the second's from a plain-tensor state
    m.zero_grad()
    first = run(m, x1)
    _backward(_loss(first))
    own_first = _grads(m)
    m.zero_grad()
    plain = _state(first)
    plain = _detach(plain)  # values only: a tensor no graph leads to
    _backward(_loss(run(m, x2, plain)))
    own_second = _grads(m)
    ck.same(detached, own_first + own_second, "detached gradients vs the sum of each batch's")


def _copy_into(buffer: State, state: State, setitem: bool) -> None:
    """``buffer.copy_(state)``, or ``buffer[:] = state`` (each of LSTM's pair), without
    gradients: the buffer update."""
    pairs = zip(buffer, state, strict=True) if isinstance(buffer, tuple) else [(buffer, state)]
    with torch.no_grad():
        for b, s in pairs:
            if setitem:
                b[:] = s
            else:
                b.copy_(s)


@claim(
    "state-buffer-updated-in-place",
    "structure",
    UNPACKED,
    message=(
        RuntimeError,
        r"^one of the variables needed for gradient computation has been modified by an inplace"
        r" operation",
    ),
)
def buffer_in_place(cfg: Config, ck: Checker) -> None:
    """a state kept in one tensor and updated in place after each call
    (``h.copy_(h_n)``, ``h[:] = h_n``) makes the following ``backward()`` fail with a
    ``RuntimeError`` about a variable modified by an inplace operation: the call saved the
    ``h`` it was given for the backward pass, and the copy changed it; rebinding the name
    instead, ``h = h_n.detach()``, runs, and the next call starts from the same values.

    >>> import torch
    >>> gru = torch.nn.GRU(4, 5)
    >>> x, h = torch.randn(7, 3, 4), torch.zeros(1, 3, 5)  # h: the state, kept between calls
    >>> output, h_n = gru(x, h)
    >>> with torch.no_grad():
    ...     _ = h.copy_(h_n)  # the state for the next call
    >>> output.sum().backward()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    RuntimeError: one of the variables needed for gradient computation has been modified by ...
    >>> h = torch.zeros(1, 3, 5)
    >>> output, h_n = gru(x, h)
    >>> h = h_n.detach()  # a new tensor for the name; the one the call saved is untouched
    >>> output.sum().backward()
    """
    m, x = cfg.module(), cfg.module_input()

    def buffer() -> State:
        s = cfg.initial_state()
        return tuple(t.clone() for t in s) if isinstance(s, tuple) else s.clone()

    def copied(setitem: bool) -> None:
        h = buffer()
        r = run(m, x, h)
        _copy_into(h, _state(r), setitem)
        _backward(_loss(r))

    def rebound() -> State:
        h = buffer()
        r = run(m, x, h)
        h = _detach(_state(r))
        _backward(_loss(r))
        return h

    ck.says(lambda: copied(setitem=False), "the state buffer updated with copy_")
    ck.says(lambda: copied(setitem=True), "the state buffer updated with h[:] = h_n")
    h = ck.fixed(rebound, "the name rebound to h_n.detach()")
    r = run(m, x, buffer())
    ck.equal(h[0] if isinstance(h, tuple) else h, r.h_n, "the next call's state: h_n's values")


#: The tensor methods that code written for one state tensor calls on the state it carries.
TENSOR_METHODS = ("detach", "to", "cuda", "contiguous")

#: The same methods applied to each tensor of the pair (``to`` to where the tensor already is,
#: ``cuda`` only where there is a GPU, so it is not among them).
EACH: dict[str, Any] = {
    "detach": torch.Tensor.detach,
    "to": lambda s: s.to(s.device),
    "contiguous": torch.Tensor.contiguous,
}


def _call_method(state: Any, name: str) -> Any:
    """``state.<name>()``, as code written for a tensor calls it."""
    return getattr(state, name)()


def _each(state: tuple[torch.Tensor, ...], method: Any) -> tuple[torch.Tensor, ...]:
    """``tuple(method(s) for s in state)``."""
    return tuple(method(s) for s in state)


@claim(
    "lstm-state-methods-need-each-tensor",
    "structure",
    LSTM,
    message=(AttributeError, r"^'tuple' object has no attribute '(?:detach|to|cuda|contiguous)'$"),
)
def lstm_state_methods(cfg: Config, ck: Checker) -> None:
    """its state is the tuple ``(h_n, c_n)``, so a tensor method that code written for an RNN's or
    GRU's ``h_n`` calls on the state it carries (``state.detach()``, ``state.to(device)``,
    ``state.cuda()``, ``state.contiguous()``) raises ``AttributeError: 'tuple' object has no
    attribute ...``; applied to each tensor, ``tuple(s.detach() for s in state)`` (or
    ``s.to(device)``, ``s.contiguous()``), it gives ``h_n`` and ``c_n`` with the same values
    (detached: with no graph behind them), which the module takes as the next initial state.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> lstm = torch.nn.LSTM(4, 5)
    >>> x = torch.randn(7, 3, 4)  # (L, N, H_in)
    >>> output, state = lstm(x)
    >>> state.detach()
    Traceback (most recent call last):
    ...
    AttributeError: 'tuple' object has no attribute 'detach'
    >>> state = tuple(s.detach() for s in state)
    >>> [s.requires_grad for s in state]
    [False, False]
    >>> output, state = lstm(x, state)  # the next chunk starts from it
    """
    m, x = cfg.module(), cfg.module_input()
    _, state = m(x)
    ck.true(isinstance(state, tuple) and len(state) == 2, "the state is a pair")
    for name in TENSOR_METHODS:
        ck.says(functools.partial(_call_method, state, name), f"state.{name}()")
    for name, method in EACH.items():
        each = ck.fixed(functools.partial(_each, state, method), f"each tensor's {name}()")
        for s, e, what in zip(state, each, ("h_n", "c_n"), strict=True):
            ck.equal(e, s, f"{what}.{name}() vs {what}")
        if name == "detach":
            ck.true(all(e.grad_fn is None for e in each), "no graph behind the detached pair")
            ck.true(all(s.grad_fn is not None for s in state), "a graph behind the pair itself")
            ck.fixed(functools.partial(m, x, each), "the detached pair as the next initial state")
