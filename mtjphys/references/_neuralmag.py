"""NeuralMag (its JAX backend) as an independent micromagnetic code, run in a process of its own: it loads
VTK through pyvista, whose libraries must not share a process with the test suite's own XLA compilations.

    python -m mtjphys.references._neuralmag gamma                       (prints JSON: its mu0 gamma)
    python -m mtjphys.references._neuralmag sp4 CELL BX BY BZ SAMPLES
    python -m mtjphys.references._neuralmag rhs NX NY DX DY DZ MS A KU EVALUATIONS REPEATS [MASK.npy]
    python -m mtjphys.references._neuralmag window NX NY DX DY DZ MS A KU REPEATS [MASK.npy]

`run(...)` calls it from the tests and the benchmark and returns the parsed JSON (`start` and `result` let
the caller work meanwhile).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ._timing import median_time

MU0 = 1.25663706212e-6


def start(*args) -> subprocess.Popen:
    """Start this module with `args` in a fresh interpreter (it runs beside the caller); `result` waits."""
    return subprocess.Popen([sys.executable, "-m", "mtjphys.references._neuralmag", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(process: subprocess.Popen, timeout: float = 1200) -> dict:
    """Returns: what a `start`ed run printed (JSON), once it has finished."""
    stdout, stderr = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"NeuralMag failed: {stderr[-2000:]}")
    return json.loads(stdout.strip().splitlines()[-1])


def run(*args, timeout: float = 1200) -> dict:
    """Run this module with `args` in a fresh interpreter. Returns: what it printed (JSON)."""
    return result(start(*args), timeout)


def _setup():
    os.environ.setdefault("NM_BACKEND", "jax")
    os.environ.setdefault("NM_DTYPE", "float64")
    import neuralmag as nm

    nm.config.dtype = "float64"
    return nm


def _state(nm, shape, cell, ms, a, ku, mask=None, start=(0.6, 0.48, 0.64)):
    """A one-layer film of `shape` cells: exchange, demagnetisation and, if `ku`, anisotropy along z."""
    state = nm.State(nm.Mesh(list(shape), list(cell), [0.0, 0.0, 0.0]))
    state.material.Ms, state.material.A, state.material.alpha = ms, a, 0.01
    if mask is not None:
        state.domains = nm.CellFunction(state, dtype=int, tensor=state.tensor(mask.astype(int)))
    state.m = nm.VectorFunction(state).fill(start)
    fields = ["exchange", "demag"]
    nm.ExchangeField().register(state, "exchange")
    nm.DemagField().register(state, "demag")
    if ku:
        state.material.Ku = ku
        state.material.Ku_axis = nm.VectorCellFunction(state).fill([0.0, 0.0, 1.0])
        nm.UniaxialAnisotropyField().register(state, "anisotropy")
        fields.append("anisotropy")
    nm.TotalField(*fields).register(state)
    return state


def standard_problem_4(cell: float, field, samples: int) -> dict:
    """<m>(t) of standard problem 4: relaxed from (1, 1, 1) by NeuralMag's damped LLG, then `field` mu0 H [T]
    for 1 ns, sampled at `samples` equally spaced times."""
    nm = _setup()
    import jax
    import numpy as np

    with jax.numpy_dtype_promotion("standard"):
        state = _state(nm, (round(500e-9 / cell), round(125e-9 / cell)), (cell, cell, 3e-9), 8e5, 1.3e-11, 0.0,
                       start=(3**-0.5,) * 3)
        state.material.alpha = 0.02
        solver = nm.LLGSolver(state)
        solver.relax()
        nm.ExternalField(nm.VectorFunction(state).fill([b / MU0 for b in field])).register(state, "external")
        nm.TotalField("exchange", "demag", "external").register(state)
        solver.reset()
        step = 1e-9 / (samples - 1)
        averages = [np.asarray(state.m.avg()).tolist()]
        for _ in range(samples - 1):
            solver.step(step)
            averages.append(np.asarray(state.m.avg()).tolist())
    from neuralmag.common.llg import GAMMA_PRIME

    return {"m": averages, "gamma_prime": GAMMA_PRIME}


def right_hand_side(shape, cell, ms, a, ku, evaluations, repeats, mask=None) -> dict:
    """Seconds per evaluation of NeuralMag's LLG right-hand side (one jitted loop), and its nodes."""
    nm = _setup()
    import jax

    with jax.numpy_dtype_promotion("standard"):
        state = _state(nm, shape, cell, ms, a, ku, mask)
        term = nm.LLGSolver(state)._term
        loop = jax.jit(lambda m: jax.lax.fori_loop(0, evaluations, lambda i, x: x + 1e-30 * term.vector_field(
            0.0, x, []), m))
        m = state.m.tensor
        jax.block_until_ready(loop(m))
        seconds = median_time(lambda: loop(m), repeats) / evaluations
    return {"seconds": seconds, "nodes": int(m.size // 3)}


def window(shape, cell, ms, a, ku, repeats, mask=None) -> dict:
    """Seconds of 1.5 ns of free precession with NeuralMag's default solver (Dopri5, rtol 1e-5)."""
    nm = _setup()
    import jax

    with jax.numpy_dtype_promotion("standard"):
        state = _state(nm, shape, cell, ms, a, ku, mask)
        solver = nm.LLGSolver(state, max_steps=2**20)
        start = state.m.tensor

        def once():
            state.m.tensor, state.t = start, 0.0
            solver.reset()
            return solver.step(1.5e-9).ys

        jax.block_until_ready(once())
        return {"seconds": median_time(once, repeats)}


def main(argv: list[str]) -> None:
    import numpy as np

    kind, values = argv[0], argv[1:]
    if kind == "gamma":
        from neuralmag.common.llg import GAMMA_PRIME

        result = {"gamma_prime": GAMMA_PRIME}
    elif kind == "sp4":
        result = standard_problem_4(float(values[0]), [float(v) for v in values[1:4]], int(values[4]))
    else:
        shape = (int(values[0]), int(values[1]))
        cell = tuple(float(v) for v in values[2:5])
        ms, a, ku = (float(v) for v in values[5:8])
        if kind == "rhs":
            mask = np.load(values[10]) if len(values) > 10 else None
            result = right_hand_side(shape, cell, ms, a, ku, int(values[8]), int(values[9]), mask)
        else:
            mask = np.load(values[9]) if len(values) > 9 else None
            result = window(shape, cell, ms, a, ku, int(values[8]), mask)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
