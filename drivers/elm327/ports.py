"""Finding the ELM327: serial ports worth trying (USB, Bluetooth serial) and a quick probe of each."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import serial
from serial.tools import list_ports

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
        likely = (port.vid, port.pid) in USB_BRIDGES or any(w in text.upper() for w in ("OBD", "ELM", "VLINK", "RFCOMM")) or "rfcomm" in port.device
        ports.append(SerialPortInfo(port.device, text, likely))
    return sorted(ports, key=lambda p: (not p.likely_obd, p.device))


def probe_elm327(device: str, timeout: float = 0.5) -> str | None:
    """The firmware line if an ELM327 answers ATI on ``device`` at a common baud rate, else None."""
    for baud in (38400, 9600, 115200):
        try:
            with serial.serial_for_url(device, baudrate=baud, timeout=timeout, write_timeout=timeout) as port:
                port.write(b"\rATI\r")
                reply = port.read_until(b">") + port.read_until(b">")
        except (serial.SerialException, OSError, ValueError):
            return None
        for line in reply.decode("ascii", errors="replace").replace("\n", "\r").split("\r"):
            if "ELM" in line.upper():
                return line.strip()
    return None


def find_elm327(timeout: float = 0.5) -> list[tuple[SerialPortInfo, str]]:
    """Ports where an ELM327 answered, with its firmware string (likely OBD ports probed first)."""
    return [(port, firmware) for port in list_serial_ports() if (firmware := probe_elm327(port.device, timeout))]
