"""Path converters of the project's addresses.

`<id:pk>` takes a row id: Django's `<int:…>` takes any number of digits, and a number past what the
database stores (SQLite and PostgreSQL keep ids in 64 bits) reached the query and failed there with a 500.
Eighteen digits stay inside that range, so a longer number is simply an address that does not exist (404).
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


class YearConverter:
    """A year in the archive's addresses: four digits (`/archive/2019/`)."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class TwoDigitConverter:
    """A month or a day in the archive's addresses: two digits (`/archive/2019/03/14/`); a number the calendar
    does not have is the view's 404."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:02d}"


register_converter(YearConverter, "year")
register_converter(TwoDigitConverter, "two_digits")


class PageNumberConverter:
    """A page's number in an address (`/article/<id>/<slug>/updates/2/`): written without leading zeros, so one
    page has one address (`02` and `0` are not addresses: 404). Up to eighteen digits match, as `<id:…>` does
    (articles/addresses.py reverses addresses with eighteen-digit stand-ins), but a number past LARGEST is no
    page (404), so it never becomes an offset too large for the database."""

    regex = "[1-9][0-9]{0,17}"
    LARGEST = 10**9

    def to_python(self, value):
        number = int(value)
        if number > self.LARGEST:
            raise ValueError("no such page")  # the resolver reads it as no match: 404
        return number

    def to_url(self, value):
        return str(value)


register_converter(PageNumberConverter, "page_number")
