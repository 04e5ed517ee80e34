"""ELM327 adapters (USB/serial, Bluetooth serial, Wi-Fi socket://): our fast OBD-II client and reply parsing."""
