"""User-defined (Torque-style) PIDs: requests, the safe formula evaluator and the JSON loader."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import ProtocolError
from drivers.obd.custom_pids import CustomPid, CustomPidError, FormulaError, compile_formula, load_custom_pids
from resources import resource_path

EXAMPLE = resource_path("pids", "custom_pids.example.json")


def pid(formula: str, **kw) -> CustomPid:
    return CustomPid(**{"name": "test_value", "mode": 0x22, "pid": 0x115C, "formula": formula, **kw})


# --------------------------------------------------------------------------- requests and replies


def test_requests():
    assert pid("A").request() == b"\x22\x11\x5c"
    assert CustomPid(name="x", mode=0x01, pid=0x8E, formula="A-125").request() == b"\x01\x8e"
    assert CustomPid(name="x", mode=0x22, pid=0x0042, formula="A").request() == b"\x22\x00\x42"


def test_reply_with_echo():
    p = pid("(A*256+B)/10")
    assert p.reply_data(bytes.fromhex("115C0102")) == b"\x01\x02"
    assert p.decode_reply(bytes.fromhex("115C0102")) == pytest.approx(25.8)
    with pytest.raises(ProtocolError, match="does not echo PID 115C"):
        p.reply_data(bytes.fromhex("115D0102"))


def test_header_is_normalised_and_checked():
    assert pid("A", header="7e0").header == "7E0"
    assert pid("A", header="18DA10F1").header == "18DA10F1"
    for bad in ("7E", "7E0X", "", "0x7E0"):
        with pytest.raises(CustomPidError, match="header"):
            pid("A", header=bad)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"mode": 0x21}, "mode"),
        ({"mode": 0x01, "pid": 0x115C}, "one byte"),
        ({"pid": 0x1_0000}, "two bytes"),
        ({"mode": 0x01, "pid": 0x20}, "bitmap"),
        ({"name": "engine_speed"}, "standard PID"),
        ({"name": "pid_01_5f"}, "raw PID"),
        ({"name": "trans temp"}, "letters, digits"),
        ({"minimum": 10, "maximum": 5}, "not below"),
        ({"minimum": "cold"}, "not a number"),
    ],
)
def test_bad_definitions_say_what_is_wrong(kw, message):
    with pytest.raises(CustomPidError, match=message):
        pid("A", **kw)


# --------------------------------------------------------------------------- formulas


@pytest.mark.parametrize(
    "formula, data, value",
    [
        ("A-40", "7B", 83),
        ("(A*256+B)/4", "1AF8", 1726),
        ("((A*256)+B)/16", "0520", 82),
        ("(signed(A)*256+B)/16", "FF80", -8),  # Torque's way to a signed two-byte value
        ("signed(A*256+B, 16)/16", "FF80", -8),
        ("SIGNED(A)", "80", -128),  # function names in any case, as Torque writes them
        ("(A<8)+B", "0102", 258),  # Torque: < is a left shift
        ("A<8+B", "0102", 1024),  # shifts bind less tightly than + (as in C): A << (8 + B)
        ("A<<8", "01", 256),
        ("B>4", "00F0", 15),
        ("A&4", "0F", 4),
        ("{A:7}", "80", 1),
        ("{B:0}+{B:1}*2", "0003", 3),
        ("bit(A, 3)", "08", 1),
        ("2^A", "03", 8),
        ("abs(A-200)", "0A", 190),
        ("log10(A)", "64", 2),
        ("-A+0x10", "01", 15),
        ("AA", "00" * 26 + "2A", 42),  # byte 27: Torque goes on with AA, AB, ...
        ("A*0.1", "05", 0.5),
        ("1.8*(A-40)+32", "64", 140),
    ],
)
def test_formulas(formula, data, value):
    assert pid(formula).decode(bytes.fromhex(data)) == pytest.approx(value)


def test_data_bytes_is_what_the_formula_reads():
    assert pid("A").data_bytes == 1
    assert pid("(signed(A)*256+B)/16").data_bytes == 2
    assert pid("D*2").data_bytes == 4
    assert pid("42").data_bytes == 0
    with pytest.raises(FormulaError, match="reads byte B but the reply has 1 data byte"):
        pid("A*256+B").decode(b"\x01")
    assert pid("A").decode(b"\x07\x08\x09") == 7  # longer replies are fine (mode 22 records carry many values)


def test_division_by_zero_is_a_clear_error():
    p = pid("100/(A-B)")
    assert p.decode(b"\x05\x04") == 100
    with pytest.raises(FormulaError, match="division by zero") as caught:
        p.decode(b"\x05\x05")
    assert "test_value" in str(caught.value) and "05 05" in str(caught.value)
    assert isinstance(caught.value, ProtocolError)  # the poller handles it like any undecodable reply


@pytest.mark.parametrize(
    "formula, data, message",
    [
        ("(A/3)&1", "01", "whole numbers"),
        ("A<99", "01", "shift by 99"),
        ("log10(A)", "00", "log10"),
        ("signed(A*256+B)", "0102", "does not fit 8 bits"),
        ("9^9^9", "00", "no value"),
        ("10^300*10^300", "00", "gives inf"),
    ],
)
def test_formulas_without_a_value_for_this_data(formula, data, message):
    with pytest.raises(FormulaError, match=message):
        pid(formula).decode(bytes.fromhex(data))


@pytest.mark.parametrize(
    "formula, message",
    [
        ("__import__('os').system('echo pwned')", "unknown function"),
        ("__import__('os')", "unknown function '__import__'"),
        ("open('/etc/passwd').read()", "unknown function"),
        ("A.__class__", "Attribute is not allowed"),
        ("().__class__.__bases__[0]", r"\[\.\.\]"),
        ("eval('1')", "unknown function 'eval'"),
        ("[0d]+A", "references to other PIDs"),
        ("VAL{Speed}", "braces"),
        ("lambda: 1", "Lambda is not allowed"),
        ("'text'", "not a number"),
        ("a*256+b", "unknown name 'a'"),
        ("ABS", "is a function"),
        ("A if B else C", "IfExp is not allowed"),
        ("A % 3", "Mod is not allowed"),
        ("A <= 3", "not a valid formula"),
        ("abs(x=A)", "plain argument"),
        ("signed(A, 8, 1)", "plain argument"),
        ("", "empty"),
        ("A+" * 300 + "A", "longer than"),
        ("(" * 210 + "A" + ")" * 210, "not a valid formula"),  # the parser refuses deep nesting
        ("+".join(["A"] * 120), "more than 200 parts"),
        ("A +", "not a valid formula"),
        ("True", "not a number"),
    ],
)
def test_formulas_that_are_refused(formula, message):
    with pytest.raises(CustomPidError, match=message):
        compile_formula(formula)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="AB0123456789+-*/()<>&^{}:. sign", max_size=40), st.binary(min_size=2, max_size=2))
def test_fuzzed_formulas_fail_only_with_our_errors(formula, data):
    try:
        p = pid(formula)
    except CustomPidError:
        return
    try:
        p.decode(data)
    except FormulaError:
        pass


# --------------------------------------------------------------------------- the file


def write(tmp_path, document) -> str:
    path = tmp_path / "pids.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def test_the_shipped_example_loads_and_says_it_is_an_example():
    pids, problems = load_custom_pids(EXAMPLE)
    assert problems == []
    assert len(pids) >= 3 and {p.mode for p in pids} == {0x01, 0x22}
    ford = next(p for p in pids if p.name == "trans_fluid_temp_ford")
    assert ford.request() == b"\x22\x1e\x1c" and ford.header == "7E0" and ford.unit == "°C"
    assert ford.decode(bytes.fromhex("0520")) == 82.0 and ford.minimum == -40.0
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert "EXAMPLES ONLY" in document["note"]
    assert all("source" in e or "note" in e for e in document["pids"])


def test_a_bad_entry_never_sinks_the_others(tmp_path):
    good = {"name": "atf_temp", "mode": "22", "pid": "1940", "formula": "A-40", "unit": "°C"}
    path = write(tmp_path, {"pids": [
        good,
        {"name": "no_formula", "mode": "22", "pid": "1941"},
        {"name": "evil", "mode": "22", "pid": "1942", "formula": "__import__('os').system('rm -rf /')"},
        {"name": "bad_mode", "mode": 22, "pid": "1943", "formula": "A"},
        {"name": "long_pid", "mode": "22", "pid": "22115C", "formula": "A"},
        "not an object",
        {"name": "atf_temp", "mode": "22", "pid": "1944", "formula": "A"},
        {"name": "typo", "mode": "0x01", "pid": "0x8e", "formula": "A-125", "unit": 5},
        {"name": "extra", "mode": 1, "pid": 142, "formula": "A-125", "colour": "red", "source": "ok"},
    ]})
    pids, problems = load_custom_pids(path)
    assert [p.name for p in pids] == ["atf_temp", "extra"]
    assert pids[1].mode == 0x01 and pids[1].pid == 0x8E
    assert len(problems) == 8
    expected = [
        "entry 2 (no_formula): missing formula",
        "entry 3 (evil): unknown function",
        'entry 4 (bad_mode): mode 22 as a JSON number is decimal 22: write "22"',
        "entry 5 (long_pid): PID \"22115C\" is more than two bytes",
        "entry 6: not an object",
        "entry 7 (atf_temp): the name 'atf_temp' is already used",
        "entry 8 (typo): unit must be a text",
        "entry 9 (extra): unknown field(s) colour ignored",
    ]
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(path) and start in problem, problem


@pytest.mark.parametrize(
    "document, message",
    [
        ("{ not json", "not valid JSON (line 1, column 3"),
        ("", "not valid JSON"),
        ('{"format": 2, "pids": []}', "format 2"),
        ('{"pid": []}', 'expected a "pids" list'),
        ('"hello"', "expected an object"),
    ],
)
def test_files_that_do_not_parse_are_one_problem(tmp_path, document, message):
    pids, problems = load_custom_pids(write(tmp_path, document))
    assert pids == [] and len(problems) == 1 and message in problems[0]


def test_a_bare_list_and_a_missing_file(tmp_path):
    pids, problems = load_custom_pids(write(tmp_path, '[{"name": "x", "mode": "22", "pid": "0101", "formula": "B/2"}]'))
    assert problems == [] and pids[0].decode(b"\x00\x64") == 50
    pids, problems = load_custom_pids(tmp_path / "nowhere.json")
    assert pids == [] and "cannot be read" in problems[0]
