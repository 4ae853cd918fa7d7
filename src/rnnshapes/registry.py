"""Claims: a stable id, a scope, a one-sentence statement, a doctest, and a check that can fail.

A claim is a function decorated with :func:`claim`. Its docstring's first paragraph is the
sentence; the rest demonstrates it as a doctest on one concrete module. Its
:class:`~rnnshapes.scope.Scope` says where it holds: the claim's statement is the scope's words
followed by the sentence, and its check runs on exactly the configurations the scope admits. The
function itself is the check: given a :class:`~rnnshapes.configs.Config` and a
:class:`Checker`, it builds that module, runs it and compares. ``rnnshapes.verify`` runs every
check on many configurations.

How a check compares says how exact the claim is:

- ``equal``: bit for bit (``torch.equal``), the same numbers reached the same way;
- ``close``: ``torch.testing.assert_close``, two computations that may round differently; the
  checker also records whether they were bit-equal anyway, so ``verify`` reports it;
- ``structure``: shapes, types and behaviour; no numbers compared.

A claim about a message torch gives (an error or a warning a reader meets) names it: the
exception or warning class and a regular expression for the stable part of its text. The check
provokes it with :meth:`Checker.says`, which fails unless exactly that message comes:

>>> ck = Checker("structure", message=(ValueError, r"proj_size has to be smaller"))
>>> ck.says(lambda: torch.nn.LSTM(4, 5, proj_size=5), "proj_size = hidden_size")
'proj_size has to be smaller than hidden_size'
>>> ck.says(lambda: torch.nn.LSTM(4, 5, proj_size=3), "proj_size < hidden_size")
Traceback (most recent call last):
...
rnnshapes.registry.ClaimFailed: proj_size < hidden_size: no ValueError was raised

>>> ck = Checker()
>>> ck.equal(torch.ones(2), torch.ones(2), "ones")
>>> ck.equal(torch.ones(2), torch.zeros(2), "ones vs zeros")
Traceback (most recent call last):
...
rnnshapes.registry.ClaimFailed: ones vs zeros: not bit-equal (max |difference| 1)
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import torch

from .configs import Config
from .scope import EVERYWHERE, Condition, Scope

__all__ = [
    "Checker",
    "Claim",
    "ClaimFailed",
    "Message",
    "Outcome",
    "Registry",
    "claim",
    "claims",
]

Comparison = Literal["equal", "close", "structure"]
Check = Callable[[Config, "Checker"], None]
#: A message torch gives: the exception (or warning) class and a regular expression that the
#: stable part of its text matches (``re.search``).
Message = tuple[type[BaseException], str]


class ClaimFailed(AssertionError):
    """A claim's check found a configuration where the claim does not hold."""


#: ``torch.testing.assert_close``'s default ``(rtol, atol)`` by dtype, from its documentation.
_TOLERANCES = {
    torch.float16: (1e-3, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-5),
    torch.float32: (1.3e-6, 1e-5),
    torch.float64: (1e-7, 1e-7),
}


def _surely_close(a: object, b: object) -> bool:
    """Whether ``assert_close(a, b)`` would pass, decided without calling it where that is
    plain: two strided tensors of one shape, dtype and device, close by its default tolerances.

    In torch 2.13 the first ``assert_close`` of a process imports ``torch.distributed.tensor``
    to unwrap DTensors (added in pytorch/pytorch#176895), about 1.6 s on this project's CI
    machine: a third of ``verify``'s budget. Anything less plain, and every failure (for its
    message), still goes to ``assert_close``.
    """
    if type(a) is not torch.Tensor or type(b) is not torch.Tensor:
        return False  # not a plain tensor (a DTensor, say): assert_close's business
    same = a.shape == b.shape and a.dtype == b.dtype and a.device == b.device
    if not same or a.layout != torch.strided or b.layout != torch.strided:
        return False
    if a.dtype not in _TOLERANCES:
        return False
    rtol, atol = _TOLERANCES[a.dtype]
    return bool(torch.isclose(a, b, rtol=rtol, atol=atol).all())


def _max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.shape != b.shape:
        return float("inf")
    if a.numel() == 0:
        return 0.0
    return float((a.detach().double() - b.detach().double()).abs().max())


