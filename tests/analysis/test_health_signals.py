"""SignalSet: cleaning, units, gaps and the common grid."""

import numpy as np

from analysis.signals import SignalSet, unit_conversion


def test_cleaning_drops_non_finite_sorts_and_keeps_last_duplicate():
    s = SignalSet({"coolant_temp": ([3, 1, 2, 2, np.nan, 5], [30, 10, 20, 21, 99, np.inf])})
    sig = s.get("coolant_temp")
    assert sig.t.tolist() == [1, 2, 3]
    assert sig.values.tolist() == [10, 21, 30]


def test_unusable_signals_say_why():
    s = SignalSet({"engine_speed": ([0, 1, 2], [1, 2]), "coolant_temp": ([0, 1], [np.nan, np.nan])},
                  units={"vehicle_speed": "furlongs"})
    assert s.get("engine_speed") is None and "timestamps" in s.problem("engine_speed")
    assert "no finite" in s.problem("coolant_temp")
    assert s.problem("maf") == "not recorded"
    s2 = SignalSet({"vehicle_speed": ([0, 1], [1, 2])}, units={"vehicle_speed": "furlongs"})
    assert "unit" in s2.problem("vehicle_speed")


def test_units_are_converted_to_the_expected_ones():
    s = SignalSet({"coolant_temp": ([0, 1], [32.0, 212.0]), "vehicle_speed": ([0, 1], [0.0, 10.0])},
                  units={"coolant_temp": "°F", "vehicle_speed": "mph"})
    assert np.allclose(s.get("coolant_temp").values, [0.0, 100.0])
    assert np.allclose(s.get("vehicle_speed").values, [0.0, 16.09344])
    assert unit_conversion("degC", "°C") == (1.0, 0.0)
    assert unit_conversion("parsec", "°C") is None


def test_gaps_and_aligned_grid_leave_nan_in_gaps():
    t = np.concatenate([np.arange(0, 10, 0.5), np.arange(30, 40, 0.5)])
    s = SignalSet({"engine_speed": (t, np.full(len(t), 800.0)), "vehicle_speed": (np.arange(0, 40, 1.0), np.zeros(40))})
    assert s.get("engine_speed").gaps() == [(9.5, 30.0)]
    grid = s.aligned(["engine_speed", "vehicle_speed"])
    assert grid.dt == 1.0
    in_gap = (grid.t > 12) & (grid.t < 28)
    assert np.all(np.isnan(grid["engine_speed"][in_gap]))
    assert np.all(np.isfinite(grid["engine_speed"][grid.t < 9]))


def test_aligned_refuses_signals_that_do_not_overlap():
    s = SignalSet({"engine_speed": ([0, 1], [1, 1]), "vehicle_speed": ([5, 6], [0, 0])})
    assert s.aligned(["engine_speed", "vehicle_speed"]) is None
    assert s.aligned(["engine_speed", "maf"]) is None


def test_evidence_of_a_sum_is_computed_on_the_common_grid():
    t = np.arange(0.0, 10.0, 1.0)
    s = SignalSet({"stft_b1": (t, np.full(10, 5.0)), "ltft_b1": (t + 0.5, np.full(10, 20.0))})
    total = s.evidence("stft_b1+ltft_b1")
    assert total is not None and total.unit == "%" and np.allclose(total.values, 25.0)
    assert s.evidence("ltft_b1") is s.get("ltft_b1")
    assert s.evidence("stft_b1+nothing") is None
    assert "nothing: not recorded" in s.problem("stft_b1+nothing")
