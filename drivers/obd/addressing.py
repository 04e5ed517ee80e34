"""ISO 15765-4 addressing: which CAN ids carry OBD requests and replies (11- and 29-bit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ObdAddressing:
    extended: bool = False

    @property
    def functional_request_id(self) -> int:
        return 0x18DB33F1 if self.extended else 0x7DF

    def is_response(self, arbitration_id: int) -> bool:
        if self.extended:
            return (arbitration_id & 0x1FFFFF00) == 0x18DAF100
        return 0x7E8 <= arbitration_id <= 0x7EF

    def is_request(self, arbitration_id: int) -> bool:
        """Functional or physical request ids (what an ECU listens to)."""
        if self.extended:
            return arbitration_id == 0x18DB33F1 or (arbitration_id & 0x1FFF00FF) == 0x18DA00F1
        return arbitration_id == 0x7DF or 0x7E0 <= arbitration_id <= 0x7E7

    def physical_request_id(self, response_id: int) -> int:
        """Where to send flow control (and physical requests) for the ECU that answered on ``response_id``."""
        if self.extended:
            return 0x18DA00F1 | ((response_id & 0xFF) << 8)
        return response_id - 8

    def response_id(self, ecu_index: int = 0) -> int:
        """The reply id of ECU ``ecu_index`` (0 = engine ECU)."""
        if self.extended:
            return 0x18DAF110 + ecu_index
        return 0x7E8 + ecu_index

    def ecu_label(self, response_id: int) -> str:
        return f"{response_id:X}"


ELEVEN_BIT = ObdAddressing(extended=False)
TWENTY_NINE_BIT = ObdAddressing(extended=True)
