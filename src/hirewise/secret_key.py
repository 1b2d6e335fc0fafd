"""The secret key that signs form (CSRF) tokens: where it comes from, and how an operator replaces it
when it may have leaked. Sessions are not signed with it: their cookie holds a random id of a row in
the database (``hirewise.auth.sessions``), and ``flask rotate-secret`` ends every one of them.

In order: ``SECRET_KEY`` in the environment; else the file named by ``SECRET_KEY_FILE`` (a container
secret, say); else, in development, ``<instance folder>/secret_key``, made with a fresh random key on
the first start, so no two installations share a key and none is written in the code. Production
needs one of the first two.

A key kept in a file can be rotated by ``flask rotate-secret``, which writes a new one in place; a key
in the environment is replaced by setting a new value. Either way every process restarts with the new
key and everything signed with the old one is refused. Assessment and account-invitation links
sent by email are random tokens stored hashed, not signatures, so they do not depend on this key; a
candidate's privacy links (``hirewise.privacy.tokens``) are signatures and end with it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

KEY_FILE_NAME = "secret_key"
KEY_BYTES = 48  # 384 bits of randomness, URL-safe text


class SecretKeyError(RuntimeError):
    """The key file is missing, empty or unreadable."""


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def read_key_file(path: Path) -> str:
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretKeyError(f"The secret key file {path} cannot be read: {exc.strerror}.") from exc
    if not key:
        raise SecretKeyError(f"The secret key file {path} is empty.")
    return key


def ensure_key_file(path: Path) -> str:
    """The key in ``path``, written there first with a new random key (owner-only) if there is none yet.

    Two processes starting at once both end up with the key of whichever created the file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(path)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def replace_key_file(path: Path) -> str:
    """Write a new random key to ``path`` atomically (owner-only); returns it."""
    key = new_key()
    descriptor, temporary = tempfile.mkstemp(prefix=".secret_key-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return key
