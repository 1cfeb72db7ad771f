"""Wire packages: stories and their pictures in one zip or tar.gz, read from the archive without unpacking it.

Mirrors test_import_pictures (pictures beside the stories in a folder) for archives, and adds what only an
archive can do wrong: paths leading out of it, links and devices among its members, sizes it lies about.
"""

import csv
import io
import json
import os
import stat
import struct
import tarfile
import tracemalloc
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from articles.models import Article, Image
from articles.tests.pictures import jpeg_bytes, revealing_exif
from articles.tests.test_import_pictures import NEWSML, ninjs_v2, row, run

pytestmark = pytest.mark.django_db
KINDS = ["zip", "tar.gz"]
SUMMARY = "imported {}, updated 0, unchanged 0, held 0, duplicates 0, failed 0, pictures {}, picture problems {}"


def jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def package(path, members):
    """A real zip or tar(.gz) at `path` (the suffix decides) holding `members` ({name: bytes}), in that order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    else:
        with tarfile.open(path, "w:gz" if path.name.endswith("gz") else "w") as archive:
            for name, data in members.items():
                member = tarfile.TarInfo(name)
                member.size, member.mtime = len(data), 1_700_000_000
                archive.addfile(member, io.BytesIO(data))
    return path


def tar_with(path, members):
    """A tar.gz of `members`: (TarInfo, bytes or None) pairs, for links and devices."""
    with tarfile.open(path, "w:gz") as archive:
        for member, data in members:
            archive.addfile(member, io.BytesIO(data) if data is not None else None)
    return path


def tar_file(name, data):
    member = tarfile.TarInfo(name)
    member.size = len(data)
    return member, data


def patch_central_directory(path, name, *, size=None, flags=None):
    """Rewrite what the zip's central directory declares of member `name` (its uncompressed size, its flag
    bits), as a hostile zip would; zipfile trusts the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.start_dir
    while data[offset : offset + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        if data[offset + 46 : offset + 46 + name_length].decode() == name:
            if size is not None:
                struct.pack_into("<I", data, offset + 24, size)
            if flags is not None:
                struct.pack_into("<H", data, offset + 8, flags)
        offset += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(data))


def png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 200, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def published_words(**extra):
    return {"image_credit": "AFP", "image_alt": "A street", **extra}


# -- every format that names a picture, read from the archive ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_ninjs_package_s_feature_image_is_read_from_the_archive(tmp_path, kind):
    archive = package(
        tmp_path / "in" / f"afp.{kind}",
        {
            "afp/item.json": json.dumps(ninjs_v2("pictures/photo.jpg")).encode(),
            "afp/pictures/photo.jpg": jpeg_bytes((320, 200), exif=revealing_exif()),
        },
    )
    report = run(archive)
    assert report.summary() == SUMMARY.format(1, 1, 0)
    assert report.failures == []  # the JPEG member is the story's picture, not an input of its own
    article = Article.objects.get()
    image = article.lead_image
    assert (image.caption, image.credit, image.copyright_holder, image.alt_text) == (
        "Families wait at the Baghouz checkpoint.",
        "Jane Doe / AFP",
        "Jane Doe / AFP",
        "A queue of families beside a road",
    )
    assert article.lead_caption == "Families wait at the Baghouz checkpoint."
    assert image.title == "Families at a checkpoint"  # the picture's ninjs headline, not its file's name
    with image.file.open("rb") as handle:
        stored = PILImage.open(io.BytesIO(handle.read()))
        assert stored.size == (320, 200)
        assert not stored.getexif()  # cleaned like any upload: no GPS, no camera serial
    assert sorted(os.listdir(tmp_path / "in")) == [archive.name]  # nothing unpacked beside the archive


