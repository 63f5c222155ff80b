"""FORCE learning (Sussillo & Abbott 2009): recursive least squares on the readout weights."""

from __future__ import annotations

import math

import equinox as eqx
import jax.numpy as jnp
import xarray as xr

from .._errors import MtjphysError
from ._network import Network
from ._simulate import AbstractTrainer
from ._train import train


def check_regularization(value) -> None:
    """RLS starts from P = I / regularization: it must be a positive finite number."""
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise MtjphysError(f"regularization must be a positive finite number, got {value!r}")


def rls_step(p: jnp.ndarray, weights: jnp.ndarray, r: jnp.ndarray, error: jnp.ndarray):
    """One recursive-least-squares step.

    Arguments:
        p: the running inverse correlation matrix P, (K, K).
        weights: (n, K) weights acting on r.
        r: presynaptic activity, (K,).
        error: weights @ r - target before the update, (n,).

    Returns:
        (P, weights) after P <- P - P r r^T P / (1 + r.P r) and w <- w - e (P_new r)^T.
    """
    k = p @ r
    c = 1.0 / (1.0 + r @ k)
    p = p - c * jnp.outer(k, k)
    return p, weights - c * jnp.outer(error, k)


class Force(AbstractTrainer):
    """FORCE: RLS on the readout W_out toward the drive's targets, P0 = I / regularization.

    Arguments:
        regularization: alpha; larger means slower, more regularised learning.
        update_mask: optional (n_out, N) 0/1 array: synapses with 0 never change (failed synapses).
        mask_known: whether the rule knows which synapses failed. If it does, RLS runs over the
            working synapses alone (their inputs only); if not (a hardware fault the algorithm
            cannot see), it computes the full update and the failed synapses silently ignore it.
    """

    regularization: float = 1.0
    update_mask: jnp.ndarray | None = eqx.field(default=None, metadata={
        "dims": ("readout", "mtj"), "units": "1", "long_name": "readout synapses that can change"})
    mask_known: bool = eqx.field(static=True, default=False)

    def __check_init__(self):
        check_regularization(self.regularization)

    def init(self, network: Network):
        return jnp.eye(network.size) / self.regularization

    def update(self, network, p, r, z, target):
        if self.update_mask is None:
            p, readout = rls_step(p, network.readout, r, z - target)
        elif self.mask_known:  # one output at a time: each has its own working inputs
            working = self.update_mask[0]
            p, readout = rls_step(p, network.readout, jnp.where(working, r, 0.0), z - target)
            readout = jnp.where(self.update_mask, readout, network.readout)
        else:
            p, readout = rls_step(p, network.readout, r, z - target)
            readout = jnp.where(self.update_mask, readout, network.readout)
        return eqx.tree_at(lambda n: n.readout, network, readout), p

    def observe(self, state, r):
        return state


def train_force(
    network: Network | xr.Dataset, task: xr.Dataset, *, regularization: float = 1.0, update_mask=None,
    mask_known: bool = False, **options,
) -> tuple[Network, xr.Dataset]:
    """FORCE-train `network` on a task dataset (see `mtjphys.sine_generation_task`).

    Arguments:
        network: the network before training, or a dataset holding one (`network_to_dataset`,
            or a previous run).
        task: the task dataset (targets, learning flags, inputs, resets).
        regularization: alpha, P0 = I / alpha.
        update_mask: optional (n_out, N) 0/1 mask of readout synapses that can change.
        mask_known: whether the rule knows the mask (see `Force`).
        options: as for `mtjphys.train` (x0, seed, output_noise, record_mtjs, progress, and
            attributes for the dataset).

    Returns:
        (trained network, dataset of the run: `output`, `target`, `learning`,
        `readout_weights_over_time`, `mtj_output` of the first MTJs, and the trained network).
    """
    mask = None if update_mask is None else jnp.asarray(update_mask, dtype=bool)
    if mask is not None and mask_known and bool(jnp.any(mask != mask[:1])):
        raise MtjphysError("a known mask of failed synapses must be the same for every readout")
    check_regularization(regularization)
    return train(network, task, Force(float(regularization), mask, bool(mask_known)), **options)
