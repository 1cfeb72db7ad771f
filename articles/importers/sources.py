"""Where inputs come from: files, directories (walked recursively), globs, and .zip/.tar(.gz) archives.

`inputs(paths)` yields one `Input` per file, lazily and in a stable order (sorted), so a directory of a
million files is never listed into memory at once per level more than `os.scandir` does. Hidden files
and macOS resource folders are skipped, and so are picture files met while walking a folder or an archive
(they are attachments that stories name, see `pictures.py`). A path that cannot be read yields a `Missing`
with the reason.
"""

import fnmatch
import io
import os
import stat
import tarfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from articles.importers.archives import READABLE_ZIP_METHODS, is_zip

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
GLOB_CHARACTERS = set("*?[")
# Picture files among stories (in a folder or an archive) are what the stories' `image` columns and
# associations name, not inputs.
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif", ".heic", ".heif", ".hif", ".tif", ".tiff")


@dataclass(frozen=True)
class Input:
    """One file to parse: on disk (`path`), or a `member` of the archive at `path` (tar members come already
    read, as `data`; without it, the member is read from the archive again: a zip's by its `position` in the
    archive's list, since a zip may hold two members of one name)."""

    name: str
    path: str = ""
    member: str = ""
    data: bytes | None = None
    position: int = -1

    @contextmanager
    def open(self):
        """A binary stream with `peek` (a context manager that closes it, and its archive)."""
        if self.data is not None:
            yield io.BufferedReader(io.BytesIO(self.data))
        elif self.member and is_zip(self.path):
            with zipfile.ZipFile(self.path) as archive:
                listed = archive.infolist()
                info = listed[self.position] if 0 <= self.position < len(listed) else None
                with archive.open(info if info and info.filename == self.member else self.member) as stream:
                    yield stream
        elif self.member:
            with tarfile.open(self.path, "r:*") as archive, archive.extractfile(self.member) as stream:
                yield stream
        else:
            with open(self.path, "rb") as stream:
                yield stream

    def read(self):
        """All of the input's bytes (for formats that need the whole document)."""
        if self.data is not None:
            return self.data
        with self.open() as stream:
            return stream.read()


@dataclass(frozen=True)
class Missing:
    """A path that yielded nothing readable, with the reason."""

    name: str
    reason: str


def _hidden(name):
    return name.startswith(".") or name == "__MACOSX"


def is_archive(path):
    """True for a path named like a zip or tar archive."""
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


LEADS_OUT = "named with '..' (a path out of its folder), not read"


def _leads_out(name):
    """True for an archive member named with a '..' part (extracting it would write outside its folder)."""
    return ".." in name.split("/")


def _story_member(name):
    """True for an archive member that may be a story: not hidden, not a picture (stories name pictures)."""
    # "./wire/a.json" (`tar -czf wire.tgz .`) is not hidden: "." is the archive's top, not a dot file.
    hidden = any(_hidden(part) for part in name.split("/") if part not in ("", "."))
    return not hidden and not name.lower().endswith(PICTURE_SUFFIXES)


def _unreadable_member(size, zip_info=None):
    """Why an archive's story member is not read, or "" (an archive from outside is not trusted).

    Its declared size is within `NEWSROOM_IMPORT_MAX_MEMBER_BYTES`, and reading never goes past it: tarfile
    and zipfile's stored and deflated members stop at the declared size. A zip member compressed with bzip2
    or LZMA is refused: zipfile decompresses those without bounding the output, so a few kilobytes could fill
    the memory before the declared size is checked. An encrypted member cannot be read without its password.
    """
    if zip_info is not None and zip_info.flag_bits & 0x1:
        return "encrypted (a password is needed)"
    if zip_info is not None and zip_info.compress_type not in READABLE_ZIP_METHODS:
        return "compressed with bzip2 or LZMA, which are not read from zip files (pack it again with deflate)"
    limit = settings.NEWSROOM_IMPORT_MAX_MEMBER_BYTES
    if size > limit:
        return f"too large: {size:,} bytes, over the limit of {limit:,} (NEWSROOM_IMPORT_MAX_MEMBER_BYTES)"
    return ""


def _archive_inputs(path):
    try:
        if is_zip(path):
            with zipfile.ZipFile(path) as archive:
                listed = list(enumerate(archive.infolist()))
            members = sorted(((n, m) for n, m in listed if not m.is_dir()), key=lambda pair: pair[1].filename)
            for position, member in members:
                if _leads_out(member.filename):
                    yield Missing(f"{path}:{member.filename}", LEADS_OUT)
                elif _story_member(member.filename):
                    name = f"{path}:{member.filename}"
                    problem = _unreadable_member(member.file_size, member)
                    if problem:
                        yield Missing(name, problem)
                    else:
                        yield Input(name=name, path=path, member=member.filename, position=position)
            return
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if member.isfile() and _leads_out(member.name):
                    yield Missing(f"{path}:{member.name}", LEADS_OUT)
                elif member.isfile() and _story_member(member.name):
                    name = f"{path}:{member.name}"
                    problem = _unreadable_member(member.size)
                    if problem:
                        yield Missing(name, problem)
                        continue
                    data = archive.extractfile(member).read()
                    yield Input(name=name, path=path, member=member.name, data=data)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        yield Missing(path, f"unreadable archive: {error}")


