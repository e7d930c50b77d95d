"""A page's settings in its link, for pages whose widgets are their settings (Experiments).

A page declares its ``LinkParam``s: the name in the link, the session key of the widget,
and what a value may be. ``read_link`` turns a link's query into widget values (and a
notice for each parameter it cannot use); ``link_query`` writes the values that differ
from the page's defaults back, so that a copied link opens the same page. The
Playground's link is ``ui.settings``' (it has a settings table of its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LinkParam:
    """``name`` in the link holds the widget ``key``'s value: an int or float within
    [low, high], one of ``choices`` (compared as text for numbers), or with ``many`` a
    comma-separated list of choices."""

    name: str
    key: str
    kind: type = str
    low: float | None = None
    high: float | None = None
    choices: Sequence[Any] | None = None
    many: bool = False

    def parse(self, text: str) -> Any:
        """The value ``text`` stands for; ValueError saying what the link should hold."""
        if self.many:
            return [self._one(part) for part in text.split(",") if part]
        return self._one(text)

    def _one(self, text: str) -> Any:
        if self.choices is not None:
            for choice in self.choices:
                if text == (f"{choice:g}" if isinstance(choice, float) else str(choice)):
                    return choice
            shown = ", ".join(f"{c:g}" if isinstance(c, float) else str(c) for c in self.choices)
            raise ValueError(f"The link's {self.name}={text!r} is not one of {shown}.")
        try:
            value = self.kind(text)
        except ValueError:
            raise ValueError(
                f"The link's {self.name}={text!r} is not a {self.kind.__name__} number."
            ) from None
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ValueError(
                f"The link's {self.name}={text} is not from {self.low:g} to {self.high:g}."
            )
        return value

    def text(self, value: Any) -> str:
        if self.many:
            return ",".join(self.text_one(v) for v in value)
        return self.text_one(value)

    @staticmethod
    def text_one(value: Any) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)


def read_link(
    query: Mapping[str, str], params: Sequence[LinkParam]
) -> tuple[dict[str, Any], list[str]]:
    """Widget values (session key -> value) from a link's ``query``, and a notice for each
    parameter left out (unknown names are left to the page: Streamlit's own, trackers')."""
    values, notices = {}, []
    for param in params:
        if param.name in query:
            try:
                values[param.key] = param.parse(query[param.name])
            except ValueError as error:
                notices.append(f"{error} It was left out.")
    return values, notices


def link_query(
    state: Mapping[str, Any], params: Sequence[LinkParam], defaults: Mapping[str, Any]
) -> dict[str, str]:
    """The link for the widget values in ``state``: those that differ from ``defaults``."""
    return {
        p.name: p.text(state[p.key])
        for p in params
        if p.key in state and state[p.key] != defaults.get(p.key)
    }