@dataclass
class Checker:
    """The comparisons a check makes; each raises :class:`ClaimFailed` when it does not hold.

    ``comparison`` is the claim's: :meth:`same` compares bit for bit under ``"equal"``, and with
    ``assert_close`` otherwise, so a claim's label and its check cannot disagree.
    """

    comparison: Comparison = "close"
    message: Message | None = None
    comparisons: int = 0
    bit_equal: bool = True
    max_diff: float = 0.0

    def equal(self, a: torch.Tensor, b: torch.Tensor, what: str) -> None:
        """``a`` and ``b`` are bit-for-bit equal (``torch.equal``)."""
        self.comparisons += 1
        if not torch.equal(a, b):
            raise ClaimFailed(f"{what}: not bit-equal (max |difference| {_max_diff(a, b):.3g})")

    def close(self, a: torch.Tensor, b: torch.Tensor, what: str) -> None:
        """``a`` and ``b`` are close (``assert_close``); record whether they were bit-equal."""
        self.comparisons += 1
        if not _surely_close(a, b):
            try:
                torch.testing.assert_close(a, b)
            except AssertionError as err:
                raise ClaimFailed(f"{what}: not close: {err}") from None
        if not torch.equal(a, b):
            self.bit_equal = False
            self.max_diff = max(self.max_diff, _max_diff(a, b))

    def same(self, a: torch.Tensor, b: torch.Tensor, what: str) -> None:
        """``a`` and ``b`` are the same numbers, as exactly as the claim says."""
        if self.comparison == "equal":
            self.equal(a, b, what)
        else:
            self.close(a, b, what)

    def differ(self, a: torch.Tensor, b: torch.Tensor, what: str) -> None:
        """``a`` and ``b`` are not even close.

        Two all-zero tensors pass: a ReLU unit that never fires is zero wherever it is read, so
        zero meeting zero says nothing about where a state went.
        """
        self.comparisons += 1
        if a.shape == b.shape and torch.allclose(a, b):
            if not (a.any() or b.any()):
                return
            raise ClaimFailed(f"{what}: expected different values, got close ones")

    def true(self, condition: bool, what: str) -> None:
        """``condition`` holds."""
        self.comparisons += 1
        if not condition:
            raise ClaimFailed(what)

    def says(self, call: Callable[[], Any], what: str) -> str:
        """``call()`` gives the claim's message, and returns its text.

        An exception class must be raised (a subclass will not do: readers catch what the page
        names); a warning class must be warned, at least once, with torch's warn-once warnings
        made to warn every time (``torch.set_warn_always``).
        """
        if self.message is None:
            raise TypeError("says() needs a claim registered with message=(class, pattern)")
        kind, pattern = self.message
        self.comparisons += 1
        if issubclass(kind, Warning):
            return self._warned(kind, pattern, call, what)
        try:
            call()
        except Exception as err:
            error: Exception = err
        else:
            raise ClaimFailed(f"{what}: no {kind.__name__} was raised")
        text = str(error)
        if type(error) is not kind:
            got = f"{type(error).__name__}: {text}"
            raise ClaimFailed(f"{what}: expected {kind.__name__}, got {got}")
        if not re.search(pattern, text):
            raise ClaimFailed(f"{what}: {kind.__name__} {text!r} does not match {pattern!r}")
        return text

    @staticmethod
    def _warned(kind: type[BaseException], pattern: str, call: Callable[[], Any], what: str) -> str:
        always = torch.is_warn_always_enabled()
        torch.set_warn_always(True)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                call()
        finally:
            torch.set_warn_always(always)
        texts = [str(w.message) for w in caught if w.category is kind]
        for text in texts:
            if re.search(pattern, text):
                return text
        got = "; ".join(f"{w.category.__name__}: {w.message}" for w in caught) or "none"
        raise ClaimFailed(f"{what}: no {kind.__name__} matching {pattern!r} (warnings: {got})")

    def fixed(self, call: Callable[[], Any], what: str) -> Any:
        """``call()`` (the fix) raises nothing and does not give the claim's message; return
        what it returned. Other warnings (torch's oneDNN note, say) are the reader's to see."""
        self.comparisons += 1
        always = torch.is_warn_always_enabled()
        torch.set_warn_always(True)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    result = call()
                except Exception as err:
                    raise ClaimFailed(f"{what}: {type(err).__name__}: {err}") from None
        finally:
            torch.set_warn_always(always)
        if self.message is not None:
            kind, pattern = self.message
            for w in caught:
                if w.category is kind and re.search(pattern, str(w.message)):
                    raise ClaimFailed(f"{what}: still warns {kind.__name__}: {w.message}")
        return result


@dataclass(frozen=True)
class Outcome:
    """One claim checked on one configuration."""

    config: Config
    comparisons: int
    bit_equal: bool
    max_diff: float