def test_a_ninjs_1_associations_object_in_a_zip_names_its_picture(tmp_path):
    item = {
        "uri": "urn:wire:2",
        "headline": "Aid reaches Deir ez-Zor",
        "body_text": "Trucks arrived.",
        "associations": {
            "featureimage": {
                "type": "picture",
                "description_text": "Trucks at the crossing.",
                "byline": "Omar Khalil / Reuters",
                "alt_text": "Lorries queue at a border crossing",
                "renditions": {"original": {"href": "photo.jpg", "width": 320}},
            }
        },
    }
    archive = package(tmp_path / "reuters.zip", {"item.json": json.dumps(item).encode(), "photo.jpg": jpeg_bytes()})
    run(archive)
    image = Article.objects.get().lead_image
    assert (image.caption, image.credit, image.alt_text) == (
        "Trucks at the crossing.",
        "Omar Khalil / Reuters",
        "Lorries queue at a border crossing",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_newsml_package_s_picture_item_and_direct_link_are_read_from_the_archive(tmp_path, kind):
    archive = package(
        tmp_path / f"ap.{kind}",
        {
            "ap/message.xml": NEWSML.replace("{href}", "media/photo.jpg")
            .replace('"photo2.jpg"', '"media/2.jpg"')
            .encode(),
            "ap/media/photo.jpg": jpeg_bytes(),
            "ap/media/2.jpg": jpeg_bytes(),
        },
    )
    report = run(archive)
    assert (report.imported, report.pictures, report.failures, report.picture_problems) == (2, 2, [], [])
    first = Article.objects.get(source_id="urn:wire:text:1").lead_image
    assert (first.caption, first.credit, first.alt_text) == (
        "Shoppers in Mosul's old market.",
        "Ali Hassan / AP",
        "Shoppers walk between fruit stalls",
    )
    assert Article.objects.get(source_id="urn:wire:text:2").lead_caption == "A second picture"
    assert Image.objects.count() == 2


def test_a_csv_image_column_in_a_tar_gz_attaches_the_picture(tmp_path):
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["headline", "body", "image", "image_caption", "image_credit", "image_alt"])
    writer.writerow(["Water returns to Raqqa", "Pumps work again.", "img/a.jpg", "A pump.", "R. Ali", "A pump"])
    writer.writerow(["A story without a picture", "Just text.", "", "", "", ""])
    archive = package(
        tmp_path / "wire.tar.gz", {"wire/stories.csv": table.getvalue().encode(), "wire/img/a.jpg": jpeg_bytes()}
    )
    report = run(archive)
    assert report.summary() == SUMMARY.format(2, 1, 0)
    article = Article.objects.get(headline="Water returns to Raqqa")
    assert (article.lead_image.caption, article.lead_image.credit, article.lead_image.alt_text) == (
        "A pump.",
        "R. Ali",
        "A pump",
    )
    assert Article.objects.get(headline="A story without a picture").lead_image is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_path_may_lead_anywhere_inside_the_archive(tmp_path, kind):
    archive = package(
        tmp_path / f"wire.{kind}",
        {
            "text/day1/stories.jsonl": jsonl([row(1, image="../../media/a.jpg"), row(2, image="./../day1/b.png")]),
            "media/a.jpg": jpeg_bytes(),
            "text/day1/b.png": png_bytes(),
        },
    )
    report = run(archive)
    assert (report.pictures, report.picture_problems) == (2, [])


def test_members_named_from_the_current_folder_are_found(tmp_path):
    # `tar czf wire.tgz .` names every member "./…".
    archive = package(
        tmp_path / "wire.tgz", {"./stories.jsonl": jsonl([row(1, image="photo.jpg")]), "./photo.jpg": jpeg_bytes()}
    )
    assert run(archive).summary() == SUMMARY.format(1, 1, 0)  # the story too: "." is not a hidden folder


# -- the same bytes once, re-runs, workers --------------------------------------------------------------------


def test_the_same_picture_in_archives_and_a_folder_is_stored_once(tmp_path):
    photo = jpeg_bytes()
    first = package(tmp_path / "a.zip", {"stories.jsonl": jsonl([row(1, image="p.jpg"), row(2, image="p.jpg")]),
                                         "p.jpg": photo})  # fmt: skip
    second = package(tmp_path / "b.tar.gz", {"x/stories.jsonl": jsonl([row(3, image="q.jpg")]), "x/q.jpg": photo})
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "same.jpg").write_bytes(photo)
    (tmp_path / "folder" / "stories.jsonl").write_bytes(jsonl([row(4, image="same.jpg")]))
    report = run(first, second, tmp_path / "folder")
    assert (report.imported, report.pictures) == (4, 4)
    assert Image.objects.count() == 1
    assert set(Article.objects.values_list("lead_image", flat=True)) == {Image.objects.get().pk}


