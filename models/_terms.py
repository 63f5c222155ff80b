"""Terms a macrospin model is built from: energies (which give fields), spin torques, thermal
field, and resistance laws.

A term is a small frozen dataclass that declares the parameters it introduces and returns a sympy
expression. To add physics, write a new term in a few lines and pass it to
`MacrospinModel.with_terms`.
"""

from __future__ import annotations

import abc
import dataclasses

import sympy as sp

from ._symbols import (
    BIAS_VOLTAGE,
    BOLTZMANN,
    CELL_VOLUME,
    CURRENT_DENSITY,
    ELEMENTARY_CHARGE,
    HBAR,
    MU0,
    Parameter,
    POSITION,
)

# Parameters every MTJ free layer has (the LLG core), shared by all terms.
GAMMA = Parameter("gamma", "rad/(s*T)", "gyromagnetic ratio", constraint="positive")
ALPHA = Parameter("alpha", "1", "Gilbert damping", constraint="nonnegative")
MS = Parameter("Ms", "A/m", "saturation magnetization of the free layer", constraint="positive")
THICKNESS = Parameter("thickness", "m", "free-layer thickness", constraint="positive")
FIXED_LAYER = Parameter(
    "fixed_layer", "1", "magnetization direction of the fixed (reference) layer", vector=True,
    constraint="direction",
)
CORE_PARAMETERS = (GAMMA, ALPHA, MS, THICKNESS, FIXED_LAYER)


class Term(abc.ABC):
    """A named piece of a model that introduces `parameters`."""

    name: str
    parameters: tuple[Parameter, ...]


class EnergyTerm(Term):
    """A free-energy density E(m) [J/m^3]; the model derives its field B = -(1/Ms) dE/dm."""

    @abc.abstractmethod
    def energy_density(self, m: sp.Matrix, s: dict) -> sp.Expr:
        """Arguments: unit magnetization `m`; `s` maps parameter names to symbols.
        Returns: the energy density in J/m^3."""


class TorqueTerm(Term):
    """A torque m x X on the right-hand side of the Gilbert equation; returns X [rad/s].

    Writing every torque as m x X keeps it perpendicular to m by construction.
    """

    @abc.abstractmethod
    def torque_vector(self, m: sp.Matrix, s: dict) -> sp.Matrix:
        """Arguments: `m`, and `s` mapping parameter names (and `current_density`) to symbols.
        Returns: X such that the torque is m x X, in rad/s."""


@dataclasses.dataclass(frozen=True)
class Zeeman(EnergyTerm):
    """Applied field H_ext [A/m]: E = -mu0 Ms H_ext . m."""

    name: str = "zeeman"
    parameters: tuple[Parameter, ...] = (
        Parameter("H_ext", "A/m", "applied magnetic field", vector=True),
    )

    def energy_density(self, m, s):
        return -MU0.symbol * s["Ms"] * s["H_ext"].dot(m)


EASY_AXIS = Parameter("easy_axis", "1", "uniaxial easy axis", vector=True, constraint="direction")


@dataclasses.dataclass(frozen=True)
class UniaxialAnisotropy(EnergyTerm):
    """Uniaxial anisotropy: E = -Ku (m . u)^2."""

    name: str = "uniaxial_anisotropy"
    parameters: tuple[Parameter, ...] = (
        Parameter("Ku", "J/m^3", "uniaxial anisotropy constant"),
        EASY_AXIS,
    )

    def energy_density(self, m, s):
        return -s["Ku"] * s["easy_axis"].dot(m) ** 2


