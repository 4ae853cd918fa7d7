"""Where a claim holds: conditions on a configuration that are checked and said in one object.

A :class:`Scope` is a conjunction of :class:`Condition` objects. Each condition is a predicate on
a :class:`~rnnshapes.configs.Config` *and* the words for it, so the sentence a page shows and the
configurations a check runs on cannot part: ``verify`` checks a claim on exactly the
configurations its scope admits, and the page prints the scope's words before the claim.

>>> from rnnshapes.configs import Config
>>> scope = UNIDIRECTIONAL & SEVERAL_STEPS & UNPACKED
>>> str(scope)
'for a unidirectional module, with unpacked input, over more than one step'
>>> scope(Config()), scope(Config(seq_len=1)), scope(Config(bidirectional=True))
(True, False, False)
>>> str(LSTM & STACKED & BIDIRECTIONAL & PROJECTED & BATCHED & UNPACKED)
'for a multi-layer bidirectional LSTM with proj_size > 0, with batched, unpacked input'
>>> str(EVERYWHERE)
''
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .configs import Config

__all__ = [
    "BATCHED",
    "BATCH_FIRST",
    "BIDIRECTIONAL",
    "EVERYWHERE",
    "GRU",
    "LSTM",
    "NOT_LSTM",
    "NOT_RELU",
    "NO_PROJECTION",
    "ONE_LAYER",
    "PACKED",
    "PROJECTED",
    "SEVERAL_ROWS",
    "SEVERAL_STEPS",
    "SHORTER_THAN_INPUT",
    "STACKED",
    "UNBATCHED",
    "UNEVEN",
    "UNIDIRECTIONAL",
    "UNPACKED",
    "UNSORTED",
    "Condition",
    "Scope",
]


@dataclass(frozen=True)
class Condition:
    """One condition: a predicate and how it reads.

    A condition reads as an adjective of the module (``"unidirectional"``), as the module's noun
    (``"LSTM"``), as a trait of the module (``"with proj_size > 0"``), as an adjective of the
    input (``"unpacked"``), or as a clause of its own (``"over more than one step"``);
    :class:`Scope` puts them in that order.
    """

    name: str
    test: Callable[[Config], bool]
    adjective: str = ""
    noun: str = ""
    trait: str = ""
    input: str = ""
    clause: str = ""

    def __post_init__(self) -> None:
        words = (self.adjective, self.noun, self.trait, self.input, self.clause)
        if sum(bool(w) for w in words) != 1:
            raise ValueError(f"condition {self.name!r} needs one kind of words, got {words}")

    def __and__(self, other: Condition | Scope) -> Scope:
        return Scope((self,)) & other

    def __call__(self, cfg: Config) -> bool:
        return self.test(cfg)


@dataclass(frozen=True)
class Scope:
    """The conditions under which a claim holds (all of them); ``EVERYWHERE`` has none."""

    conditions: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        nouns = [c.noun for c in self.conditions if c.noun]
        if len(nouns) > 1:
            raise ValueError(f"a scope names one kind of module, got {' and '.join(nouns)}")

    def __and__(self, other: Condition | Scope) -> Scope:
        more = (other,) if isinstance(other, Condition) else other.conditions
        return Scope(self.conditions + tuple(c for c in more if c not in self.conditions))

    def __call__(self, cfg: Config) -> bool:
        return all(c.test(cfg) for c in self.conditions)

    def without(self, name: str) -> Scope:
        """This scope less the condition called ``name`` (to test that the condition is needed)."""
        if name not in self.names:
            raise ValueError(f"no condition {name!r} in this scope; it has {list(self.names)}")
        return Scope(tuple(c for c in self.conditions if c.name != name))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.conditions)

    def __str__(self) -> str:
        def words(kind: str) -> list[str]:
            return [getattr(c, kind) for c in self.conditions if getattr(c, kind)]

        adjectives, nouns, traits = words("adjective"), words("noun"), words("trait")
        parts = []
        if adjectives or nouns or traits:
            module = " ".join([*adjectives, *(nouns or ["module"])])
            parts.append(
                " ".join([f"for {_article(module)} {module}", " and ".join(traits)]).strip()
            )
        if words("input"):
            parts.append(f"with {', '.join(words('input'))} input")
        parts += words("clause")
        return ", ".join(parts)


def _article(words: str) -> str:
    """``a`` or ``an``, by sound: a unidirectional module, a one-layer GRU, an LSTM, an RNN."""
    if words.startswith(("uni", "one")):
        return "a"
    return "an" if words.startswith(("LSTM", "RNN")) or words[:1] in "aeiou" else "a"


EVERYWHERE = Scope()

UNIDIRECTIONAL = Condition(
    "unidirectional", lambda c: not c.bidirectional, adjective="unidirectional"
)
BIDIRECTIONAL = Condition("bidirectional", lambda c: c.bidirectional, adjective="bidirectional")
STACKED = Condition("stacked", lambda c: c.num_layers > 1, adjective="multi-layer")
ONE_LAYER = Condition("one layer", lambda c: c.num_layers == 1, adjective="one-layer")
LSTM = Condition("LSTM", lambda c: c.kind == "LSTM", noun="LSTM")
GRU = Condition("GRU", lambda c: c.kind == "GRU", noun="GRU")
NOT_LSTM = Condition("not LSTM", lambda c: c.kind != "LSTM", noun="RNN or GRU")
NOT_RELU = Condition(
    "not ReLU",
    lambda c: c.kind != "RNN" or c.nonlinearity != "relu",
    noun="LSTM, GRU or tanh RNN",
)
PROJECTED = Condition("projected", lambda c: c.proj_size > 0, trait="with proj_size > 0")
NO_PROJECTION = Condition("no projection", lambda c: c.proj_size == 0, trait="without proj_size")
BATCH_FIRST = Condition("batch_first", lambda c: c.batch_first, trait="with batch_first=True")
BATCHED = Condition("batched", lambda c: c.batched, input="batched")
UNBATCHED = Condition("unbatched", lambda c: not c.batched, input="unbatched")
UNPACKED = Condition("unpacked", lambda c: c.lengths is None, input="unpacked")
SEVERAL_STEPS = Condition(
    "several steps", lambda c: c.seq_len > 1, clause="over more than one step"
)
PACKED = Condition("packed", lambda c: c.lengths is not None, clause="with a packed batch")
#: ``h_n`` has more than one row: more than one layer, or two directions.
SEVERAL_ROWS = Condition(
    "several rows",
    lambda c: c.num_layers * (2 if c.bidirectional else 1) > 1,
    adjective="multi-layer or bidirectional",
)
UNEVEN = Condition(
    "uneven",
    lambda c: c.lengths is not None and min(c.lengths) < max(c.lengths),
    clause="with a packed batch where some sequence is shorter than the longest",
)
SHORTER_THAN_INPUT = Condition(
    "shorter than input",
    lambda c: c.lengths is not None and min(c.lengths) < c.seq_len,
    clause="with a packed batch where some sequence is shorter than the padded input",
)
UNSORTED = Condition(
    "enforce_sorted=False",
    lambda c: c.lengths is not None and not c.enforce_sorted,
    clause="with a batch packed with enforce_sorted=False",
)
