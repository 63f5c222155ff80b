"""The studies: one module per result of the paper (and beyond), each writing netCDF and PNG.

Each module defines `STUDY`, a `mtjphys.Study` (its run, outputs, options and report section).
`registry()` is the one list of studies: the CLI (`mtjphys study NAME -o DIR`), `mtjphys
reproduce` and the tests all read it.
"""

from __future__ import annotations

import importlib
import importlib.metadata

from .. import MtjphysError
from ..reproduction import Study

# in the order `mtjphys reproduce` runs them and its report shows them
SHIPPED = ("fig1_neuron", "fig2_generation", "fig3_character", "fig4_recognition", "supp_nonidentical",
           "supp_phase_noise", "supp_preamplifier", "supp_synapses", "supp_hardware", "supp_operating_point",
           "standard_problem_4", "supp_micromagnetic", "supp_fitting", "supp_characterisation", "design_optimization",
           "benchmarks", "physical_reservoir", "supp_backprop", "supp_chaos")
ENTRY_POINTS = "mtjphys.studies"


def registry() -> dict[str, Study]:
    """Returns: name -> study, the shipped studies first, then those other installed packages
    declare in the entry-point group `mtjphys.studies` (each entry point names a `Study`)."""
    studies = {}
    for name in SHIPPED:
        study = importlib.import_module(f"{__name__}.{name}").STUDY
        studies[study.name] = study
    for entry in importlib.metadata.entry_points(group=ENTRY_POINTS):
        try:
            study = entry.load()
        except Exception as error:
            raise MtjphysError(f"cannot load the study {entry.name!r} ({entry.value}): {error}")
        if not isinstance(study, Study):
            raise MtjphysError(f"entry point {entry.name!r} ({entry.value}) is not a mtjphys.Study")
        if study.name in studies:
            raise MtjphysError(f"study {study.name!r} from {entry.value} has the name of another study")
        studies[study.name] = study
    return studies
