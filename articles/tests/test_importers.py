"""Each input format: a correct example imports the right stories, a broken one is reported and skipped."""

import io
import json
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from articles.importers.pipeline import ImportOptions, run_import
from articles.importers.sources import Missing
from articles.models import Article, Section

DATA = Path(__file__).parent / "data" / "import"
SAMPLES = Path("/work/shared/samples")

pytestmark = pytest.mark.django_db


def run(*paths, **options):
    return run_import([str(p) for p in paths], ImportOptions(**options))


def tags(article):
    return (
        sorted(article.regions.values_list("slug", flat=True)),
        sorted(article.actors.values_list("slug", flat=True)),
    )


@pytest.mark.parametrize(
    ("name", "headlines"),
    [
        ("plain-story.txt", ["Baghdad markets reopen after curfew is lifted"]),
        ("ninjs1-item.json", ["Iraq reopens border crossing with Syria"]),
        ("ninjs2-array.json", ["SDF says last ISIS pocket surrounded", "اشتباكات في دير الزور"]),
        (
            "newsml-message.xml",
            ["Civilians leave besieged pocket in eastern Syria", "Baghdad hosts regional water talks"],
        ),
        ("feed.atom", ["Aid convoy reaches Deir ez-Zor"]),
        (
            "stories.jsonl",
            ["Iraq and Syria agree on border patrols", "SDF detains ISIS suspects", "داعش يتبنى هجوما في دير الزور"],
        ),
        ("stories.csv", ["Baghdad court sentences ISIS members", "Deir ez-Zor farmers return to fields"]),
    ],
)
def test_each_format_imports_every_story_it_holds(places, actors, name, headlines):
    report = run(DATA / name)
    assert report.summary() == f"imported {len(headlines)}, updated 0, unchanged 0, held 0, duplicates 0, failed 0"
    assert sorted(Article.objects.values_list("headline", flat=True)) == sorted(headlines)


@pytest.mark.parametrize(
    ("name", "where", "reason"),
    [
        ("empty.txt", "empty.txt", "empty file"),
        ("headline-only.txt", "headline-only.txt", "no text after the headline"),
        ("ninjs-no-headline.json", "ninjs-no-headline.json entry 1", "no headline"),
        ("ninjs-truncated.json", "ninjs-truncated.json entry 2", "malformed JSON"),
        ("newsml-broken.xml", "newsml-broken.xml", "malformed XML"),
        ("feed-broken.rss", "feed-broken.rss", "malformed feed"),
        ("broken.csv", "broken.csv", "no headline column"),
    ],
)
def test_a_broken_input_is_reported_by_path_with_a_one_line_reason(db, name, where, reason):
    report = run(DATA / name)
    failure = next(f for f in report.failures if f.startswith(f"{DATA / where}:"))
    assert reason in failure and "\n" not in failure


def test_a_truncated_ninjs_array_keeps_the_items_before_the_break(db):
    report = run(DATA / "ninjs-truncated.json")
    assert report.imported == 1 and report.failed == 1
    assert Article.objects.get().headline == "Complete item before the break"


def test_ninjs_items_that_are_not_text_objects_are_reported_by_entry_and_the_others_imported(tmp_path, db):
    items = [
        {"uri": "urn:wire:p1", "type": "picture", "headlines": [{"role": "main", "value": "A photo"}]},
        42,
        {"uri": "urn:wire:t1", "headlines": [{"role": "main", "value": "Talks resume"}], "bodies": [{"value": "Go."}]},
    ]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(items))
    report = run(path)
    assert report.failures == [f"{path} entry 1: not a text item (type picture)", f"{path} entry 2: not a JSON object"]
    assert list(Article.objects.values_list("headline", flat=True)) == ["Talks resume"]


def test_a_ninjs_file_that_is_neither_an_object_nor_an_array_is_refused_by_name(tmp_path, db):
    path = tmp_path / "wire.json"
    path.write_text('"Talks resume"')
    report = run(path, format="ninjs")
    assert report.failures == [f"{path}: not JSON (expected an object or an array of ninjs items)"]
    assert not Article.objects.exists()


