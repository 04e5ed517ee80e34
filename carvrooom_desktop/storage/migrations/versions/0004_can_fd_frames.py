"""CAN FD frames and bus channels in recording chunks: chunk codec v2

From this revision on, frame chunks are written with chunk codec v2 (``CVC2``,
``recording_chunks.codec = 'zstd-shuffle-v2'``): data up to 64 bytes, BRS/ESI flags, a
``channel`` column and the channel-name table in the chunk header (storage/chunks.py).

Existing chunks are not rewritten. They hold at most 8 data bytes and no channel, so a
rewrite would gain nothing, would take minutes on a large shared database (every payload
decompressed and compressed again inside this migration's transaction, while other
workstations wait on the migration lock), and would change recorded bytes that are meant
to be append-only. The reader keeps reading v1 chunks; this revision records the version:
every row written before it is stamped ``zstd-shuffle-v1`` (it already says so unless a
tool wrote something else), and the revision itself keeps an older CarVrooom, which cannot
read v2 chunks, from opening the store (it does not know revision 0004).

Revision ID: 0004_can_fd_frames
Revises: 0003_workshop_schedule
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_can_fd_frames'
down_revision = '0003_workshop_schedule'
branch_labels = None
depends_on = None

CODEC_V1 = 'zstd-shuffle-v1'
CODEC_V2 = 'zstd-shuffle-v2'


def upgrade() -> None:
    chunks = sa.table('recording_chunks', sa.column('codec', sa.String(32)))
    op.execute(chunks.update().where(chunks.c.codec != CODEC_V1).where(chunks.c.codec != CODEC_V2).values(codec=CODEC_V1))


def downgrade() -> None:
    # v2 chunks cannot be turned back into v1 without losing payload bytes and channels: refuse rather than lose data.
    bind = op.get_bind()
    chunks = sa.table('recording_chunks', sa.column('codec', sa.String(32)))
    count = bind.execute(sa.select(sa.func.count()).select_from(chunks).where(chunks.c.codec == CODEC_V2)).scalar()
    if count:
        raise RuntimeError(f"{count} recording chunk(s) use chunk codec v2 (CAN FD, channels); "
                           "a downgrade below 0004 would make them unreadable")