#: Words that say "bit for bit": only a claim compared with ``torch.equal`` may use them
#: ("exactly two rows" counts a thing; it says nothing of bits).
EXACT_WORDS = re.compile(
    r"bit-equal|bit for bit|to the last bit|identical|exactly(?! (?:one|two|three|\d))"
)


@dataclass(frozen=True)
class Claim:
    """A registered claim. ``function.__doc__`` holds the sentence and the doctest."""

    id: str
    sentence: str
    comparison: Comparison
    topic: str
    scope: Scope
    function: Check = field(repr=False)
    message: Message | None = None

    @property
    def statement(self) -> str:
        """The claim in words: its scope, then its sentence (``"For a unidirectional module,
        ..."``)."""
        where = str(self.scope)
        if not where:
            return self.sentence[:1].upper() + self.sentence[1:]
        return f"{where[:1].upper()}{where[1:]}, {self.sentence}"

    def applies(self, config: Config) -> bool:
        """Whether ``config`` lies in the claim's scope."""
        return self.scope(config)

    @property
    def qualname(self) -> str:
        """Where the claim's doctest lives, e.g. ``rnnshapes.facts.layers.output_last_step``."""
        return f"{self.function.__module__}.{self.function.__name__}"

    def check(self, config: Config) -> Outcome:
        """Check the claim on ``config``; raise :class:`ClaimFailed` or ``ValueError``.

        ``ValueError`` means the claim does not apply to ``config`` (see ``applies``).
        """
        if not self.applies(config):
            raise ValueError(f"claim {self.id!r} does not apply to {config}")
        ck = Checker(self.comparison, self.message)
        self.function(config, ck)
        if ck.comparisons == 0:
            raise ClaimFailed(f"claim {self.id!r} compared nothing on {config}")
        return Outcome(config, ck.comparisons, ck.bit_equal, ck.max_diff)


class Registry(Mapping[str, Claim]):
    """Every claim by id, in the order they were registered.

    >>> from rnnshapes import claims
    >>> claims["output-last-step-is-h-n"].comparison
    'equal'
    """

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def __getitem__(self, key: str) -> Claim:
        try:
            return self._claims[key]
        except KeyError:
            raise KeyError(f"no claim {key!r}; known ids: {', '.join(self._claims)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._claims)

    def __len__(self) -> int:
        return len(self._claims)

    def __repr__(self) -> str:
        return f"<Registry of {len(self)} claims>"

    def add(self, item: Claim) -> None:
        if item.id in self._claims:
            raise ValueError(f"claim id {item.id!r} is registered twice")
        self._claims[item.id] = item


claims = Registry()


def claim(
    id: str,
    comparison: Comparison,
    scope: Scope | Condition = EVERYWHERE,
    *,
    message: Message | None = None,
) -> Callable[[Check], Check]:
    """Register the decorated check as claim ``id``, holding within ``scope``; its docstring's
    first paragraph is the sentence (the scope's words go before it) and the rest must hold a
    doctest. A claim that torch gives a message names it as ``message`` (a ``Message``);
    it must be compared as ``structure``.

    A claim compared as ``close`` or ``structure`` may not say it is bit-exact:

    >>> @claim("a-close-claim-that-says-exactly", "close")
    ... def overclaims(cfg, ck):
    ...     '''``h_n`` equals ``output[-1]`` exactly.
    ...
    ...     >>> True
    ...     True
    ...     '''
    Traceback (most recent call last):
    ...
    ValueError: claim 'a-close-claim-that-says-exactly' is compared as 'close' but says 'exactly'
    """
    if isinstance(scope, Condition):
        scope = Scope((scope,))

    def register(function: Check) -> Check:
        doc = inspect.getdoc(function) or ""
        sentence = " ".join(doc.split("\n\n")[0].split())
        if not sentence or ">>>" not in doc:
            raise ValueError(f"claim {id!r} needs a statement and a doctest in its docstring")
        said = EXACT_WORDS.search(sentence.lower())
        if comparison != "equal" and said:
            raise ValueError(f"claim {id!r} is compared as {comparison!r} but says {said[0]!r}")
        if message is not None:
            kind, pattern = message
            if comparison != "structure" or not issubclass(kind, (Exception, Warning)):
                raise ValueError(f"claim {id!r}: a message claim is 'structure', of an exception")
            re.compile(pattern)
        topic = function.__module__.rsplit(".", 1)[-1]
        claims.add(Claim(id, sentence, comparison, topic, scope, function, message))
        return function

    return register
