"""Text out of a PDF or DOCX résumé, meant to run in a child process with memory and time limits.

Parsers are where a crafted file does its harm: a few kilobytes of PDF can hold a content stream
that costs seconds and hundreds of megabytes to read. So :mod:`hirewise.candidates.resumes` runs
this file as a separate program, ``python -I -B resume_reader.py CONTENT_TYPE MEMORY_BYTES
CPU_SECONDS``, with the document on stdin. Before it imports a parser, the program limits its
own address space, CPU time, file writes and core dumps (``setrlimit``); the parent adds a
wall-clock limit and kills it when over. The program answers one JSON object on stdout:
``{"text": ...}`` or ``{"reason": ...}`` (why the file cannot be read, for a recruiter), with
``peak_kb``, its peak memory, and ``"scanned": true`` for a PDF without selectable text.

Such a scan is read again by a second run, ``... CPU_SECONDS TESSERACT OCR_SECONDS``, which hands the
PDF's page images to Tesseract (a child of this program, so under its memory limit and with no file
writes) within OCR_SECONDS of CPU and wall-clock time. The images are passed as the files they are
(JPEG, TIFF) or as PNM built here: no imaging library is needed.

It is run by path, not as ``hirewise.candidates...``, so that only the standard library, pypdf
and python-docx load in the child (not the app): keep it free of ``hirewise`` imports.
"""

from __future__ import annotations

import io
import json
import logging
import math
import re
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any, NamedTuple

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_PDF_PAGES = 30
MAX_TEXT_CHARS = 100_000
OPEN_FILES = 64  # the interpreter and its imports; the document comes on stdin

ENCRYPTED = "it is encrypted (password-protected)."
TOO_DEEP = "the file is too deeply nested to read safely."
DAMAGED_PDF = "the file is damaged or not a valid PDF."
DAMAGED_DOCX = "the file is damaged or not a valid Word file."
NO_TEXT = "it contains no selectable text (is it a scanned image?)."
NO_OCR = (
    "it contains no selectable text (is it a scanned image?), and text recognition (OCR) is not "
    "installed on this server: an administrator can install Tesseract (the Debian package tesseract-ocr)."
)
NOTHING_TO_RECOGNISE = "it contains no selectable text, and no scanned page to recognise either."
OCR_FOUND_NOTHING = "it contains no selectable text, and text recognition (OCR) found none in its images."
OCR_FAILED = (
    "it contains no selectable text, and text recognition (OCR) could not read its images "
    "(they need more memory than the limit for a résumé, or are damaged)."
)
MAX_OCR_PAGES = 5
MAX_OCR_IMAGES = 10
MIN_OCR_IMAGE_PIXELS = 200_000  # smaller images are photos, logos and lines, not scanned pages
OCR_LANGUAGES = "eng"
OTHER_TYPE = "only PDF and Word (.docx) files can be read."


def memory_reason(megabytes: int) -> str:
    return (
        f"reading it needs more than {megabytes} MB of memory, the limit for a résumé "
        "(is the file damaged, or built to be expensive to read?)."
    )


class Unreadable(Exception):
    """The document cannot be turned into text; ``reason`` says why, for a recruiter."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def tidy(text: str) -> str:
    """Whitespace tidied, NUL bytes removed, capped at ``MAX_TEXT_CHARS``."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text.replace("\x00", ""))
    text = re.sub(r"\n\s*\n+", "\n\n", text).strip()
    return text[:MAX_TEXT_CHARS]


# Two-column layouts: the gutter is at least this many blank characters wide in pypdf's layout text,
# and a block of lines is read column by column only when this many of its lines have right-hand text.
GUTTER_WIDTH = 3
MIN_COLUMN_LINES = 3
COLUMN_PROSE_CHARS = 25
MAX_LAYOUT_WIDTH = 1_000  # characters; wider is no page a person laid out, and costly to search


