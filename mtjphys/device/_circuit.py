"""The junction in its circuit: the voltage across the barrier and the bias-dependent resistance, the
current a voltage source drives, the power the junction dissipates, the free layer's temperature under
Joule heating (at once, or lagging the power by a thermal time constant), and the energy of a neuron window.

With a thermal time constant the solve's state is the pair (m, T) of the directions and the free layer's
temperature [K] (`start_state`, `directions_of`); otherwise it is the directions alone."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

import diffrax as dfx
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import MtjphysError
from ._model import Model
from ._parameters import Parameters
from ._preamplifier import Extrema

SOURCES = ("current", "voltage")
_NEWTON_STEPS = 8  # quadratic convergence from V = I R(m, 0); the residual is tested


class Circuit(eqx.Module):
    """How the junction is driven and what the drive does to it (static: it shapes the equations).

    Arguments:
        source: "current" (a constant current density j [A/m^2] through the junction, the paper's neuron)
            or "voltage" (a constant voltage V [V] across it; the current follows V / R(m, V) at every
            instant of the solve).
        heating: the free layer's temperature and, with a Curie temperature, its Ms follow the power the
            junction dissipates (see `heated`); `circuit_for` switches it on where a record has a thermal
            resistance.
        thermal_lag: the temperature is a state of the solve that follows the power with the record's
            `thermal_time_constant` (`heating_rate`); `circuit_for` switches it on where a heated record has
            one (records of time constant 0 in the same batch still follow the power at once).
        bias_dependent: whether the resistance may depend on the bias, so that a current drive's voltage
            must be solved for; `circuit_for` turns it off where every record has a constant TMR
            (V_half null), which saves the solve.
        reads_bias: whether the equation of motion reads the voltage across the barrier (VCMA, the torques'
            bias dependence, a micromagnetic layer's share of the current among its cells); `circuit_for`
            turns it off where it does not, so that the voltage is not computed at every step.
    """

    source: Literal["current", "voltage"] = eqx.field(static=True, default="current")
    heating: bool = eqx.field(static=True, default=False)
    thermal_lag: bool = eqx.field(static=True, default=False)
    bias_dependent: bool = eqx.field(static=True, default=True)
    reads_bias: bool = eqx.field(static=True, default=True)

    def __check_init__(self):
        if self.source not in SOURCES:
            raise MtjphysError(f"a junction is driven by a current or a voltage, not {self.source!r}")

    def describe(self) -> dict:
        return {"drive": self.source, "joule_heating": int(self.heating), "thermal_lag": int(self.thermal_lag),
                "bias_dependent_tmr": int(self.bias_dependent), "motion_reads_bias": int(self.reads_bias)}


def _records(parameters: Parameters | Sequence[Parameters]) -> list[Parameters]:
    return [parameters] if isinstance(parameters, Parameters) else list(parameters)


def circuit_for(parameters: Parameters | Sequence[Parameters], source: str = "current") -> Circuit:
    """Returns: the circuit of MTJs with these records (one or several) driven by `source`."""
    records = _records(parameters)
    heating = any(record["thermal_resistance"] > 0 for record in records)
    lag = any(record["thermal_resistance"] > 0 and record["thermal_time_constant"] > 0 for record in records)
    bias_dependent = any(math.isfinite(record.get("V_half", math.inf)) for record in records)
    return Circuit(source=source, heating=heating, thermal_lag=lag, bias_dependent=bias_dependent,
                   reads_bias=any(_reads_bias(record) for record in records))


def _reads_bias(record: Parameters) -> bool:
    """Whether the motion of an MTJ with this record depends on the voltage across its barrier."""
    switches = record.model.bias_switches
    if switches is None or record.mesh is not None:  # a grid's cells share the current by their conductances
        return True
    return any(record.get(key, 0.0) != 0 for key in switches)


def heated_without_lag(params: dict) -> bool:
    """Whether some MTJ of these parameter arrays (shared or one per MTJ) is heated with a thermal time constant
    of 0, its heating following the power at once."""
    heated = np.asarray(params["thermal_resistance"]) > 0
    return bool(np.any(heated & (np.asarray(params["thermal_time_constant"]) == 0)))


def is_warm(parameters: Parameters | Sequence[Parameters]) -> bool:
    """Whether any of these MTJs has a free layer above 0 K (ambient temperature or Joule heating), so
    that its dynamics are the stochastic LLG."""
    return any(r["temperature"] > 0 or r["thermal_resistance"] > 0 for r in _records(parameters))


def bias_voltage(model: Model, law: str, m: jnp.ndarray, current_density: jnp.ndarray, params: dict) -> jnp.ndarray:
    """The voltage across the barrier for a current I = j * area: the root of V = I R(m, V) (unique,
    since R falls with |V|), by Newton's method from V = I R(m, 0).

    Arguments:
        model, law: the generated model and the resistance law's name.
        m: states, (...,) + model.state_shape; current_density [A/m^2] and params broadcast against the batch.

    Returns:
        V [V], shape of the batch.
    """
    resistance = model.resistance(law)
    current = current_density * params["area"]
    batch = m.shape[: m.ndim - len(model.state_shape)]
    zero = jnp.zeros(jnp.broadcast_shapes(batch, jnp.shape(current)), dtype=m.dtype)

    def newton(_, voltage):
        r, dr_dv = jax.jvp(lambda v: resistance(m, v, params), (voltage,), (jnp.ones_like(voltage),))
        return voltage - (voltage - current * r) / (1 - current * dr_dv)

    return jax.lax.fori_loop(0, _NEWTON_STEPS, newton, current * resistance(m, zero, params))


class OperatingPoint(NamedTuple):
    """The junction's electrical state at one magnetization (arrays of the batch's shape)."""

    current_density: jnp.ndarray  # [A/m^2]
    voltage: jnp.ndarray  # [V] across the barrier
    resistance: jnp.ndarray  # [ohm] at that voltage

    def power(self, params: dict) -> jnp.ndarray:
        """Returns: the power dissipated in the junction, V I [W]."""
        return self.voltage * self.current_density * params["area"]


def operating_point(model: Model, law: str, circuit: Circuit, m: jnp.ndarray, drive: jnp.ndarray,
                    params: dict) -> OperatingPoint:
    """The current, voltage and resistance at magnetization `m` under `drive` (a current density
    [A/m^2] or a voltage [V], as `circuit.source` says); traceable."""
    if circuit.source == "voltage":
        resistance = model.resistance(law)(m, drive, params)
        return OperatingPoint(drive / (resistance * params["area"]), jnp.broadcast_to(drive, resistance.shape),
                              resistance)
    if circuit.bias_dependent:
        voltage = bias_voltage(model, law, m, drive, params)
        resistance = model.resistance(law)(m, voltage, params)
    else:
        resistance = model.resistance(law)(m, jnp.zeros(()), params)
        voltage = drive * params["area"] * resistance
    return OperatingPoint(jnp.broadcast_to(drive, voltage.shape), voltage, resistance)


def free_layer_temperature(params: dict, power: jnp.ndarray) -> jnp.ndarray:
    """T = T_ambient + R_th P [K]: the free layer in steady state with the power P [W] it dissipates."""
    return params["temperature"] + params["thermal_resistance"] * power


def _lagging(params: dict) -> jnp.ndarray:
    return params["thermal_time_constant"] > 0


def heating_rate(params: dict, power: jnp.ndarray, temperature: jnp.ndarray) -> jnp.ndarray:
    """dT/dt = (T_ambient + R_th P - T) / tau_th [K/s]: the free layer's temperature T relaxing towards the
    steady state of the power P [W] with the record's `thermal_time_constant` tau_th (a lumped first-order
    lag); 0 where tau_th = 0, whose layer follows the power at once (`layer_temperature`)."""
    tau = params["thermal_time_constant"]
    rate = (free_layer_temperature(params, power) - temperature) / jnp.where(_lagging(params), tau, 1.0)
    return jnp.where(_lagging(params), rate, 0.0)


def layer_temperature(params: dict, power: jnp.ndarray, temperature: jnp.ndarray | None) -> jnp.ndarray:
    """The free layer's temperature [K]: the lagging state `temperature` where the record has a thermal time
    constant, the steady state of `power` [W] where it has none (or where no state is kept, None)."""
    steady = free_layer_temperature(params, power)
    return steady if temperature is None else jnp.where(_lagging(params), temperature, steady)


def at_temperature(params: dict, temperature: jnp.ndarray) -> dict:
    """The parameters of the free layer at `temperature` [K]: with a finite Curie temperature T_C, its
    magnetic constants relative to the record's at the ambient T_a:
    Ms(T) = Ms (1 - (T/T_C)^(3/2)) / (1 - (T_a/T_C)^(3/2)) (Bloch's law), and with r = Ms(T) / Ms,
    Ku(T) = Ku r^n_K (Callen-Callen, n_K = 3 for uniaxial anisotropy) and A(T) = A r^n_A (n_A about 2), the
    exponents the record's `anisotropy_scaling_exponent` and `exchange_scaling_exponent`. A perpendicular
    free layer softens as it heats: K_eff = Ku - mu0 Ms^2 / 2 falls."""
    bloch = lambda t: jnp.maximum(1 - (t / params["curie_temperature"]) ** 1.5, 1e-6)  # past T_C: refused later
    ratio = bloch(temperature) / bloch(params["temperature"])
    scaled = {"temperature": temperature, "Ms": params["Ms"] * ratio}
    for key, exponent in (("Ku", "anisotropy_scaling_exponent"), ("A", "exchange_scaling_exponent")):
        if key in params:
            scaled[key] = params[key] * ratio ** params[exponent]
    return {**params, **scaled}


def heated(params: dict, power: jnp.ndarray) -> dict:
    """The parameters of a free layer held in steady state by `power` [W]: at `free_layer_temperature`, its
    constants as `at_temperature` scales them."""
    return at_temperature(params, free_layer_temperature(params, power))


def heated_record(record: Parameters, power: float) -> Parameters:
    """Returns: the record of the free layer held in steady state by `power` [W]: its temperature, Ms, Ku and A as
    `heated` makes them, its thermal resistance 0 (the heat already counted)."""
    params = heated(record.arrays(), jnp.float64(power))
    changed = {key: float(params[key]) for key in ("temperature", "Ms", "Ku", "A") if key in record}
    return record.replace(thermal_resistance=0.0, **changed)


def start_state(circuit: Circuit, m0: jnp.ndarray, params: dict, batch: tuple[int, ...]):
    """Returns: the solve's state at the start of a window from the directions `m0`: m0 itself, or with a
    thermal lag the pair (m0, T0), T0 the ambient temperature for each MTJ of `batch` (a window starts from a
    junction at rest, its heat gone)."""
    if not circuit.thermal_lag:
        return m0
    return m0, jnp.broadcast_to(jnp.asarray(params["temperature"], dtype=m0.dtype), batch)


def directions_of(state) -> jnp.ndarray:
    """Returns: the directions of a solve's state (`start_state`)."""
    return state[0] if isinstance(state, tuple) else state


def _temperature_of(state) -> jnp.ndarray | None:
    return state[1] if isinstance(state, tuple) else None


def drift(model: Model, law: str, circuit: Circuit):
    """Returns: the vector field (t, state, (drive, params)) -> d state/dt of the deterministic LLG in this
    circuit (with a thermal lag, the pair (dm/dt, dT/dt))."""

    def vector_field(t, state, args):
        drive, params = args
        m = directions_of(state)
        if circuit.source == "current" and not (circuit.heating or circuit.reads_bias):
            return model.landau_lifshitz(m, drive, 0.0, params)  # no term reads the bias: skip solving for it
        point = operating_point(model, law, circuit, m, drive, params)
        if circuit.heating:
            power = point.power(params)
            heat = at_temperature(params, layer_temperature(params, power, _temperature_of(state)))
        else:
            heat = params
        motion = model.landau_lifshitz(m, point.current_density, point.voltage, heat)
        if circuit.thermal_lag:
            return motion, heating_rate(params, power, _temperature_of(state))
        return motion

    return vector_field


def diffusion(model: Model, law: str, circuit: Circuit):
    """Returns: (t, state, (drive, params)) -> G(m) of the stochastic LLG, at the free layer's temperature."""

    def vector_field(t, state, args):
        drive, params = args
        m = directions_of(state)
        if circuit.heating:
            power = operating_point(model, law, circuit, m, drive, params).power(params)
            params = at_temperature(params, layer_temperature(params, power, _temperature_of(state)))
        return model.thermal_diffusion(m, params)

    return vector_field


class Trace(NamedTuple):
    """What the solve of a window keeps, at every sample time and at the end.

    Arguments:
        m: the free layer's direction (a micromagnetic layer's Ms-weighted average), (T, ..., 3).
        point: the junction's operating point (current, voltage, resistance), arrays (T, ...).
        end: the directions at the end of the window (m, or a micromagnetic layer's cells), (...,) + state shape.
        snapshots: the directions at the times asked for, (S, ...) + state shape, or None.
        temperature: with a thermal lag, the free layer's lagging temperature [K], (T, ...); otherwise None.
    """

    m: jnp.ndarray
    point: OperatingPoint
    end: jnp.ndarray
    snapshots: jnp.ndarray | None = None
    temperature: jnp.ndarray | None = None

    def free_layer_temperature(self, params: dict) -> jnp.ndarray:
        """Returns: the free layer's temperature [K] at every sample, (T, ...) (`layer_temperature`)."""
        power = self.point.power(params)
        return jnp.broadcast_to(layer_temperature(params, power, self.temperature), jnp.shape(power))


def trace_saves(model: Model, law: str, circuit: Circuit, ts, snapshots=None) -> list[dfx.SubSaveAt]:
    """Returns: what a solve saves for its `Trace`: the direction, operating point (and lagging temperature)
    at `ts`, the state's directions at the end and, if asked, at the times `snapshots`."""

    def observe(t, state, args):
        drive, params = args
        m = directions_of(state)
        return model.average(m), operating_point(model, law, circuit, m, drive, params), _temperature_of(state)

    directions = lambda t, state, args: model.directions(directions_of(state))
    saves = [dfx.SubSaveAt(ts=ts, fn=observe), dfx.SubSaveAt(t1=True, fn=directions)]
    if snapshots is not None:
        saves.append(dfx.SubSaveAt(ts=snapshots, fn=lambda t, state, args: directions_of(state)))
    return saves


def saved_trace(ys) -> Trace:
    """Returns: the `Trace` of a solve's saved values (`trace_saves`)."""
    (m, point, temperature), end, *snapshots = ys
    return Trace(m, point, end[-1], snapshots[0] if snapshots else None, temperature)


class WindowResponse(NamedTuple):
    """What one neuron window gives, per MTJ.

    Arguments:
        extrema: the preamplifier's extrema of R(t); `extrema.delta_r` is the neuron output [ohm].
        energy: the energy the junction dissipates over the window, integral of V I dt [J].
        voltage_max: the largest |V| across the barrier [V].
        power_max: the largest power dissipated [W].
        end: the state at the window's end, (...,) + state shape.
        temperature_max: the free layer's highest temperature [K].
    """

    extrema: Extrema
    energy: jnp.ndarray
    voltage_max: jnp.ndarray
    power_max: jnp.ndarray
    end: jnp.ndarray
    temperature_max: jnp.ndarray


def sampled_window(preamplifier, ts, trace: Trace, params: dict) -> WindowResponse:
    """Everything a window gives, from its `Trace` sampled at `ts`; traceable."""
    power = trace.point.power(params)
    ts = np.asarray(ts)
    spacing = np.diff(ts)
    uniform = np.allclose(spacing, spacing[0], rtol=1e-9, atol=0)  # a spacing, not an array of them: cheaper
    energy = jnp.trapezoid(power, dx=float(spacing[0]), axis=0) if uniform else jnp.trapezoid(power, ts, axis=0)
    power_max = jnp.nanmax(power, axis=0)
    if trace.temperature is None:  # T = T_a + R_th P grows with P: its largest is at the largest power
        temperature_max = jnp.broadcast_to(free_layer_temperature(params, power_max), power_max.shape)
    else:
        temperature_max = jnp.nanmax(trace.free_layer_temperature(params), axis=0)
    return WindowResponse(preamplifier.extrema(ts, trace.point.resistance), energy,
                          jnp.nanmax(jnp.abs(trace.point.voltage), axis=0), power_max, trace.end, temperature_max)


def check_limits(params: dict, window: WindowResponse) -> None:
    """Refuse, in one line, a drive that breaks the barrier down or heats the free layer past its Curie
    temperature (the parameter arrays, shared or one per MTJ, broadcast against the window's arrays; a
    limit switched off in the record is infinite here)."""
    limit = lambda key: np.asarray(params[key])
    voltage, breakdown = np.broadcast_arrays(np.asarray(window.voltage_max), limit("breakdown_voltage"))
    if np.any(voltage > breakdown):
        worst = np.argmax(np.where(voltage > breakdown, voltage, -np.inf))
        raise MtjphysError(f"the drive puts {voltage.flat[worst]:.3g} V across the barrier, above its breakdown "
                           f"voltage of {breakdown.flat[worst]:g} V (the record's breakdown_voltage; null: not "
                           "checked)")
    hottest = np.asarray(window.temperature_max)
    if np.any(hottest >= limit("curie_temperature")):
        raise MtjphysError(f"Joule heating takes the free layer to {np.nanmax(hottest):.0f} K, at or above its Curie "
                           f"temperature (curie_temperature in the record)")
    if not np.all(np.isfinite(np.asarray(window.energy))):
        raise MtjphysError("the magnetization dynamics diverged in the window (a non-finite resistance)")
