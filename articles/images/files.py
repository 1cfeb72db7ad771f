"""Picture files written inside a transaction that rolls back.

A picture's rows (its `Image`, its renditions) go with a rollback; its files do not, since storage is not
transactional. Code that adds pictures inside a larger transaction which may still fail (an import's batch)
wraps it in `atomic_with_files()`: every file stored within it by `store_upload` or a rendition is noted, and
deleted again if the block's transaction rolls back. Nothing is noted outside such a block.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_noted = ContextVar("picture_files_stored_in_transaction", default=None)


def stored(storage, name):
    """Note that `name` was just saved in `storage`, for the enclosing `atomic_with_files()` (if any)."""
    names = _noted.get()
    if names is not None:
        names.append((storage, name))


@contextmanager
def atomic_with_files():
    """`transaction.atomic()` that deletes the picture files stored within it when it rolls back.

    Nested blocks hand what they stored to the block around them when they commit, since its rollback takes
    their rows too.
    """
    names = []
    token = _noted.set(names)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in names:
            if storage.exists(name):
                storage.delete(name)
        raise
    finally:
        _noted.reset(token)
    outer = _noted.get()
    if outer is not None:
        outer.extend(names)
