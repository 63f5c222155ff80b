"""What the package installs, and which way its imports run."""

import ast
import json
import pathlib
import subprocess
import sys
import tomllib

import pytest

import mtjphys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mtjphys"
# The runtime's subpackages from the bottom up: a module may import from its own subpackage and from those
# below it, never from one above (the data flow models -> codegen -> device -> measurements -> networks -> ...
# -> studies).
LAYERS = (("data",), ("grid",), ("device",), ("measurements",), ("networks", "fitting"), ("tasks",),
          ("reproduction",), ("studies",), ("cli",))
PLUMBING = ("atomic_write", "check_output_path", "code_hash", "provenance", "run_command", "params_option",
            "mode_option", "scheduler_option", "transfer_option", "joules", "describe_energy", "save_figure",
            "prepare_outputs", "Study", "ReportSection", "SuccessCurve")


def _run(code, tmp_path):
    """Run `code` in a fresh interpreter outside the repository (so its folders are not on the path)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_nothing_is_installed_under_a_generic_top_level_name(tmp_path):
    found = _run("import importlib.util as u; print([n for n in ('models', 'codegen', 'studies') if u.find_spec(n)])",
                 tmp_path)
    assert found == "[]"
    paths = _run("import mtjphys.models, mtjphys.codegen, mtjphys.studies as s; print(s.__name__)", tmp_path)
    assert paths == "mtjphys.studies"


def test_the_library_and_its_command_line_import_no_study(tmp_path):
    loaded = _run("import sys, mtjphys, mtjphys.cli, mtjphys.reproduction; "
                  "print(sorted(m for m in sys.modules if m.startswith('mtjphys.studies')))", tmp_path)
    assert loaded == "[]"


def test_the_symbolic_layer_imports_without_jax(tmp_path):
    loaded = _run("import sys, mtjphys.models, mtjphys.codegen; "
                  "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jaxlib', 'diffrax', "
                  "'equinox', 'click', 'xarray') or m.startswith('mtjphys.') and m.split('.')[1] not in "
                  "('models', 'codegen', '_lazy'))))".replace("sys,", "sys, json,"), tmp_path)
    assert json.loads(loaded) == []
    # the runtime turns float64 on as it loads, the symbolic layer leaves JAX's configuration alone
    assert _run("import mtjphys.models, jax; print(jax.config.jax_enable_x64)", tmp_path) == "False"
    assert _run("import mtjphys.device, jax; print(jax.config.jax_enable_x64)", tmp_path) == "True"


def test_every_top_level_name_comes_from_its_subpackage_and_none_is_plumbing():
    for name in mtjphys.__all__:
        value = getattr(mtjphys, name)
        package = next(package for package, names in mtjphys._EXPORTS.items() if name in names)
        assert getattr(__import__(f"mtjphys.{package}", fromlist=[name]), name) is value
    assert not set(PLUMBING) & set(mtjphys.__all__)
    with pytest.raises(AttributeError, match="no attribute 'atomic_write'"):
        mtjphys.atomic_write  # noqa: B018


def test_every_package_is_installed():
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"mtjphys." + ".".join(path.parent.relative_to(PACKAGE).parts) for path in PACKAGE.rglob("__init__.py")}
    folders = {name.rstrip(".") for name in folders}
    assert folders - {"mtjphys.models", "mtjphys.codegen", "mtjphys.studies"} <= declared


def _imports(path: pathlib.Path, package: str):
    """(line, absolute module) of every import in the file, leaving out those only type checkers see."""
    tree = ast.parse(path.read_text())
    checking = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                for node in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == \
                "import_module" and node.args and isinstance(node.args[0], ast.Constant):
            yield node.lineno, node.args[0].value


def _sources(folder: pathlib.Path):
    for path in sorted(folder.rglob("*.py")):
        yield path, path.read_text()
    for path in sorted(folder.rglob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        yield path, "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("folder", ["studies", "benchmarks", "notebooks"])
def test_studies_benchmarks_and_notebooks_use_public_names_only(folder, tmp_path):
    for path, source in _sources(ROOT / folder):
        checked = tmp_path / "source.py"
        checked.write_text(source)
        for line, module in _imports(checked, "mtjphys.studies"):
            parts = module.split(".")
            assert parts[0] != "tests", f"{path}:{line} imports {module}"
            if parts[0] == "mtjphys":
                assert not any(part.startswith("_") for part in parts[1:]), f"{path}:{line} imports {module}"
        for attribute in ast.walk(ast.parse(source)):
            if isinstance(attribute, ast.Attribute) and isinstance(attribute.value, ast.Name) \
                    and attribute.value.id in ("mp", "mtjphys"):
                assert not attribute.attr.startswith("_"), f"{path}:{attribute.lineno} reads mtjphys.{attribute.attr}"


def test_the_runtime_imports_only_downwards():
    layer = {name: level for level, names in enumerate(LAYERS) for name in names}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] not in layer:
            continue
        package = ".".join(("mtjphys", *parts[:-1]))
        for line, module in _imports(path, package):
            target = module.split(".")
            if target[0] != "mtjphys" or len(target) < 2 or target[1] not in layer:
                continue
            assert layer[target[1]] <= layer[parts[0]], f"{path.relative_to(ROOT)}:{line} imports {module} from above"
