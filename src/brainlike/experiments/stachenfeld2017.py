"""The hippocampus as a predictive map (Stachenfeld, Botvinick & Gershman 2017 Nature Neuroscience).

Place cells as the successor representation (SR): M(s, s') = E[sum_t gamma^t 1(s_t = s') | s_0 = s],
learned by TD along the animal's own trajectory (plasticity.successor_td). The firing field of "place
cell" s' is the column M(:, s').

- On a track run in one direction, SR fields skew backwards, against the direction of travel
  (Mehta, Quirk & Wilson 2000), because the positions that lead to s' predict it (Fig. 2).
- In an open field, the eigenvectors of the SR are periodic patterns over the box, the paper's
  proposal for grid cells (Fig. 5); their grid scores are reported (in a square box they have square,
  not hexagonal, symmetry).
- Value is V = M r: when the reward moves, V is right at once (instant revaluation), while a model-free
  TD value learned on the old reward is not (Fig. 1).
Every learned SR is checked against its closed form (I - gamma T)^-1.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import analysis as A
from .._recording import Recording
from ..plasticity import successor_td, tabular_td
from ..tasks import OpenField, Track, random_walk
from ._base import Evaluation, Experiment, at_least, register

__all__ = ["Stachenfeld2017", "Config"]


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    track_states: int = 50
    p_forward: float = 0.8  # probability of a step forward on the track (else stay)
    box: int = 20  # open field: box x box positions
    gamma: float = 0.9  # SR discount per step
    learning_rate: float = 0.1
    transitions_per_step: int = 500  # of the random walk, per training step
    n_steps: int = 800
    n_eigenvectors: int = 16  # non-constant eigenvectors analysed
    old_reward: tuple[int, int] = (3, 3)  # (row, column) in the box
    new_reward: tuple[int, int] = (15, 12)
    checkpoint_every: int = 200

    @classmethod
    def smoke(cls) -> Config:
        return cls(track_states=20, box=8, n_steps=20, transitions_per_step=100, n_eigenvectors=4,
                   old_reward=(1, 1), new_reward=(6, 5), checkpoint_every=10)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(gamma=0.95, learning_rate=0.05, n_steps=4000, checkpoint_every=500)


def track(c: Config) -> Track:
    return Track(c.track_states, c.p_forward)


def field(c: Config) -> OpenField:
    return OpenField(c.box, c.box)


def _state(env: OpenField, rc: tuple[int, int]) -> int:
    return int(np.nonzero((env.positions == np.asarray(rc, float)).all(axis=1))[0][0])


def closed_form(transitions: np.ndarray, gamma: float) -> np.ndarray:
    """M = (I - gamma T)^-1."""
    return np.linalg.inv(np.eye(len(transitions)) - gamma * transitions)


def _corr(a, b) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


@register
class Stachenfeld2017(Experiment):
    name = "stachenfeld2017"
    title = "The hippocampus as a predictive map: successor representation place and grid fields"
    paper = "Stachenfeld, Botvinick & Gershman 2017 Nature Neuroscience 20:1643"
    Config = Config

    def init(self, c: Config, key):
        k1, k2 = jax.random.split(key)
        nt, nf = track(c).n_states, field(c).n_states
        return {"track": {"M": jnp.zeros((nt, nt)), "s": jax.random.randint(k1, (), 0, nt)},
                "field": {"M": jnp.zeros((nf, nf)), "v": jnp.zeros(nf), "s": jax.random.randint(k2, (), 0, nf)}}

    def optimizer(self, c: Config):
        return optax.identity()  # the SR is learned by its own TD rule

    def step(self, c: Config, optimizer):
        t_track = jnp.asarray(track(c).transitions())
        env = field(c)
        t_field = jnp.asarray(env.transitions())
        reward = jnp.zeros(env.n_states).at[_state(env, c.old_reward)].set(1.0)

        def step(model, opt_state, key):
            k1, k2 = jax.random.split(key)
            path_t = random_walk(k1, t_track, model["track"]["s"], c.transitions_per_step)
            path_f = random_walk(k2, t_field, model["field"]["s"], c.transitions_per_step)
            m_t, err_t = successor_td(model["track"]["M"], path_t, alpha=c.learning_rate, gamma=c.gamma)
            m_f, err_f = successor_td(model["field"]["M"], path_f, alpha=c.learning_rate, gamma=c.gamma)
            v = tabular_td(model["field"]["v"], path_f, reward, alpha=c.learning_rate, gamma=c.gamma)
            new = {"track": {"M": m_t, "s": path_t[-1]}, "field": {"M": m_f, "v": v, "s": path_f[-1]}}
            return new, opt_state, {"loss": jnp.mean(err_t**2) + jnp.mean(err_f**2)}

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        tr, env = track(c), field(c)
        m_t, m_f = np.asarray(model["track"]["M"]), np.asarray(model["field"]["M"])
        exact_t, exact_f = closed_form(tr.transitions(), c.gamma), closed_form(env.transitions(), c.gamma)

        # -- track: skew of SR place fields (columns) --------------------------------------------
        n = tr.n_states
        skews = []
        for j in range(n):
            rel = (np.arange(n) - j + n // 2) % n - n // 2  # position relative to the field's cell, circular
            skews.append(A.field_skew(m_t[:, j], rel.astype(float)))
        skews = np.asarray(skews)
        frac_backward = float(np.mean(skews < 0))

        # -- open field: eigenvectors of the SR ----------------------------------------------------
        sym = (m_f + m_f.T) / 2
        evals, evecs = np.linalg.eigh(sym)
        order = np.argsort(evals)[::-1]
        evecs = evecs[:, order[1:c.n_eigenvectors + 1]]  # skip the constant (top) eigenvector
        maps = [env.to_map(evecs[:, i]) for i in range(evecs.shape[1])]
        gridness = [A.grid_score(m) for m in maps]
        concentration = [A.spectral_concentration(m) for m in maps]
        centre_cells = [_state(env, (r, col)) for r in range(2, c.box - 2, 3) for col in range(2, c.box - 2, 3)]
        place_conc = [A.spectral_concentration(env.to_map(m_f[:, j])) for j in centre_cells]

        # -- instant revaluation -------------------------------------------------------------------
        r_new = np.zeros(env.n_states)
        r_new[_state(env, c.new_reward)] = 1.0
        v_true_new = exact_f @ r_new
        v_sr_new = m_f @ r_new
        v_mf = np.asarray(model["field"]["v"])
        sr_corr, mf_corr = _corr(v_sr_new, v_true_new), _corr(v_mf, v_true_new)
        parity_t, parity_f = _corr(m_t, exact_t), _corr(m_f, exact_f)

        claims = [
            at_least("track: fraction of SR place fields skewed against the direction of travel", frac_backward, 0.9,
                     f"centre of mass behind the peak; mean skew {np.nanmean(skews):.2f} positions"),
            at_least("open field: periodicity of SR eigenvectors (median power in the top spatial frequency)",
                     float(np.median(concentration)), 0.5,
                     f"top {c.n_eigenvectors} non-constant eigenvectors; SR place fields "
                     f"{np.median(place_conc):.2f}; grid scores median {np.nanmedian(gridness):.2f}, "
                     f"max {np.nanmax(gridness):.2f}"),
            at_least("open field: eigenvector periodicity / place-field periodicity",
                     float(np.median(concentration) / np.median(place_conc)), 2.0, ""),
            at_least("instant revaluation: correlation of M r_new with the true new value", sr_corr, 0.9,
                     f"no new learning; the model-free TD value learned on the old reward: r = {mf_corr:.2f}"),
            at_least("learned SR vs closed form (I - gamma T)^-1, open field (r)", parity_f, 0.9,
                     f"track: r = {parity_t:.3f}"),
        ]
        results = {
            "track": {"skew": skews.tolist(), "fraction_backward": frac_backward, "parity_r": parity_t},
            "open_field": {"grid_scores": gridness, "spectral_concentration": concentration,
                           "place_field_concentration": place_conc, "eigenvalues": evals[order[:c.n_eigenvectors + 1]].tolist(),
                           "parity_r": parity_f},
            "revaluation": {"sr_corr": sr_corr, "model_free_corr": mf_corr},
        }
        # Place cells as a Recording: one "trial" per position (time = 1), units = the SR fields.
        rec_track = Recording(activity=m_t[:, None, :], dt=1.0, conditions={"position": tr.positions},
                              units={"preferred_position": tr.positions})
        rec_field = Recording(activity=m_f[:, None, :], dt=1.0,
                              conditions={"row": env.positions[:, 0], "column": env.positions[:, 1]},
                              units={"row": env.positions[:, 0], "column": env.positions[:, 1]})
        return Evaluation(results=results, claims=claims, recordings={"main": rec_field, "track": rec_track},
                          artifacts={"m_t": m_t, "maps": maps, "gridness": gridness, "env": env,
                                     "v_sr_new": v_sr_new, "v_mf": v_mf, "v_true_new": v_true_new, "m_f": m_f})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        a = ev.artifacts
        env = a["env"]
        n = c.track_states
        fig1, ax = plt.subplots(figsize=(5, 3.2), constrained_layout=True)
        for j in (n // 4, n // 2, 3 * n // 4):
            ax.plot(np.arange(n), a["m_t"][:, j], label=f"field of position {j}")
            ax.axvline(j, color="k", lw=0.4, ls=":")
        ax.set_xlabel("position on the track (travel ->)"), ax.set_ylabel("M(position, field)")
        ax.set_title("SR place fields skew against the direction of travel", fontsize=9)
        ax.legend(fontsize=7, frameon=False)

        k = len(a["maps"])
        cols = 4
        rows = int(np.ceil(k / cols))
        fig2, axs = plt.subplots(rows, cols, figsize=(2.2 * cols, 2.2 * rows), constrained_layout=True, squeeze=False)
        for i, axx in enumerate(axs.ravel()):
            axx.axis("off")
            if i < k:
                axx.imshow(a["maps"][i], cmap="RdBu_r")
                axx.set_title(f"eigenvector {i + 2}: grid {a['gridness'][i]:.2f}", fontsize=7)

        fig3, axs = plt.subplots(1, 4, figsize=(11, 2.9), constrained_layout=True)
        centre = _state(env, (c.box // 2, c.box // 2))
        for axx, values, title in [(axs[0], a["m_f"][:, centre], "SR place field (centre)"),
                                   (axs[1], a["v_true_new"], "true value, new reward"),
                                   (axs[2], a["v_sr_new"], "SR: M r_new (no relearning)"),
                                   (axs[3], a["v_mf"], "model-free TD value (old reward)")]:
            axx.imshow(env.to_map(values), cmap="viridis")
            axx.set_title(title, fontsize=8), axx.axis("off")
        return {"track_fields": fig1, "sr_eigenvectors": fig2, "revaluation": fig3}
