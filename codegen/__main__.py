"""Regenerate the shipped JAX modules (`python -m mtjphys.codegen`), or check them (`--check`)."""

from __future__ import annotations

import sys

import click

from ._jax import generate_source
from ._shipped import SHIPPED, shipped_path


@click.command()
@click.option("--check", is_flag=True, help="Only check; exit 1 if a committed module has drifted.")
def main(check: bool) -> None:
    drifted = []
    for name, build in SHIPPED.items():
        path = shipped_path(name)
        source = generate_source(build())
        current = path.read_text() if path.exists() else None
        if current == source:
            click.echo(f"{path}: up to date")
        elif check:
            drifted.append(path)
            click.echo(f"{path}: drifted from its model", err=True)
        else:
            path.write_text(source)
            click.echo(f"{path}: written")
    sys.exit(1 if drifted else 0)


if __name__ == "__main__":
    main()