def _walk(directory):
    """(path, True when the listing says it is a regular file) for the files under `directory`, and a Missing
    for each link to a folder (never followed: a link can loop back) and each folder it cannot list: sorted,
    a folder's files before its subfolders (os.walk's order), hidden entries and pictures left out. The type
    comes with the listing, so a folder of files costs no `stat` per file."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        yield Missing(directory, f"cannot read this folder ({error.strerror or error})")
        return
    folders = []
    for entry in entries:
        if _hidden(entry.name):
            continue
        if _is_dir(entry):
            if entry.is_symlink():
                yield Missing(entry.path, FOLDER_LINK)
            else:
                folders.append(entry.path)
        elif not entry.name.lower().endswith(PICTURE_SUFFIXES):
            yield entry.path, entry.is_file(follow_symlinks=False)
    for folder in folders:
        yield from _walk(folder)


FOLDER_LINK = "a link to a folder (not followed: links to folders can loop)"
NOT_A_FILE = "not a regular file (a pipe, a socket or a device), not read"


def _is_dir(entry):
    try:
        return entry.is_dir()
    except OSError:
        return False


def _glob(pattern):
    """The paths `pattern` matches, sorted, as the walk finds them: `*`, `?` and `[…]` match within one name
    (not a hidden one unless the pattern's name starts with a dot), `**` any depth of folders; a wildcard
    never leads through a link to a folder (glob.glob's `**` does, and loops). A pattern ending in `**` is
    its folder, which is then walked."""
    paths = ["/" if pattern.startswith("/") else ""]
    parts = [part for part in pattern.split("/") if part]
    for number, part in enumerate(parts, start=1):
        last = number == len(parts)
        if part == "**":
            paths = paths if last else [folder for path in paths for folder in _folders(path, "*", below=True)]
        elif GLOB_CHARACTERS & set(part):
            paths = [found for path in paths for found in (_names(path, part) if last else _folders(path, part))]
        else:
            paths = [os.path.join(path, part) for path in paths]
    return sorted({path or "." for path in paths if os.path.lexists(path or ".")})


def _matches(directory, pattern):
    """(entry, path) for the entries of `directory` whose names match `pattern` (hidden ones only for a pattern
    that starts with a dot); none for a folder that cannot be listed, as glob.glob does."""
    try:
        with os.scandir(directory or ".") as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if (pattern.startswith(".") or not _hidden(entry.name)) and fnmatch.fnmatch(entry.name, pattern):
            yield entry, os.path.join(directory, entry.name)


def _names(directory, pattern):
    return [path for _entry, path in _matches(directory, pattern)]


def _folders(directory, pattern, below=False):
    """The folders (not links to folders) in `directory` whose names match `pattern`; with `below`, `directory`
    itself and every folder under it instead."""
    if below:
        yield directory
    for entry, path in _matches(directory, pattern):
        if _is_dir(entry) and not entry.is_symlink():
            if below:
                yield from _folders(path, pattern, below=True)
            else:
                yield path


def _regular(path):
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _expand(path):
    if os.path.isdir(path):
        return _walk(path)
    if os.path.lexists(path) or not GLOB_CHARACTERS & set(path):
        return [(path, False)]
    return [(found, False) for found in _glob(path)]


def inputs(paths):
    """Every input under `paths` (files, directories, globs, archives), in order; Missing for a bad path."""
    for path in paths:
        found = False
        for item in _expand(str(path)):
            found = True
            if isinstance(item, Missing):
                yield item
                continue
            file_path, regular = item
            if not regular and os.path.isdir(file_path):
                # A folder a glob found is walked, but not through a link (see `_glob`).
                if os.path.islink(file_path):
                    yield Missing(file_path, FOLDER_LINK)
                else:
                    yield from inputs([file_path])
            elif not regular and not os.path.exists(file_path):
                yield Missing(file_path, "no such file or directory")
            elif not regular and not _regular(file_path):
                yield Missing(file_path, NOT_A_FILE)  # opening a pipe would wait for a writer forever
            elif is_archive(file_path):
                yield from _archive_inputs(file_path)
            else:
                yield Input(name=file_path, path=file_path)
        if not found:
            yield Missing(str(path), "no file matches this pattern")


def path_problem(path):
    """Why a PATH given on the command line can be of no use (missing, unreadable), or None."""
    path = str(path)
    if GLOB_CHARACTERS & set(path) and not os.path.exists(path):
        return None if _glob(path) else "no file matches this pattern"
    if not os.path.exists(path):
        return "no such file or directory"
    if not os.access(path, os.R_OK):
        return "not readable"
    return None