@dataclasses.dataclass(frozen=True)
class VoltageControlledAnisotropy(EnergyTerm):
    """Voltage-controlled magnetic anisotropy (VCMA): the electric field V / t_b in the barrier changes the
    interface anisotropy by -xi V / t_b, a volume density -xi V / (t_b d) of the free layer of thickness d,
    so the uniaxial constant along the easy axis becomes Ku - xi V / (t_b d):

        E = + xi V / (t_b d) (m . u)^2.

    V is the voltage across the barrier, positive for a positive current density; xi > 0 lowers the
    anisotropy at positive V (Maruyama et al., Nat. Nanotechnol. 4, 158 (2009): xi about 30-100 fJ/(V m) for
    CoFeB/MgO)."""

    name: str = "vcma"
    parameters: tuple[Parameter, ...] = (
        Parameter("vcma_coefficient", "J/(V*m)", "VCMA coefficient xi: interface anisotropy change per electric "
                  "field in the barrier (0: no VCMA)"),
        Parameter("barrier_thickness", "m", "thickness of the tunnel barrier", constraint="positive"),
        EASY_AXIS,
    )

    def anisotropy_change(self, s: dict) -> sp.Expr:
        """Returns: the change of the uniaxial constant at the bias, -xi V / (t_b d) [J/m^3]."""
        return -s["vcma_coefficient"] * BIAS_VOLTAGE / (s["barrier_thickness"] * s["thickness"])

    def energy_density(self, m, s):
        return -self.anisotropy_change(s) * s["easy_axis"].dot(m) ** 2


@dataclasses.dataclass(frozen=True)
class InterlayerCoupling(EnergyTerm):
    """Interlayer (Neel orange-peel or RKKY) coupling to the reference layer across the barrier,
    J_iec [J/m^2] per area of the interface: E = -(J_iec / d) m . p, the field J_iec / (Ms d) along p (as an
    applied field H = J_iec / (mu0 Ms d)); J_iec > 0 favours the parallel state."""

    name: str = "interlayer_coupling"
    parameters: tuple[Parameter, ...] = (
        Parameter("interlayer_coupling", "J/m^2", "interlayer coupling energy per area to the reference layer "
                  "(> 0 favours the parallel state)"),
    )

    def energy_density(self, m, s):
        return -s["interlayer_coupling"] / s["thickness"] * s["fixed_layer"].dot(m)


@dataclasses.dataclass(frozen=True)
class Demagnetization(EnergyTerm):
    """Shape anisotropy of a uniformly magnetized body with diagonal demag tensor N:
    E = (mu0 Ms^2 / 2) sum_i N_i m_i^2."""

    name: str = "demagnetization"
    parameters: tuple[Parameter, ...] = (
        Parameter(
            "demag_factors", "1", "diagonal demagnetization factors (Nx, Ny, Nz), summing to 1",
            vector=True, constraint="demag",
        ),
    )

    def energy_density(self, m, s):
        n = s["demag_factors"]
        return MU0.symbol * s["Ms"] ** 2 / 2 * sum(n[i] * m[i] ** 2 for i in range(3))


@dataclasses.dataclass(frozen=True)
class CubicAnisotropy(EnergyTerm):
    """Cubic anisotropy with axes along x, y, z: E = Kc (mx^2 my^2 + my^2 mz^2 + mz^2 mx^2)."""

    name: str = "cubic_anisotropy"
    parameters: tuple[Parameter, ...] = (
        Parameter("Kc", "J/m^3", "first-order cubic anisotropy constant"),
    )

    def energy_density(self, m, s):
        return s["Kc"] * (m[0] ** 2 * m[1] ** 2 + m[1] ** 2 * m[2] ** 2 + m[2] ** 2 * m[0] ** 2)


def spin_torque_field(s: dict) -> sp.Expr:
    """b_J = hbar j / (e d Ms) [T]: the current's torque expressed as a field."""
    return HBAR.symbol * CURRENT_DENSITY / (ELEMENTARY_CHARGE.symbol * s["thickness"] * s["Ms"])


def slonczewski_efficiency(m: sp.Matrix, s: dict) -> sp.Expr:
    """eps = P Lambda^2 / ((Lambda^2 + 1) + (Lambda^2 - 1) m . p), the angular dependence of the
    Slonczewski torque (MuMax3's form)."""
    lam2 = s["Lambda"] ** 2
    return s["polarization"] * lam2 / ((lam2 + 1) + (lam2 - 1) * m.dot(s["fixed_layer"]))


