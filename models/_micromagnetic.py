"""A micromagnetic MTJ model: the macrospin's local terms in every cell of a grid, and nonlocal fields
(exchange, demagnetisation, or a user's own) that enter each cell's equation as one more field."""

from __future__ import annotations

import dataclasses
import functools
import hashlib

import sympy as sp

from ._model import each_once, MacrospinModel
from ._symbols import CONSTANTS, MAGNETIZATION, NONLOCAL_FIELD, Parameter
from ._terms import CellThermalField, NonlocalTerm, ResistanceLaw


@dataclasses.dataclass(frozen=True)
class MicromagneticModel:
    """A free layer discretised on a grid of cells m_i, |m_i| = 1, each obeying

        dm_i/dt = m_i x X_i + alpha m_i x dm_i/dt,   X_i = -gamma (B_local(m_i) + b_nl,i) + torques(m_i),

    the same Gilbert form as `MacrospinModel`, so the alpha-mixing of the torques is derived once for
    both. B_local and the torques are the local terms'; b_nl,i is the sum of the nonlocal terms' fields
    at cell i, an input of the generated code that each term's grid operator computes (its `operator`),
    as it computes the term's energy.

    Arguments:
        name: the model's name (recorded in every dataset).
        local: the terms that act within one cell (energies, torques, a `CellThermalField`, resistance
            laws, bias dependence); it has no diagonal `Demagnetization`, which the grid replaces.
        nonlocal_terms: the terms whose fields the grid computes (each names its runtime operator).
    """

    name: str
    local: MacrospinModel
    nonlocal_terms: tuple[NonlocalTerm, ...] = ()

    def __post_init__(self):
        if any(t.name == "demagnetization" for t in self.local.energies):
            raise ValueError("a micromagnetic model's demagnetisation is the grid's (Magnetostatic), "
                             "not the diagonal factors of Demagnetization")
        if self.local.thermal is not None and not isinstance(self.local.thermal, CellThermalField):
            raise ValueError("a micromagnetic model's thermal field is a CellThermalField (one per cell)")

    # ---- composition -------------------------------------------------------------------
    @property
    def terms(self) -> tuple:
        return (*self.local.terms, *self.nonlocal_terms)

    @property
    def resistance_laws(self) -> tuple[ResistanceLaw, ...]:
        return self.local.resistance_laws

    @property
    def thermal(self):
        return self.local.thermal

    def with_terms(self, *terms, name: str | None = None) -> MicromagneticModel:
        """Returns: a model with `terms` added (nonlocal ones, or local ones as for `MacrospinModel`)."""
        nonlocal_terms = [t for t in terms if isinstance(t, NonlocalTerm)]
        for term in nonlocal_terms:
            if term.name in {t.name for t in self.terms}:
                raise ValueError(f"model {self.name!r} already has a term named {term.name!r}")
        local = [t for t in terms if not isinstance(t, NonlocalTerm)]
        return MicromagneticModel(name or self.name, self.local.with_terms(*local) if local else self.local,
                                  (*self.nonlocal_terms, *nonlocal_terms))

    def without(self, *names: str, name: str | None = None) -> MicromagneticModel:
        """Returns: a model without the terms called `names` (nonlocal or local)."""
        unknown = set(names) - {t.name for t in self.terms}
        if unknown:
            raise ValueError(f"model {self.name!r} has no terms {sorted(unknown)}")
        local_names = [n for n in names if n in {t.name for t in self.local.terms}]
        local = self.local.without(*local_names) if local_names else self.local
        kept = tuple(t for t in self.nonlocal_terms if t.name not in names)
        return MicromagneticModel(name or self.name, local, kept)

    # ---- parameters ----------------------------------------------------------------------
    @functools.cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        """All parameters: the local model's, then the nonlocal terms', each once."""
        return each_once(self.local.parameters + tuple(p for t in self.nonlocal_terms for p in t.parameters))

    @functools.cached_property
    def symbols(self) -> dict:
        table = {p.name: p.symbol for p in self.parameters}
        table.update(self.local.symbols)
        return table

    # ---- physics of one cell -------------------------------------------------------------
    def effective_field(self, m: sp.Matrix = MAGNETIZATION) -> sp.Matrix:
        """Returns: the local part of a cell's B_eff [T] (the nonlocal field comes from the grid)."""
        return self.local.effective_field(m)

    def energy_density(self, m: sp.Matrix = MAGNETIZATION) -> sp.Expr:
        """Returns: a cell's free-energy density [J/m^3] of its local terms. The nonlocal terms' energies
        are their grid operators' (quadratic for exchange and demagnetisation, linear for a fixed field
        map: no one form of b_nl fits them all)."""
        return self.local.energy_density(m)

    @functools.cached_property
    def landau_lifshitz(self) -> sp.Matrix:
        """A cell's explicit dm/dt [1/s], in m, the parameters, the current and the nonlocal field b_nl."""
        return self.local.explicit(extra_field=NONLOCAL_FIELD)

    @functools.cached_property
    def thermal_diffusion(self) -> sp.Matrix | None:
        """A cell's G [1/s^(1/2)] for Brown's field of the cell's volume (dm/dt is linear in the field,
        so b_nl does not enter); None without a thermal term."""
        return self.local.thermal_diffusion

    @property
    def bias_switches(self) -> tuple[str, ...] | None:
        """As `MacrospinModel.bias_switches`, of the local terms (the nonlocal ones read no bias)."""
        return self.local.bias_switches

    def resistance(self, law: ResistanceLaw, m: sp.Matrix = MAGNETIZATION) -> sp.Expr:
        """Returns: the resistance [ohm] of the whole junction were every cell at m (the runtime puts
        the cells' conductances in parallel)."""
        return self.local.resistance(law, m)

    # ---- identity ------------------------------------------------------------------------
    @functools.cached_property
    def digest(self) -> str:
        """The sha256 of the model's sympy form (local model, nonlocal terms, energy, equation of motion)."""
        parts = [self.name, repr(self.parameters), repr(CONSTANTS), self.local.digest]
        parts += [repr(t) for t in self.nonlocal_terms]
        parts.append(sp.srepr(self.energy_density()))
        parts.append(sp.srepr(self.landau_lifshitz))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
