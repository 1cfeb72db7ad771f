"""Turning bytes into text: UTF-8 with or without a byte-order mark, UTF-16 and UTF-32 with one, and legacy files.

Legacy files (Windows-1252, Latin-1, and Windows-1256 or ISO-8859-6 for Arabic) are recognised with
charset-normalizer rather than guessed, and a file whose bytes make sense in none of them is refused
("undecodable bytes") instead of being stored as mojibake.
"""

import codecs
import io

from charset_normalizer import from_bytes

from articles.importers.story import BadInput

LEGACY_ENCODINGS = ["cp1252", "latin_1", "cp1256", "iso8859_6"]
_SAMPLE = 1 << 16


def _bom_encoding(data):
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # UTF-32's little-endian mark begins with UTF-16's: asked first, or a UTF-32 file reads as UTF-16 garbage.
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def utf8_head(head):
    """The first bytes of an input as UTF-8 when a byte-order mark says they are UTF-16 or UTF-32 (so that a
    format can be recognised by its first characters), else as they are."""
    encoding = _bom_encoding(head)
    if encoding in ("utf-16", "utf-32"):
        return head.decode(encoding, errors="ignore").encode("utf-8")
    return head


def _valid_utf8(data, complete):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample may end inside a multi-byte character; only a complete input must decode to the end.
        return not complete and error.start >= len(data) - 3 and error.reason == "unexpected end of data"
    return True


def detect_encoding(data, complete=True):
    """The codec for `data` (the whole input when `complete`, else its first bytes); BadInput if none fits."""
    if b"\x00" in data[:_SAMPLE] and not _bom_encoding(data):
        raise BadInput("binary file (contains NUL bytes), not text")
    encoding = _bom_encoding(data)
    if encoding:
        return encoding
    if _valid_utf8(data, complete):
        return "utf-8"
    best = from_bytes(data[:_SAMPLE], cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise BadInput("undecodable bytes: not UTF-8, Windows-1252, Latin-1 or an Arabic legacy encoding")
    return best.encoding


def decode(data):
    """The text of a whole input."""
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise BadInput(f"undecodable bytes at offset {error.start} ({encoding})") from None
    return text.lstrip("\ufeff")


class _Transcoded(io.RawIOBase):
    """The UTF-8 bytes of a text stream, for parsers that read JSON as UTF-8 bytes."""

    def __init__(self, text):
        self.text, self.pending = text, b""

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            chunk = self.text.read(_SAMPLE // 4)
            if not chunk:
                return 0
            self.pending = chunk.encode("utf-8")
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        return size


def utf8_stream(binary):
    """A buffered binary stream of an input's bytes as UTF-8, whatever encoding `detect_encoding` finds in its
    first 64 KiB (a byte-order mark is dropped); bytes the encoding cannot read raise BadInput as they come."""
    buffered = binary if hasattr(binary, "peek") else io.BufferedReader(binary, buffer_size=_SAMPLE)
    encoding = detect_encoding(buffered.peek(_SAMPLE)[:_SAMPLE], complete=False)
    if encoding == "utf-8":
        return buffered
    if encoding == "utf-8-sig":
        buffered.read(len(codecs.BOM_UTF8))
        return buffered
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="")
    return io.BufferedReader(_Transcoded(text), buffer_size=_SAMPLE)


def text_stream(binary):
    """A text stream over a binary one, its encoding chosen from the first 64 KiB (for line-based formats)."""
    buffered = binary if hasattr(binary, "peek") else io.BufferedReader(binary, buffer_size=_SAMPLE)
    encoding = detect_encoding(buffered.peek(_SAMPLE)[:_SAMPLE], complete=False)
    return io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="")