@pytest.mark.parametrize("kind", KINDS)
def test_running_the_same_package_again_changes_nothing(tmp_path, kind):
    archive = package(
        tmp_path / f"wire.{kind}",
        {"stories.jsonl": jsonl([row(n, image="photo.jpg", image_credit="AFP") for n in range(3)]),
         "photo.jpg": jpeg_bytes()},
    )  # fmt: skip
    assert run(archive).summary() == SUMMARY.format(3, 3, 0)
    versions = list(Article.objects.order_by("pk").values_list("version", "lead_image"))
    again = run(archive)
    assert again.summary() == "imported 0, updated 0, unchanged 3, held 0, duplicates 0, failed 0"
    # Downloaded again: a new file time, the same members. Still nothing to do.
    os.utime(archive, (1_800_000_000, 1_800_000_000))
    assert run(archive).unchanged == 3
    assert list(Article.objects.order_by("pk").values_list("version", "lead_image")) == versions
    assert Image.objects.count() == 1


def test_a_package_delivered_again_with_a_new_picture_updates_the_story(tmp_path):
    archive = package(tmp_path / "wire.zip", {"stories.jsonl": jsonl([row(1, image="photo.jpg")]),
                                              "photo.jpg": jpeg_bytes()})  # fmt: skip
    run(archive)
    old = Article.objects.get().lead_image
    package(tmp_path / "wire.zip", {"stories.jsonl": jsonl([row(1, image="photo.jpg")]), "photo.jpg": jpeg_bytes()})
    report = run(archive)
    assert (report.updated, report.pictures) == (1, 1)
    article = Article.objects.get()
    assert article.lead_image != old and article.version == 2


def test_a_picture_missing_from_the_first_delivery_is_attached_by_a_rerun(tmp_path):
    archive = package(tmp_path / "wire.zip", {"stories.jsonl": jsonl([row(1, image="late.jpg")])})
    assert run(archive).picture_problems
    package(tmp_path / "wire.zip", {"stories.jsonl": jsonl([row(1, image="late.jpg")]), "late.jpg": jpeg_bytes()})
    report = run(archive)
    assert (report.updated, report.pictures) == (1, 1)
    assert Article.objects.get().lead_image is not None


@pytest.mark.parametrize("kind", KINDS)
def test_workers_read_pictures_from_archives_as_one_process_does(tmp_path, kind):
    photos = [jpeg_bytes() for _n in range(3)]
    members = {}
    for n in range(12):
        members[f"wire/{n:02}.jsonl"] = jsonl([row(n, image=f"pics/{n % 3}.jpg", image_credit="AFP")])
    members.update({f"wire/pics/{n}.jpg": photo for n, photo in enumerate(photos)})
    members["wire/broken.jsonl"] = jsonl([row(99, image="pics/none.jpg")])
    archive = package(tmp_path / f"wire.{kind}", members)
    report = run(archive, workers=2, batch_size=5)
    assert report.summary() == SUMMARY.format(13, 12, 1)
    assert report.picture_problems == [f"{archive}:wire/broken.jsonl entry 1: picture {archive}:wire/pics/none.jpg: "
                                       "no such file"]  # fmt: skip
    assert Image.objects.count() == 3
    assert run(archive, workers=2, batch_size=5).unchanged == 13
    assert Image.objects.count() == 3


def test_the_command_reads_a_package_with_workers(tmp_path):
    archive = package(
        tmp_path / "wire.zip",
        {"a.json": json.dumps(ninjs_v2("a.jpg")).encode(), "a.jpg": jpeg_bytes(), "b.jsonl": jsonl([row(1)])},
    )
    out = io.StringIO()
    call_command("import_articles", str(archive), "--no-autotag", "--workers", "2", stdout=out)
    assert out.getvalue().splitlines() == [SUMMARY.format(2, 1, 0)]
    assert Article.objects.get(source_id="urn:wire:1").lead_image.credit == "Jane Doe / AFP"


