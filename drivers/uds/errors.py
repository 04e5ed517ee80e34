"""How talking to one module fails, in the driver's exception types (each one a module state)."""

from __future__ import annotations

from drivers.errors import AdapterTimeout, NegativeResponse, ProtocolError
from drivers.uds.negative import nrc_words


class ModuleRefused(NegativeResponse):
    """0x7F: the module refused the request; the message says why in words."""

    def __init__(self, service: int, code: int) -> None:
        super().__init__(service, code)
        self.args = (f"refused service 0x{service:02X}: {nrc_words(code)} (0x{code:02X})",)


class ModuleBusy(AdapterTimeout):
    """The module kept answering 'response pending' (0x78) past the time we give any request."""


class TransportError(ProtocolError):
    """The ISO-TP transfer broke (consecutive frame out of sequence, a frame missing, flow control lost)."""
