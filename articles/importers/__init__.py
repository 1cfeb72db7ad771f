"""Bulk import: one module per input format, and the shared pipeline that writes stories in batches.

Formats (`articles.importers.formats` detects them): plain text (`plaintext`), IPTC ninjs 1.x/2.x (`ninjs`),
NewsML-G2 (`newsml`), RSS/Atom (`feeds`), JSON Lines (`jsonlines`) and CSV (`delimited`). Each parser turns
an input into `Story` values (`story.py`); `pipeline.run_import` walks paths and archives (`sources.py`),
dedupes, tags and writes. See the README, "Importing and exporting articles".
"""
