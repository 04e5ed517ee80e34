"""User-defined PIDs (Torque-style): a request, an optional ECU header and a formula over the reply bytes.

Pure: no I/O except :func:`load_custom_pids` reading the file it is given (where that file
lives is the application's choice). The transport sends :meth:`CustomPid.request` (to
:attr:`CustomPid.header` when set) and hands the reply back to :meth:`CustomPid.decode_reply`.

File format (JSON, UTF-8)::

    {
      "format": 1,
      "pids": [
        {
          "name": "trans_fluid_temp",                 required: letters, digits, _ (the signal name)
          "mode": "22",                               required: "01" or "22" (hex string; or the number 1 or 34)
          "pid": "1E1C",                              required: hex string, 1 byte for mode 01, 2 bytes for mode 22
          "formula": "(signed(A)*256+B)/16",          required: see below
          "header": "7E0",                            optional: the ECU to ask (3, 6 or 8 hex digits); default: broadcast
          "unit": "°C", "minimum": -40, "maximum": 150, "description": "Transmission fluid temperature",
          "note": "...", "source": "..."              optional, ignored: where the definition comes from
        }
      ]
    }

A bare list of entries is accepted too. Each bad entry yields one problem message naming the
entry and what is wrong; the others still load.

Formulas are Torque Pro's: ``A``, ``B``, ``C`` ... ``Z``, ``AA``, ``AB`` ... are the data bytes
after the echoed PID (0-255); numbers (``0x1F`` too); ``+ - * /`` and parentheses;
``<`` and ``>`` are bit shifts (``A<8`` is A shifted left by 8, as in Torque; ``<<``/``>>``
work as well; shifts bind less tightly than ``+``, so write ``(A<8)+B``); ``&`` bitwise
and; ``^`` power; ``{A:3}`` bit 3 of A (0 = least
significant); functions ``signed(x)`` (x as an 8-bit two's complement number;
``signed(x, 16)`` for two bytes), ``abs(x)``, ``log10(x)``, ``bit(x, n)`` (names in any
case). References to other PIDs (``[0d]``, ``VAL{...}``) are not supported.

The formula is parsed with :mod:`ast` and only whitelisted nodes are compiled into small
closures; user text is never given to ``eval``/``exec``.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.errors import DriverError, ProtocolError
from drivers.obd.pids import BY_SIGNAL, SUPPORT_PIDS

MODES = (0x01, 0x22)
MAX_FORMULA_LENGTH = 500
MAX_FORMULA_NODES = 200
MAX_SHIFT = 64
FILE_FORMAT = 1
_DOC_FIELDS = {"note", "source", "comment"}
_FIELDS = {"name", "mode", "pid", "formula", "header", "unit", "minimum", "maximum", "description"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_RAW_NAME = re.compile(r"pid_[0-9a-f]{2}_[0-9a-f]+")
_HEADER = re.compile(r"[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}")
_BYTE = re.compile(r"[A-Z]{1,2}")
_BIT_BRACES = re.compile(r"\{\s*([A-Za-z]{1,2})\s*:\s*(\d{1,2})\s*\}")


class CustomPidError(DriverError, ValueError):
    """A user PID definition that cannot be used (bad name, mode, PID, header or formula)."""


class FormulaError(ProtocolError):
    """A formula that cannot be evaluated on this reply (too few bytes, division by zero, ...)."""


Number = int | float
_Evaluator = Callable[[bytes], Number]


# --------------------------------------------------------------------------- the formula compiler


def _byte_index(name: str) -> int:
    """A=0 .. Z=25, AA=26 .. ZZ=701 (Torque's bijective letters)."""
    n = 0
    for ch in name:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _byte_name(index: int) -> str:
    n, letters = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _whole(x: Number, what: str) -> int:
    if isinstance(x, int):
        return x
    if math.isfinite(x) and x.is_integer():
        return int(x)
    raise FormulaError(f"{what} needs whole numbers, got {x:g}")


def _div(a: Number, b: Number) -> Number:
    if b == 0:
        raise FormulaError("division by zero")
    return a / b


def _shift(op: Callable[[int, int], int], symbol: str) -> Callable[[Number, Number], int]:
    def shift(a: Number, b: Number) -> int:
        n = _whole(b, symbol)
        if not 0 <= n <= MAX_SHIFT:
            raise FormulaError(f"shift by {n} (allowed: 0 to {MAX_SHIFT})")
        return op(_whole(a, symbol), n)
    return shift


def _and(a: Number, b: Number) -> int:
    return _whole(a, "&") & _whole(b, "&")


def _pow(a: Number, b: Number) -> float:
    try:
        return math.pow(a, b)  # floats: no giant integers from 9^9^9
    except (OverflowError, ValueError) as e:
        raise FormulaError(f"{a:g}^{b:g} has no value ({e})") from None


def _signed(x: Number, bits: Number = 8) -> int:
    n, width = _whole(x, "signed()"), _whole(bits, "signed()")
    if width not in (8, 16, 24, 32):
        raise FormulaError(f"signed(x, {width}): the width must be 8, 16, 24 or 32 bits")
    if not 0 <= n < 1 << width:
        raise FormulaError(f"signed(): {n} does not fit {width} bits (use signed(x, 16) for two bytes)")
    return n - (1 << width) if n & (1 << (width - 1)) else n


def _log10(x: Number) -> float:
    if x <= 0:
        raise FormulaError(f"log10 of {x:g}")
    return math.log10(x)


def _bit(x: Number, n: Number) -> int:
    b = _whole(n, "bit()")
    if not 0 <= b <= MAX_SHIFT:
        raise FormulaError(f"bit {b} (allowed: 0 to {MAX_SHIFT})")
    return (_whole(x, "bit()") >> b) & 1


_BINARY: dict[type, Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _div,
    ast.LShift: _shift(operator.lshift, "<"),
    ast.RShift: _shift(operator.rshift, ">"),
    ast.BitAnd: _and,
    ast.Pow: _pow,
}
_FUNCTIONS: dict[str, tuple[Callable[..., Number], tuple[int, ...]]] = {  # name -> function, allowed argument counts
    "signed": (_signed, (1, 2)),
    "abs": (abs, (1,)),
    "log10": (_log10, (1,)),
    "bit": (_bit, (2,)),
}


def _torque_to_python(formula: str) -> str:
    """Torque notation to Python expression syntax (then parsed, never evaluated as Python)."""
    if "[" in formula or "]" in formula:
        raise CustomPidError("references to other PIDs ([..]) are not supported; use this reply's bytes A, B, ...")
    text = _BIT_BRACES.sub(r"bit(\1, \2)", formula)
    if "{" in text or "}" in text:
        raise CustomPidError("braces are only for bit tests like {A:3}")
    text = text.replace("<<", "<").replace(">>", ">").replace("<", "<<").replace(">", ">>")
    return text.replace("**", "^").replace("^", "**")


def _compile(node: ast.AST, used: set[int]) -> _Evaluator:
    if isinstance(node, ast.Expression):
        return _compile(node.body, used)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CustomPidError(f"{value!r} is not a number")
        return lambda d: value
    if isinstance(node, ast.Name):
        name = node.id
        if not _BYTE.fullmatch(name):
            if name.lower() in _FUNCTIONS:
                raise CustomPidError(f"{name} is a function: write {name.lower()}(...)")
            raise CustomPidError(f"unknown name {name!r} (data bytes are A, B, C, ... in capitals)")
        index = _byte_index(name)
        used.add(index)
        return lambda d: d[index]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _compile(node.operand, used)
        if isinstance(node.op, ast.USub):
            return lambda d: -inner(d)
        return inner
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op = _BINARY[type(node.op)]
        left, right = _compile(node.left, used), _compile(node.right, used)
        return lambda d: op(left(d), right(d))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id.lower() not in _FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise CustomPidError(f"unknown function {called!r} (allowed: {', '.join(_FUNCTIONS)})")
        function, counts = _FUNCTIONS[node.func.id.lower()]
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) not in counts:
            raise CustomPidError(f"{node.func.id.lower()}() takes {' or '.join(map(str, counts))} plain argument(s)")
        args = tuple(_compile(a, used) for a in node.args)
        if len(args) == 1:
            (only,) = args
            return lambda d: function(only(d))
        first, second = args
        return lambda d: function(first(d), second(d))
    if isinstance(node, ast.Compare):
        raise CustomPidError("comparisons are not supported (< and > are bit shifts in Torque formulas)")
    what = {ast.BinOp: "operator", ast.UnaryOp: "operator"}.get(type(node), "construct")
    raise CustomPidError(f"{what} {type(getattr(node, 'op', node)).__name__} is not allowed in a formula")


