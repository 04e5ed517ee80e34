"""Similar past claims found by meaning: a ChromaDB collection of claim texts, kept beside the store.

Exact look-ups (same VIN, same part, same recording) are SQL's job and stay there (NOTES.md: a
high-cardinality filter in Chroma is slow); the vector store answers one question, "which other
claims tell this story?", across every car, for the clerk to read next to the flags.

ChromaDB done the way NOTES.md says it must be:
- **Offline embedder, registered.** ``HashedNgramEmbedder`` ships with the app and is registered
  with Chroma under its name, so a reopened collection is rebuilt from its stored config instead of
  silently falling back to Chroma's default (which downloads a model). Vectors are computed here in
  batches and handed to Chroma as ``embeddings``; Chroma never embeds.
- **Telemetry off** (``anonymized_telemetry=False``), no reset.
- **One process at a time.** Several processes on one persistent directory can corrupt its HNSW
  index and a second opener can hang, so opening takes an exclusive file lock without waiting; a
  second process gets ``IndexBusy`` naming the process that holds it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from carvrooom_desktop.warranty.claim import WarrantyClaim
from carvrooom_desktop.warranty.embedder import HashedNgramEmbedder, default_embedder
from carvrooom_desktop.warranty.errors import WarrantyError

COLLECTION = "warranty_claims"
LOCK_NAME = "writer.lock"


class IndexBusy(WarrantyError):
    """Another process has the similar-claims index open."""


@dataclass(frozen=True, slots=True)
class SimilarHit:
    claim_id: str
    vin: str
    similarity: float  # cosine, 1 = the same words

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "vin": self.vin, "similarity": round(self.similarity, 3)}


def index_dir_for(store_url: str, base: Path | None = None) -> Path:
    """One index per store, named by a digest of the store's URL (passwords never reach a URL here)."""
    from carvrooom_desktop.paths import data_dir

    return (base or data_dir()) / "warranty-index" / hashlib.sha256(store_url.encode()).hexdigest()[:16]


def _register(embedder_class: type[HashedNgramEmbedder]) -> None:
    from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

    if embedder_class.name() not in known_embedding_functions:
        cast(Any, register_embedding_function)(embedder_class)  # chromadb leaves it unannotated


