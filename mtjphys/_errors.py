"""The error users see (one line, no traceback), and the checks that raise it for any input."""

import operator


class MtjphysError(Exception):
    """A problem with the user's input (parameters, files, options), reported as one line."""


MAX_SEED = 2**63 - 1
# how the refusals raised inside compiled solves (equinox.error_if) open
NOT_RELAXED = "the micromagnetic relaxation did not converge"
NO_TANGENT = "the derivative of the micromagnetic relaxation did not converge"


def random_key(seed):
    """The JAX PRNG key of a seed; a seed outside [0, 2^63) is refused in one line."""
    import jax

    try:
        whole = operator.index(seed)  # ints and numpy integers, not floats
    except TypeError:
        raise MtjphysError(f"a seed must be a whole number, got {seed!r}")
    if isinstance(seed, bool) or not 0 <= whole <= MAX_SEED:
        raise MtjphysError(f"a seed must be a whole number in [0, 2^63), got {seed!r}")
    return jax.random.PRNGKey(whole)
