"""A seeded generator of labelled warranty claims: ok claims, hard negatives and each kind of fraud.

Used by ``benchmarks/bench_warranty.py`` (precision and recall per signal) and the tests. Every
claim carries the set of signals that SHOULD fire on it (``labels``) and the group it was made
for (``ok``, ``hard:<what>``, ``fraud:<signal>``). The generator has its own failure catalogue
(texts, codes, part numbers): it does not read the detector's data files.

- ok: a car (in-service date, km per day; the odometer follows the date), a failure of one part
  category described by one of several phrasings, codes of that failure, inside coverage with a
  margin (or, for some, long expired), a fresh recording hash or none.
- hard negatives: the same words on another car (common failures described alike); a legitimate
  repeat failure of the same part long after; another part on the same car soon after; a repair
  1.5-4 months or 1,500-5,000 km before coverage ends; supporting codes plus unrelated ones; an
  odometer a few dozen km below an earlier reading (typing); one recording on two claims of the
  same car; a dealer's busy month (1.5x).
- fraud: duplicate (same car and part again within weeks, reworded), odometer rolled back,
  repair in the last 30 days or 1,000 km of coverage, codes of another system (or none), the
  recording of another car's claim, a dealer's month at 3x its rate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import numpy as np

from carvrooom_desktop.warranty.claim import WarrantyClaim

START = date(2023, 1, 1)
MONTHS = 36
COVER_DAYS = 3 * 365  # about the 3-year limit; the exact end comes from add_years
COVER_KM = 60_000.0
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
FRAUD_KINDS = ("duplicate", "odometer_rollback", "end_of_coverage", "dtc_mismatch", "shared_recording")

CATALOGUE: dict[str, dict[str, Any]] = {
    "ignition_coil": {
        "codes": ["P0301", "P0302", "P0303", "P0304", "P0300", "P0351", "P0352"], "labour": "IGN-COIL-R", "part": "IC-22448",
        "complaint": ["Check engine light flashing, engine misfires under load", "Rough idle and shaking at traffic lights, MIL on",
                      "Engine stumbles when accelerating, warning lamp on dash", "Loss of power and misfiring on the motorway"],
        "cause": ["Ignition coil cylinder {n} internal short, misfire counter high", "Coil pack on cyl {n} failed, swapped coil and misfire followed",
                  "Secondary winding of coil {n} open circuit", "Coil {n} cracked housing, arcing to head"],
        "correction": ["Replaced ignition coil cylinder {n}, cleared codes, road test ok", "Fitted new coil pack cyl {n}, verified misfire counters zero",
                       "Renewed coil {n}, test drive no misfire", "Exchanged ignition coil, engine runs smooth"]},
    "oxygen_sensor": {
        "codes": ["P0131", "P0133", "P0135", "P0137", "P0141", "P0153"], "labour": "EMS-O2S-R", "part": "OS-11872",
        "complaint": ["Engine light on, fuel consumption higher than usual", "MIL illuminated, car failed emissions test",
                      "Poor fuel economy and check engine lamp", "Engine warning light came on at cold start"],
        "cause": ["Upstream O2 sensor slow response, heater circuit open", "Lambda sensor bank 1 sensor 1 heater failed",
                  "Oxygen sensor signal stuck lean", "O2 sensor contaminated, switching slowly"],
        "correction": ["Replaced upstream oxygen sensor, cleared codes, readiness complete", "Fitted new lambda sensor B1S1, fuel trims normal",
                       "Renewed O2 sensor, monitor passed", "Exchanged oxygen sensor and verified trims"]},
    "catalytic_converter": {
        "codes": ["P0420", "P0430", "P0421"], "labour": "EXH-CAT-R", "part": "CC-90211",
        "complaint": ["Rotten egg smell from exhaust and engine light on", "Rattle from under the car, MIL on",
                      "Failed emissions, check engine light", "Sulfur smell and low power uphill"],
        "cause": ["Catalyst efficiency below threshold bank 1", "Catalytic converter substrate broken, rattling",
                  "Converter efficiency low, downstream sensor mirrors upstream", "Cat internally melted, restriction"],
        "correction": ["Replaced catalytic converter, cleared codes, monitor complete", "Fitted new catalytic converter and gaskets",
                       "Renewed converter assembly, road test ok", "Exchanged cat, emissions within limits"]},
    "thermostat": {
        "codes": ["P0128", "P0125"], "labour": "COOL-THM-R", "part": "TH-30551",
        "complaint": ["Temperature gauge stays low, heater blows cold", "Engine takes very long to warm up, MIL on",
                      "Heater not warm in winter, engine light", "Coolant temperature below normal on the motorway"],
        "cause": ["Thermostat stuck open, coolant temperature below regulating temperature", "Thermostat not closing, warm-up too slow",
                  "Thermostat opens early", "Thermostat jammed open by debris"],
        "correction": ["Replaced thermostat and coolant, verified warm-up", "Fitted new thermostat housing assembly",
                       "Renewed thermostat, bled cooling system", "Exchanged thermostat, gauge normal"]},
    "alternator": {
        "codes": ["P0562", "P0563", "P0620", "P2503"], "labour": "ELEC-ALT-R", "part": "AL-55120",
        "complaint": ["Battery light on, battery goes flat overnight", "Car would not start, battery dead again",
                      "Lights dim at idle, charging warning", "Charging light flickers while driving"],
        "cause": ["Alternator output low, regulator failed", "Alternator diode failure, ripple high",
                  "Voltage regulator in alternator faulty, 12.1 V running", "Alternator not charging, brushes worn"],
        "correction": ["Replaced alternator, charging voltage 14.2 V", "Fitted new alternator and tested battery",
                       "Renewed alternator assembly, charge ok", "Exchanged alternator, no warning lamp"]},
    "fuel_pump": {
        "codes": ["P0087", "P0230", "P0171", "P0174", "P0190"], "labour": "FUEL-PMP-R", "part": "FP-77103",
        "complaint": ["Engine cranks but will not start", "Hesitation and loss of power at high speed",
                      "Car stalls when warm, hard to restart", "Engine cuts out on the motorway"],
        "cause": ["Fuel pump delivery pressure low, rail pressure below spec", "In-tank fuel pump worn, low flow",
                  "Fuel pump relay ok, pump motor failing", "Fuel pressure drops under load"],
        "correction": ["Replaced fuel pump module, pressure within spec", "Fitted new in-tank pump and seal",
                       "Renewed fuel pump, road test ok", "Exchanged fuel pump assembly"]},
    "water_pump": {
        "codes": ["P0217", "P0116", "P0117"], "labour": "COOL-WP-R", "part": "WP-40098",
        "complaint": ["Coolant leak under the front of the engine", "Engine overheating in traffic",
                      "Losing coolant, low coolant warning", "Whining noise from the engine belt area and coolant smell"],
        "cause": ["Water pump seal leaking at weep hole", "Water pump impeller corroded, poor circulation",
                  "Water pump bearing worn, seal weeping", "Pump shaft play, coolant leak"],
        "correction": ["Replaced water pump and gasket, pressure test ok", "Fitted new water pump and coolant",
                       "Renewed water pump, no leak", "Exchanged pump, bled system"]},
    "transmission_solenoid": {
        "codes": ["P0750", "P0755", "P0760", "P0700", "P0973"], "labour": "TRANS-SOL-R", "part": "TS-61230",
        "complaint": ["Harsh shift from 2nd to 3rd gear", "Gearbox stuck in limp mode, warning light",
                      "Delayed engagement into drive", "Transmission slipping between gears"],
        "cause": ["Shift solenoid A open circuit", "Shift solenoid B stuck, pressure control faulty",
                  "Solenoid resistance out of range", "Transmission solenoid valve body fault"],
        "correction": ["Replaced shift solenoid, adapted transmission", "Fitted new solenoid pack, reset adaptations",
                       "Renewed transmission solenoid, road test ok", "Exchanged solenoid, shifts normal"]},
    "abs_sensor": {
        "codes": ["C0035", "C0040", "C0045", "C0050"], "labour": "BRK-ABS-R", "part": "AS-21760",
        "complaint": ["ABS light on and traction control warning", "ABS warning lamp on after rain",
                      "ABS activates at low speed when braking", "Traction control light on, speedo jumps"],
        "cause": ["Front left wheel speed sensor signal missing", "Wheel speed sensor air gap corroded",
                  "ABS sensor rear right open circuit", "Wheel speed sensor erratic signal"],
        "correction": ["Replaced wheel speed sensor, cleared codes, test ok", "Fitted new ABS sensor and cleaned tone ring",
                       "Renewed ABS sensor, no warning", "Exchanged wheel speed sensor"]},
}
CATEGORIES = tuple(CATALOGUE)


@dataclass(frozen=True, slots=True)
class LabelledClaim:
    claim: WarrantyClaim
    labels: frozenset[str]  # the signals that should fire
    group: str  # "ok" | "hard:<what>" | "fraud:<signal>"


@dataclass
class _Car:
    vin: str
    in_service: date
    km_per_day: float

    def km(self, on: date, rng: np.random.Generator) -> float:
        return round(max(5.0, (on - self.in_service).days * self.km_per_day + rng.uniform(-20, 20)))


class ClaimGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.out: list[LabelledClaim] = []
        self.cars: list[_Car] = []
        self.by_car: dict[str, list[WarrantyClaim]] = {}
        self.n = 0

    # -- pieces ---------------------------------------------------------------------------------

    def _vin(self) -> str:
        letters = self.rng.integers(0, len(VIN_ALPHABET), 14)
        return "WVW" + "".join(VIN_ALPHABET[i] for i in letters)

    def _car(self, on: date, *, safe: bool = True, min_age: int = 20) -> _Car:
        """A car whose coverage is comfortably running on ``on`` (safe), or any car; at least ``min_age`` days old then."""
        rate = float(self.rng.uniform(15, 70))
        if safe:
            rate = min(rate, (COVER_KM - 2500) / (min_age + 30))
            max_days = min(COVER_DAYS - 60, int((COVER_KM - 2500) / rate))
            age = int(self.rng.integers(min_age, max(min_age + 1, max_days)))
        else:
            age = int(self.rng.integers(20, 2000))
        car = _Car(self._vin(), on - timedelta(days=age), rate)
        self.cars.append(car)
        return car

    def _sha(self) -> str:
        return hashlib.sha256(f"{self.seed}-{self.n}-{self.rng.random()}".encode()).hexdigest()

    def _claim(self, car: _Car, on: date, dealer: str, category: str | None = None, *, phrasing: int | None = None,
               codes: tuple[str, ...] | None = None, km: float | None = None, sha: str | None = None,
               text: tuple[str, str, str] | None = None) -> WarrantyClaim:
        rng = self.rng
        category = category or CATEGORIES[int(rng.integers(len(CATEGORIES)))]
        spec = CATALOGUE[category]
        p = int(rng.integers(4)) if phrasing is None else phrasing
        n = int(rng.integers(1, 5))
        if text is None:
            text = (spec["complaint"][p], spec["cause"][(p + int(rng.integers(2))) % 4].format(n=n),
                    spec["correction"][(p + int(rng.integers(2))) % 4].format(n=n))
        if codes is None:
            k = int(rng.integers(1, 3))
            codes = tuple(sorted(set(rng.choice(spec["codes"], size=k, replace=True).tolist())))
        if sha is None:
            sha = self._sha() if rng.random() < 0.7 else ""
        self.n += 1
        repair = on - timedelta(days=int(rng.integers(0, 4)))
        claim = WarrantyClaim(
            claim_id=f"S{self.seed}-{self.n:07d}", vin=car.vin, claim_date=on, repair_date=repair, in_service_date=car.in_service,
            odometer_km=car.km(repair, rng) if km is None else km, complaint=text[0], cause=text[1], correction=text[2],
            dtcs=codes, part_number=spec["part"] + f"-{int(rng.integers(10, 99))}", part_category=category,
            labour_op=spec["labour"], dealer_id=dealer, amount_cents=int(rng.integers(8_000, 250_000)), recording_sha256=sha,
        )
        self.by_car.setdefault(car.vin, []).append(claim)
        return claim

    def _emit(self, claim: WarrantyClaim, labels: set[str], group: str) -> None:
        self.out.append(LabelledClaim(claim, frozenset(labels), group))

    # -- kinds ----------------------------------------------------------------------------------

    def ok(self, on: date, dealer: str, labels: set[str]) -> None:
        car = self._car(on) if self.rng.random() < 0.9 else self._car(on, safe=False)
        if car.km(on, self.rng) < COVER_KM and (on - car.in_service).days < COVER_DAYS:
            # an unsafe draw that landed inside coverage: keep it away from the last weeks/km
            if (on - car.in_service).days > COVER_DAYS - 60 or car.km(on, self.rng) > COVER_KM - 2500:
                car.in_service = on - timedelta(days=100)
        self._emit(self._claim(car, on, dealer), labels, "ok")

    def hard(self, on: date, dealer: str, labels: set[str]) -> None:
        rng = self.rng
        what = ("same_words", "legit_repeat", "other_part_soon", "before_end", "extra_codes", "odometer_typo",
                "one_recording_two_claims")[int(rng.integers(7))]
        if what == "same_words" and self.out:
            base = self.out[int(rng.integers(len(self.out)))]
            if base.group != "ok":
                return self.ok(on, dealer, labels)
            like = base.claim
            car = self._car(on)
            c = self._claim(car, on, dealer, like.part_category, text=(like.complaint, like.cause, like.correction))
            self._emit(c, labels, "hard:" + what)
        elif what == "legit_repeat" and on >= START + timedelta(days=500):
            car = _Car(self._vin(), on - timedelta(days=int(rng.integers(520, 900))), float(rng.uniform(20, 35)))
            first_on = on - timedelta(days=int(rng.integers(400, 480)))
            if first_on - car.in_service < timedelta(days=20):
                first_on = car.in_service + timedelta(days=20)
            first = self._claim(car, first_on, dealer)
            self._emit(first, set(), "ok")
            c = self._claim(car, on, dealer, first.part_category)
            self._emit(c, labels, "hard:" + what)
        elif what == "legit_repeat":
            return self.ok(on, dealer, labels)
        elif what == "other_part_soon":
            car = self._car(on, min_age=80)
            first = self._claim(car, on - timedelta(days=int(rng.integers(5, 60))), dealer)
            self._emit(first, set(), "ok")
            other = [k for k in CATEGORIES if k != first.part_category]
            self._emit(self._claim(car, on, dealer, other[int(rng.integers(len(other)))]), labels, "hard:" + what)
        elif what == "before_end":
            rate = float(rng.uniform(15, 40))
            if rng.random() < 0.5:
                left = int(rng.integers(45, 120))
                car = _Car(self._vin(), on - timedelta(days=COVER_DAYS + 1 - left), rate)
                car.km_per_day = min(rate, (COVER_KM - 5000) / (COVER_DAYS - left + 5))
                c = self._claim(car, on, dealer)
                c = c.with_changes(repair_date=on)
            else:
                car = _Car(self._vin(), on - timedelta(days=int(rng.integers(300, 800))), rate)
                c = self._claim(car, on, dealer, km=COVER_KM - float(rng.integers(1500, 5000)))
            self.by_car[car.vin][-1] = c
            self._emit(c, labels, "hard:" + what)
        elif what == "extra_codes":
            car = self._car(on)
            cat = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
            other = CATALOGUE[CATEGORIES[(CATEGORIES.index(cat) + 3) % len(CATEGORIES)]]["codes"]
            codes = (str(rng.choice(CATALOGUE[cat]["codes"])), str(rng.choice(other)))
            self._emit(self._claim(car, on, dealer, cat, codes=codes), labels, "hard:" + what)
        elif what == "odometer_typo":
            car = self._car(on, min_age=50)
            first = self._claim(car, on - timedelta(days=int(rng.integers(2, 20))), dealer)
            self._emit(first, set(), "ok")
            other = [k for k in CATEGORIES if k != first.part_category]
            km = cast(float, first.odometer_km) - float(rng.integers(10, 80))  # _claim always reads the odometer
            self._emit(self._claim(car, on, dealer, other[int(rng.integers(len(other)))], km=km), labels, "hard:" + what)
        else:  # one recording on two claims of the same car (two parts found in one session)
            car = self._car(on)
            sha = self._sha()
            first = self._claim(car, on, dealer, sha=sha)
            self._emit(first, set(), "ok")
            other = [k for k in CATEGORIES if k != first.part_category]
            self._emit(self._claim(car, on, dealer, other[int(rng.integers(len(other)))], sha=sha), labels, "hard:" + what)

    def fraud(self, kind: str, on: date, dealer: str, labels: set[str]) -> None:
        rng = self.rng
        if kind == "duplicate":
            car = self._car(on, min_age=180)
            gap = int(rng.integers(7, 150))
            first = self._claim(car, on - timedelta(days=gap), dealer)
            self._emit(first, set(), "ok")
            p = (CATALOGUE[first.part_category]["complaint"].index(first.complaint) + int(rng.integers(1, 4))) % 4
            dealer2 = dealer if rng.random() < 0.6 else f"D{int(rng.integers(1000, 9999))}"
            c = self._claim(car, on, dealer2, first.part_category, phrasing=p)
            self._emit(c, labels | {"duplicate"}, "fraud:duplicate")
        elif kind == "odometer_rollback":
            car = self._car(on, min_age=230)
            first = self._claim(car, on - timedelta(days=int(rng.integers(60, 200))), dealer)
            self._emit(first, set(), "ok")
            other = [k for k in CATEGORIES if k != first.part_category]
            km = max(10.0, cast(float, first.odometer_km) - float(rng.integers(1500, 20000)))  # _claim always reads the odometer
            c = self._claim(car, on, dealer, other[int(rng.integers(len(other)))], km=km)
            self._emit(c, labels | {"odometer_rollback"}, "fraud:odometer_rollback")
        elif kind == "end_of_coverage":
            if rng.random() < 0.5:
                left = int(rng.integers(0, 29))
                rate = float(rng.uniform(15, 40))
                car = _Car(self._vin(), on - timedelta(days=COVER_DAYS - left), min(rate, (COVER_KM - 5000) / COVER_DAYS))
                # exact: the 3-year end is add_years(in_service, 3); keep the repair on the claim day
                from carvrooom_desktop.warranty.coverage import add_years
                end = add_years(car.in_service, 3)
                car.in_service = car.in_service + ((on + timedelta(days=left)) - end)
                c = self._claim(car, on, dealer).with_changes(repair_date=on)
            else:
                car = _Car(self._vin(), on - timedelta(days=int(rng.integers(300, 800))), 60.0)
                c = self._claim(car, on, dealer, km=COVER_KM - float(rng.integers(0, 900)))
            self.by_car[car.vin][-1] = c
            self._emit(c, labels | {"end_of_coverage"}, "fraud:end_of_coverage")
        elif kind == "dtc_mismatch":
            car = self._car(on)
            cat = CATEGORIES[int(rng.integers(len(CATEGORIES)))]
            if cat != "water_pump" and rng.random() < 0.25:
                codes: tuple[str, ...] = ()
            else:
                wrong = CATALOGUE[CATEGORIES[(CATEGORIES.index(cat) + int(rng.integers(1, len(CATEGORIES)))) % len(CATEGORIES)]]
                codes = (str(rng.choice(wrong["codes"])),)
            self._emit(self._claim(car, on, dealer, cat, codes=codes), labels | {"dtc_mismatch"}, "fraud:dtc_mismatch")
        else:  # shared_recording: another car's recording re-used
            donor = self._car(on, min_age=110)
            sha = self._sha()
            first = self._claim(donor, on - timedelta(days=int(rng.integers(1, 90))), f"D{int(rng.integers(1000, 9999))}", sha=sha)
            self._emit(first, set(), "ok")
            car = self._car(on)
            self._emit(self._claim(car, on, dealer, first.part_category, sha=sha), labels | {"shared_recording"},
                       "fraud:shared_recording")


def generate_claims(n: int, seed: int = 0, *, fraud_share: float = 0.10, hard_share: float = 0.15,
                    spike_share: float = 0.02) -> list[LabelledClaim]:
    """About ``n`` labelled claims over 36 months (pairs add their first claim), in claim-date order."""
    g = ClaimGenerator(seed)
    rng = g.rng
    dealers = max(3, round(n / (MONTHS * 17)))
    spikes: set[tuple[str, str]] = set()
    rates = rng.uniform(4, 30, dealers)
    rates *= n / (rates.sum() * MONTHS * (1 + 0.5 * (fraud_share + hard_share)))  # pairs add claims
    for d in range(dealers):
        dealer = f"D{d:03d}"
        for m in range(MONTHS):
            month = date(START.year + (START.month - 1 + m) // 12, (START.month - 1 + m) % 12 + 1, 1)
            spike = m >= 6 and rng.random() < spike_share
            count = int(rng.poisson(rates[d] * (3.0 if spike else 1.0))) + (5 if spike else 0)
            labels: set[str] = set()
            if spike:
                spikes.add((dealer, month.isoformat()[:7]))
            days = (date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days
            for _ in range(count):
                on = month + timedelta(days=int(rng.integers(days)))
                u = rng.random() if on >= START + timedelta(days=240) else 1.0  # pairs need a past inside the set
                if u < fraud_share:
                    g.fraud(FRAUD_KINDS[int(rng.integers(len(FRAUD_KINDS)))], on, dealer, labels)
                elif u < fraud_share + hard_share:
                    g.hard(on, dealer, labels)
                else:
                    g.ok(on, dealer, labels)
    # a dealer's spike is a month: every claim of that dealer in that month carries the label, whatever made it
    out = [LabelledClaim(lc.claim, lc.labels | {"dealer_rate"}, lc.group)
           if (lc.claim.dealer_id, lc.claim.claim_date.isoformat()[:7]) in spikes else lc for lc in g.out]
    return sorted(out, key=lambda lc: lc.claim.order_key())


__all__ = ["CATALOGUE", "FRAUD_KINDS", "ClaimGenerator", "LabelledClaim", "generate_claims"]
