"""What every parser produces: a `Story`, or a one-line reason why an input or entry could not be read."""

from dataclasses import dataclass, field
from datetime import datetime


class BadInput(ValueError):
    """A whole input cannot be read; `str(error)` is the one-line reason shown to the user."""


@dataclass
class EntryError:
    """One entry of a multi-story input (a feed item, a JSON line, a CSV row) that cannot be read."""

    entry: int
    reason: str


@dataclass
class PictureRef:
    """The lead picture an input names for its story: a file path and the words that travel with the picture.

    `path` is as the input wrote it; the pipeline resolves a relative one against the input file's folder
    (`pictures.resolve`), or, for a story read from an archive, against its member's folder in the archive:
    then `archive` is the archive's file and `member` the picture's name in it.
    """

    path: str
    caption: str = ""
    credit: str = ""
    alt_text: str = ""
    title: str = ""  # the library's title for the picture (else one made from the file's name)
    copyright_holder: str = ""  # else the credit
    decorative: bool = False  # adds nothing a reader needs: no alt text wanted
    problem: str = ""  # why the picture cannot be used (set by the pipeline, reported per entry)
    archive: str = ""
    member: str = ""


@dataclass(frozen=True)
class PublicCorrection:
    """A public note the input gives its story (`Correction`): its kind (a `Correction.Kind` value), text and
    time, checked by the parser (`fields.corrections_of`)."""

    kind: str
    text: str
    created_at: datetime

    @property
    def key(self):
        """What makes two corrections of a story the same one: kind, text and time."""
        return (self.kind, self.text, self.created_at)


@dataclass(frozen=True)
class PostedUpdate:
    """A live update the input gives its story (`LiveUpdate`): when, an optional title, the text as sanitised
    HTML, an optional byline (an author's name, found or created as a story's byline names are) and an optional
    picture (a `PictureRef`, resolved and added to the library as a lead picture is), checked by the parser
    (`fields.live_updates_of`). The picture is not part of what makes two updates the same (`key`)."""

    posted_at: datetime
    title: str
    text: str
    author: str = ""
    picture: PictureRef | None = field(default=None, compare=False)

    @property
    def key(self):
        """What makes two live updates of a story the same one: time and text (the title is the desk's to change)."""
        return (self.posted_at, self.text)


@dataclass
class Story:
    """One story as read from an input, before defaults, deduplication and tagging.

    `body` is HTML; `section` a path of names from the top ("Iraq News", "Local News"); `regions`, `actors`
    and `authors` are names (or slugs) as the input gives them; `authors_ar`, when the input gives it, their
    Arabic names in the same order ("" for none). `entry` numbers stories within an input.
    `dateline` is the place the story was filed from, as the input names it ("Baghouz", "BAGHOUZ, Syria"), or "".
    `picture` is the lead picture the input names (a `PictureRef`), if any. `genres` are the genres the input
    gives the story, each a tuple of the ways it names one genre (an IPTC code, a URI, a name), as written: the
    pipeline works out the story's type of work from them (`fields.work_type`). `corrections` and `live_updates`
    are the story's public notes (`PublicCorrection`, `PostedUpdate`), oldest first, each once: the pipeline
    adds those the stored story lacks, whatever else happens to the story.
    """

    headline: str
    body: str = ""
    standfirst: str = ""
    kicker: str = ""
    language: str = ""
    section: tuple = ()
    authors: tuple = ()
    authors_ar: tuple = ()
    regions: tuple = ()
    actors: tuple = ()
    published_at: datetime | None = None
    embargo_until: datetime | None = None
    source: str = ""
    source_id: str = ""
    source_url: str = ""
    credit: str = ""
    byline: str = ""
    dateline: str = ""
    entry: int | None = None
    picture: PictureRef | None = None
    genres: tuple = ()
    corrections: tuple = ()
    live_updates: tuple = ()
    extra: dict = field(default_factory=dict)
