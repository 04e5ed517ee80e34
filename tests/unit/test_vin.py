from datetime import date

from drivers.vin import check_digit, decode_vin


def test_a_valid_north_american_vin():
    info = decode_vin("1HGCM82633A004352")
    assert info.valid and info.check_digit_ok and info.manufacturer == "Honda"
    assert info.country == "United States" and info.model_year == 2003


def test_a_wrong_check_digit_is_reported_never_fixed():
    info = decode_vin("1HGCM82653A004352")
    assert not info.valid and info.vin == "1HGCM82653A004352" and "check digit" in info.problems[0]


def test_bad_length_and_forbidden_letters():
    assert "17 characters" in decode_vin("1HGCM8263").problems[0]
    info = decode_vin("1HGCM8263OA004352")
    assert not info.valid and "O" in info.problems[0]


def test_european_vin_without_check_digit_and_year_cycle():
    info = decode_vin("WVWZZZ1JZYW000001", today=date(2026, 11, 24))
    assert info.valid and info.check_digit_ok is None and info.manufacturer == "Volkswagen" and info.country == "Germany"
    assert info.model_year == 2000
    assert decode_vin("WBA3A5C50DF000001", today=date(2026, 1, 1)).model_year == 2013


def test_check_digit_x():
    assert check_digit("1M8GDM9AXKP042788") == "X"