def compile_formula(formula: str) -> tuple[_Evaluator, int]:
    """The formula as a function of the data bytes, and how many bytes it reads (CustomPidError if unusable)."""
    if not isinstance(formula, str) or not formula.strip():
        raise CustomPidError("the formula is empty")
    if len(formula) > MAX_FORMULA_LENGTH:
        raise CustomPidError(f"the formula is longer than {MAX_FORMULA_LENGTH} characters")
    text = _torque_to_python(formula.strip())
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        detail = getattr(e, "msg", None) or str(e) or type(e).__name__
        raise CustomPidError(f"not a valid formula ({detail})") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_FORMULA_NODES:
        raise CustomPidError(f"the formula has more than {MAX_FORMULA_NODES} parts")
    used: set[int] = set()
    evaluate = _compile(tree, used)
    return evaluate, (max(used) + 1 if used else 0)


# --------------------------------------------------------------------------- the definition


@dataclass(frozen=True, kw_only=True)
class CustomPid:
    """One user PID: ask ``mode``/``pid`` (at ``header``, when set) and apply ``formula`` to the reply bytes."""

    name: str
    mode: int  # 0x01 or 0x22
    pid: int  # one byte for mode 01, two bytes for mode 22
    formula: str
    unit: str = ""
    header: str | None = None  # ECU request header, e.g. "7E0" (normalised to capitals); None = functional request
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    data_bytes: int = field(init=False, compare=False)  # bytes after the echoed PID the formula reads
    _evaluate: _Evaluator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise CustomPidError(f"name {self.name!r}: letters, digits and _ only, starting with a letter, at most 64")
        if self.name in BY_SIGNAL:
            raise CustomPidError(f"name {self.name!r} is a standard PID's signal; choose another name")
        if _RAW_NAME.fullmatch(self.name):
            raise CustomPidError(f"name {self.name!r} looks like a raw PID name; choose another name")
        if isinstance(self.mode, bool) or self.mode not in MODES:
            raise CustomPidError(f"mode {self.mode!r}: only mode 01 (current data) and 22 (read data by identifier)")
        top = 0xFF if self.mode == 0x01 else 0xFFFF
        if isinstance(self.pid, bool) or not isinstance(self.pid, int) or not 0 <= self.pid <= top:
            raise CustomPidError(f"PID {self.pid!r} must be {'one byte' if top == 0xFF else 'two bytes'} for mode {self.mode:02X}")
        if self.mode == 0x01 and self.pid in SUPPORT_PIDS:
            raise CustomPidError(f"PID {self.pid:02X} is a supported-PID bitmap, not a value")
        if self.header is not None:
            if not isinstance(self.header, str) or not _HEADER.fullmatch(self.header):
                raise CustomPidError(f"header {self.header!r}: 3 (CAN 11-bit), 6 or 8 (CAN 29-bit) hex digits, e.g. 7E0")
            object.__setattr__(self, "header", self.header.upper())
        if not isinstance(self.unit, str) or len(self.unit) > 16:
            raise CustomPidError("unit: a short text (at most 16 characters)")
        if not isinstance(self.description, str):
            raise CustomPidError("description: a text")
        for label in ("minimum", "maximum"):
            value = getattr(self, label)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise CustomPidError(f"{label} {value!r} is not a number")
            object.__setattr__(self, label, float(value))
        if self.minimum is not None and self.maximum is not None and self.minimum >= self.maximum:
            raise CustomPidError(f"minimum {self.minimum} is not below maximum {self.maximum}")
        evaluate, needed = compile_formula(self.formula)
        object.__setattr__(self, "_evaluate", evaluate)
        object.__setattr__(self, "data_bytes", needed)

    @property
    def pid_bytes(self) -> bytes:
        return self.pid.to_bytes(1 if self.mode == 0x01 else 2, "big")

    def request(self) -> bytes:
        """The request payload, e.g. ``b"\\x22\\x11\\x5c"``."""
        return bytes((self.mode,)) + self.pid_bytes

    def reply_data(self, payload: bytes) -> bytes:
        """The data bytes of a positive reply whose service byte is already removed (``11 5C a b`` -> ``a b``)."""
        echo = self.pid_bytes
        if payload[: len(echo)] != echo:
            raise ProtocolError(f"{self.name}: reply {bytes(payload).hex(' ')} does not echo PID {echo.hex().upper()}")
        return bytes(payload[len(echo) :])

    def decode(self, data: bytes) -> float:
        """The formula over ``data`` (the reply bytes after the echoed PID); FormulaError if it has no value."""
        if len(data) < self.data_bytes:
            raise FormulaError(
                f"{self.name}: the formula reads byte {_byte_name(self.data_bytes - 1)} but the reply has "
                f"{len(data)} data byte(s): {bytes(data).hex(' ')}"
            )
        try:
            value = float(self._evaluate(data))
        except FormulaError as e:
            raise FormulaError(f"{self.name}: {e} (data {bytes(data).hex(' ')})") from None
        except (ArithmeticError, ValueError, TypeError, RecursionError) as e:
            raise FormulaError(f"{self.name}: the formula has no value for data {bytes(data).hex(' ')} ({e})") from None
        if not math.isfinite(value):
            raise FormulaError(f"{self.name}: the formula gives {value} for data {bytes(data).hex(' ')}")
        return value

    def decode_reply(self, payload: bytes) -> float:
        return self.decode(self.reply_data(payload))


