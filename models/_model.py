"""A macrospin MTJ model: the LLG equation in Gilbert form, assembled from terms, and what
sympy derives from it (effective field, explicit Landau-Lifshitz form, thermal diffusion)."""

from __future__ import annotations

import dataclasses
import functools
import hashlib

import sympy as sp

from ._symbols import BIAS_VOLTAGE, CONSTANTS, CURRENT_DENSITY, MAGNETIZATION, Parameter, THERMAL_FIELD, vector
from ._terms import (
    BiasDependentTMR,
    CORE_PARAMETERS,
    EnergyTerm,
    ResistanceLaw,
    ThermalField,
    TorqueTerm,
)


def each_once(parameters) -> tuple[Parameter, ...]:
    """Returns: `parameters` in order, each name once; a name declared twice differently is refused."""
    seen: dict[str, Parameter] = {}
    for parameter in parameters:
        if parameter.name in seen and seen[parameter.name] != parameter:
            raise ValueError(f"parameter {parameter.name!r} is declared twice, differently")
        seen.setdefault(parameter.name, parameter)
    return tuple(seen.values())


@functools.cache
def gilbert_solution() -> tuple[sp.Matrix, sp.Matrix, sp.Symbol, sp.Matrix]:
    """Solve the Gilbert equation  u = m x X + alpha m x u  for u = dm/dt, for any m and X.

    Returns:
        (u, m, alpha, X): the explicit dm/dt as a sympy column vector in the symbols m, alpha, X.
    """
    m = MAGNETIZATION
    x = vector("X")
    alpha = sp.Symbol("alpha", nonnegative=True)
    u = vector("u")
    residual = u - (m.cross(x) + alpha * m.cross(u))
    (solution,) = sp.solve(list(residual), list(u), dict=True)
    explicit = sp.Matrix([sp.factor(sp.cancel(solution[ui])) for ui in u])
    return explicit, m, alpha, x