@dataclasses.dataclass(frozen=True)
class SlonczewskiTorque(TorqueTerm):
    """Slonczewski spin-transfer torque in MuMax3's form (cuda/slonczewski2.cu):

        gamma b_J eps m x (p x m) - gamma b_J eps' m x p,
        eps = P Lambda^2 / ((Lambda^2 + 1) + (Lambda^2 - 1) m . p).
    """

    name: str = "slonczewski"
    parameters: tuple[Parameter, ...] = (
        Parameter("polarization", "1", "spin polarization P of the current", constraint="fraction"),
        Parameter("Lambda", "1", "Slonczewski asymmetry parameter", constraint="positive"),
        Parameter("epsilon_prime", "1", "secondary (field-like) spin-torque efficiency"),
    )

    def torque_vector(self, m, s):
        p = s["fixed_layer"]
        prefactor = s["gamma"] * spin_torque_field(s)
        return prefactor * (slonczewski_efficiency(m, s) * p.cross(m) - s["epsilon_prime"] * p)


@dataclasses.dataclass(frozen=True)
class DampingLikeBiasAsymmetry(TorqueTerm):
    """The damping-like torque's bias asymmetry in MgO junctions: the spin polarization of the tunnelling
    current depends on the bias, P(V) = P (1 + a V) to first order (Theodonis et al., Phys. Rev. Lett. 97,
    237205 (2006); measured by Kubota et al., Nat. Phys. 4, 37 (2008) and Sankey et al., Nat. Phys. 4, 67
    (2008)). This term adds the part a V of the Slonczewski torque:

        gamma b_J eps(m) a V m x (p x m).

    Its parameter is `damping_like_asymmetry` a [1/V]; 0 leaves the Slonczewski torque as it is."""

    name: str = "damping_like_asymmetry"
    parameters: tuple[Parameter, ...] = (
        Parameter("damping_like_asymmetry", "1/V", "relative change of the damping-like torque per volt of bias, "
                  "P(V) = P (1 + a V) (0: no asymmetry)"),
    )

    def torque_vector(self, m, s):
        p = s["fixed_layer"]
        asymmetry = s["damping_like_asymmetry"] * BIAS_VOLTAGE
        return s["gamma"] * spin_torque_field(s) * slonczewski_efficiency(m, s) * asymmetry * p.cross(m)


@dataclasses.dataclass(frozen=True)
class QuadraticFieldLikeTorque(TorqueTerm):
    """The field-like torque of MgO junctions, quadratic in the bias (Kubota et al., Nat. Phys. 4, 37 (2008);
    Sankey et al., Nat. Phys. 4, 67 (2008)): a field b_FL V^2 along the reference direction p,

        -gamma b_FL V^2 m x p,

    beside the linear field-like torque of `SlonczewskiTorque` (epsilon_prime). b_FL [T/V^2] = 0: none."""

    name: str = "field_like_quadratic"
    parameters: tuple[Parameter, ...] = (
        Parameter("field_like_quadratic", "T/V^2", "field-like torque as a field along the reference direction per "
                  "square volt of bias (0: none)"),
    )

    def torque_vector(self, m, s):
        return -s["gamma"] * s["field_like_quadratic"] * BIAS_VOLTAGE**2 * s["fixed_layer"]


@dataclasses.dataclass(frozen=True)
class FieldLikeTorque(TorqueTerm):
    """A field-like torque of constant efficiency beta: -gamma b_J beta m x p."""

    name: str = "field_like"
    parameters: tuple[Parameter, ...] = (
        Parameter("beta", "1", "field-like torque efficiency"),
    )

    def torque_vector(self, m, s):
        return -s["gamma"] * spin_torque_field(s) * s["beta"] * s["fixed_layer"]


TEMPERATURE = Parameter("temperature", "K", "ambient temperature (the free layer's, unless Joule heating raises it)",
                        constraint="nonnegative")


@dataclasses.dataclass(frozen=True)
class ThermalField(Term):
    """Brown's thermal field: a white-noise field B_th with
    <B_i(t) B_j(t')> = 2 alpha k_B T / (gamma Ms V) delta_ij delta(t - t'), V = area * thickness."""

    name: str = "thermal"
    parameters: tuple[Parameter, ...] = (
        TEMPERATURE,
        Parameter("area", "m^2", "lateral area of the free layer", constraint="positive"),
    )

    def volume(self, s: dict) -> sp.Expr:
        """Returns: V [m^3], the volume whose moment the field acts on."""
        return s["area"] * s["thickness"]

    def strength(self, s: dict) -> sp.Expr:
        """Returns: sigma [T*s^(1/2)], the standard deviation of B_th per sqrt(second)."""
        return sp.sqrt(2 * s["alpha"] * BOLTZMANN.symbol * s["temperature"] / (s["gamma"] * s["Ms"] * self.volume(s)))


