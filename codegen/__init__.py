"""Code generation: symbolic models -> JAX source.

    from mtjphys import codegen, models
    module = codegen.compile_model(models.macrospin_stt().without("demagnetization", name="no_demag"))

`python -m mtjphys.codegen` regenerates the modules mtjphys ships; `python -m mtjphys.codegen --check` fails when
one has drifted from its model.
"""

from ._jax import (
    compile_model as compile_model,
    generate_source as generate_source,
    nonlocal_operators as nonlocal_operators,
)
from ._shipped import SHIPPED as SHIPPED, shipped_path as shipped_path
