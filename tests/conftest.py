import jax

# Every test runs in float64 with strict dtype promotion (no silent up- or down-casting).
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_dtype_promotion", "strict")


import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    """After each module, drop JAX's compiled programs if they hold half the memory maps a process may
    have (the whole suite compiles more than vm.max_map_count allows)."""
    yield
    from mtjphys.data import release_compiled_programs

    release_compiled_programs()


@pytest.fixture(scope="session")
def quick_results(tmp_path_factory):
    """`mtjphys reproduce --quick` once for the whole session (about four minutes)."""
    from mtjphys.cli import cli, run_command

    directory = tmp_path_factory.mktemp("reproduce")
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, ["reproduce", "-o", str(directory), "--quick"], prog_name="mtjphys")
    assert exit_info.value.code == 0
    return directory


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The tests that read the quick reproduction (one module) are handed out first: under pytest-xdist
    (`--dist loadfile`, a module to one process) it is the longest unit."""
    items.sort(key=lambda item: "quick_results" not in getattr(item, "fixturenames", ()))  # stable otherwise
