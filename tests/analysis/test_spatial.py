"""Known answers for spatial tuning: a planted hexagonal map scores high, square and random maps low."""

import warnings

import numpy as np
import pytest

from brainlike.analysis import (
    autocorrelogram,
    border_score,
    field_skew,
    grid_modules,
    grid_properties,
    grid_score,
    grid_score_threshold,
    head_direction_tuning,
    rate_maps,
    spatial_information,
    spectral_concentration,
)

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


def test_autocorrelogram_of_a_nearly_silent_map_stays_a_correlation():
    """A unit active in a few bins: lags whose overlap holds no variance have no correlation (NaN), not
    the 1e150 that rounding in the FFT sums gave (and np.corrcoef then overflowed on)."""
    m = np.zeros((20, 20))
    m[5, 5], m[12, 9] = 3.0, 1e-3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ac = autocorrelogram(m)
        score = grid_score(m)
    finite = ac[np.isfinite(ac)]
    assert finite.size and np.all(np.abs(finite) <= 1 + 1e-9)
    assert ac[19, 19] == pytest.approx(1.0)  # zero lag
    assert np.isnan(score) or abs(score) <= 2


def test_spectral_concentration_of_a_plane_wave_and_a_place_field():
    wave = np.cos(np.pi * 3 * (X + 0.5) / N) * np.cos(np.pi * 2 * (Y + 0.5) / N)
    assert spectral_concentration(wave) > 0.99
    assert spectral_concentration(np.exp(-((X - 20) ** 2 + (Y - 20) ** 2) / 20)) < 0.3


def test_field_skew_sign():
    x = np.arange(21.0)
    behind = np.where(x <= 10, np.exp(-(10 - x) / 4), np.exp(-(x - 10)))
    assert field_skew(behind, x) < 0 < field_skew(behind[::-1], x)


def test_grid_spacing_and_orientation_are_recovered():
    props = grid_properties(hexagonal(spacing=8.0, angle=0.2), bin_size=0.05)
    # three plane waves of wavelength s make a grid of spacing 2 s / sqrt(3)
    assert props["spacing"] == pytest.approx(0.05 * 8 * 2 / np.sqrt(3), rel=0.08)
    assert props["orientation"] == pytest.approx((np.degrees(0.2) + 30) % 60, abs=4)


def test_grid_score_agrees_with_opexebo():
    opexebo = pytest.importorskip("opexebo")
    rng = np.random.default_rng(1)
    ours, theirs = [], []
    for spacing, angle, noise in [(8, 0.2, 0.0), (10, 0.5, 0.5), (12, 1.0, 1.0), (9, 0.1, 3.0), (7, 0.3, 0.2)]:
        m = hexagonal(spacing, angle) + noise * rng.normal(size=(N, N))
        ours.append(grid_score(m))
        theirs.append(opexebo.analysis.grid_score(opexebo.analysis.autocorrelation(m))[0])
    square = np.cos(2 * np.pi * X / 8) + np.cos(2 * np.pi * Y / 8)
    ours.append(grid_score(square))
    theirs.append(opexebo.analysis.grid_score(opexebo.analysis.autocorrelation(square))[0])
    # same ranking of maps, and both call the same maps grids
    assert np.corrcoef(ours, theirs)[0, 1] > 0.9
    assert [o > 0.3 for o in ours] == [t > 0.3 for t in theirs]


def test_grid_modules_separate_two_planted_modules():
    rng = np.random.default_rng(0)
    spacing = np.concatenate([rng.normal(0.4, 0.01, 12), rng.normal(0.6, 0.015, 12)])
    orientation = np.concatenate([rng.normal(10, 1, 12), rng.normal(25, 1, 12)])
    labels = grid_modules(spacing, orientation)
    assert len(set(labels[:12])) == 1 and len(set(labels[12:])) == 1 and labels[0] != labels[12]
    assert len(set(grid_modules(rng.normal(0.5, 0.01, 20), rng.normal(10, 1, 20)))) == 1


def test_rate_maps_information_and_border_scores():
    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 1, size=(50_000, 2))
    left_wall = (pos[:, 0] < 0.1).astype(float)  # fires along the whole west wall
    centre = (np.hypot(pos[:, 0] - 0.5, pos[:, 1] - 0.5) < 0.15).astype(float)
    half = (pos[:, 1] < 0.5).astype(float)  # fires in half of the box: 1 bit
    maps, occ = rate_maps(pos, np.stack([left_wall, centre, half], 1), (0, 1, 0, 1), n_bins=20)
    assert maps.shape == (3, 20, 20) and occ.sum() == 50_000
    np.testing.assert_allclose(maps[0][:, :2], 1.0)
    np.testing.assert_allclose(maps[0][:, 2:], 0.0)
    assert spatial_information(maps[2], occ) == pytest.approx(1.0, abs=0.01)
    assert border_score(maps[0]) > 0.5 and border_score(maps[1]) < -0.5
    sparse_path = rate_maps(pos[:10], centre[:10], (0, 1, 0, 1), n_bins=20)[0]
    assert np.isnan(sparse_path).sum() >= 390  # unvisited bins are NaN, not 0


def test_head_direction_tuning_closed_form():
    theta = np.linspace(-np.pi, np.pi, 36_000, endpoint=False)
    act = np.stack([1 + np.cos(theta - 1.0), np.ones_like(theta)], axis=1)
    hd = head_direction_tuning(theta, act, n_bins=36)
    assert hd["resultant_length"][0] == pytest.approx(0.5, abs=0.01)  # |sum (1+cos) e^{i t}| / sum (1+cos)
    assert hd["preferred"][0] == pytest.approx(1.0, abs=0.02)
    assert hd["resultant_length"][1] == 0.0


def test_shuffled_threshold_separates_a_grid_cell_from_noise():
    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 1, size=(20_000, 2))
    grid = sum(np.cos(2 * np.pi / 0.3 * (np.cos(t) * pos[:, 0] + np.sin(t) * pos[:, 1]))
               for t in (0.2, 0.2 + np.pi / 3, 0.2 + 2 * np.pi / 3))
    act = np.stack([grid, rng.normal(size=20_000)], axis=1)
    threshold, null = grid_score_threshold(pos, act, (0, 1, 0, 1), n_bins=24, n_shuffles=40)
    maps, _ = rate_maps(pos, act, (0, 1, 0, 1), n_bins=24)
    assert null.shape == (40,) and grid_score(maps[0]) > threshold > grid_score(maps[1]) - 0.5
    assert grid_score(maps[0]) > 1.0 and threshold < 0.5


def test_spatial_null_passes_a_grid_and_not_a_rough_map():
    rng = np.random.default_rng(0)
    pos = rng.uniform(0, 1, size=(40_000, 2))
    rough = rng.normal(size=(24, 24))  # a fixed salt-and-pepper map: spatial, but no grid
    ix = np.minimum((pos * 24).astype(int), 23)
    act = np.stack([rough[ix[:, 1], ix[:, 0]], sum(np.cos(2 * np.pi / 0.3 * (np.cos(t) * pos[:, 0] + np.sin(t) * pos[:, 1]))
                                                   for t in (0.2, 0.2 + np.pi / 3, 0.2 + 2 * np.pi / 3))], axis=1)
    maps, _ = rate_maps(pos, act, (0, 1, 0, 1), n_bins=24)
    spatial, _ = grid_score_threshold(pos, act[:, :1], (0, 1, 0, 1), n_bins=24, n_shuffles=40, null="spatial")
    assert grid_score(maps[1]) > spatial  # the grid still passes
    assert grid_score(maps[0]) < spatial < 0.5
