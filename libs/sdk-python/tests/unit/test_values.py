"""What can be logged, and how it is converted (numpy when installed; torch-like objects by duck typing)."""

from __future__ import annotations

import math

import pytest

from trackbase._values import name_problem, to_number


def test_python_numbers_and_bools() -> None:
    assert to_number(1) == (1, None)
    assert to_number(0.5) == (0.5, None)
    assert to_number(True) == (1, None)
    assert math.isnan(to_number(float("nan"))[0])  # type: ignore[arg-type]


def test_numpy_scalars_and_zero_d_arrays() -> None:
    np = pytest.importorskip("numpy")
    assert to_number(np.float32(0.25)) == (0.25, None)
    assert to_number(np.int64(7)) == (7, None)
    assert to_number(np.array(3.5)) == (3.5, None)
    assert to_number(np.bool_(True)) == (1, None)
    number, problem = to_number(np.array([1.0, 2.0]))
    assert number is None and "shape (2,)" in str(problem)


def test_things_that_are_not_numbers_say_why() -> None:
    for value in ({"a": 1}, "0.5", None, [1], b"x"):
        number, problem = to_number(value)
        assert number is None and problem


def test_series_names() -> None:
    assert name_problem("train/loss") is None
    assert name_problem("") == "a name must not be empty"
    assert "control" in str(name_problem("a\nb"))
    assert "surrogate" in str(name_problem("a\udc80"))
    assert name_problem("x" * 251) is not None
    assert name_problem(3) is not None
