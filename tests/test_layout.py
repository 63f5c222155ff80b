"""What the package installs, and which way its imports run."""

import subprocess
import sys


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
    loaded = _run("import sys, mtjphys, mtjphys._cli, mtjphys._reproduce; "
                  "print(sorted(m for m in sys.modules if m.startswith('mtjphys.studies')))", tmp_path)
    assert loaded == "[]"