def test_a_batch_naming_known_archive_pictures_costs_the_same_queries_for_few_or_many_stories(tmp_path):
    photo = jpeg_bytes()
    run(package(tmp_path / "warm.zip", {"s.jsonl": jsonl([row(0, image="p.jpg", image_credit="AFP")]), "p.jpg": photo}),
        source="warm-up")  # fmt: skip
    counts = {}
    for size in (5, 25):  # 25: one insert on SQLite (999 parameters, 34 columns a story)
        archive = package(
            tmp_path / f"{size}.zip", {"s.jsonl": jsonl([row(n, image="p.jpg") for n in range(size)]), "p.jpg": photo}
        )
        with CaptureQueriesContext(connection) as queries:
            report = run(archive, batch_size=100, source=f"run-{size}")
        assert report.pictures == size
        counts[size] = len(queries)
    # As for pictures in a folder (test_import_pictures): the pipeline's per-batch queries plus one.
    assert counts[5] == counts[25] == 11 + (1 if connection.vendor == "postgresql" else 0)


def test_a_published_import_from_an_archive_attaches_only_credited_pictures_with_alt_text(tmp_path):
    archive = package(
        tmp_path / "wire.zip",
        {
            "stories.jsonl": jsonl([row(1, image="a.jpg", **published_words()), row(2, image="b.jpg", image_alt="x")]),
            "a.jpg": jpeg_bytes(),
            "b.jpg": jpeg_bytes(),
        },
    )
    report = run(archive, status="published")
    assert report.picture_problems == [
        f"{archive}:stories.jsonl entry 2: picture {archive}:b.jpg: "
        "no credit: a picture needs one before it can appear on a published story"
    ]
    assert Article.objects.get(source_id="s1").lead_image.credit == "AFP"
    assert Article.objects.published().count() == 2


def test_a_dry_run_reads_no_picture_from_the_archive(tmp_path):
    archive = package(tmp_path / "wire.zip", {"s.jsonl": jsonl([row(1, image="p.jpg")]), "p.jpg": jpeg_bytes()})
    assert run(archive, dry_run=True).imported == 1
    assert Image.objects.count() == 0 and Article.objects.count() == 0


# -- picture members are not stories ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_pictures_in_an_archive_are_not_read_as_stories(tmp_path, kind):
    archive = package(
        tmp_path / f"wire.{kind}",
        {
            "wire/s.jsonl": jsonl([row(1)]),
            "wire/unused.JPG": jpeg_bytes(),
            "wire/logo.png": png_bytes(),
            "wire/x.webp": b"x",
        },
    )
    report = run(archive)
    assert (report.imported, report.failures) == (1, [])


# -- what is refused, and how it is reported ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_missing_escaping_and_refused_pictures_are_problems_of_their_entry(tmp_path, kind):
    archive = package(
        tmp_path / "in" / f"wire.{kind}",
        {
            "wire/stories.jsonl": jsonl(
                [
                    row(1, image="nowhere.jpg"),
                    row(2, image="script.jpg"),
                    row(3, image="../../outside.jpg"),
                    row(4, image="/etc/passwd"),
                    row(5, image="file:///etc/hostname"),
                    row(6, image="https://example.com/p.jpg"),
                    row(7, image="sub"),
                ]
            ),
            "wire/script.jpg": b"#!/bin/sh\nrm -rf /\n",
            "wire/sub/inner.jpg": jpeg_bytes(),
        },
    )
    (tmp_path / "outside.jpg").write_bytes(jpeg_bytes())  # beside the archive: still not inside it
    report = run(archive)
    assert report.summary() == SUMMARY.format(7, 0, 7)
    where = f"{archive}:wire/stories.jsonl entry"
    problems = report.picture_problems
    assert problems[0] == f"{where} 1: picture {archive}:wire/nowhere.jpg: no such file"
    assert problems[1].startswith(
        f"{where} 2: picture {archive}:wire/script.jpg: This file is not a picture the library accepts"
    )
    assert problems[2] == f"{where} 3: picture ../../outside.jpg: outside the archive"
    assert problems[3] == f"{where} 4: picture /etc/passwd: outside the archive (an absolute path)"
    assert problems[4] == f"{where} 5: picture file:///etc/hostname: outside the archive (an absolute path)"
    assert problems[5].startswith(f"{where} 6: picture https://example.com/p.jpg: remote pictures are not fetched")
    # A zip lists its folders only through their files; a tar has no entry for a folder it was given files of.
    assert problems[6] == f"{where} 7: picture {archive}:wire/sub: no such file"
    assert Image.objects.count() == 0
    assert not Article.objects.filter(lead_image__isnull=False).exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]  # nothing stored, not even a thumbnail