def _gutter(lines: list[str]) -> int | None:
    """The character position of a gutter between two columns of ``lines``, or None.

    The position chosen is the one most lines have text on both sides of, with blanks around it;
    among equals the rightmost, so that a left column's longer lines stay on its side."""
    width = max((len(line) for line in lines), default=0)
    if width > MAX_LAYOUT_WIDTH:
        return None
    best, best_count = None, 0
    half = GUTTER_WIDTH // 2
    for position in range(max(half + 1, width * 15 // 100), width * 85 // 100):
        count = sum(
            1
            for line in lines
            if not line[position - half : position + half + 1].strip()
            and line[: position - half].strip()
            and line[position + half + 1 :].strip()
        )
        if count >= best_count and count >= MIN_COLUMN_LINES:
            best, best_count = position, count
    return best


def _is_a_column(block: list[tuple[str, str, int]]) -> bool:
    """Is the right-hand text of ``block`` a column of its own, rather than right-aligned dates?

    A column's lines start at one position; and it holds prose (a long line) or lines beside which
    the left is empty. Dates at the end of a single column's title lines have neither."""
    right = [(text, start) for left, text, start in block if text]
    if len(right) < MIN_COLUMN_LINES:
        return False
    starts = Counter(start for _, start in right)
    aligned = starts.most_common(1)[0][1] >= 0.7 * len(right)
    alone = any(text and not left for left, text, _ in block)
    prose = any(len(text) >= COLUMN_PROSE_CHARS for text, _ in right)
    return aligned and (alone or prose)


def split_columns(layout: str) -> str | None:
    """Text laid out in two columns (pypdf's layout mode keeps them side by side), read one column
    after the other; lines that cross the gutter (a full-width heading) stay where they are.
    None when the page is not in two columns."""
    lines = layout.splitlines()
    gutter = _gutter(lines)
    if gutter is None:
        return None
    half = GUTTER_WIDTH // 2
    out: list[str] = []
    block: list[tuple[str, str, int]] = []  # left text, right text, where the right text starts
    split_any = False

    def flush() -> None:
        nonlocal split_any
        if _is_a_column(block):
            split_any = True
            out.extend(left for left, _, _ in block if left)
            out.extend(right for _, right, _ in block if right)
        else:
            out.extend(" ".join(part for part in (left, right) if part) for left, right, _ in block)
        block.clear()

    for line in lines:
        if line[gutter - half : gutter + half + 1].strip():
            flush()
            out.append(line.strip())
        else:
            right = line[gutter:]
            block.append((line[:gutter].strip(), right.strip(), gutter + len(right) - len(right.lstrip())))
    flush()
    return "\n".join(out) if split_any else None


def _page_text(page: Any) -> str:
    """The page's text in reading order: pypdf's own order, or column by column for two columns."""
    text = page.extract_text() or ""
    if not text.strip():
        return text
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
    except (MemoryError, RecursionError):
        raise
    except Exception:  # the layout mode is stricter about odd fonts; the plain text will do then
        return text
    return split_columns(layout) or text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Unreadable(ENCRYPTED)
        parts: list[str] = []
        size = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            chunk = _page_text(page)
            parts.append(chunk)
            size += len(chunk)
            if size >= MAX_TEXT_CHARS:
                break
    except (Unreadable, MemoryError):
        raise
    except FileNotDecryptedError as exc:
        raise Unreadable(ENCRYPTED) from exc
    except RecursionError as exc:
        raise Unreadable(TOO_DEEP) from exc
    except Exception as exc:  # pypdf surfaces broken files as many exception types
        raise Unreadable(DAMAGED_PDF) from exc
    return "\n".join(parts)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADER_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
_FOOTER_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
_RUN_TEXT = {_W + "t": None, _W + "tab": " ", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


def _docx_paragraph(paragraph: Any, lines: list[str]) -> None:
    """The paragraph's own text as one line, then the text of the boxes anchored in it.

    Word writes a text box twice, as DrawingML and again as a VML fallback for old readers: the
    fallback (``mc:Fallback``) is skipped so that the box is read once."""
    own: list[str] = []
    boxes: list[Any] = []

    def visit(element: Any) -> None:
        for child in element:
            tag = child.tag
            if tag == _MC_FALLBACK:
                continue
            if tag == _W + "txbxContent":
                boxes.append(child)
            elif tag in _RUN_TEXT:
                fixed = _RUN_TEXT[tag]
                own.append((child.text or "") if fixed is None else fixed)
            elif tag != _W + "delText":  # deleted text of tracked changes is not the résumé
                visit(child)

    visit(paragraph)
    lines.append("".join(own))
    for box in boxes:
        _docx_blocks(box, lines)


def _docx_table(table: Any, lines: list[str]) -> None:
    """One line per row, cells joined by " | "; a table nested in a cell reads inline in its cell."""
    for row in table.iterchildren(_W + "tr"):
        cells = []
        for cell in row.iterchildren(_W + "tc"):
            cell_lines: list[str] = []
            _docx_blocks(cell, cell_lines)
            cells.append(" ".join(line.strip() for line in cell_lines if line.strip()))
        lines.append(" | ".join(cells))


def _docx_blocks(container: Any, lines: list[str]) -> None:
    """Paragraphs and tables of a body, header, footer, cell or text box, in document order
    (content controls and other wrappers are looked into)."""
    for child in container:
        if child.tag == _W + "p":
            _docx_paragraph(child, lines)
        elif child.tag == _W + "tbl":
            _docx_table(child, lines)
        elif child.tag != _MC_FALLBACK:
            _docx_blocks(child, lines)


def _docx_text(data: bytes) -> str:
    """Headers first, then the body, then footers: the order a reader's eye takes on the page."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        parts: dict[str, list[Any]] = {"header": [], "footer": []}
        for relation in document.part.rels.values():
            kind = {_HEADER_RELATION: "header", _FOOTER_RELATION: "footer"}.get(relation.reltype)
            if kind and not relation.is_external:
                parts[kind].append(relation.target_part.element)
        lines: list[str] = []
        for element in parts["header"]:
            _docx_blocks(element, lines)
        _docx_blocks(document.element.body, lines)
        for element in parts["footer"]:
            _docx_blocks(element, lines)
    except MemoryError:
        raise
    except RecursionError as exc:
        raise Unreadable(TOO_DEEP) from exc
    except Exception as exc:  # python-docx and lxml surface broken files as many exception types
        raise Unreadable(DAMAGED_DOCX) from exc
    return "\n".join(lines)


def ocr_time_reason(seconds: float) -> str:
    return (
        f"text recognition (OCR) of this scanned file takes longer than {seconds:g} seconds, the limit "
        "for a résumé (is it very long, or damaged?)."
    )


class Ocr(NamedTuple):
    """Tesseract, by absolute path (the reader has no PATH), and what one résumé's OCR may cost."""

    tesseract: str
    seconds: float


_INVERT = bytes(255 - byte for byte in range(256))
_GREY = {"/DeviceGray", "/CalGray"}
_RGB = {"/DeviceRGB", "/CalRGB"}


def _colour_channels(colour_space: Any) -> int | None:
    """1 (grey) or 3 (RGB) for the colour spaces a scan uses, else None."""
    colour_space = colour_space.get_object() if hasattr(colour_space, "get_object") else colour_space
    if isinstance(colour_space, list) and colour_space and colour_space[0] == "/ICCBased":
        channels = colour_space[1].get_object().get("/N")
        return int(channels) if channels in (1, 3) else None
    return 1 if colour_space in _GREY else 3 if colour_space in _RGB else None


def _image_file(image: Any) -> bytes | None:
    """One image XObject as a file Tesseract reads (JPEG, TIFF, or PNM built here), or None.

    Built from the stream without an imaging library, which the reader does not have."""
    filters = image.get("/Filter")
    filters = [filters] if isinstance(filters, str) else list(filters or [])
    data = image.get_data()  # the generic filters undone (Flate, PNG predictors); JPEG and fax kept whole
    if filters and filters[-1] in ("/DCTDecode", "/JPXDecode", "/CCITTFaxDecode"):
        return data  # JPEG, JPEG 2000, and pypdf wraps fax data in a TIFF header
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    bits = int(image.get("/BitsPerComponent", 8))
    if image.get("/ImageMask") or width <= 0 or height <= 0:
        return None
    if bits == 1:
        row = (width + 7) // 8
        if len(data) < row * height:
            return None
        pixels = data[: row * height]
        # In a PDF a 0 bit is black (unless /Decode [1 0] says otherwise); in a PBM file it is white.
        if [int(value) for value in image.get("/Decode") or []] != [1, 0]:
            pixels = pixels.translate(_INVERT)
        return f"P4\n{width} {height}\n".encode() + pixels
    channels = _colour_channels(image.get("/ColorSpace"))
    if bits != 8 or channels is None or len(data) < width * height * channels:
        return None
    kind = "P5" if channels == 1 else "P6"
    return f"{kind}\n{width} {height}\n255\n".encode() + data[: width * height * channels]


def _scanned_images(data: bytes) -> list[bytes]:
    """The PDF's images big enough to be scanned pages, as image files, first pages first."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        images: list[bytes] = []
        for page in reader.pages[:MAX_OCR_PAGES]:
            resources = page.get("/Resources")
            objects = resources.get_object().get("/XObject") if resources else None
            for reference in (objects.get_object() if objects else {}).values():
                image = reference.get_object()
                if image.get("/Subtype") != "/Image":
                    continue
                if int(image.get("/Width", 0)) * int(image.get("/Height", 0)) < MIN_OCR_IMAGE_PIXELS:
                    continue
                file = _image_file(image)
                if file is not None:
                    images.append(file)
                if len(images) >= MAX_OCR_IMAGES:
                    return images
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # pypdf surfaces broken images as many exception types
        raise Unreadable(DAMAGED_PDF) from exc
    return images


def _ocr_pdf(data: bytes, ocr: Ocr) -> str:
    """The text Tesseract recognises in the PDF's images, page by page.

    Tesseract runs as a child of this process, so under its memory limit (inherited) and no file
    writes; it gets what is left of ``ocr.seconds`` as CPU time and as wall-clock time."""
    deadline = time.monotonic() + ocr.seconds
    parts: list[str] = []
    failures = 0
    images = _scanned_images(data)
    if not images:
        raise Unreadable(NOTHING_TO_RECOGNISE)
    for image in images:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unreadable(ocr_time_reason(ocr.seconds))
        cpu = max(1, math.ceil(remaining))

        def limit_cpu(cpu: int = cpu) -> None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, resource.getrlimit(resource.RLIMIT_CPU)[1]))

        try:
            done = subprocess.run(  # noqa: S603 - the configured Tesseract binary, no shell
                [ocr.tesseract, "stdin", "stdout", "-l", OCR_LANGUAGES],
                input=image,
                capture_output=True,
                timeout=remaining,
                env={"OMP_THREAD_LIMIT": "1"},  # one thread: the worker's machine is shared
                preexec_fn=limit_cpu,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise Unreadable(ocr_time_reason(ocr.seconds)) from exc
        if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # stopped by the CPU limit
            raise Unreadable(ocr_time_reason(ocr.seconds))
        if done.returncode == 0:
            parts.append(done.stdout.decode("utf-8", "replace"))
        else:
            failures += 1
    text = "\n".join(parts)
    if failures and not tidy(text):
        raise Unreadable(OCR_FAILED)
    return text


class Scanned(Unreadable):
    """A PDF without selectable text: the caller may have it read again with OCR."""

    def __init__(self) -> None:
        super().__init__(NO_TEXT)


def read_text(data: bytes, content_type: str, ocr: Ocr | None = None) -> str:
    """The document's tidied text, in this process and without limits: :func:`main` adds them.

    With ``ocr``, a PDF's text is what Tesseract recognises in its images (a scan); without, a PDF
    with no selectable text raises :class:`Scanned`."""
    if content_type == PDF_CONTENT_TYPE and ocr is not None:
        text = tidy(_ocr_pdf(data, ocr))
        if not text:
            raise Unreadable(OCR_FOUND_NOTHING)
        return text
    if content_type == PDF_CONTENT_TYPE:
        text = _pdf_text(data)
        if not tidy(text):
            raise Scanned
    elif content_type == DOCX_CONTENT_TYPE:
        text = _docx_text(data)
    else:
        raise Unreadable(OTHER_TYPE)
    text = tidy(text)
    if not text:
        raise Unreadable(NO_TEXT)
    return text


def limit_this_process(memory_bytes: int, cpu_seconds: int, ocr_seconds: float = 0) -> None:
    """Address space, CPU seconds (SIGXCPU, then SIGKILL a second later), no file writes or core dumps.

    The CPU ceiling (hard limit) leaves room for the OCR child to be given ``ocr_seconds``."""
    for kind, value in (
        (resource.RLIMIT_AS, (memory_bytes, memory_bytes)),
        (resource.RLIMIT_CPU, (cpu_seconds, max(cpu_seconds, math.ceil(ocr_seconds)) + 1)),
        (resource.RLIMIT_FSIZE, (0, 0)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES)),
    ):
        resource.setrlimit(kind, value)


def _peak_kb() -> int:
    """This process's peak resident memory. ``ru_maxrss`` would not do: Linux carries it over from the
    process that forked this one (the worker, however large), while ``VmHWM`` starts afresh at exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    content_type, memory_bytes, cpu_seconds = argv[0], int(argv[1]), int(argv[2])
    tesseract, ocr_seconds = (argv[3], float(argv[4])) if len(argv) >= 5 and argv[3] else ("", 0.0)
    limit_this_process(memory_bytes, cpu_seconds, ocr_seconds)
    ocr = Ocr(tesseract, ocr_seconds) if tesseract else None
    logging.disable(logging.CRITICAL)  # pypdf warns about every oddity; nobody reads the child's stderr
    answer: dict[str, Any]
    try:
        answer = {"text": read_text(sys.stdin.buffer.read(), content_type, ocr)}
    except Unreadable as exc:
        answer = {"reason": exc.reason, "scanned": isinstance(exc, Scanned)}
    except MemoryError:
        answer = {"reason": memory_reason(memory_bytes // (1024 * 1024))}
    answer["peak_kb"] = _peak_kb()
    sys.stdout.buffer.write(json.dumps(answer).encode("ascii"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