# --------------------------------------------------------------------------- the file


def _hex_field(entry: dict[str, Any], key: str, *, is_mode: bool = False) -> int:
    value = entry[key]
    if isinstance(value, bool):
        raise CustomPidError(f"{key} {value!r} is not a number")
    if isinstance(value, int):
        if is_mode and value == 22:
            raise CustomPidError('mode 22 as a JSON number is decimal 22: write "22" (hex, as a string) or 34')
        return value
    if isinstance(value, str):
        text = value.strip()
        text = text[2:] if text[:2].lower() == "0x" else text
        if text and all(c in "0123456789abcdefABCDEF" for c in text):
            if not is_mode and len(text) > 4:
                raise CustomPidError(f'PID "{value}" is more than two bytes; give mode and PID apart (mode "22", pid "115C")')
            return int(text, 16)
    raise CustomPidError(f"{key} {value!r} is not a hex number (e.g. \"22\", \"115C\")")


def _entry(entry: object) -> CustomPid:
    if not isinstance(entry, dict):
        raise CustomPidError("not an object with name, mode, pid and formula")
    missing = [key for key in ("name", "mode", "pid", "formula") if key not in entry]
    if missing:
        raise CustomPidError(f"missing {', '.join(missing)}")
    for key in ("unit", "description", "header", "formula"):
        if key in entry and entry[key] is not None and not isinstance(entry[key], str):
            raise CustomPidError(f"{key} must be a text")
    return CustomPid(
        name=entry["name"],
        mode=_hex_field(entry, "mode", is_mode=True),
        pid=_hex_field(entry, "pid"),
        formula=entry["formula"],
        unit=entry.get("unit") or "",
        header=entry.get("header") or None,
        minimum=entry.get("minimum"),
        maximum=entry.get("maximum"),
        description=entry.get("description") or "",
    )


