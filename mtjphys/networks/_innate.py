"""Innate training (Laje & Buonomano 2013, Nat. Neurosci. 16:925): RLS on the incoming recurrent
weights of a plastic subset of neurons, so that the network returns to its own recorded ("innate")
trajectory under noise and from other initial states."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np
import xarray as xr
from tqdm.auto import tqdm

from .._errors import MtjphysError
from ._force import check_regularization
from ._network import Network
from ._simulate import AbstractTrainer, drive_from_task, NoTraining, simulate


class Innate(AbstractTrainer):
    """RLS per plastic neuron i over its existing presynaptic connections j (one P_i each):

        k_i = P_i r_pre,  c_i = 1 / (1 + r_pre . k_i),  P_i <- P_i - c_i k_i k_i^T,
        J_ij <- J_ij - c_i e_i k_ij,   e_i = r_i(n) - R_i(n),

    where R is the innate trajectory (the drive's targets, one column per neuron) and r_pre =
    r(n-1), the outputs that produced x(n) (so a trial's first step should not learn). Build it with
    `Innate.for_network`.

    Arguments:
        plastic: indices of the plastic neurons, (U,).
        presynaptic: for each, the indices of its presynaptic neurons, padded, (U, K).
        mask: which entries of `presynaptic` are real connections, (U, K).
        regularization: alpha, P_i(0) = I / alpha.
    """

    plastic: jnp.ndarray
    presynaptic: jnp.ndarray
    mask: jnp.ndarray
    regularization: float = 1.0

    def __check_init__(self):
        check_regularization(self.regularization)

    @classmethod
    def for_network(cls, network: Network, fraction: float, *, seed: int, regularization: float = 1.0) -> Innate:
        """Choose round(fraction N) plastic neurons at random (from `seed`); their existing
        incoming connections become plastic."""
        if not 0 < fraction <= 1:
            raise MtjphysError(f"plastic fraction must lie in (0, 1], got {fraction}")
        recurrent = np.asarray(network.recurrent)
        n = recurrent.shape[0]
        plastic = np.sort(np.random.default_rng(seed).choice(n, size=max(1, round(fraction * n)), replace=False))
        rows = [np.flatnonzero(recurrent[i]) for i in plastic]
        width = max(1, max(len(r) for r in rows))
        presynaptic = np.zeros((len(plastic), width), dtype=np.int64)
        mask = np.zeros((len(plastic), width), dtype=bool)
        for u, row in enumerate(rows):
            presynaptic[u, : len(row)] = row
            mask[u, : len(row)] = True
        return cls(jnp.asarray(plastic), jnp.asarray(presynaptic), jnp.asarray(mask), float(regularization))

    def init(self, network):
        units, width = self.presynaptic.shape
        p = jnp.broadcast_to(jnp.eye(width) / self.regularization, (units, width, width))
        return p, jnp.zeros(network.size)

    def update(self, network, state, r, z, target):
        p, r_previous = state
        pre = jnp.where(self.mask, r_previous[self.presynaptic], 0.0)
        k = jnp.einsum("ukl,ul->uk", p, pre)
        c = 1.0 / (1.0 + jnp.sum(pre * k, axis=1))
        p = p - c[:, None, None] * k[:, :, None] * k[:, None, :]
        error = r[self.plastic] - target[self.plastic]
        # add (not set): padded entries have k = 0 and may repeat an index
        recurrent = network.recurrent.at[self.plastic[:, None], self.presynaptic].add(-(c * error)[:, None] * k)
        return eqx.tree_at(lambda n: n.recurrent, network, recurrent), (p, r_previous)

    def observe(self, state, r):
        p, _ = state
        return p, r


def _trials(network, drive, starts, *, seed, noise, record, trainer=None, trainer_state=None, progress=False):
    """Run `drive` once from each start. Returns: (network, trainer state, rates (trials, T, N), the MTJs'
    energy over all trials [J])."""
    rates, energy = [], 0.0
    for index, x0 in enumerate(starts):
        result = simulate(network, drive, trainer=trainer or NoTraining(), trainer_state=trainer_state, x0=x0,
                          seed=seed + index, state_noise=noise, record_mtjs=record, progress=progress)
        network, trainer_state = result.network, result.trainer_state
        rates.append(result.trajectory.mtj_outputs)
        energy += float(result.trajectory.mtj_energy.sum())
    return network, trainer_state, np.asarray(rates), energy


def train_innate(
    network: Network, task: xr.Dataset, *, fraction: float = 0.6, trials: int = 20, noise: float = 0.02,
    regularization: float = 1.0, spread_trials: int = 5, seed: int = 0, progress: bool = True,
) -> tuple[Network, xr.Dataset]:
    """Innate training on a task's inputs (Laje & Buonomano 2013).

    1. The innate trajectory R: the network's outputs r over the task, from one random initial state
       without noise. 2. `trials` training trials, each from another random initial state with
    state noise `noise`, RLS on the plastic neurons' incoming weights toward R. Before and after,
    `spread_trials` test trials (new initial states, noise) measure the spread of r across trials.

    Arguments:
        network: the network (its inputs are read from `task`'s `input`).
        task: a task dataset whose `input` drives every trial.
        fraction: share of plastic neurons; trials, noise, regularization: as above.
        seed: draws the initial states, the plastic neurons and the noise.

    Returns:
        (trained network, dataset with `innate_trajectory`, `spread(condition, trial_step)`,
        `innate_distance(condition, trial_step)` for condition before/after, `innate_training_energy`,
        and summaries).
    """
    if trials < 1 or spread_trials < 2:
        raise MtjphysError(f"need at least 1 training trial and 2 spread trials, got {trials} and {spread_trials}")
    n = network.size
    # only the inputs matter here: the targets are the network's own innate outputs
    drive = drive_from_task(task.drop_vars(["target"], errors="ignore"), network.input_weights.shape[1],
                            network.readout.shape[0])
    rng = np.random.default_rng([seed, 3])
    starts = lambda count: [rng.normal(0.0, 0.5, n) for _ in range(count)]
    recording = simulate(network, drive, x0=starts(1)[0], record_mtjs=n, progress=False).trajectory
    innate, energy = np.asarray(recording.mtj_outputs), float(recording.mtj_energy.sum())

    def measure(net, offset):
        _, _, rates, _ = _trials(net, drive, starts(spread_trials), seed=seed * 1000 + offset, noise=noise, record=n)
        return rates.std(axis=0).mean(axis=1), np.abs(rates - innate).mean(axis=(0, 2))

    spread_before, distance_before = measure(network, 0)
    trainer = Innate.for_network(network, fraction, seed=seed, regularization=regularization)
    learning = np.ones(drive.steps, dtype=bool)
    learning[0] = False  # r(n-1) is not known at a trial's first step
    training = eqx.tree_at(lambda d: (d.targets, d.learning), drive, (jnp.asarray(innate), jnp.asarray(learning)))
    starts_training = starts(trials)
    iterator = tqdm(starts_training, desc="innate training", unit="trial", disable=None if progress else True,
                    leave=False)
    state = None
    for index, x0 in enumerate(iterator):
        network, state, _, trial_energy = _trials(network, training, [x0], seed=seed * 1000 + 500 + index,
                                                  noise=noise, record=1, trainer=trainer, trainer_state=state)
        energy += trial_energy
    spread_after, distance_after = measure(network, 900)

    half = slice(drive.steps // 2, None)
    dataset = xr.Dataset(
        {
            "innate_trajectory": (("trial_step", "mtj"), innate, {"units": "1", "long_name": "innate outputs R"}),
            "spread": (("condition", "trial_step"), np.stack([spread_before, spread_after]),
                       {"units": "1", "long_name": "std of r across trials, mean over MTJs"}),
            "innate_distance": (("condition", "trial_step"), np.stack([distance_before, distance_after]),
                                {"units": "1", "long_name": "mean |r - R| over trials and MTJs"}),
            "plastic": ("plastic_mtj", np.asarray(trainer.plastic), {"units": "1", "long_name": "plastic MTJs"}),
            "innate_training_energy": ((), energy, {"units": "J", "long_name": "energy the MTJs dissipated in "
                                                    "recording the innate trajectory and in the training trials"}),
            "innate_training_steps": ((), drive.steps * (1 + trials), {
                "units": "1", "long_name": "steps of the recording and the training trials"}),
        },
        coords={"condition": ("condition", ["before", "after"], {"units": "", "long_name": "innate training"}),
                "trial_step": ("trial_step", np.arange(drive.steps), {"units": "1", "long_name": "step in a trial"})},
    )
    dataset.attrs.update(
        innate_fraction=fraction, innate_trials=trials, innate_noise=noise, innate_regularization=regularization,
        spread_trials=spread_trials, seed=seed,
        spread_before=float(spread_before[half].mean()), spread_after=float(spread_after[half].mean()),
        innate_distance_before=float(distance_before[half].mean()),
        innate_distance_after=float(distance_after[half].mean()),
    )
    return network, dataset
