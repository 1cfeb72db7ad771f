"""Pictures inside zip and tar archives: which member a story's path names, and reading it within limits.

A story read from an archive member names its picture relative to that member's folder. The path is
worked out inside the archive only (`posixpath`, never the file system), may lead anywhere in the archive
but not out of it (`../` above its top, and absolute paths, are refused), and nothing is extracted to disk.
Members are looked up in an index of the archive's names, normalised the way a path is (`./wire/a.jpg` is
`wire/a.jpg`; a member whose own name leads out of the archive is left out). The index is built once per
archive and process (a zip's central directory; one pass over a tar's headers, which for a compressed tar
means reading it through once more) and kept while the archive's size and time are unchanged.

Only regular files are read. Links (tar symlinks and hard links, zip entries with a link's mode) are never
followed; devices, pipes and folders are never read. A member's declared size goes with its stream, so the
upload's `read_limited` refuses a large one before reading, and every read stops one byte past the limit
whatever the archive declares. Zip members compressed with bzip2 or LZMA are refused: Python's zipfile
decompresses them without a bound on the output, so one small block could fill the memory; stored and
deflated members (what zip tools write) are read.
"""

import lzma
import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections import OrderedDict
from dataclasses import dataclass

# What reading a damaged or truncated archive can raise (gzip and bz2 errors are OSErrors).
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, tarfile.TarError)

FILE, LINK, FOLDER, OTHER = "file", "link", "folder", "other"
# Zip compression methods read (stories and pictures): zipfile bounds their output by the declared size.
READABLE_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_UNIX = 3  # a zip entry's `create_system` when its mode is a Unix one
_KEEP = 4  # archives whose index a process keeps (an import reads one archive after another)
_indexes = OrderedDict()  # resolved archive path: ((size, mtime), {name: Member})


class Unreadable(Exception):
    """A member that exists but is not read as a picture; `str(error)` is the reason shown to the user."""


@dataclass(frozen=True)
class Member:
    """One entry of an archive's index: its kind, declared size, what changes with its content (`state`),
    and the archive's own record of it (ZipInfo or TarInfo), to open it by."""

    kind: str
    size: int
    state: tuple
    info: object


def is_zip(path):
    """True for an archive read as a zip (the name decides, as it does for the stories)."""
    return str(path).lower().endswith(".zip")


def member_name(story_member, href):
    """(member name, "") for the picture `href` names from the folder of the archive member `story_member`;
    ("", reason) when the path leads out of the archive."""
    if href.startswith("/"):
        return "", "outside the archive (an absolute path)"
    name = posixpath.normpath(posixpath.join(posixpath.dirname(story_member), href))
    if _outside(name):
        return "", "outside the archive"
    return name, ""


def _outside(name):
    return name == ".." or name.startswith(("../", "/"))


def _zip_member(info):
    # A zip made on Unix keeps the file's mode in the high bits of its external attributes; others, and
    # entries written with no file type in the mode (Python's writestr), are plain files.
    kind_bits = stat.S_IFMT(info.external_attr >> 16) if info.create_system == _UNIX else 0
    if info.is_dir() or kind_bits == stat.S_IFDIR:
        kind = FOLDER
    elif kind_bits == stat.S_IFLNK:
        kind = LINK
    elif kind_bits in (0, stat.S_IFREG):
        kind = FILE
    else:
        kind = OTHER
    return Member(kind, info.file_size, (info.file_size, info.CRC), info)


def _tar_member(info):
    if info.isreg():
        kind = FILE
    elif info.issym() or info.islnk():
        kind = LINK
    elif info.isdir():
        kind = FOLDER
    else:
        kind = OTHER
    return Member(kind, info.size, (info.size, info.mtime), info)


def _build(path):
    found = {}
    if is_zip(path):
        with zipfile.ZipFile(path) as archive:
            entries = [(info.filename, _zip_member(info)) for info in archive.infolist()]
    else:
        with tarfile.open(path, "r:*") as archive:
            entries = [(info.name, _tar_member(info)) for info in archive]
    for raw, member in entries:
        name = posixpath.normpath(raw)
        if not _outside(name):
            found[name] = member  # a name given twice: the later entry, as extracting would leave it
    return found


def index(path):
    """{normalised member name: Member} of the archive at `path` (kept while the file is unchanged).

    Raises OSError if the archive is gone, or one of READ_ERRORS if it cannot be read."""
    found = os.stat(path)
    stamp = (found.st_size, found.st_mtime_ns)
    cached = _indexes.get(path)
    if cached is not None and cached[0] == stamp:
        _indexes.move_to_end(path)
        return cached[1]
    members = _build(path)
    _indexes[path] = (stamp, members)
    while len(_indexes) > _KEEP:
        _indexes.popitem(last=False)
    return members


def state(path, name):
    """What changes when the member's content does (a list, for a story's digest), or None if it is absent."""
    try:
        member = index(path).get(name)
    except READ_ERRORS:
        return None
    return [member.kind, *member.state] if member is not None else None


class _Sized:
    """A member's stream with its declared `size`, which `read_limited` checks before reading."""

    def __init__(self, stream, size):
        self.stream, self.size = stream, size

    def read(self, limit=-1):
        return self.stream.read(limit)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


class Readers:
    """Opens members of archives, each archive once while it is in use (`with Readers() as readers:`)."""

    def __init__(self):
        self._open = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for archive in self._open.values():
            archive.close()
        self._open.clear()

    def open(self, path, name):
        """A readable stream of the member `name` (a context manager, with its declared `size`).

        FileNotFoundError when the archive holds no such member, Unreadable when the member is not a
        regular file this module reads, one of READ_ERRORS when the archive cannot be read."""
        member = index(path).get(name)
        if member is None:
            raise FileNotFoundError(name)
        if member.kind == LINK:
            raise Unreadable("a link inside the archive (links are not followed)")
        if member.kind == FOLDER:
            raise Unreadable("a folder, not a file")
        if member.kind != FILE:
            raise Unreadable("not a regular file (a device or a pipe)")
        archive = self._archive(path)
        if is_zip(path):
            info = member.info
            if info.flag_bits & 0x1:
                raise Unreadable("cannot read (the file is encrypted)")
            if info.compress_type not in READABLE_ZIP_METHODS:
                raise Unreadable("cannot read (compressed with a method not read for pictures: store or deflate it)")
            return _Sized(archive.open(info), member.size)
        return _Sized(archive.extractfile(member.info), member.size)

    def _archive(self, path):
        archive = self._open.get(path)
        if archive is None:
            # Kept open for the other pictures of the batch; closed by __exit__.
            archive = zipfile.ZipFile(path) if is_zip(path) else tarfile.open(path, "r:*")  # noqa: SIM115
            self._open[path] = archive
        return archive