class SimilarClaims:
    """The index. Use as a context manager, or ``close()``: the lock is held while it is open."""

    def __init__(self, path: str | Path, embedder: HashedNgramEmbedder | None = None) -> None:
        from filelock import FileLock, Timeout

        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder or default_embedder()
        self._lock = FileLock(str(self.path / LOCK_NAME), timeout=0)
        try:
            self._lock.acquire()
        except Timeout:
            holder = (self.path / "holder.txt").read_text(encoding="utf-8", errors="replace").strip() \
                if (self.path / "holder.txt").exists() else "another process"
            raise IndexBusy(f"the similar-claims index {self.path} is open in {holder}; close it there, or wait") from None
        (self.path / "holder.txt").write_text(f"process {os.getpid()}", encoding="utf-8")
        try:
            import chromadb
            from chromadb.config import Settings

            _register(type(self.embedder))
            self._client = chromadb.PersistentClient(path=str(self.path / "chroma"),
                                                     settings=Settings(anonymized_telemetry=False, allow_reset=False))
            self._collection = self._client.get_or_create_collection(
                COLLECTION, embedding_function=self.embedder,  # type: ignore[arg-type]  # our class has Chroma's shape
                configuration={"hnsw": {"space": "cosine"}})
        except BaseException:
            self._lock.release()
            raise
        self._count = int(self._collection.count())  # kept here: Chroma's count() costs as much as a query

    def __enter__(self) -> SimilarClaims:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    @property
    def embedder_name(self) -> str:
        """The embedding function Chroma rebuilt the collection with (ours, not Chroma's default)."""
        ef = self._collection._embedding_function
        return str(ef.name()) if ef is not None else ""

    def count(self) -> int:
        return self._count

    def add(self, claims: Iterable[WarrantyClaim], progress: Callable[[int], None] | None = None) -> int:
        """Add or replace claims (by their store id); embedded here in batches, written in Chroma's batch size."""
        batch = max(1, min(int(self._client.get_max_batch_size()), 5000))
        done = 0
        pending: list[WarrantyClaim] = []
        for claim in claims:
            pending.append(claim)
            if len(pending) == batch:
                done += self._write(pending)
                pending = []
                if progress:
                    progress(done)
        if pending:
            done += self._write(pending)
            if progress:
                progress(done)
        return done

    def _write(self, claims: Sequence[WarrantyClaim]) -> int:
        # Only what a hit must carry: the claim number, the car (to leave the same car out) and the version (to
        # refresh). Texts and the rest come from SQL by claim number: Chroma's document and metadata indexes
        # double its write time (measured: 10,000 claims 3.4 s bare, 9.1 s with documents and full metadata).
        vectors = self.embedder.embed([c.text or c.part_category.replace("_", " ") for c in claims])
        self._collection.upsert(ids=[_key(c) for c in claims], embeddings=vectors,
                                metadatas=[{"claim_id": c.claim_id, "vin": c.vin, "version": c.version} for c in claims])
        self._count = int(self._collection.count())  # upserts may replace rather than add
        return len(claims)

    def remove(self, claims: Iterable[WarrantyClaim]) -> None:
        ids = [_key(c) for c in claims]
        if ids:
            self._collection.delete(ids=ids)
            self._count = int(self._collection.count())

    def indexed_versions(self) -> dict[str, int]:
        got = self._collection.get(include=["metadatas"])
        return {i: int(str(m.get("version", 0) or 0)) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}

    def refresh(self, claims: Iterable[WarrantyClaim], progress: Callable[[int], None] | None = None) -> int:
        """Bring the index up to the store's claims: new and edited ones added, deleted ones removed."""
        indexed = self.indexed_versions()
        live: set[str] = set()

        def changed() -> Iterator[WarrantyClaim]:
            for c in claims:
                live.add(_key(c))
                if indexed.get(_key(c)) != c.version:
                    yield c

        done = self.add(changed(), progress)
        gone = [key for key in indexed if key not in live]
        for start in range(0, len(gone), 5000):
            self._collection.delete(ids=gone[start:start + 5000])
        if gone:
            self._count = int(self._collection.count())
        return done

    def similar(self, claim_or_text: WarrantyClaim | str, n: int = 5, *, other_cars_only: bool = False) -> list[SimilarHit]:
        """The ``n`` claims whose texts are nearest in meaning (the claim itself left out), nearest first."""
        claim = claim_or_text if isinstance(claim_or_text, WarrantyClaim) else None
        text = claim.text if claim is not None else str(claim_or_text)
        if not text.strip() or self.count() == 0:
            return []
        vector = self.embedder.embed([text])
        extra = 1 + (8 if other_cars_only else 0)
        got = self._collection.query(query_embeddings=vector, n_results=min(n + extra, self.count()),
                                     include=["metadatas", "distances"])
        out: list[SimilarHit] = []
        metas = (got["metadatas"] or [[]])[0]
        dists = (got["distances"] or [[]])[0]
        for key, meta, dist in zip(got["ids"][0], metas, dists, strict=True):
            if claim is not None and (key == _key(claim) or (other_cars_only and meta.get("vin") == claim.vin)):
                continue
            out.append(SimilarHit(str(meta.get("claim_id", "")), str(meta.get("vin", "")), 1.0 - float(dist)))
            if len(out) == n:
                break
        return out


def _key(claim: WarrantyClaim) -> str:
    return str(claim.id) if claim.id is not None else f"claim:{claim.claim_id}"


__all__ = ["COLLECTION", "IndexBusy", "SimilarClaims", "SimilarHit", "index_dir_for"]
