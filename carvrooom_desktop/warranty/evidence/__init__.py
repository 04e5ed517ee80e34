"""Warranty evidence packs: gathered contents, the PDF, its manifest and seal, and verification."""
