"""python-can's own test logs (vendored in fixtures/python_can, LGPL-3.0): our readers give the frames its reader gives.

Every file, every frame: id, extended/remote/error, FD, BRS, ESI, direction, DLC, channel,
data bytes and timestamp. TRC channels are compared as ``ours == theirs - 1`` (python-can's
TRCReader keeps the bus number as written, its writers and other readers count from 0; see
drivers/logs/trc.py), and a TRC FD frame's DLC as the payload length (python-can hands over
the DLC code there). Then each file is written back in its own format from our frames and
python-can reads the same frames out of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carvrooom_desktop.domain.frames import BRS, ERROR, ESI, EXTENDED_ID, FD, REMOTE, RX, FrameArrays
from drivers.logs import open_log, write_log

CORPUS = Path(__file__).parent / "fixtures" / "python_can"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".asc", ".blf", ".trc"))


def _python_can(path: Path) -> list:
    import can

    return list(can.LogReader(str(path)))


def _theirs(m, trc: bool) -> tuple:
    channel = m.channel - 1 if trc and isinstance(m.channel, int) else m.channel
    dlc = len(m.data) if trc and m.is_fd and not m.is_remote_frame else m.dlc
    return (m.arbitration_id, m.is_extended_id, m.is_remote_frame, m.is_error_frame, m.is_fd, m.bitrate_switch,
            m.error_state_indicator, m.is_rx, dlc, channel, bytes(m.data))


def _ours(frames: FrameArrays, k: int, length: int) -> tuple:
    flag = int(frames.flags[k])
    return (int(frames.arbitration_id[k]), bool(flag & EXTENDED_ID), bool(flag & REMOTE), bool(flag & ERROR), bool(flag & FD),
            bool(flag & BRS), bool(flag & ESI), bool(flag & RX), int(frames.dlc[k]), frames.channel_of(k),
            frames.data[k, :length].tobytes())


def test_the_corpus_is_all_there():
    assert len(FILES) == 24
    assert (CORPUS / "README.md").read_text().count("LGPL-3.0") >= 1


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_reads_identically_to_python_can(path):
    reader = open_log(path, chunk_frames=7)  # several chunks where the file has more than 7 frames
    frames = FrameArrays.concat(list(reader.chunks()))
    ref = _python_can(path)
    assert len(frames) == len(ref) == reader.report.frames > 0
    assert reader.report.bad_line_count == 0 and reader.report.damaged == 0 and reader.report.stopped_at is None
    trc = path.suffix == ".trc"
    for k, m in enumerate(ref):
        assert _ours(frames, k, len(m.data)) == _theirs(m, trc), f"frame {k}"
        assert not frames.data[k, len(m.data):].any(), f"frame {k}: bytes beyond the payload"
        assert frames.timestamp[k] == pytest.approx(m.timestamp, abs=1e-6), f"frame {k}"


def test_the_three_old_gaps_are_closed():
    fd = open_log(CORPUS / "test_CanFdMessage.blf").read_all()  # the older CAN_FD_MESSAGE object
    assert fd.dlc.tolist() == [64, 64] and fd.width == 64 and fd.data[0].tolist() == list(range(64))
    error = open_log(CORPUS / "test_CanErrorFrameExt.blf").read_all()
    assert error.arbitration_id.tolist() == [0x19999999] * 2 and error.data[0].tobytes() == bytes.fromhex("ccddeeff11223344")
    single = open_log(CORPUS / "single_frame.asc")  # base hex, "d 40": python-can's DLC 64, 8 bytes
    frames = single.read_all()
    assert single.report.bad_line_count == 0 and frames.dlc.tolist() == [64]
    assert frames.data[0, :8].tolist() == list(range(8))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_written_back_in_its_own_format_python_can_reads_the_same(path, tmp_path):
    frames = open_log(path).read_all()
    out = tmp_path / path.name
    assert write_log(out, [frames], path.suffix[1:]) == len(frames)
    ref, back = _python_can(path), _python_can(out)
    assert len(back) == len(ref)
    trc = path.suffix == ".trc"
    for k, (a, b) in enumerate(zip(ref, back, strict=True)):
        expected, got = _theirs(a, trc), _theirs(b, trc)
        if path.suffix == ".blf" and a.is_error_frame:  # python-can's BLFWriter stores an error frame's DLC as a code
            expected, got = expected[:8] + expected[9:], got[:8] + got[9:]
        assert got == expected, f"frame {k}"
        # python-can's ASCWriter counts time from the first frame written
        shift = ref[0].timestamp - back[0].timestamp if path.suffix == ".asc" else 0.0
        assert b.timestamp + shift == pytest.approx(a.timestamp, abs=1e-6), f"frame {k}"
