"""Tasks as datasets: the paper's (sine generation, square/sine recognition, writing a character), the
field's reservoir benchmarks (NARMA10, Mackey-Glass, memory capacity, sine/square, digits), the
paper's sine-generation protocol and its metrics."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._benchmark_tasks import (
    mackey_glass_series as mackey_glass_series,
    mackey_glass_task as mackey_glass_task,
    memory_capacity_task as memory_capacity_task,
    narma10_task as narma10_task,
    POINTS_PER_PERIOD as POINTS_PER_PERIOD,
    sequential_digits_task as sequential_digits_task,
    sine_square_task as sine_square_task,
)
from ._generation import (
    free_run_metrics as free_run_metrics,
    FREE_WINDOWS as FREE_WINDOWS,
    generation_metrics as generation_metrics,
    generation_metrics_dataset as generation_metrics_dataset,
    SEGMENTS as SEGMENTS,
    SINE_ARCHITECTURE as SINE_ARCHITECTURE,
    sine_generation_run as sine_generation_run,
    SINE_REGULARIZATION as SINE_REGULARIZATION,
)
from ._hanzi import (
    builtin_character_path as builtin_character_path,
    Character as Character,
    CHARACTER_PERIOD as CHARACTER_PERIOD,
    load_character as load_character,
)
from ._signals import (
    amplitude as amplitude,
    dominant_period as dominant_period,
)
from ._tasks import (
    recognition_task as recognition_task,
    sine_generation_task as sine_generation_task,
    writing_task as writing_task,
)
