"""UDS (ISO 14229) diagnostics of every module of the car over ISO-TP (ISO 15765-2).

Built on ``udsoncan`` (services, timing, response pending) and ``can-isotp`` (transport):
``client`` talks to one module, ``discovery`` finds who answers, ``module_scan`` reads a whole
car module by module (one module's failure is that module's state, never the scan's),
``codes`` turns 3-byte DTCs into words.
"""