def test_ninjs_nested_deeper_than_any_real_item_is_refused_as_malformed_and_the_other_inputs_imported(tmp_path, db):
    # 100,000 brackets took 23 GB before the parser failed; 2,000 show the refusal without that.
    good = {"uri": "urn:wire:1", "headline": "Talks [resume]", "body_text": "Go."}
    brackets_in_text = {"uri": "urn:wire:2", "headline": "[" * 100, "body_text": "]" * 2000}  # not nesting
    array = tmp_path / "array.json"
    array.write_text(f"[{json.dumps(good)}, {json.dumps(brackets_in_text)}, {'[' * 2000}{']' * 2000}]")
    item = tmp_path / "item.json"
    item.write_text('{"headline": "Deep", "place": ' + "[" * 2000 + "]" * 2000 + "}")
    plain = tmp_path / "plain.txt"
    plain.write_text("Border reopens\n\nTrucks crossed at dawn.\n")
    report = run(array, item, plain)
    assert report.failures == [
        f"{array} entry 3: malformed JSON: nested deeper than 64 levels",
        f"{item}: malformed JSON: nested deeper than 64 levels",
    ]
    assert sorted(Article.objects.values_list("headline", flat=True)) == ["Border reopens", "Talks [resume]", "[" * 100]


def test_bad_json_lines_are_reported_by_line_and_the_good_ones_imported(db):
    report = run(DATA / "broken.jsonl")
    path = DATA / "broken.jsonl"
    assert report.imported == 1
    assert report.failures == [
        f"{path} entry 2: malformed JSON: Expecting ',' delimiter (column 1)",
        f"{path} entry 3: not a JSON object",
        f"{path} entry 4: no headline",
        f"{path} entry 5: no text (headline only)",
    ]


@pytest.mark.parametrize("workers", [0, 2], ids=["one-process", "workers"])
def test_a_date_outside_the_publishing_years_fails_its_story_and_the_rest_are_imported(tmp_path, db, workers):
    lines = tmp_path / "wire.jsonl"
    rows = [
        {"headline": "First of the era", "body": "Text.", "published_at": "0001-01-01T00:00:00"},
        {"headline": "Border reopens", "body": "Trucks crossed.", "published_at": "2024-03-01T08:00:00Z"},
        {"headline": "Typed short", "body": "Text.", "published_at": "0026-03-01T08:00:00Z"},
        {"headline": "First of the range", "body": "Text.", "published_at": "1900-01-01T12:00:00Z"},
    ]
    lines.write_text("".join(json.dumps(row) + "\n" for row in rows))
    item = tmp_path / "item.json"
    item.write_text(
        json.dumps({"headline": "End of time", "body_text": "Text.", "versioncreated": "9999-12-31T23:00:00-05:00"})
    )
    message = tmp_path / "message.xml"
    message.write_text(
        (DATA / "newsml-message.xml").read_text().replace("2019-02-14T10:00:00Z", "9999-12-31T23:00:00Z")
    )
    feed = tmp_path / "wire.atom"
    feed.write_text((DATA / "feed.atom").read_text().replace("2019-02-", "9999-12-"))
    report = run(lines, item, message, feed, workers=workers)
    assert report.failures[:4] == [
        f"{lines} entry 1: not a date: '0001-01-01T00:00:00' (outside the years 1900 to 2999)",
        f"{lines} entry 3: not a date: '0026-03-01T08:00:00Z' (outside the years 1900 to 2999)",
        f"{item} entry 1: not a date: '9999-12-31T23:00:00-05:00' (outside the years 1900 to 2999)",
        f"{message} entry 2: not a date: '9999-12-31T23:00:00Z' (outside the years 1900 to 2999)",
    ]
    assert len(report.failures) == 5 and report.failures[4].startswith(f"{feed} entry 1: not a date: ")
    assert sorted(Article.objects.values_list("headline", flat=True)) == [
        "Border reopens",
        "Civilians leave besieged pocket in eastern Syria",
        "First of the range",
    ]


