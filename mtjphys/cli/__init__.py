"""The `mtjphys` command line (its help imports no JAX; each command loads what it runs)."""

from ._main import (
    cli as cli,
    main as main,
    run_command as run_command,
)
