"""The defaults that the command line shows in its help, kept free of JAX so that `mtjphys --help` is fast;
the runtime modules that use them import them from here."""

NEURON_WINDOW = 1.5e-9  # [s], the paper's neuron window
OPERATING_RANGE = (0.8e10, 1.0e10)  # [A/m^2], the paper's operating range of current densities
DEFAULT_BANDWIDTH = 20e9  # [Hz], a broadband pre-amplifier; the ringing is at about 2.8 GHz
GEOMETRIES = ("disc", "ellipse", "rectangle")  # the micromagnetic free layer's shapes