@dataclasses.dataclass(frozen=True)
class CellThermalField(ThermalField):
    """Brown's thermal field of one cell of a grid, independent from cell to cell: as `ThermalField`
    with V the cell's volume (`cell_volume`, an input of the generated code that the mesh supplies)."""

    parameters: tuple[Parameter, ...] = (TEMPERATURE,)

    def volume(self, s: dict) -> sp.Expr:
        return CELL_VOLUME


class NonlocalTerm(Term):
    """A field of a micromagnetic grid that a cell's own m does not give: one that couples the cells
    (exchange, demagnetisation) or varies across the body (a stray or bias field map).

    sympy declares its parameters; the model adds its field to each cell's local field as the input
    `b_nl` of the generated code. Its field and its energy on the grid are its runtime operator's:
    `operator` is that operator's import path, "module:Class", a subclass of
    `mtjphys.grid.AbstractGridOperator` made without arguments (a string, so that the symbolic layer
    needs no JAX). The runtime imports it when the model is compiled (see docs/physics.md).
    """

    operator: str


@dataclasses.dataclass(frozen=True)
class Exchange(NonlocalTerm):
    """Heisenberg exchange: E = A |grad m|^2 = A sum_k |d m / d x_k|^2, whose field is
    B = -(1/Ms) dE/dm (the variational derivative) = (2 A / Ms) laplacian(m) for a uniform A.
    On the grid: the 6-neighbour stencil with free boundaries (`mtjphys.grid.ExchangeOperator`)."""

    name: str = "exchange"
    parameters: tuple[Parameter, ...] = (
        Parameter("A", "J/m", "exchange stiffness of the free layer", constraint="nonnegative"),
    )
    operator: str = "mtjphys.grid:ExchangeOperator"

    def energy_density(self, m: sp.Matrix, s: dict) -> sp.Expr:
        """Arguments: m as a column of functions of `POSITION`. Returns: A |grad m|^2 [J/m^3]."""
        return s["A"] * sum(sp.diff(component, x) ** 2 for component in m for x in POSITION)

    def continuum_field(self, s: dict) -> sp.Matrix:
        """Returns: B = -(1/Ms) delta E / delta m [T] for m(x, y, z), from the Euler-Lagrange operator."""
        m = sp.Matrix([sp.Function(f"m_{c}", real=True)(*POSITION) for c in "xyz"])
        energy = self.energy_density(m, s)
        derivative = [sp.diff(energy, mi) - sum(sp.diff(sp.diff(energy, sp.diff(mi, x)), x) for x in POSITION)
                      for mi in m]
        return sp.Matrix([-d / s["Ms"] for d in derivative])


@dataclasses.dataclass(frozen=True)
class Magnetostatic(NonlocalTerm):
    """The demagnetising (stray) field of the magnetised body itself: B = mu0 H_d, H_d = -grad phi,
    laplacian(phi) = div(Ms m), open boundaries. On the grid: B_i = -mu0 sum_j N(r_i - r_j) Ms_j m_j with
    the Newell tensor N of the cell, applied by FFT convolution (`mtjphys.grid.MagnetostaticOperator`)."""

    name: str = "magnetostatic"
    parameters: tuple[Parameter, ...] = ()
    operator: str = "mtjphys.grid:MagnetostaticOperator"


