"""Fresh text: the newly written part of a reply, without ``>`` quoted lines and without the
quoted message below a quote header ("On ... wrote:", an Outlook "From:/Sent:" block, "-----
Original Message -----", in the languages our contacts write in). The auto-reply, unsubscribe
and reply rules all read it.

:func:`written_blocks` keeps the runs of the writer's text apart, split where quoted lines
stood, for a reply answered between our quoted lines; it also reads on past a quote header
whose quote is ``>`` quoted (an inline reply: "On ... wrote:", then our lines with the answers
between them).
"""

from __future__ import annotations

import re

__all__ = ["fresh_text", "written_blocks"]

#: A line that continues the quoted line above it, wrapped by a client that did not quote the
#: rest: the quoted line is long and stops mid-sentence, and this one opens in lower case.
_WRAPPED_AT = 40  # characters a quoted line holds at least when a client wrapped it
_MID_SENTENCE_RE = re.compile(r"[\w,-]$")
_SEPARATOR_RE = re.compile(r"^\s*_{10,}\s*$")
_ORIGINAL_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|forwarded message|alkuperäinen viesti|välitetty viesti|"
    r"ursprüngliche nachricht|message d'origine|ursprungligt "
    r"meddelande|oorspronkelijk bericht|doorgestuurd bericht|"
    r"mensaje original|mensaje reenviado|opprinnelig melding|oprindelig "
    r"meddelelse|videresendt meddelelse|"
    r"messaggio originale|messaggio inoltrato|mensagem original|mensagem encaminhada)\s*-{2,}\s*$",
    re.IGNORECASE,
)
# Outlook-style header blocks: a "From:" line followed by a "Sent:" line, in the writer's language
# (Dutch Van/Verzonden, Spanish De/Enviado, Norwegian and Danish Fra/Sendt, Italian Da/Inviato,
# Portuguese De/Enviada, ...). Neither line alone starts a quote.
_FROM_LINE_RE = re.compile(
    r"^\s*\**\s*(?:from|lähettäjä|von|de|från|van|fra|da)\s*\**\s*:", re.IGNORECASE
)
_SENT_WORDS = r"sent|lähetetty|gesendet|envoyé|skickat|verzonden|enviad[oa](?:\s+em)?|sendt|inviato"
_SENT_LINE_RE = re.compile(
    rf"^\s*\**\s*(?:{_SENT_WORDS}|date|päivämäärä|datum|data|fecha)\s*\**\s*:", re.IGNORECASE
)
_SENT_INLINE_RE = re.compile(rf"\b(?:{_SENT_WORDS})\s*:", re.IGNORECASE)
_WROTE = r"wrote|kirjoitti|skrev|schrieb|écrit|schreef|escribió|ha\s+scritto|escreveu"
_ATTRIBUTION_END_RE = re.compile(rf"\b(?:{_WROTE})\b.{{0,80}}:\s*$", re.IGNORECASE)
# Quote headers that start with a fixed word; tried first, so a header wrapped over two lines is
# cut where it starts, not where its address line happens to match a generic pattern.
_ATTRIBUTION_ANCHORED_RES = (
    re.compile(r"^\s*On\b.{0,300}\bwrote\s*:\s*$", re.IGNORECASE),  # Gmail, Apple Mail, Thunderbird
    re.compile(r"^\s*Le\b.{0,300}\ba\s+écrit\s*:\s*$", re.IGNORECASE),  # French
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,200}:\s*$", re.IGNORECASE),  # German
    re.compile(
        r"^\s*(?:Den|På)\b.{0,300}\bskrev\b.{0,200}:\s*$", re.IGNORECASE
    ),  # Swedish, Norwegian, Danish
    re.compile(r"^\s*Op\b.{0,300}\bschreef\b.{0,200}:\s*$", re.IGNORECASE),  # Dutch
    re.compile(r"^\s*El\b.{0,300}\bescribió\s*:\s*$", re.IGNORECASE),  # Spanish
    re.compile(r"^\s*Il\b.{0,300}\bha\s+scritto\s*:\s*$", re.IGNORECASE),  # Italian
    re.compile(r"^\s*Em\b.{0,300}\bescreveu\s*:\s*$", re.IGNORECASE),  # Portuguese
)
_ATTRIBUTION_GENERIC_RES = (
    re.compile(r"^.{0,300}[@<].{0,300}\bwrote\s*:\s*$", re.IGNORECASE),  # "Ann <ann@x> wrote:"
    # Finnish: "ma 14.12.2026 klo 9.02 Ann <ann@x> kirjoitti:"; the same shape in other languages
    # ("ma. 14. dec. 2026 kl. 09.00 skrev Ann <ann@x>:", "Ann <ann@x> ha scritto:").
    re.compile(
        r"^(?=.*[\d@]).{0,300}\b(?:kirjoitti|schreef|escribió|ha\s+scritto|escreveu)\s*:\s*$",
        re.IGNORECASE,
    ),
    # "man. 14. des. 2026 kl. 09:00 skrev Ann <ann@x>:", "Ann <ann@x> schreef op 14 dec. 2026 om
    # 09:00:"
    re.compile(
        r"^(?=.*[@<]).{0,300}\b(?:skrev|schreef|escribió|ha\s+scritto|escreveu)\b.{0,200}:\s*$",
        re.IGNORECASE,
    ),
)


