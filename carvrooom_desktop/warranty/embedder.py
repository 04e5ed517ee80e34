"""An offline, deterministic text embedder for claim texts: hashed word and character n-grams, numpy only.

Why this and not a sentence model: it ships with the app (no model download, no network), it is
the same on every workstation (crc32 hashing, no ``PYTHONHASHSEED``), and it is fast. What it
knows of workshop words comes from ``resources/warranty/vocabulary.json`` (phrases such as
"check engine light" -> ``mil``, synonyms, stop words); character n-grams of each word catch
spellings and word forms ("misfiring" / "misfire", "O2-sensor" / "o2 sensor").

A text becomes: word unigrams (weight 1), word bigrams (0.5) and character 3..5-grams of each
padded word (together 1 per word), each hashed by crc32 into ``dim`` buckets with a sign bit
(signed feature hashing keeps collisions unbiased), term counts damped as 1 + log(tf), and the
vector L2-normalised, so a dot product is the cosine similarity.

It is shaped as a ChromaDB embedding function (the vector store comes in a later slice):
``__call__(input) -> list[np.ndarray]``, ``name()``, ``get_config()`` / ``build_from_config()``,
``default_space()``; ``embed_query`` is the same function. Batching happens inside: whatever
the caller hands over is embedded ``batch_size`` texts at a time. Chroma is not imported here.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from resources import resource_path

VOCABULARY = resource_path("warranty", "vocabulary.json")
NAME = "carvrooom-hashed-ngrams"
_WORD = re.compile(r"[a-z0-9_']+")
_SPLIT = re.compile(r"[^a-z0-9_' ]+")


class HashedNgramEmbedder:
    """Texts -> unit vectors of ``dim`` float32 (see the module text)."""

    def __init__(self, dim: int = 1024, char_ngrams: tuple[int, int] = (3, 5), bigram_weight: float = 0.5,
                 batch_size: int = 2048, vocabulary: str | Path | None = None) -> None:
        if dim < 64 or dim & (dim - 1):
            raise ValueError(f"dim must be a power of two >= 64, got {dim}")
        self.dim = dim
        self.char_ngrams = (int(char_ngrams[0]), int(char_ngrams[1]))
        self.bigram_weight = float(bigram_weight)
        self.batch_size = int(batch_size)
        self.vocabulary_path = str(vocabulary) if vocabulary else ""
        vocab = json.loads(Path(vocabulary or VOCABULARY).read_text(encoding="utf-8"))
        self.vocabulary_version = int(vocab.get("version", 1))
        phrases = sorted(vocab.get("phrases", {}).items(), key=lambda kv: -len(kv[0]))
        self._phrases = [(re.compile(r"\b" + re.escape(p) + r"\b"), t) for p, t in phrases]
        self._synonyms: dict[str, str] = dict(vocab.get("synonyms", {}))
        self._stop = frozenset(vocab.get("stopwords", ()))
        self._word_features = lru_cache(maxsize=200_000)(self._features_of_word)

    # -- the ChromaDB embedding-function shape ---------------------------------------------------

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:
        return list(self.embed(input))

    embed_query = __call__

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim, "char_ngrams": list(self.char_ngrams), "bigram_weight": self.bigram_weight,
                "batch_size": self.batch_size, "vocabulary": self.vocabulary_path, "vocabulary_version": self.vocabulary_version}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashedNgramEmbedder:
        return HashedNgramEmbedder(dim=int(config.get("dim", 1024)), char_ngrams=tuple(config.get("char_ngrams", (3, 5))),
                                   bigram_weight=float(config.get("bigram_weight", 0.5)),
                                   batch_size=int(config.get("batch_size", 2048)), vocabulary=config.get("vocabulary") or None)

    @staticmethod
    def default_space() -> str:
        return "cosine"

    @staticmethod
    def supported_spaces() -> list[str]:
        return ["cosine", "ip", "l2"]

    @staticmethod
    def is_legacy() -> bool:
        return False

    # -- embedding -------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, each row unit length (all zeros for a text without words)."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), self.batch_size):
            out[start:start + self.batch_size] = self._embed_batch(texts[start:start + self.batch_size])
        return out

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.embed([a, b])
        return float(va @ vb)

    def tokens(self, text: str) -> list[str]:
        """The normalised words of ``text`` (phrases joined, synonyms mapped, stop words dropped, light stemming)."""
        t = _SPLIT.sub(" ", text.lower().replace("-", " ").replace("/", " "))
        for pattern, token in self._phrases:
            t = pattern.sub(f" {token} ", t)
        out = []
        for word in _WORD.findall(t):
            word = word.strip("'")
            word = self._synonyms.get(word, word)
            if not word or word in self._stop:
                continue
            out.append(self._synonyms.get(_stem(word), _stem(word)))
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            counts: dict[int, float] = {}
            words = self.tokens(text)
            for w in words:
                idx, val = self._word_features(w)
                for i, v in zip(idx, val):
                    counts[i] = counts.get(i, 0.0) + v
            for a, b in pairwise(words):
                h = zlib.crc32(f"{a} {b}".encode())
                i = h & (self.dim - 1)
                counts[i] = counts.get(i, 0.0) + (self.bigram_weight if h & 0x80000000 else -self.bigram_weight)
            for i, v in counts.items():
                rows.append(r)
                cols.append(i)
                vals.append(math.copysign(1.0 + math.log(abs(v)), v) if abs(v) > 1.0 else v)
        m = np.zeros((len(texts), self.dim), np.float32)
        if rows:
            np.add.at(m, (np.array(rows), np.array(cols)), np.array(vals, np.float32))
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        np.divide(m, norms, out=m, where=norms > 0)
        return m

    def _features_of_word(self, word: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
        feats: dict[int, float] = {}

        def add(key: str, weight: float) -> None:
            h = zlib.crc32(key.encode())
            i = h & (self.dim - 1)
            feats[i] = feats.get(i, 0.0) + (weight if h & 0x80000000 else -weight)

        add("w:" + word, 1.0)
        padded = f"<{word}>"
        grams = [padded[i:i + n] for n in range(self.char_ngrams[0], self.char_ngrams[1] + 1)
                 for i in range(len(padded) - n + 1)]
        for g in grams:
            add("c:" + g, 1.0 / len(grams) if grams else 0.0)
        return tuple(feats), tuple(feats.values())


def _stem(word: str) -> str:
    """A light English stemmer for workshop words: misfiring -> misfir, leaks -> leak (both sides get the same)."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("es") and not word.endswith("ses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=1)
def default_embedder() -> HashedNgramEmbedder:
    return HashedNgramEmbedder()


__all__ = ["NAME", "HashedNgramEmbedder", "default_embedder"]
