"""The intent rules' scanner (sequencer/inbound/intent/scanning.py) finds exactly what each
pattern's own ``finditer`` finds, in the same order: over every corpus reply with every cue set
of the intent rules, over generated texts made of cue words and case-folding oddities, and for
patterns it cannot read by their opening (which it runs whole).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from intent_cases import CORPUS as CORPUS_DIR
from intent_cases import TODAY, load

from sequencer.inbound.intent import rules
from sequencer.inbound.intent.scanning import Scanner
from sequencer.inbound.message import parse

SETS = {
    f"{name}.{spelling}": getattr(getattr(rules, name), spelling).scanner
    for name in ("_UNSUBSCRIBE", "_ABSENCE", "_REFERRAL", "_REFERRAL_WEAK", "_REFUSAL", "_INTEREST")
    for spelling in ("marked", "unmarked")
}
#: Words of the cue lists and around them, and characters whose case folds oddly (the long s,
#: the Kelvin sign, dotted I, sharp s).
_WORDS = (
    "not interested Interested send me us a demo call please remove contact my colleague "
    "Pekka Virtanen ei kiinnosta kiinnostaa en usko mutta laita lisää lisaa tietoa olen "
    "lomalla asti nicht interessiert kein Interesse inte intresserad boka don't don’t stop "
    "emailing out of office until talk sounds good Sounds but now later Q3 ſend \u212a İ ß "
    "STRASSE Ä ä ö Ö å @ ann@x.example"
)
WORDS = tuple(_WORDS.split())
SEPARATORS = (" ", "  ", "\n", ", ", ". ", "! ", "? ", "\n\n", "-", "'", "’", "\t", ": ")


def reference(patterns: tuple[re.Pattern[str], ...], text: str) -> list[tuple[int, int, int]]:
    found = [(m.start(), i, m) for i, p in enumerate(patterns) for m in p.finditer(text)]
    found.sort(key=lambda item: item[0])  # stable: by start, then by pattern
    return [(i, m.start(), m.end()) for _, i, m in found]


def scanned(scanner: Scanner, text: str) -> list[tuple[int, int, int]]:
    return [(i, m.start(), m.end()) for i, m in scanner.find(text)]


def _texts() -> list[str]:
    texts = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        for case in load(path.name):
            msg = parse(case.raw, today=TODAY)
            if not isinstance(msg, str):
                texts.extend((msg.fresh, msg.body, rules.body(msg)))
    return texts


def test_every_corpus_text_is_scanned_as_finditer_scans_it() -> None:
    texts = _texts()
    assert len(texts) > 1000
    for name, scanner in SETS.items():
        for text in texts:
            assert scanned(scanner, text) == reference(scanner.patterns, text), (name, text)


def test_the_cue_sets_are_read_by_their_openings() -> None:
    """Every pattern of the word lists is tried only where its opening can match (a pattern run
    whole is correct too, only slower: this keeps the speed from slipping away unnoticed)."""
    for name, scanner in SETS.items():
        assert scanner.whole == (), name


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=14
    )
)
def test_generated_texts_are_scanned_as_finditer_scans_them(
    pieces: list[tuple[str, str]],
) -> None:
    text = "".join(word + separator for word, separator in pieces)
    for name, scanner in SETS.items():
        assert scanned(scanner, text) == reference(scanner.patterns, text), (name, text)


ODD = (
    r"(?<!\w)(?:a|)",  # may match the empty string
    r"(?<!\w)(?:(\w)\1)",  # a back reference
    r"(?:stop)",  # no word-start opening
    r"(?<!\w)(?:x)|y",  # the opening guards one branch only
    r"(?<!\w)(?:(?a:\w)+z)",  # ASCII-only inside
    r"(?<!\w)(?:[^\W\d]k|(?-i:K)elvin|ſ+t|\u212a)",  # classes, case-sensitive parts, long s
    r"(?<!\w)(?:\s*no\b)",  # a repeat that may be empty before the first character
    r"(?<!\w)(?:(?:ab){0,2}c|(?=d)\w+)",
)


@pytest.mark.parametrize("flags", [re.I | re.M, 0, re.I | re.S])
@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="abcdkK\u212aſstxyzSTno \n\t'1İß", max_size=40))
def test_patterns_of_any_shape_give_what_finditer_gives(flags: int, text: str) -> None:
    patterns = tuple(re.compile(source, flags) for source in ODD)
    scanner = Scanner(patterns)
    assert scanned(scanner, text) == reference(patterns, text)


def test_patterns_it_cannot_read_run_whole() -> None:
    scanner = Scanner(re.compile(source, re.I | re.M) for source in ODD)
    assert scanner.whole == (0, 1, 2, 3, 4)


@settings(max_examples=300, deadline=None)
@given(
    spans=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 15)), max_size=12),
    position=st.integers(0, 80),
)
def test_the_span_look_up_finds_what_a_scan_of_every_span_finds(
    spans: list[tuple[int, int]], position: int
) -> None:
    """``rules._spans`` (the writer's own meetings over a cue, looked up by bisection) answers as
    checking every span would: some span stands over the position exactly when it gives one, and
    the one it gives does."""
    text = "x" * 100
    matches = sorted(
        (m for start, size in spans if (m := re.compile(f".{{{size}}}").match(text, start))),
        key=lambda m: m.start(),
    )
    over = rules._spans(matches)(position)
    covering = [m for m in matches if m.start() <= position < m.end()]
    if covering:
        assert over is not None and over.start() <= position < over.end()
    else:
        assert over is None
