"""The module scan as the Diagnostics page uses it: one link to the car kept open between the scan
and the clears (so the simulated car that was scanned is the one cleared), every scan stored with
the car, clears permission-checked. Blocking: the page calls it from a worker thread, one call at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from carvrooom_desktop.domain import Permission, Role, Vehicle
from carvrooom_desktop.errors import CarVrooomError, InvalidRequest
from carvrooom_desktop.storage.store import Store
from carvrooom_desktop.storage.vehicle_modules import VehicleModuleRepository
from drivers.uds.addressing import ModuleAddress
from drivers.uds.link import AnyModuleLink, open_can, open_simulated, open_simulated_elm
from drivers.uds.module_scan import CarScan, ModuleReport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """Where the modules are: the connected source's kind ("sim", "can", ...), channel and bitrate."""

    kind: str
    channel: str = ""
    bitrate: int | None = None
    seed: int = 0
    faults: tuple[str, ...] = ()  # the simulated car's engine faults
    module_faults: tuple[str, ...] = ()  # the simulated car's module faults


class ModuleScanner:
    """``close()`` is safe to call twice; it ends the link (and a simulated car it started)."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self.last: CarScan | None = None
        self._link: AnyModuleLink | None = None
        self._spec: LinkSpec | None = None
        self._lock = threading.Lock()

    def _open(self, spec: LinkSpec) -> AnyModuleLink:
        if self._link is not None and self._spec == spec:
            return self._link
        self._close_link()
        link: AnyModuleLink
        if spec.kind == "sim":
            link = open_simulated(seed=spec.seed, faults=spec.faults, module_faults=spec.module_faults)
        elif spec.kind == "sim-elm":
            link = open_simulated_elm(seed=spec.seed, faults=spec.faults, module_faults=spec.module_faults)
        elif spec.kind == "can":
            link = open_can(spec.channel, bitrate=spec.bitrate)
        else:  # the live session holds the adapter's serial line: a second client would steal its replies
            raise InvalidRequest("while the live session holds the ELM327, scan every module from the command line "
                                 "(carvrooom scan --all-modules --elm PORT) or connect through a CAN interface")
        self._link, self._spec = link, spec
        return link

    def scan(self, spec: LinkSpec, progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] | None = None) -> CarScan:
        with self._lock:
            link = self._open(spec)
            scan = link.scan(progress, cancelled)
            self.last = scan
            self._store(scan, scan.modules)
            return scan

    def clear(self, spec: LinkSpec, addresses: Sequence[ModuleAddress], permissions: Role | AbstractSet[Permission],
              *, confirmed: bool) -> CarScan:
        """Clear the given modules (in order); returns the last scan with those modules read again."""
        with self._lock:
            if self.last is None:
                raise InvalidRequest("scan the modules first")
            link = self._open(spec)
            after: dict[ModuleAddress, ModuleReport] = {}
            for address in addresses:
                after[address] = link.clear(address, permissions, confirmed=confirmed)
            modules = tuple(after.get(m.address, m) for m in self.last.modules)
            self.last = CarScan(modules, self.last.elapsed_s, self.last.discovery_s, self.last.probed)
            self._store(self.last, list(after.values()))
            return self.last

    def _store(self, scan: CarScan, modules: Sequence[ModuleReport]) -> None:
        if self.store is None or not scan.vin or not modules:
            return
        try:
            vehicle_id = self.store.vehicles.upsert(Vehicle(vin=scan.vin))
            VehicleModuleRepository(self.store.engine, self.store.origin).save_scan(vehicle_id, scan.vin, [m.to_dict() for m in modules])
        except (CarVrooomError, SQLAlchemyError) as e:  # the scan is still shown; the store's trouble is its own message
            log.warning("module list not stored: %s", e)

    def _close_link(self) -> None:
        link, self._link, self._spec = self._link, None, None
        if link is not None:
            link.close()

    def close(self) -> None:
        with self._lock:
            self._close_link()


class ConnectedSource(Protocol):
    """What the GUI's connect request says about the source (``ui.session_controller.ConnectRequest``)."""

    @property
    def kind(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def bitrate(self) -> int | None: ...

    @property
    def seed(self) -> int: ...

    @property
    def faults(self) -> tuple[str, ...]: ...


def link_spec_of(source: ConnectedSource | None, *, module_faults: Sequence[str] = ()) -> LinkSpec | None:
    """The modules' link for a connected source (module faults apply to the simulated car only); None when nothing is connected."""
    if source is None:
        return None
    simulated = source.kind in ("sim", "sim-elm")
    return LinkSpec(source.kind, source.channel, source.bitrate, source.seed, tuple(source.faults),
                    tuple(module_faults) if simulated else ())
