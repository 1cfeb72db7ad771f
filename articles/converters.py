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
