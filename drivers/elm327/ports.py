"""Finding the ELM327: serial ports worth trying (USB, Bluetooth serial) and a quick probe of each.

Ports come from pyserial's ``list_ports.comports()`` on every OS (``/dev/ttyUSB0``, ``/dev/rfcomm0``
on Linux, ``COM3`` on Windows, ``/dev/cu.*`` on macOS), never from a glob of ``/dev``. A port the
user may not open is an :class:`AdapterNotFound` that says how to get access (:func:`open_failure`).
"""

from __future__ import annotations

import errno
import logging
import sys
from dataclasses import dataclass

import serial
from serial.tools import list_ports

from drivers.errors import AdapterNotFound

log = logging.getLogger(__name__)

# USB-serial bridges ELM327 cables are built on (CH340, FTDI, PL2303, CP210x).
USB_BRIDGES = {(0x1A86, 0x7523), (0x0403, 0x6001), (0x0403, 0x6015), (0x067B, 0x2303), (0x10C4, 0xEA60)}


@dataclass(frozen=True, slots=True)
class SerialPortInfo:
    device: str
    description: str
    likely_obd: bool


def list_serial_ports() -> list[SerialPortInfo]:
    """Every serial port, likely OBD adapters first; never raises (no ports is an empty list)."""
    try:
        found = list_ports.comports()
    except OSError as e:
        log.warning("cannot list serial ports: %s", e)
        return []
    ports = []
    for port in found:
        text = f"{port.description} {port.manufacturer or ''} {port.product or ''}".strip()
        likely = (port.vid, port.pid) in USB_BRIDGES or any(w in text.upper() for w in ("OBD", "ELM", "VLINK", "RFCOMM", "BLUETOOTH")) or "rfcomm" in port.device
        ports.append(SerialPortInfo(port.device, text, likely))
    return sorted(ports, key=lambda p: (not p.likely_obd, p.device))


def is_permission_error(error: BaseException) -> bool:
    """Whether opening a port failed for want of access (pyserial wraps the OSError in a SerialException)."""
    if isinstance(error, PermissionError) or getattr(error, "errno", None) in (errno.EACCES, errno.EPERM):
        return True
    text = str(error)
    return any(words in text for words in ("Permission denied", "PermissionError", "Access is denied"))


def open_failure(device: str, error: BaseException, *, platform: str | None = None) -> AdapterNotFound:
    """The AdapterNotFound for a port that would not open; for a permission problem, what to do about it."""
    platform = sys.platform if platform is None else platform
    if "://" not in device and is_permission_error(error):
        if platform.startswith("linux"):
            return AdapterNotFound(
                f"permission denied on {device}: add your user to the dialout group (sudo usermod -aG dialout $USER), "
                "then log out and in (the group is dialout on Debian, Ubuntu and Fedora, uucp on Arch: "
                f"`ls -l {device}` shows which)")
        if platform.startswith(("win", "cygwin", "msys")):
            return AdapterNotFound(
                f"access denied on {device}: another program has the port open (another diagnostic app, a serial "
                "monitor, a second CarVrooom); close it and try again")
        return AdapterNotFound(f"permission denied on {device}: {error}")
    return AdapterNotFound(f"cannot open {device}: {error}")


def probe_elm327(device: str, timeout: float = 0.5) -> str | None:
    """The firmware line if an ELM327 answers ATI on ``device`` at a common baud rate, else None.

    Raises :class:`AdapterNotFound` when the user may not open the port (the message says how
    to get access); any other failure to open is "no ELM327 here" (None).
    """
    for baud in (38400, 9600, 115200):
        try:
            with serial.serial_for_url(device, baudrate=baud, timeout=timeout, write_timeout=timeout) as port:
                port.write(b"\rATI\r")
                reply = port.read_until(b">") + port.read_until(b">")
        except (serial.SerialException, OSError, ValueError) as e:
            if is_permission_error(e):
                raise open_failure(device, e) from e
            return None
        for line in reply.decode("ascii", errors="replace").replace("\n", "\r").split("\r"):
            if "ELM" in line.upper():
                return line.strip()
    return None


def find_elm327(timeout: float = 0.5) -> list[tuple[SerialPortInfo, str]]:
    """Ports where an ELM327 answered, with its firmware string (likely OBD ports probed first).

    A port the user may not open is skipped; if no ELM327 answered and a port was refused, the
    refusal is raised (AdapterNotFound naming the dialout group), not an empty "nothing found".
    """
    found, refused = [], None
    for port in list_serial_ports():
        try:
            firmware = probe_elm327(port.device, timeout)
        except AdapterNotFound as e:
            log.warning("%s", e)
            refused = refused or e
            continue
        if firmware:
            found.append((port, firmware))
    if not found and refused is not None:
        raise refused
    return found