def test_the_command_lists_archive_picture_problems_as_warnings_and_succeeds(tmp_path):
    archive = package(
        tmp_path / "wire.zip", {"w/s.jsonl": jsonl([row(1, image="../../up.jpg"), row(2, image="n.jpg")])}
    )
    out = io.StringIO()
    call_command("import_articles", str(archive), "--no-autotag", stdout=out)
    assert out.getvalue().splitlines() == [
        SUMMARY.format(2, 0, 2),
        f"  {archive}:w/s.jsonl entry 1: picture ../../up.jpg: outside the archive",
        f"  {archive}:w/s.jsonl entry 2: picture {archive}:w/n.jpg: no such file",
    ]
    assert Article.objects.count() == 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_picture_over_the_size_limit_is_refused_before_it_is_read(tmp_path, kind, settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 2000
    big = jpeg_bytes((400, 300))
    assert len(big) > 2000
    archive = package(tmp_path / f"wire.{kind}", {"s.jsonl": jsonl([row(1, image="big.jpg")]), "big.jpg": big})
    report = run(archive)
    assert report.summary() == SUMMARY.format(1, 0, 1)
    assert report.picture_problems == [
        f"{archive}:s.jsonl entry 1: picture {archive}:big.jpg: "
        f"The file is {filesizeformat(len(big))}; the most the library accepts is {filesizeformat(2000)}."
    ]
    assert Image.objects.count() == 0


def test_a_zip_declaring_a_huge_picture_is_refused_on_its_word(tmp_path, settings):
    archive = package(tmp_path / "wire.zip", {"s.jsonl": jsonl([row(1, image="p.jpg")]), "p.jpg": jpeg_bytes()})
    patch_central_directory(archive, "p.jpg", size=4_000_000_000)
    report = run(archive)
    assert report.picture_problems == [
        f"{archive}:s.jsonl entry 1: picture {archive}:p.jpg: The file is {filesizeformat(4_000_000_000)}; "
        f"the most the library accepts is {filesizeformat(settings.NEWSROOM_IMAGE_MAX_BYTES)}."
    ]


def test_a_zip_understating_a_picture_s_size_is_read_no_further_and_reported(tmp_path, settings):
    # 300 MB of zeros deflate to about 300 kB; the directory claims 100 bytes. Reading must stop at the limit.
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1_000_000
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("s.jsonl", jsonl([row(1, image="bomb.jpg"), row(2, image="honest.jpg")]))
        handle.writestr("honest.jpg", jpeg_bytes())
        with handle.open("bomb.jpg", "w") as member:
            block = bytes(1 << 20)
            for _n in range(300):
                member.write(block)
    patch_central_directory(archive, "bomb.jpg", size=100)
    tracemalloc.start()
    try:
        report = run(archive)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000
    assert report.summary() == SUMMARY.format(2, 1, 1)
    assert report.picture_problems == [
        f"{archive}:s.jsonl entry 1: picture {archive}:bomb.jpg: cannot read (Bad CRC-32 for file 'bomb.jpg')"
    ]


def test_a_zip_picture_compressed_with_bzip2_or_encrypted_is_not_read(tmp_path):
    archive = tmp_path / "wire.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("s.jsonl", jsonl([row(1, image="bz.jpg"), row(2, image="secret.jpg")]))
        handle.writestr("bz.jpg", jpeg_bytes(), compress_type=zipfile.ZIP_BZIP2)
        handle.writestr("secret.jpg", jpeg_bytes())
    patch_central_directory(archive, "secret.jpg", flags=0x1)
    report = run(archive)
    assert report.picture_problems == [
        f"{archive}:s.jsonl entry 1: picture {archive}:bz.jpg: "
        "cannot read (compressed with a method not read for pictures: store or deflate it)",
        f"{archive}:s.jsonl entry 2: picture {archive}:secret.jpg: cannot read (the file is encrypted)",
    ]
    assert Article.objects.count() == 2 and Image.objects.count() == 0


def test_tar_links_and_devices_are_never_followed_or_read(tmp_path):
    photo = jpeg_bytes()
    symlink = tarfile.TarInfo("wire/sym.jpg")
    symlink.type, symlink.linkname = tarfile.SYMTYPE, "photo.jpg"  # a real picture of the archive: still refused
    outward = tarfile.TarInfo("wire/passwd.jpg")
    outward.type, outward.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hardlink = tarfile.TarInfo("wire/hard.jpg")
    hardlink.type, hardlink.linkname = tarfile.LNKTYPE, "wire/photo.jpg"
    device = tarfile.TarInfo("wire/zero.jpg")
    device.type, device.devmajor, device.devminor = tarfile.CHRTYPE, 1, 5  # /dev/zero
    fifo = tarfile.TarInfo("wire/pipe.jpg")
    fifo.type = tarfile.FIFOTYPE
    names = ["sym.jpg", "passwd.jpg", "hard.jpg", "zero.jpg", "pipe.jpg", "photo.jpg"]
    archive = tar_with(
        tmp_path / "wire.tar.gz",
        [
            tar_file("wire/s.jsonl", jsonl([row(n, image=name) for n, name in enumerate(names)])),
            tar_file("wire/photo.jpg", photo),
            (symlink, None),
            (outward, None),
            (hardlink, None),
            (device, None),
            (fifo, None),
        ],
    )
    report = run(archive)
    assert report.summary() == SUMMARY.format(6, 1, 5)
    link, device_reason = (
        "a link inside the archive (links are not followed)",
        "not a regular file (a device or a pipe)",
    )
    assert report.picture_problems == [
        f"{archive}:wire/s.jsonl entry {n}: picture {archive}:wire/{name}: {reason}"
        for n, (name, reason) in enumerate(
            [("sym.jpg", link), ("passwd.jpg", link), ("hard.jpg", link), ("zero.jpg", device_reason),
             ("pipe.jpg", device_reason)], start=1
        )
    ]  # fmt: skip
    assert Image.objects.count() == 1  # the photo itself, for the last story


def test_a_zip_entry_stored_as_a_link_or_a_folder_is_not_read(tmp_path):
    archive = tmp_path / "wire.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("s.jsonl", jsonl([row(1, image="link.jpg"), row(2, image="album.jpg")]))
        link = zipfile.ZipInfo("link.jpg")
        link.create_system, link.external_attr = 3, (stat.S_IFLNK | 0o777) << 16  # as Info-ZIP stores a symlink
        handle.writestr(link, "/etc/passwd")
        handle.mkdir("album.jpg")
    report = run(archive)
    assert report.picture_problems == [
        f"{archive}:s.jsonl entry 1: picture {archive}:link.jpg: a link inside the archive (links are not followed)",
        f"{archive}:s.jsonl entry 2: picture {archive}:album.jpg: a folder, not a file",
    ]
    assert report.failures == []


def test_a_member_whose_own_name_leads_out_of_the_archive_is_never_a_picture(tmp_path):
    archive = tar_with(
        tmp_path / "evil.tar.gz",
        [tar_file("s.jsonl", jsonl([row(1, image="../x.jpg")])), tar_file("../x.jpg", jpeg_bytes())],
    )
    report = run(archive)
    assert report.picture_problems == [f"{archive}:s.jsonl entry 1: picture ../x.jpg: outside the archive"]
    assert Image.objects.count() == 0


def test_a_damaged_picture_member_is_reported_and_the_batch_is_written(tmp_path):
    archive = tmp_path / "wire.zip"
    photo = jpeg_bytes()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as handle:
        handle.writestr("s.jsonl", jsonl([row(1, image="bad.jpg"), row(2, image="good.jpg")]))
        handle.writestr("bad.jpg", b"\xff\xd8\xff\xe0" + bytes(4000))
        handle.writestr("good.jpg", photo)
    data = archive.read_bytes()
    start = data.index(b"\xff\xd8\xff\xe0" + bytes(16))
    archive.write_bytes(data[:start] + b"\x01" * 8 + data[start + 8 :])  # bytes flipped after zipping: CRC fails
    report = run(archive)
    assert report.summary() == SUMMARY.format(2, 1, 1)
    assert report.picture_problems == [
        f"{archive}:s.jsonl entry 1: picture {archive}:bad.jpg: cannot read (Bad CRC-32 for file 'bad.jpg')"
    ]
    assert Article.objects.get(source_id="s2").lead_image is not None
