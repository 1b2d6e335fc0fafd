"""What a person typed into a form whose request was too large to accept (413).

When a body is over ``MAX_CONTENT_LENGTH`` Werkzeug refuses it before parsing, so the page
answering the 413 would lose every field. :func:`recover_text_fields` reads the body anyway,
within a byte budget, with Werkzeug's incremental multipart decoder: it keeps the small text
fields it is asked for and throws file contents away as they stream past, so it costs time on
the wire but no memory. Reading on, instead of answering while the browser is still sending,
also lets the browser receive the answer (a server that stops reading often makes the browser
show "connection reset" instead). Forms that use it send their text fields before their file
inputs, so a file larger than the budget still leaves them readable.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import ClientDisconnected
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import LimitedStream

CHUNK_BYTES = 64 * 1024


def recover_text_fields(
    request: Request, names: Collection[str], *, max_read: int, max_field_bytes: int = 64 * 1024
) -> MultiDict[str, str]:
    """The text fields ``names`` of a multipart request body, reading at most ``max_read`` bytes of it.

    Each value is cut at ``max_field_bytes``; files are skipped; a broken or truncated body gives
    what was read up to there.
    """
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    declared = request.content_length
    if mimetype != "multipart/form-data" or not options.get("boundary") or not declared:
        return MultiDict()
    # The raw input, never past the declared length: Werkzeug's own stream refuses to read it.
    stream = LimitedStream(request.environ["wsgi.input"], min(declared, max_read))
    decoder = MultipartDecoder(options["boundary"].encode("latin-1"), max_form_memory_size=None)
    found: MultiDict[str, str] = MultiDict()
    current: str | None = None
    value = bytearray()
    try:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData):
                if isinstance(event, Field):
                    current, value = (event.name if event.name in names else None), bytearray()
                elif isinstance(event, File):
                    current = None
                elif isinstance(event, Data) and current is not None:
                    value.extend(event.data[: max(max_field_bytes - len(value), 0)])
                    if not event.more_data:
                        found.add(current, value.decode("utf-8", "replace"))
                        current = None
                elif isinstance(event, Epilogue):
                    return found
                event = decoder.next_event()
            if not chunk:
                return found
    except (ValueError, ClientDisconnected, OSError):  # a malformed body or a client gone: keep what we have
        return found
