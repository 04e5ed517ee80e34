"""Vectorised batch decoding of raw CAN frames with a DBC: per message id, numpy only.

    decoder = BatchDecoder(load_database("car.dbc"))   # plans compiled once per database
    batch = decoder.decode(frames)                      # FrameArrays -> DecodedBatch
    t, v = batch.signals["MESSAGE.signal"]              # float64 arrays
    decoder.choices["MESSAGE.signal"]                   # value table: raw number -> text
    ChannelDecoder({0: powertrain, 1: chassis_fd})      # one database per bus channel, same interface
"""

from carvrooom_desktop.acquisition.decode.channels import ChannelDecoder, channel_number, parse_channel
from carvrooom_desktop.acquisition.decode.dbc import load_database
from carvrooom_desktop.acquisition.decode.decoder import BatchDecoder, DecodedBatch, Series
from carvrooom_desktop.acquisition.decode.plan import DatabasePlan, MessagePlan, SignalPlan, compile_database

__all__ = [
    "BatchDecoder",
    "ChannelDecoder",
    "DatabasePlan",
    "DecodedBatch",
    "MessagePlan",
    "Series",
    "SignalPlan",
    "channel_number",
    "compile_database",
    "load_database",
    "parse_channel",
]
