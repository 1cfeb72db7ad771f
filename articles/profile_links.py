"""A journalist's public profiles (X, Mastodon, LinkedIn, a personal site, an e-mail address): one address per
line as the desk types them, checked line by line, and shown on the author's page labelled by host name.

Only absolute http(s) addresses and `mailto:` an e-mail address are taken: anything else (`javascript:`, a
relative path, a stray word) would be a link a reader's browser acts on in ways the desk did not mean.
"""

from contextlib import suppress
from typing import NamedTuple
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

MAILTO = "mailto:"
_web_address = URLValidator(schemes=["http", "https"])


class ProfileLink(NamedTuple):
    """One public profile: the address to link to and what the link says (the host name, or the e-mail)."""

    address: str
    label: str

    @property
    def is_email(self):
        """True for a `mailto:` address (not a profile page, so not one of the Person's `sameAs`)."""
        return self.address[: len(MAILTO)].lower() == MAILTO


def _lines(text):
    """The non-blank lines of `text`, stripped, each with its number as the desk counts lines (from 1)."""
    return [(number, line.strip()) for number, line in enumerate((text or "").splitlines(), start=1) if line.strip()]


def _email(line):
    """The e-mail address of a `mailto:` line, or None when the line is not one."""
    return line[len(MAILTO) :] if line[: len(MAILTO)].lower() == MAILTO else None


def _host_label(address):
    """The host name an address is shown by: "x.com" for https://www.x.com/…, an international name in its
    own letters rather than its xn-- form."""
    host = urlsplit(address).hostname or address
    host = host.removeprefix("www.")
    if "xn--" in host:
        with suppress(UnicodeError):  # not valid IDNA after all: shown as written
            host = host.encode("ascii").decode("idna")
    return host


def validate_profile_links(text):
    """Refuse `text` unless every non-blank line is an absolute http(s) address or `mailto:` an e-mail address;
    the error names each bad line by its number and what it says."""
    problems = []
    for number, line in _lines(text):
        email = _email(line)
        try:
            if email is not None:
                validate_email(email)
            else:
                _web_address(line)
        except ValidationError:
            problems.append(
                ValidationError(
                    _(
                        "Line %(number)d, “%(line)s”, is not an address a profile link can have: give a full "
                        "address starting with https:// or http://, or mailto: and an e-mail address."
                    ),
                    code="invalid_profile_link",
                    params={"number": number, "line": line},
                )
            )
    if problems:
        raise ValidationError(problems)


def profile_links(text):
    """The profiles written in `text` (one per line), each once, in the desk's order; lines that are not an
    address the validator takes are left out, so a page never links to one."""
    links = {}
    for _number, line in _lines(text):
        email = _email(line)
        try:
            validate_profile_links(line)
        except ValidationError:
            continue
        links.setdefault(line, ProfileLink(line, email if email is not None else _host_label(line)))
    return list(links.values())
