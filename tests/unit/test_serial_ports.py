"""Serial ports: listed by pyserial on every OS (COM3 on Windows), and "permission denied" names the dialout group."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import serial
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from drivers.elm327 import ports
from drivers.elm327.client import Elm327Client
from drivers.errors import AdapterNotFound

ROOT = Path(__file__).resolve().parents[2]
# What pyserial's serialposix raises for a /dev/ttyUSB0 the user may not open (errno 13).
PYSERIAL_EACCES = serial.SerialException(13, "could not open port /dev/ttyUSB0: [Errno 13] Permission denied: '/dev/ttyUSB0'")
# What pyserial's serialwin32 raises when another program holds the COM port.
PYSERIAL_WIN_DENIED = serial.SerialException("could not open port 'COM3': PermissionError(13, 'Access is denied.', None, 5)")


def _port(device: str, description: str, vid: int | None = None, pid: int | None = None) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.description, info.vid, info.pid = description, vid, pid
    return info


def test_windows_com_ports_come_from_pyserial(monkeypatch):
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [
        _port("COM1", "Communications Port (COM1)"),
        _port("COM5", "Standard Serial over Bluetooth link (COM5)"),
        _port("COM3", "USB-SERIAL CH340 (COM3)", 0x1A86, 0x7523),
    ])
    found = ports.list_serial_ports()
    assert [p.device for p in found] == ["COM3", "COM5", "COM1"]  # the CH340 cable and the Bluetooth link first
    assert [p.likely_obd for p in found] == [True, True, False]


def test_ports_are_only_what_pyserial_lists(monkeypatch):
    """No glob of /dev behind pyserial's back: this machine has /dev/tty* devices, and none appear."""
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: [])
    assert ports.list_serial_ports() == []
    monkeypatch.setattr(list_ports, "comports", lambda *a, **k: (_ for _ in ()).throw(OSError("no sysfs")))
    assert ports.list_serial_ports() == []


def _refuse(error):
    def serial_for_url(*args, **kwargs):
        raise error
    return serial_for_url


def _assert_dialout_message(text: str, device: str = "/dev/ttyUSB0") -> None:
    assert text.startswith(f"permission denied on {device}: add your user to the dialout group")
    assert "sudo usermod -aG dialout $USER" in text and "log out and in" in text
    assert "uucp" in text and "Fedora" in text and "Arch" in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the dialout advice is for Linux")
def test_client_permission_denied_names_the_dialout_group(monkeypatch):
    monkeypatch.setattr(serial, "serial_for_url", _refuse(PYSERIAL_EACCES))
    with pytest.raises(AdapterNotFound) as caught:
        Elm327Client("/dev/ttyUSB0").open()
    _assert_dialout_message(str(caught.value))
    assert caught.value.__cause__ is PYSERIAL_EACCES


def test_open_failure_per_platform():
    _assert_dialout_message(str(ports.open_failure("/dev/ttyUSB0", PermissionError(13, "Permission denied"), platform="linux")))
    windows = str(ports.open_failure("COM3", PYSERIAL_WIN_DENIED, platform="win32"))
    assert windows.startswith("access denied on COM3: another program has the port open")
    assert str(ports.open_failure("/dev/ttyUSB9", serial.SerialException(2, "could not open port: [Errno 2] No such file"),
                                  platform="linux")).startswith("cannot open /dev/ttyUSB9:")
    assert "dialout" not in str(ports.open_failure("socket://10.0.0.1:35000", PermissionError(13, "x"), platform="linux"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the dialout advice is for Linux")
def test_probe_and_find_report_the_refused_port(monkeypatch):
    monkeypatch.setattr(serial, "serial_for_url", _refuse(PYSERIAL_EACCES))
    with pytest.raises(AdapterNotFound) as caught:
        ports.probe_elm327("/dev/ttyUSB0")
    _assert_dialout_message(str(caught.value))

    monkeypatch.setattr(ports, "list_serial_ports", lambda: [ports.SerialPortInfo("/dev/ttyUSB0", "CH340", True),
                                                             ports.SerialPortInfo("/dev/ttyS0", "", False)])
    answers = {"/dev/ttyS0": None}
    monkeypatch.setattr(ports, "probe_elm327", lambda device, timeout=0.5: answers[device] if device in answers
                        else (_ for _ in ()).throw(ports.open_failure(device, PYSERIAL_EACCES)))
    with pytest.raises(AdapterNotFound) as caught:  # nothing answered and a port was refused: say why
        ports.find_elm327()
    _assert_dialout_message(str(caught.value))
    answers["/dev/ttyS0"] = "ELM327 v1.5"  # another port answers: the refused one is skipped
    assert [(p.device, f) for p, f in ports.find_elm327()] == [("/dev/ttyS0", "ELM327 v1.5")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the dialout advice is for Linux")
def test_a_real_file_the_user_may_not_open(tmp_path_factory):
    """Real pyserial, real EACCES from the kernel: a 0600 root file opened by `nobody` (or a 0000 file by a non-root user)."""
    base = Path(tmp_path_factory.mktemp("ports"))
    os.chmod(base, 0o755)
    device = base / "ttyUSB0"
    device.write_bytes(b"")
    os.chmod(device, 0o600 if os.geteuid() == 0 else 0o000)
    script = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from drivers.elm327.client import Elm327Client
import drivers.elm327.ports
from drivers.errors import AdapterNotFound
if os.geteuid() == 0:
    os.setgroups([]); os.setgid(65534); os.setuid(65534)  # nobody: the file's mode now denies access
try:
    Elm327Client({str(device)!r}).open()
except AdapterNotFound as e:
    print("AdapterNotFound:", e, "| cause:", e.__cause__)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout.strip()
    assert out.startswith(f"AdapterNotFound: permission denied on {device}: add your user to the dialout group"), out
    assert "[Errno 13] Permission denied" in out  # pyserial's own message, from the kernel's EACCES
