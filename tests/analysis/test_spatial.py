"""Known answers for spatial tuning: a planted hexagonal map scores high, square and random maps low."""

import numpy as np

from brainlike.analysis import field_skew, grid_score, spectral_concentration

N = 40
Y, X = np.mgrid[:N, :N].astype(float)


def hexagonal(spacing=8.0, angle=0.2):
    return sum(np.cos(2 * np.pi / spacing * (np.cos(t) * X + np.sin(t) * Y))
               for t in (angle, angle + np.pi / 3, angle + 2 * np.pi / 3))


def test_grid_score_high_for_hexagonal_low_for_square_and_noise():
    rng = np.random.default_rng(0)
    assert grid_score(hexagonal()) > 1.0
    assert grid_score(hexagonal(spacing=11, angle=0.7)) > 0.8
    assert grid_score(np.cos(2 * np.pi * X / 8) + np.cos(2 * np.pi * Y / 8)) < 0
    assert abs(grid_score(rng.normal(size=(N, N)))) < 0.3


def test_spectral_concentration_of_a_plane_wave_and_a_place_field():
    wave = np.cos(np.pi * 3 * (X + 0.5) / N) * np.cos(np.pi * 2 * (Y + 0.5) / N)
    assert spectral_concentration(wave) > 0.99
    assert spectral_concentration(np.exp(-((X - 20) ** 2 + (Y - 20) ** 2) / 20)) < 0.3


def test_field_skew_sign():
    x = np.arange(21.0)
    behind = np.where(x <= 10, np.exp(-(10 - x) / 4), np.exp(-(x - 10)))
    assert field_skew(behind, x) < 0 < field_skew(behind[::-1], x)
