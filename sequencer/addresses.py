"""Addresses as keys: the form a contact's ``email_key`` takes, suppression-list keys for an
address or a whole domain, the hash ``forget`` leaves for an erased address, the keys that block
mail to an address, and the company an address belongs to (free-mail providers belong to none).

Pure: email-validator's deliverability check is off, so nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import re

from email_validator import EmailNotValidError, validate_email

_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$"
)


def suppression_key(value: str) -> str:
    """The suppression-list key for an address (``jane@x.com``) or a whole domain (``@x.com`` or
    ``x.com``).

    Raises ValueError with a readable reason for anything else.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty: give an address or a domain")
    if text.startswith("@") or "@" not in text:
        domain = text.lstrip("@").rstrip(".").lower()
        try:
            # IDNA 2008 through email-validator, as contacts' keys are made: the Unicode form
            # (xn--bcher-kva.de -> bücher.de; straße.de stays straße.de, never strasse.de)
            checked = validate_email(
                f"x@{domain}", check_deliverability=False, allow_smtputf8=False
            )
        except EmailNotValidError:
            raise ValueError(f"'{text}' is not a valid domain") from None
        if not _DOMAIN.match(checked.ascii_domain):
            raise ValueError(f"'{text}' is not a valid domain")
        return f"@{checked.domain.lower()}"
    try:
        return validate_email(
            text, check_deliverability=False, allow_smtputf8=True
        ).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(f"'{text}' is not a valid address: {exc}") from None


#: Plain ASCII address text: letters, digits and ``. _ % + -`` around one ``@``.
_PLAIN_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


def contact_key(address: str) -> str:
    """The form a contact's ``email_key`` has, for any spelling of its address: email-validator's
    normalised form, lower-cased, so ``X@xn--strae-oqa.de`` (how a reply or a DSN names the IDNA
    2008 domain we send to) finds the contact imported as ``x@straße.de``. Text that is not an
    address comes back stripped and lower-cased."""
    text = address.strip()
    if _PLAIN_RE.fullmatch(text) and "xn--" not in text.lower():
        # what email-validator gives such text, valid or not, is the text lower-cased: no quoting
        # to undo, no IDNA domain to decode (tests/unit/test_addresses.py compares the two)
        return text.lower()
    try:
        return validate_email(
            text, check_deliverability=False, allow_smtputf8=True
        ).normalized.lower()
    except EmailNotValidError:
        return text.lower()


#: Prefix of the suppression key an erased address leaves behind (``sequencer forget``).
ERASED_PREFIX = "sha256:"
#: The address of an erased contact; its ``email_key`` is ``forgotten:<id>``.
FORGOTTEN = "forgotten"


def erasure_key(email_key: str) -> str:
    """The suppression key kept for an erased address: ``sha256:`` and the hex SHA-256 of its
    normalised, lower-cased form (the contact's ``email_key``, UTF-8).

    Unsalted, as suppression lists usually are, so that the same address coming back in a CSV
    (or already stored some other way) is recognised without keeping it. The limit: it is a
    pseudonym, not an anonymisation. Anyone holding the database and a guess of the address can
    confirm the guess, and a list of likely addresses can be tested at will.
    """
    return ERASED_PREFIX + hashlib.sha256(email_key.encode("utf-8")).hexdigest()


def blocking_keys(email_key: str) -> list[str]:
    """The suppression keys that stop mail to an address: the address, its ``@domain``, and the hash
    ``forget`` leaves for an erased address (which may come back by other means than an import)."""
    return [email_key, "@" + email_key.rpartition("@")[2], erasure_key(email_key)]


#: Mail providers whose domain says nothing about the company a person works for: a reply from one
#: of their users never stops "colleagues" (``stop_scope: company``). Extend with ``[companies]
#: free_mail``.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "t-online.de",
        "mail.com",
        "mail.ru",
        "yandex.ru",
        "yandex.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "qq.com",
        "163.com",
        "126.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "onet.pl",
        "luukku.com",
        "suomi24.fi",
        "kolumbus.fi",
        "elisanet.fi",
        "saunalahti.fi",
        "pp.inet.fi",
        "outlook.fi",
        "live.fi",
        "hotmail.fi",
        "telia.com",
        "bredband.net",
        "online.no",
    }
)


def company_domain(email_key: str, free_mail: frozenset[str] = frozenset()) -> str | None:
    """The company an address belongs to, by its domain; None for free-mail and public providers."""
    domain = email_key.rpartition("@")[2].lower()
    if not domain or domain in FREE_MAIL or domain in free_mail:
        return None
    return domain