def test_a_section_name_too_long_for_the_site_fails_its_story_by_name_and_the_rest_are_imported(tmp_path, db):
    path = tmp_path / "wire.jsonl"
    rows = [
        {"headline": "Long section", "body": "Text.", "section": "Iraq News > " + "Q" * 150},
        {"headline": "Border reopens", "body": "Trucks crossed.", "section": "Iraq News > " + "Q" * 100},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    report = run(path)
    assert report.failures == [f"{path} entry 1: section name longer than 100 characters: {'Q' * 40!r}…"]
    assert Article.objects.get().section.name == "Q" * 100


def test_a_json_line_nested_too_deeply_to_read_is_reported_by_line_and_the_others_imported(tmp_path, db):
    path = tmp_path / "wire.jsonl"
    deep = '{"headline": "Deep", "body": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(deep + "\n" + json.dumps({"headline": "Border reopens", "body": "Trucks crossed."}) + "\n")
    report = run(path)
    assert report.failures == [f"{path} entry 1: malformed JSON: nested too deeply to read"]
    assert Article.objects.get().headline == "Border reopens"


def test_a_feed_entry_without_title_is_reported_and_the_others_imported(db):
    report = run(DATA / "feed.rss")
    assert report.imported == 2
    assert report.failures == [f"{DATA / 'feed.rss'} entry 3: no headline (empty title)"]
    article = Article.objects.get(headline="Mosul university library reopens")
    assert article.source == "Example Iraq Desk"
    assert article.source_url == "https://desk.example.org/mosul-library"
    assert article.standfirst == "Students return to the rebuilt library."


def test_control_characters_are_taken_out_of_imported_text_and_a_title_of_nothing_else_is_reported(
    client, db, tmp_path
):
    # A NUL would make PostgreSQL refuse the whole batch, and any C0 control makes the feeds invalid XML.
    rss = tmp_path / "wire.rss"
    rss.write_bytes(
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        b"<item><title>Dam\x00 reopens near Mosul</title><description>Engineers\x07 said the gates work."
        b"</description><guid>w-1</guid></item></channel></rss>"
    )
    lines = tmp_path / "wire.jsonl"
    lines.write_text(
        '{"headline": "Market\\u0000 fire in Basra", "body": "Shops\\u0001 burned.",'
        ' "authors": "Rania\\u0000 Khalil"}\n'
        '{"headline": "\\u0000\\u0000", "body": "Text with no headline."}\n',
        encoding="utf-8",
    )
    report = run(rss, lines, status="published")
    assert report.imported == 2
    assert report.failures == [f"{lines} entry 2: no headline"]
    dam = Article.objects.get(headline="Dam reopens near Mosul")
    assert "Engineers said the gates work." in dam.body
    fire = Article.objects.get(headline="Market fire in Basra")
    assert "\x00" not in fire.body and "\x01" not in fire.body
    assert [a.display_name for a in fire.authors.all()] == ["Rania Khalil"]
    feed = client.get("/feeds/latest/rss/").content
    assert b"Dam reopens near Mosul" in feed and not any(byte < 32 and byte not in (9, 10, 13) for byte in feed)


def test_a_section_an_import_creates_is_offered_by_the_search_filter_at_once(
    client, db, tmp_path, django_capture_on_commit_callbacks
):
    assert "brand-new-desk" not in client.get("/search/").content.decode()  # the options are cached now
    lines = tmp_path / "desk.jsonl"
    lines.write_text('{"headline": "Dam reopens", "body": "Gates work.", "section": "Brand New Desk"}\n')
    with django_capture_on_commit_callbacks(execute=True):
        assert run(lines, status="published").imported == 1
    assert '<option value="brand-new-desk">Brand New Desk</option>' in client.get("/search/").content.decode()


def test_plain_text_header_line_becomes_the_section_without_the_site_name(places, actors):
    run(DATA / "header-story.txt")
    article = Article.objects.get()
    assert article.headline == "Fighters retreat from Baghouz as SDF closes in"
    assert str(article.section) == "Syria News > Frontline"
    assert not Section.objects.filter(name="Example Wire").exists()
    assert tags(article) == (["baghouz", "deir-ez-zor"], ["islamic-state", "syrian-democratic-forces"])


def test_header_line_no_reads_the_first_line_as_the_headline(db):
    run(DATA / "header-story.txt", header_line="no")
    assert Article.objects.get().headline == "Syria News - Frontline - Example Wire"


def test_underlined_headline_with_crlf_and_one_paragraph_per_line(places, actors):
    run(DATA / "underlined-crlf.txt")
    article = Article.objects.get()
    assert article.headline == "Clashes reported near Deir ez-Zor"
    assert article.body.count("<p>") == 3 and "-----" not in article.body and "\r" not in article.body


@pytest.mark.parametrize(
    ("name", "headline"),
    [
        ("bom-utf8.txt", "BOM story about Iraq"),
        ("legacy-cp1252.txt", "Café owners in Baghdad “cautiously hopeful”"),
        ("legacy-latin1.txt", "Façade of old Mosul museum restored"),
    ],
)
def test_encodings_are_detected_not_crashed_on(db, name, headline):
    report = run(DATA / name)
    assert report.failed == 0
    assert Article.objects.get().headline == headline


def test_undecodable_bytes_are_refused_with_a_reason(db, tmp_path):
    (tmp_path / "garbage.txt").write_bytes(bytes(range(1, 256)) * 40)
    report = run(tmp_path / "garbage.txt")
    assert report.imported == 0 and "undecodable bytes" in report.failures[0]


def test_arabic_story_is_detected_as_arabic_and_tagged(places, actors):
    run(DATA / "story-ar.txt")
    article = Article.objects.get()
    assert article.language == "ar"
    assert tags(article) == (
        ["baghouz", "deir-ez-zor", "iraq", "syria"],
        ["islamic-state", "syrian-democratic-forces"],
    )


def test_language_option_overrides_detection(db):
    run(DATA / "plain-story.txt", language="ar")
    assert Article.objects.get().language == "ar"


def test_input_tags_authors_sections_and_dates_are_kept(places, actors):
    run(DATA / "stories.csv", autotag=False)
    article = Article.objects.get(source_id="c-1")
    assert str(article.section) == "Iraq News > Courts"
    assert sorted(article.authors.values_list("display_name", flat=True)) == ["Ahmed Jassim", "Huda Ali"]
    assert tags(article) == (["baghdad", "iraq"], ["islamic-state"])
    assert article.dateline_time.isoformat() == "2019-02-17T08:00:00+00:00"  # 11:00 Baghdad time
    two_paragraphs = "<p>Farmers near Deir ez-Zor returned to their fields.</p><p>Some found mines.</p>"
    assert Article.objects.get(source_id="c-2").body == two_paragraphs


def test_directories_are_walked_recursively_and_unknown_files_reported(places, actors, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(DATA / "plain-story.txt", tmp_path / "a" / "one.txt")
    shutil.copy(DATA / "feed.atom", tmp_path / "a" / "b" / "two.atom")
    (tmp_path / "a" / "b" / "notes.bin").write_bytes(b"\x00\x01binary notes")
    # Pictures beside the stories are attachments the stories name, not inputs of their own.
    (tmp_path / "a" / "b" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (tmp_path / "a" / ".hidden.txt").write_text("Hidden\n\nnot imported")
    report = run(tmp_path)
    assert report.imported == 2
    assert report.failures == [f"{tmp_path / 'a' / 'b' / 'notes.bin'}: unrecognised format (use --format)"]


def test_a_walk_lists_a_folders_files_before_its_subfolders_follows_file_links_and_reports_folder_links(tmp_path):
    from articles.importers.sources import Input, Missing, inputs

    (tmp_path / "b" / "deeper").mkdir(parents=True)
    for name in ("z.txt", "b/y.txt", "b/deeper/x.txt", "elsewhere.txt"):
        (tmp_path / name).write_text("Headline\n\nText.\n")
    (tmp_path / "a-link.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "c-folder-link").symlink_to(tmp_path / "b")
    (tmp_path / "d-broken.txt").symlink_to(tmp_path / "nowhere.txt")
    found = [(type(item), item.name) for item in inputs([tmp_path])]
    assert found == [
        (Input, str(tmp_path / "a-link.txt")),
        (Missing, str(tmp_path / "c-folder-link")),
        (Missing, str(tmp_path / "d-broken.txt")),
        (Input, str(tmp_path / "elsewhere.txt")),
        (Input, str(tmp_path / "z.txt")),
        (Input, str(tmp_path / "b" / "y.txt")),
        (Input, str(tmp_path / "b" / "deeper" / "x.txt")),
    ]


def test_globs_select_files(db, tmp_path):
    for name in ("plain-story.txt", "bom-utf8.txt", "feed.atom"):
        shutil.copy(DATA / name, tmp_path / name)
    assert run(f"{tmp_path}/*.txt").imported == 2


def test_a_pipe_among_the_inputs_is_reported_unread_instead_of_waiting_forever(db, tmp_path):
    from articles.importers.sources import Input, inputs

    shutil.copy(DATA / "plain-story.txt", tmp_path / "a.txt")
    os.mkfifo(tmp_path / "wire.txt")
    assert [type(item) for item in inputs([tmp_path])] == [Input, Missing]
    report = run(tmp_path)  # it used to open the pipe and wait for a writer
    assert report.imported == 1
    assert report.failures == [f"{tmp_path / 'wire.txt'}: not a regular file (a pipe, a socket or a device), not read"]


def test_a_glob_with_two_stars_reads_each_file_once_and_does_not_go_through_folder_links(db, tmp_path):
    (tmp_path / "wire" / "day").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(DATA / "plain-story.txt", tmp_path / "wire" / "day" / "a.txt")
    shutil.copy(DATA / "bom-utf8.txt", tmp_path / "elsewhere" / "b.txt")
    (tmp_path / "wire" / "day" / "up").symlink_to(tmp_path / "wire")  # a loop: glob.glob read a.txt 41 times
    (tmp_path / "wire" / "other").symlink_to(tmp_path / "elsewhere")
    report = run(f"{tmp_path}/wire/**/*.txt")
    assert (report.imported, report.duplicates, report.failures) == (1, 0, [])
    report = run(f"{tmp_path}/wire/*")  # a link a wildcard matches is named, as walking the folder names one
    assert report.failures == [
        f"{tmp_path / 'wire' / name}: a link to a folder (not followed: links to folders can loop)"
        for name in ("day/up", "other")
    ]


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_archives_are_read_member_by_member(places, actors, tmp_path, kind):
    names = ["plain-story.txt", "stories.jsonl", "ninjs2-array.json", "empty.txt"]
    archive = tmp_path / f"batch.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as handle:
            for name in names:
                handle.write(DATA / name, f"wire/{name}")
    else:
        with tarfile.open(archive, "w:gz" if kind.endswith("gz") else "w") as handle:
            for name in names:
                handle.add(DATA / name, f"wire/{name}")
    report = run(archive)
    assert report.imported == 6
    assert report.failures == [f"{archive}:wire/empty.txt: empty file"]


def test_a_corrupt_archive_is_reported(db, tmp_path):
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    report = run(tmp_path / "bad.zip")
    assert report.failed == 1 and "unreadable archive" in report.failures[0]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="the shared samples folder is not present")
def test_the_shared_sample_story_imports_with_its_section_places_and_actors(places, actors):
    report = run(SAMPLES / "baghdadpost-story.txt")
    assert report.imported == 1
    article = Article.objects.get()
    assert article.headline == "Hundreds flee US-backed Syria battle for last ISIS holdout"
    assert str(article.section) == "Iraq News > Local News"
    assert not Section.objects.filter(name__icontains="baghdadpost").exists()
    regions, actor_slugs = tags(article)
    # "the eastern province of Deir Ezzor" is the governorate, not the city
    assert {"syria", "iraq", "baghouz", "deir-ez-zor-governorate"} <= set(regions)
    assert actor_slugs == ["islamic-state", "syrian-democratic-forces"]


# An archive from outside is not trusted: what a story member may be before it is read.


def _zip(archive, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(archive, "w", compression=compression) as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    # A member under locked/ is marked encrypted in the central directory (zipfile cannot write encryption):
    # bit 0 of the flags, 8 bytes into the member's central directory header.
    raw = bytearray(archive.read_bytes())
    for name in members:
        if name.startswith("locked/"):
            header = raw.index(b"PK\x01\x02")
            while raw[header + 46 : header + 46 + len(name)] != name.encode():
                header = raw.index(b"PK\x01\x02", header + 4)
            raw[header + 8] |= 0x1
    archive.write_bytes(bytes(raw))


STORY = "A headline about Baghdad\n\nThe text of the story.\n"


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_a_story_member_over_the_size_limit_is_refused_unread_and_the_rest_imported(db, tmp_path, settings, kind):
    settings.NEWSROOM_IMPORT_MAX_MEMBER_BYTES = 100_000
    archive = tmp_path / f"wire.{kind}"
    huge = "A headline\n\n" + "zero " * 40_000  # 200,012 bytes, a few hundred once compressed
    if kind == "zip":
        _zip(archive, {"wire/huge.txt": huge, "wire/story.txt": STORY})
    else:
        with tarfile.open(archive, "w:gz") as handle:
            for name, text in {"wire/huge.txt": huge, "wire/story.txt": STORY}.items():
                info = tarfile.TarInfo(name)
                info.size = len(text.encode())
                handle.addfile(info, io.BytesIO(text.encode()))
    report = run(archive)
    assert report.imported == 1
    assert report.failures == [
        f"{archive}:wire/huge.txt: too large: 200,012 bytes, over the limit of 100,000"
        " (NEWSROOM_IMPORT_MAX_MEMBER_BYTES)"
    ]


def test_a_zip_member_packed_with_bzip2_or_encrypted_is_refused_with_its_reason(db, tmp_path):
    _zip(tmp_path / "bzip2.zip", {"wire/story.txt": STORY}, compression=zipfile.ZIP_BZIP2)
    _zip(tmp_path / "mixed.zip", {"locked/story.txt": STORY.replace("Baghdad", "Basra"), "wire/story.txt": STORY})
    report = run(tmp_path / "bzip2.zip", tmp_path / "mixed.zip")
    assert report.imported == 1
    assert report.failures == [
        f"{tmp_path / 'bzip2.zip'}:wire/story.txt: compressed with bzip2 or LZMA, which are not read from zip files"
        " (pack it again with deflate)",
        f"{tmp_path / 'mixed.zip'}:locked/story.txt: encrypted (a password is needed)",
    ]


@pytest.mark.parametrize("workers", [0, 2], ids=["one-process", "workers"])
def test_two_zip_members_of_the_same_name_are_two_inputs_each_read_for_its_own_story(db, tmp_path, workers):
    archive = tmp_path / "wire.zip"
    with zipfile.ZipFile(archive, "w") as handle, pytest.warns(UserWarning, match="Duplicate name"):
        handle.writestr("wire/story.txt", "Border reopens\n\nTrucks crossed at dawn.\n")
        handle.writestr("wire/story.txt", "Dam levels fall\n\nThe Mosul dam is at its lowest.\n")
    report = run(archive, workers=workers)
    assert (report.imported, report.duplicates, report.failures) == (2, 0, [])
    assert sorted(Article.objects.values_list("headline", flat=True)) == ["Border reopens", "Dam levels fall"]
    assert run(archive, workers=workers).unchanged == 2


def test_a_subfolder_that_cannot_be_read_is_reported_by_name_and_the_rest_imported(db, tmp_path, monkeypatch):
    from articles.importers import sources

    (tmp_path / "locked").mkdir()
    shutil.copy(DATA / "plain-story.txt", tmp_path / "a.txt")
    shutil.copy(DATA / "bom-utf8.txt", tmp_path / "locked" / "b.txt")
    scandir = os.scandir

    def refusing(path):  # as chmod 000 does for anyone but root, who runs these tests in the container
        if str(path) == str(tmp_path / "locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(sources.os, "scandir", refusing)
    report = run(tmp_path)
    assert report.imported == 1
    assert report.failures == [f"{tmp_path / 'locked'}: cannot read this folder (Permission denied)"]


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_an_archive_member_named_with_dot_dot_is_reported_unread_and_the_others_imported(db, tmp_path, kind):
    archive = tmp_path / f"wire.{kind}"
    members = {"../../evil.txt": b"Evil\n\nText.\n", "ok/story.txt": b"Border reopens\n\nTrucks crossed.\n"}
    if kind == "zip":
        _zip(archive, members)
    else:
        with tarfile.open(archive, "w") as handle:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                handle.addfile(info, io.BytesIO(data))
    report = run(archive)
    assert report.imported == 1
    assert report.failures == [f"{archive}:../../evil.txt: named with '..' (a path out of its folder), not read"]


@pytest.mark.parametrize(
    ("source", "encoding", "name", "headlines"),
    [
        (
            "ninjs2-array.json",
            "utf-8-sig",
            "bom.json",
            ["SDF says last ISIS pocket surrounded", "اشتباكات في دير الزور"],
        ),
        ("ninjs2-array.json", "utf-16", "wide.json", ["SDF says last ISIS pocket surrounded", "اشتباكات في دير الزور"]),
        (
            "ninjs2-array.json",
            "utf-32",
            "wider.json",
            ["SDF says last ISIS pocket surrounded", "اشتباكات في دير الزور"],
        ),
        (
            "newsml-message.xml",
            "utf-16",
            "wide.xml",
            ["Civilians leave besieged pocket in eastern Syria", "Baghdad hosts regional water talks"],
        ),
        ("newsml-message.xml", "utf-16", "wide-message", ["Civilians leave besieged pocket in eastern Syria"]),
        ("plain-story.txt", "utf-32", "wider.txt", ["Baghdad markets reopen after curfew is lifted"]),
    ],
)
def test_inputs_in_other_unicode_encodings_read_as_their_utf8_twins(
    places, actors, tmp_path, source, encoding, name, headlines
):
    text = (DATA / source).read_text(encoding="utf-8")
    if name.endswith(".xml") or name == "wide-message":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    (tmp_path / name).write_bytes(text.encode(encoding))
    report = run(tmp_path / name)
    assert report.failed == 0, report.failures
    assert set(headlines) <= set(Article.objects.values_list("headline", flat=True))


def test_a_ninjs_file_in_a_legacy_encoding_keeps_its_accents(db, tmp_path):
    item = {"uri": "urn:x:1", "headline": "Café owners reopen in Erbil", "body_html": "<p>Crème brûlée again.</p>"}
    (tmp_path / "legacy.json").write_bytes(json.dumps(item, ensure_ascii=False).encode("cp1252"))
    assert run(tmp_path / "legacy.json").failed == 0
    assert Article.objects.get().headline == "Café owners reopen in Erbil"


def test_a_malformed_json_file_is_named_in_words_not_bytes(db, tmp_path):
    (tmp_path / "bad.json").write_bytes(b'{"headline": "Mosul", "body": tru}')
    report = run(tmp_path / "bad.json")
    assert len(report.failures) == 1 and "malformed JSON: " in report.failures[0]
    assert "b'" not in report.failures[0]


def test_a_paragraph_of_control_characters_leaves_no_empty_paragraph(db, tmp_path):
    row = {"source_id": "ctl", "headline": "Dam repairs", "body": "Para one.\n\n\u0001\u0002\n\nPara two."}
    (tmp_path / "ctl.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert run(tmp_path / "ctl.jsonl").failed == 0
    assert Article.objects.get().body == "<p>Para one.</p><p>Para two.</p>"
