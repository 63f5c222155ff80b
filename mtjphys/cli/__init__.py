"""The `mtjphys` command line."""

from .. import _x64  # noqa: F401  (float64 before any array is made)
from ._main import (
    cli as cli,
    main as main,
    run_command as run_command,
)
