"""Public holidays by country: the only module that imports the ``holidays`` package.

Nothing is imported until the first question. Checking a country code imports only the
package's registry (about 50 ms); the first holiday asked for (or a subdivision checked)
loads every country's rules at once (about 0.1 s more, once a process). After that a
(country, subdivision, year) is computed once, in under a millisecond, and kept. Answers
are ISO ``YYYY-MM-DD`` strings, the form :class:`~sequencer.model.Holidays` and
:mod:`sequencer.timing` compare.
"""

from __future__ import annotations

import difflib
import re
from functools import cache


@cache
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[str]:
    """The dates of ``country``'s public holidays in ``year`` (with ``subdivision``'s own, if
    given).

    ``country`` is an ISO 3166-1 alpha-2 code the ``holidays`` package supports (check it
    with :func:`countries` first); days off observed in lieu of a holiday count too.
    """
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(day.isoformat() for day in calendar)


@cache
def countries() -> frozenset[str]:
    """The two-letter codes of the countries the ``holidays`` package knows (read from its
    registry, without loading any country's rules)."""
    from holidays.registry import COUNTRIES

    return frozenset(code for _, code, *_ in COUNTRIES.values())


@cache
def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes (states, provinces...) of a supported ``country``."""
    import holidays

    return tuple(holidays.list_supported_countries(include_aliases=False)[country])


def code_for(text: str) -> str | None:
    """The two-letter code a country's name, a near miss of it, its three-letter code or an alias
    stands for (``Finland``, ``Finnland``, ``FIN`` → ``FI``; ``UK`` → ``GB``); None when nothing is
    close.
    """
    from holidays.registry import COUNTRIES

    codes: dict[str, str] = {}
    for class_name, code, *aliases in COUNTRIES.values():
        for name in (class_name, *aliases):
            if not name.startswith("Holidays"):
                codes.setdefault(_squash(name), code)
    wanted = _squash(text)
    if wanted in codes:
        return codes[wanted]
    close = (
        difflib.get_close_matches(wanted, list(codes), n=1, cutoff=0.8) if len(wanted) > 2 else []
    )
    return codes[close[0]] if close else None


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())