def _attribution_start(lines: list[str], end: int) -> int | None:
    """If lines[end] closes a quote header ("... wrote:"), the index of the line it starts on."""
    if not _ATTRIBUTION_END_RE.search(lines[end]):
        return None
    for patterns in (_ATTRIBUTION_ANCHORED_RES, _ATTRIBUTION_GENERIC_RES):
        for start in range(
            end, max(-1, end - 3), -1
        ):  # nearest start first: clients wrap long headers
            joined = " ".join(line.strip() for line in lines[start : end + 1])
            if any(pattern.match(joined) for pattern in patterns):
                return start
    return None


def _quote_starts(lines: list[str], index: int) -> int | None:
    line = lines[index]
    if _SEPARATOR_RE.match(line) or _ORIGINAL_RE.match(line):
        return index
    if _FROM_LINE_RE.match(line) and (
        _SENT_INLINE_RE.search(line)
        or any(_SENT_LINE_RE.match(following) for following in lines[index + 1 : index + 6])
    ):
        return index
    return _attribution_start(lines, index)


def fresh_text(body: str) -> str:
    """The newly written part of a reply: without quoted lines and without the quoted message."""
    try:
        lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        cut = len(lines)
        for index in range(len(lines)):
            start = _quote_starts(lines, index)
            if start is not None:
                cut = start
                break
        kept = [line.rstrip() for line in lines[:cut] if not line.lstrip().startswith(">")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    except Exception:
        return ""


def _next_quote(lines: list[str], begin: int) -> tuple[int, int] | None:
    """The first quote from ``lines[begin]`` on: the line it starts on and the line its header
    ends on (the same line but for a quote header over several lines)."""
    for index in range(begin, len(lines)):
        start = _quote_starts(lines, index)
        if start is not None:
            return max(start, begin), index
    return None


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _wrapped(above: str, line: str) -> bool:
    """Whether ``line``, right below the quoted line ``above``, is the rest of it (see
    :data:`_WRAPPED_AT`)."""
    said = above.lstrip().lstrip(">").strip()
    return (
        len(said) >= _WRAPPED_AT
        and _MID_SENTENCE_RE.search(said) is not None
        and line.lstrip()[:1].islower()
    )


def written_blocks(body: str) -> list[str]:
    """The writer's text in blocks, one for each run of unquoted lines between quoted ones, in
    order: the first is the text above the first quoted line ("" when the body opens with one),
    the last the text below the last ("" when it ends with one), so a block other than those
    two stands between quoted lines. Blank lines between quoted lines do not end a quote. A
    quote header ends the text as for :func:`fresh_text`, unless the quote under it is ``>``
    quoted: the writer may answer between its lines, and the header is part of the quote.
    """
    try:
        lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        blocks: list[list[str]] = [[]]
        quoting = False  # within a quote: blank lines are no part of a block
        begin = 0
        while True:
            found = _next_quote(lines, begin)
            stop = len(lines) if found is None else found[0]
            above = ""
            for line in lines[begin:stop]:
                if _quoted(line) or (above and _wrapped(above, line)):
                    quoting, above = True, line
                    continue
                above = ""
                if quoting and line.strip():
                    blocks.append([])
                    quoting = False
                if not quoting:
                    blocks[-1].append(line.rstrip())
            if found is None:
                break
            end = found[1]
            below = next((lines[i] for i in range(end + 1, len(lines)) if lines[i].strip()), "")
            if not (_ATTRIBUTION_END_RE.search(lines[end]) and _quoted(below)):
                break
            quoting, begin = True, end + 1
        if quoting:
            blocks.append([])
        return [re.sub(r"\n{3,}", "\n\n", "\n".join(block)).strip() for block in blocks]
    except Exception:
        return [fresh_text(body)]
