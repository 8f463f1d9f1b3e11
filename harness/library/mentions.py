"""Whether a text written for a person names a field or an object.

The bad-input judges ask what a refusal, a status message or an event *names*, never how it is
phrased, so that an implementation wording things its own way passes and one that says nothing
useful ("Progressing") fails:

- a field (`spec.container.image`, `spec.promotionTasks[0]`) is named by its last segment as a word
  of its own, in any case: `image` in "spec.container.image: Required value" or in "the container has
  no image", but not inside another name ("ktd-container-without-image"); list indices do not matter;
  a last segment too common to name a field alone (`name`, `type`, `value`) needs its parent too
  (`container` and `name` for `spec.container.name`);
- an object is named by its name, anywhere in the text (a KeptnTask's name holds its definition's);
  a name of one or two characters only standing alone, not inside a word; an empty name (a list
  entry `""`) by `""`.

An item is one or more alternatives ("spec.timeout or spec"): it is named when one of them is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

# A field path: `spec` or `metadata`, then `.segment` or `[index]` parts.
_FIELD = re.compile(r"(?:spec|metadata)(?:\.[A-Za-z0-9_]+|\[\d+\])*")
_COMMON = ("name", "type", "value")


@dataclass(frozen=True)
class Field:
    path: str

    def named_in(self, text: str) -> bool:
        segments = re.sub(r"\[\d+\]", "", self.path).split(".")
        words = segments[-2:] if segments[-1] in _COMMON else segments[-1:]
        return all(re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE) for word in words)

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class Name:
    name: str

    def named_in(self, text: str) -> bool:
        if not self.name:
            return '""' in text
        if len(self.name) < 3:
            return re.search(rf"(?<![^\W_]){re.escape(self.name)}(?![^\W_])", text) is not None
        return self.name in text

    def __str__(self) -> str:
        return self.name or '""'


Mention = Field | Name
Item = tuple[Mention, ...]  # alternatives: named when one of them is


def mention(token: str) -> Mention:
    """A field path (`spec...`, `metadata...`) is a Field; anything else is an object's Name."""
    return Field(token) if _FIELD.fullmatch(token) else Name(token)


def item(*tokens: str) -> Item:
    return tuple(mention(token) for token in tokens)


def named(text: str, items: Iterable[Item]) -> bool:
    """Whether `text` names every item (one alternative of each)."""
    return all(any(alternative.named_in(text) for alternative in alternatives) for alternatives in items)


def first_naming(texts: Iterable[str], items: tuple[Item, ...]) -> str | None:
    """The first text that names every item by itself, or None: a reason split over two events
    (one naming the definition, another the field) does not tell a person which field of which."""
    return next((text for text in texts if named(text, items)), None)


def describe(items: Iterable[Item]) -> str:
    """`ktd-x and spec.timeout or spec`, as the judges' messages say it."""
    return " and ".join(" or ".join(str(alternative) for alternative in alternatives) for alternatives in items)