@dataclasses.dataclass(frozen=True)
class ReferenceStrayField(NonlocalTerm):
    """The stray field of the reference layer: a layer of the free layer's lateral shape below the barrier,
    uniformly magnetised along p = fixed_layer with Ms_ref. At cell i, B_i = -mu0 Ms_ref sum_j N(r_i - r_j) p,
    N the mutual demagnetising tensor of the reference layer's prisms j and the cell (Newell's f and g),
    fixed in time, so its energy is the Zeeman-like -Ms m . B. The layer's thickness and its spacing from
    the free layer are grid keys (reference_thickness, reference_spacing): they set the tensor the grid
    computes once (`mtjphys.grid.ReferenceStrayFieldOperator`). Ms_ref = 0: no field."""

    name: str = "reference_stray_field"
    parameters: tuple[Parameter, ...] = (
        Parameter("reference_Ms", "A/m", "saturation magnetization of the reference layer, for its stray field on "
                  "the free layer (0: none)", constraint="nonnegative"),
        FIXED_LAYER,
    )
    operator: str = "mtjphys.grid:ReferenceStrayFieldOperator"


@dataclasses.dataclass(frozen=True)
class OerstedField(NonlocalTerm):
    """The Oersted field of the current through the pillar, by Ampere's law: a uniform current density j in
    a cylinder gives B = mu0 j r / 2, azimuthal. On the grid each column of cells carries its own current
    density as a long straight wire, and the field is their Biot-Savart sum
    (`mtjphys.grid.OerstedOperator`); a positive j flows along -z (electrons from the reference layer into
    the free layer). Its parameter scales it: 1 the field of the current, 0 none."""

    name: str = "oersted"
    parameters: tuple[Parameter, ...] = (
        Parameter("oersted_field", "1", "factor on the Oersted field of the current through the pillar (1: "
                  "Ampere's law; 0: none)", constraint="nonnegative"),
    )
    operator: str = "mtjphys.grid:OerstedOperator"


_RESISTANCES = (
    Parameter("R_P", "ohm", "resistance in the parallel state", constraint="positive"),
    Parameter("R_AP", "ohm", "resistance in the antiparallel state", constraint="positive"),
)


@dataclasses.dataclass(frozen=True)
class BiasDependentTMR(Term):
    """The TMR falls with the voltage V across the barrier, TMR(V) = TMR0 / (1 + (V / V_half)^2), with
    TMR0 = R_AP / R_P - 1 at zero bias; R_P does not depend on the bias. V_half = null (infinite) keeps
    the TMR constant."""

    name: str = "bias_dependent_tmr"
    parameters: tuple[Parameter, ...] = (
        Parameter("V_half", "V", "bias at which the TMR has fallen to half its zero-bias value (null: constant TMR)",
                  constraint="scale"),
    )

    def antiparallel_resistance(self, s: dict, voltage: sp.Expr = BIAS_VOLTAGE) -> sp.Expr:
        """Returns: R_AP(V) = R_P (1 + TMR(V)) [ohm]."""
        return s["R_P"] + (s["R_AP"] - s["R_P"]) / (1 + (voltage / s["V_half"]) ** 2)


class ResistanceLaw(Term):
    """Resistance as a function of cos(theta) = m . p, between R_P (parallel) and R_AP."""

    parameters: tuple[Parameter, ...] = _RESISTANCES

    @abc.abstractmethod
    def resistance(self, cos_theta: sp.Expr, s: dict) -> sp.Expr:
        """Returns: the resistance in ohm."""


@dataclasses.dataclass(frozen=True)
class LinearConductance(ResistanceLaw):
    """G = (G_P + G_AP)/2 + (G_P - G_AP)/2 cos(theta) (Julliere-Slonczewski, the default)."""

    name: str = "linear_conductance"
    parameters: tuple[Parameter, ...] = _RESISTANCES

    def resistance(self, cos_theta, s):
        g_p, g_ap = 1 / s["R_P"], 1 / s["R_AP"]
        return 1 / ((g_p + g_ap) / 2 + (g_p - g_ap) / 2 * cos_theta)


@dataclasses.dataclass(frozen=True)
class LinearResistance(ResistanceLaw):
    """R = (R_P + R_AP)/2 - (R_AP - R_P)/2 cos(theta)."""

    name: str = "linear_resistance"
    parameters: tuple[Parameter, ...] = _RESISTANCES

    def resistance(self, cos_theta, s):
        return (s["R_P"] + s["R_AP"]) / 2 - (s["R_AP"] - s["R_P"]) / 2 * cos_theta
