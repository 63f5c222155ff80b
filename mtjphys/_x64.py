"""mtjphys computes in float64: every subpackage that runs JAX imports this module before anything else."""

import jax

jax.config.update("jax_enable_x64", True)