@dataclasses.dataclass(frozen=True)
class MacrospinModel:
    """A macrospin free layer m(t) with |m| = 1 obeying the Gilbert-form LLG equation

        dm/dt = m x X(m) + alpha m x dm/dt,   X = -gamma B_eff + sum of torque terms' X,

    with B_eff = -(1/Ms) dE/dm from the energy terms [T]. The explicit (Landau-Lifshitz)
    form is derived by solving this linear equation for dm/dt.

    Arguments:
        name: the model's name (recorded in every dataset).
        energies: energy terms; their sum gives the effective field.
        torques: spin-torque terms.
        thermal: the thermal-field term, or None for a deterministic model.
        resistance_laws: the resistance laws offered (the first is the default).
        bias: how the TMR depends on the voltage across the barrier, or None for a constant TMR.
    """

    name: str
    energies: tuple[EnergyTerm, ...]
    torques: tuple[TorqueTerm, ...] = ()
    thermal: ThermalField | None = None
    resistance_laws: tuple[ResistanceLaw, ...] = ()
    bias: BiasDependentTMR | None = None

    # ---- composition -------------------------------------------------------------------
    @property
    def terms(self) -> tuple:
        optional = tuple(t for t in (self.thermal, self.bias) if t is not None)
        return (*self.energies, *self.torques, *optional, *self.resistance_laws)

    def with_terms(self, *terms, name: str | None = None) -> MacrospinModel:
        """Returns: a model with `terms` added (energies, torques, thermal or resistance laws)."""
        energies, torques = list(self.energies), list(self.torques)
        thermal, bias, laws = self.thermal, self.bias, list(self.resistance_laws)
        for term in terms:
            if term.name in {t.name for t in self.terms}:
                raise ValueError(f"model {self.name!r} already has a term named {term.name!r}")
            if isinstance(term, EnergyTerm):
                energies.append(term)
            elif isinstance(term, TorqueTerm):
                torques.append(term)
            elif isinstance(term, ThermalField):
                thermal = term
            elif isinstance(term, BiasDependentTMR):
                bias = term
            elif isinstance(term, ResistanceLaw):
                laws.append(term)
            else:
                raise TypeError(f"not a model term: {term!r}")
        return MacrospinModel(name or self.name, tuple(energies), tuple(torques), thermal, tuple(laws), bias)

    def without(self, *names: str, name: str | None = None) -> MacrospinModel:
        """Returns: a model without the terms called `names`."""
        unknown = set(names) - {t.name for t in self.terms}
        if unknown:
            raise ValueError(f"model {self.name!r} has no terms {sorted(unknown)}")
        keep = lambda terms: tuple(t for t in terms if t.name not in names)
        optional = lambda term: None if term is None or term.name in names else term
        return MacrospinModel(
            name or self.name, keep(self.energies), keep(self.torques), optional(self.thermal),
            keep(self.resistance_laws), optional(self.bias),
        )

    # ---- parameters ----------------------------------------------------------------------
    @functools.cached_property
    def parameters(self) -> tuple[Parameter, ...]:
        """All parameters, the LLG core first, each once."""
        return each_once(CORE_PARAMETERS + tuple(p for t in self.terms for p in t.parameters))

    @functools.cached_property
    def symbols(self) -> dict:
        """Maps parameter names and `current_density` to their symbols."""
        table = {p.name: p.symbol for p in self.parameters}
        table["current_density"] = CURRENT_DENSITY
        return table

    # ---- physics -----------------------------------------------------------------------
    def energy_density(self, m: sp.Matrix = MAGNETIZATION) -> sp.Expr:
        """Returns: the free-energy density [J/m^3]."""
        return sum((t.energy_density(m, self.symbols) for t in self.energies), sp.Integer(0))

    def effective_field(self, m: sp.Matrix = MAGNETIZATION) -> sp.Matrix:
        """Returns: B_eff = -(1/Ms) dE/dm [T]."""
        energy = self.energy_density(m)
        return sp.Matrix([-sp.diff(energy, mi) / self.symbols["Ms"] for mi in m])

    def torque_vector(self, m: sp.Matrix = MAGNETIZATION, thermal_field: bool = False,
                      extra_field: sp.Matrix | None = None) -> sp.Matrix:
        """Returns: X with Gilbert torque m x X [rad/s]; with `thermal_field`, B_eff gains the
        symbols `b_th_*` of the noise field, and `extra_field` [T] (a micromagnetic cell's nonlocal field)."""
        field = self.effective_field(m)
        if extra_field is not None:
            field = field + extra_field
        if thermal_field:
            field = field + THERMAL_FIELD
        x = -self.symbols["gamma"] * field
        for term in self.torques:
            x = x + term.torque_vector(m, self.symbols)
        return x

    def gilbert_residual(self, dm_dt: sp.Matrix, m: sp.Matrix = MAGNETIZATION) -> sp.Matrix:
        """Returns: dm/dt - (m x X + alpha m x dm/dt), zero for a solution of the Gilbert form."""
        alpha = self.symbols["alpha"]
        return dm_dt - (m.cross(self.torque_vector(m)) + alpha * m.cross(dm_dt))

    def explicit(self, thermal_field: bool = False, extra_field: sp.Matrix | None = None) -> sp.Matrix:
        """Returns: dm/dt [1/s] solved from the Gilbert form, with B_eff as in `torque_vector`."""
        u, m, alpha, x = gilbert_solution()
        values = dict(zip(x, self.torque_vector(m, thermal_field, extra_field)))
        values[alpha] = self.symbols["alpha"]
        return u.xreplace(values)

    @functools.cached_property
    def landau_lifshitz(self) -> sp.Matrix:
        """The explicit dm/dt [1/s] derived from the Gilbert form (no thermal field)."""
        return self.explicit()

    @functools.cached_property
    def thermal_diffusion(self) -> sp.Matrix | None:
        """G(m) [1/s^(1/2)], 3x3, such that dm = LL(m) dt + G(m) o dW (Stratonovich) with W a
        standard 3-d Wiener process; None for a model without a thermal term."""
        if self.thermal is None:
            return None
        with_noise = self.explicit(thermal_field=True)
        sigma = self.thermal.strength(self.symbols)
        return with_noise.jacobian(THERMAL_FIELD) * sigma

    def resistance(self, law: ResistanceLaw, m: sp.Matrix = MAGNETIZATION) -> sp.Expr:
        """Returns: the resistance [ohm] under `law`, at the voltage `bias_voltage` across the barrier
        when the model has a bias-dependent TMR."""
        symbols = self.symbols
        if self.bias is not None:
            symbols = {**symbols, "R_AP": self.bias.antiparallel_resistance(symbols, BIAS_VOLTAGE)}
        return law.resistance(m.dot(self.symbols["fixed_layer"]), symbols)

    @functools.cached_property
    def bias_switches(self) -> tuple[str, ...] | None:
        """The parameters each of which, at zero, switches off one term of the equation of motion that reads
        the bias voltage (VCMA, the torques' bias dependence): where all are zero the motion does not depend
        on the bias, and a runtime need not solve for it. None when such a term has no such parameter."""
        switches = []
        for term in (*self.energies, *self.torques):
            if isinstance(term, EnergyTerm):
                expression = sp.Matrix([term.energy_density(MAGNETIZATION, self.symbols)])
            else:
                expression = sp.Matrix(term.torque_vector(MAGNETIZATION, self.symbols))
            if BIAS_VOLTAGE not in expression.free_symbols:
                continue
            switch = next((p.name for p in term.parameters
                           if not p.vector and all(sp.simplify(e) == 0 for e in expression.xreplace({p.symbol: 0}))),
                          None)
            if switch is None:
                return None
            switches.append(switch)
        return tuple(switches)

    # ---- identity ------------------------------------------------------------------------
    @functools.cached_property
    def digest(self) -> str:
        """The sha256 of the model's sympy form (parameters, energy, torques, laws)."""
        parts = [self.name, repr(self.parameters), repr(CONSTANTS)]
        parts.append(sp.srepr(self.energy_density()))
        parts.append(sp.srepr(self.landau_lifshitz))
        parts.append(sp.srepr(self.thermal_diffusion))
        parts += [f"{law.name}:{sp.srepr(self.resistance(law))}" for law in self.resistance_laws]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()
