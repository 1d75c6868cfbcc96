"""Contact keys (:func:`sequencer.addresses.contact_key`): the shortcut for plain ASCII address
text gives exactly what email-validator's normalised form gives."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.addresses import contact_key


def _validators_key(text: str) -> str:
    try:
        found = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return text.strip().lower()
    return found.normalized.lower()


@settings(max_examples=2000, deadline=None)
@given(
    st.text(st.sampled_from('aZ09._%+-"@xn '), min_size=1, max_size=24)
    | st.builds(
        "{}@{}".format,
        st.text(st.sampled_from("aZ09._%+-"), min_size=1, max_size=10),
        st.text(st.sampled_from("aZ09.-xn"), min_size=1, max_size=12),
    )
)
def test_the_plain_address_shortcut_gives_the_validators_key(text: str) -> None:
    assert contact_key(text) == _validators_key(text)


def test_keys_of_usual_spellings() -> None:
    assert contact_key(" Ann.Example@Example.COM ") == "ann.example@example.com"
    assert contact_key("x@xn--strae-oqa.de") == "x@straße.de"  # the IDNA form decodes
    assert contact_key("not an address") == "not an address"
