"""The photo library's rules: safe uploads, renditions, and what publication needs from pictures.

Import from here: `from articles.images import store_upload, import_image, get_rendition, publication_problems`.
"""

from articles.images.renditions import (
    BODY_SPEC,
    FEED_SPEC,
    JSONLD_SPECS,
    PREVIEW_SPEC,
    PROFILE_SPEC,
    THUMBNAIL_SPEC,
    Spec,
    crop_box,
    discard_crops,
    get_rendition,
    profile_specs,
    renditions_for,
    srcset_specs,
    standard_specs,
)
from articles.images.uploads import (
    ImageRefused,
    accepted_formats,
    clean_picture,
    file_input_accept,
    format_names,
    import_image,
    import_image_file,
    polyglot_reason,
    read_limited,
    store_upload,
)
from articles.images.usage import (
    articles_showing_inline,
    articles_using,
    delete_images,
    inline_images,
    may_change_image,
    publication_problems,
)

__all__ = [
    "BODY_SPEC",
    "FEED_SPEC",
    "JSONLD_SPECS",
    "PREVIEW_SPEC",
    "PROFILE_SPEC",
    "THUMBNAIL_SPEC",
    "ImageRefused",
    "Spec",
    "accepted_formats",
    "articles_showing_inline",
    "articles_using",
    "clean_picture",
    "crop_box",
    "delete_images",
    "discard_crops",
    "file_input_accept",
    "format_names",
    "get_rendition",
    "import_image",
    "import_image_file",
    "inline_images",
    "may_change_image",
    "polyglot_reason",
    "profile_specs",
    "publication_problems",
    "read_limited",
    "renditions_for",
    "srcset_specs",
    "standard_specs",
    "store_upload",
]