def load_custom_pids(path: str | Path) -> tuple[list[CustomPid], list[str]]:
    """The user PIDs in a JSON file, and one problem message per entry that could not be used.

    Never raises for a bad file: an unreadable file or invalid JSON is a single problem and no
    PIDs. An entry with an unknown field still loads; the field is named in a problem message.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [], [f"{path}: cannot be read ({getattr(e, 'strerror', None) or e})"]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        return [], [f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"]
    if isinstance(document, dict):
        version = document.get("format", FILE_FORMAT)
        if version != FILE_FORMAT:
            return [], [f"{path}: format {version!r} is not one this version reads (expected {FILE_FORMAT})"]
        entries = document.get("pids")
        if not isinstance(entries, list):
            return [], [f'{path}: expected a "pids" list of user PID definitions']
    elif isinstance(document, list):
        entries = document
    else:
        return [], [f'{path}: expected an object with a "pids" list, or a list of user PID definitions']

    pids: list[CustomPid] = []
    problems: list[str] = []
    names: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f"entry {number}" + (f" ({name})" if isinstance(name, str) and name else "")
        try:
            pid = _entry(entry)
        except CustomPidError as e:
            problems.append(f"{path}: {label}: {e}")
            continue
        if pid.name in names:
            problems.append(f"{path}: {label}: the name {pid.name!r} is already used by an earlier entry")
            continue
        unknown = sorted(set(entry) - _FIELDS - _DOC_FIELDS)
        if unknown:
            problems.append(f"{path}: {label}: unknown field(s) {', '.join(unknown)} ignored")
        names.add(pid.name)
        pids.append(pid)
    return pids, problems
