"""OVF 2.0 files of grid states: exact round trips, the spec's layout, files other codes wrote, refusals, and the
command line's --ovf and --initial-state."""

import base64
import json
import struct

import numpy as np
import pytest

import mtjphys as mp
from mtjphys.cli import run_command
from mtjphys.cli._main import cli
from mtjphys.data import check_ovf_mesh, ovf_initial_state, read_ovf, write_ovf
from mtjphys.grid import Mesh

CELL = (2e-9, 3e-9, 0.5e-9)


def run(args, capsys):
    """Run `mtjphys ARGS` in-process. Returns: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        run_command(cli, args, prog_name="mtjphys")
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def unit_vectors(shape, seed=0, disc=True):
    """Random unit vectors (nx, ny, nz, 3), zero outside the disc inscribed in the x-y box (MuMax3's cells
    outside the magnet)."""
    rng = np.random.default_rng(seed)
    m = rng.standard_normal(shape + (3,))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    if disc:
        x = (np.arange(shape[0]) + 0.5) / shape[0] - 0.5
        y = (np.arange(shape[1]) + 0.5) / shape[1] - 0.5
        outside = x[:, None] ** 2 + y[None, :] ** 2 > 0.25
        m[outside] = 0.0
    return m


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


# ---- round trips and the spec's layout ---------------------------------------------------------
@pytest.mark.parametrize("binary", [True, False], ids=["binary8", "text"])
def test_round_trips_are_bit_exact(tmp_path, binary):
    m = unit_vectors((7, 6, 3))
    m[0, 3, 0] = (-0.0, 5e-324, 1.0 - 2**-52)  # a signed zero, a subnormal, the float below 1
    path = write_ovf(tmp_path / "m.ovf", m, CELL, origin=(1e-9, -2e-9, 3e-9), binary=binary, title="a disc")
    back, header = read_ovf(path)
    assert back.shape == (7, 6, 3, 3) and back.dtype == np.float64
    np.testing.assert_array_equal(bits(back), bits(m))
    assert header["format"] == ("Binary 8" if binary else "Text") and header["title"] == "a disc"
    assert header["nodes"] == (7, 6, 3) and header["cell"] == CELL and header["valuedim"] == 3
    assert header["meshtype"] == "rectangular" and header["meshunit"] == "m"
    assert header["min"] == (1e-9, -2e-9, 3e-9) and header["base"] == (1e-9 + 1e-9, -2e-9 + 1.5e-9, 3e-9 + 0.25e-9)
    assert header["max"] == pytest.approx((1e-9 + 14e-9, -2e-9 + 18e-9, 3e-9 + 1.5e-9), rel=1e-12)
    assert header["valuelabels"] == ["m_x", "m_y", "m_z"] and header["valueunits"] == ["1", "1", "1"]
    # a (nx, ny, 3) state is one layer
    flat, flat_header = read_ovf(write_ovf(tmp_path / "flat.ovf", m[:, :, 0], CELL, binary=binary))
    assert flat.shape == (7, 6, 1, 3) and flat_header["nodes"] == (7, 6, 1)
    np.testing.assert_array_equal(bits(flat[:, :, 0]), bits(m[:, :, 0]))


def test_the_binary_file_follows_the_spec_byte_for_byte(tmp_path):
    nx, ny, nz = 3, 2, 2
    m = np.zeros((nx, ny, nz, 3))
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                m[i, j, k] = (i, 10 * j, 100 * k + 0.5)  # no symmetry: every order of the axes reads differently
    mesh = Mesh("rectangle", nx * 4e-9, ny * 4e-9, nz * 1e-9, 4e-9, nz)
    content = write_ovf(tmp_path / "m.ovf", m, mesh, title="known").read_bytes()
    start = content.index(b"# Begin: Data Binary 8\n") + len(b"# Begin: Data Binary 8\n")
    lines = content[:start].decode("ascii").splitlines()
    assert lines[0] == "# OOMMF OVF 2.0"
    entries = [line[2:] for line in lines if line.startswith("# ") and ":" in line]
    order = [entry.split(":")[0] for entry in entries]
    assert order[:4] == ["Segment count", "Begin", "Begin", "Title"]
    assert entries[1:3] == ["Begin: Segment", "Begin: Header"] and entries[-2:] == ["End: Header",
                                                                                    "Begin: Data Binary 8"]
    values = dict(entry.split(": ", 1) for entry in entries[3:-2])
    assert values["Title"] == "known" and values["meshtype"] == "rectangular" and values["meshunit"] == "m"
    assert values["valuedim"] == "3" and values["valuelabels"] == "m_x m_y m_z" and values["valueunits"] == "1 1 1"
    expected = {"xnodes": 3, "ynodes": 2, "znodes": 2, "xstepsize": 4e-9, "ystepsize": 4e-9, "zstepsize": 1e-9,
                "xmin": -6e-9, "ymin": -4e-9, "zmin": 0.0, "xmax": 6e-9, "ymax": 4e-9, "zmax": 2e-9,
                "xbase": -4e-9, "ybase": -2e-9, "zbase": 0.5e-9}  # the project's coordinates: centred, z from 0
    for key, value in expected.items():
        assert float(values[key]) == pytest.approx(value, rel=1e-15, abs=1e-30), key
    # the check value: 123456789012345.0 as little-endian float64, these 8 bytes
    assert content[start:start + 8] == bytes.fromhex("40de77832112dc42")
    data = struct.unpack(f"<{3 * nx * ny * nz}d", content[start + 8:start + 8 + 24 * nx * ny * nz])
    walked = [c for k in range(nz) for j in range(ny) for i in range(nx) for c in m[i, j, k]]  # x fastest, then y
    assert list(data) == walked
    assert content[start + 8 + 24 * nx * ny * nz:] == b"\n# End: Data Binary 8\n# End: Segment\n"


def test_a_neuron_trace_variable_is_written_with_zeros_outside_the_magnet(tmp_path):
    xr = pytest.importorskip("xarray")
    mesh = Mesh("disc", 40e-9, 40e-9, 1e-9, 10e-9, 1)
    state = np.broadcast_to([0.0, 0.6, 0.8], mesh.shape + (3,))
    from mtjphys.grid._mesh import field_variable

    variable = field_variable(mesh, state, "m")  # NaN outside the body, dims (x, y, component)
    assert isinstance(variable, xr.DataArray) and np.isnan(variable.values).any()
    back, header = read_ovf(write_ovf(tmp_path / "m.ovf", variable.transpose("component", "y", "x"), mesh))
    np.testing.assert_array_equal(back, np.where(mesh.mask[..., None], state, 0.0))
    assert header["min"] == (-20e-9, -20e-9, 0.0)


# ---- files other codes write ---------------------------------------------------------------------
def mumax3_binary4(path, m, cell):
    """An OVF 2.0 `Data Binary 4` file as MuMax3 writes it, made with struct alone (the test's own writer)."""
    nx, ny, nz, _ = m.shape
    header = [
        "# OOMMF OVF 2.0", "# Segment count: 1", "# Begin: Segment", "# Begin: Header", "# Title: m",
        "# meshtype: rectangular", "# meshunit: m", "# xmin: 0", "# ymin: 0", "# zmin: 0",
        f"# xmax: {nx * cell[0]}", f"# ymax: {ny * cell[1]}", f"# zmax: {nz * cell[2]}", "# valuedim: 3",
        "# valuelabels: m_x m_y m_z", "# valueunits: 1 1 1", "# Desc: Total simulation time:  1e-09  s",
        f"# xbase: {cell[0] / 2}", f"# ybase: {cell[1] / 2}", f"# zbase: {cell[2] / 2}",
        f"# xnodes: {nx}", f"# ynodes: {ny}", f"# znodes: {nz}",
        f"# xstepsize: {cell[0]}", f"# ystepsize: {cell[1]}", f"# zstepsize: {cell[2]}", "# End: Header",
        "# Begin: Data Binary 4",
    ]
    data = [float(c) for k in range(nz) for j in range(ny) for i in range(nx) for c in m[i, j, k]]
    with open(path, "wb") as handle:
        handle.write(("\n".join(header) + "\n").encode("ascii"))
        handle.write(struct.pack("<f", 1234567.0))
        handle.write(struct.pack(f"<{len(data)}f", *data))
        handle.write(b"\n# End: Data Binary 4\n# End: Segment\n")
    return path


def test_reads_mumax3s_binary_4(tmp_path):
    m = unit_vectors((5, 4, 2), seed=3)
    path = mumax3_binary4(tmp_path / "m000000.ovf", m, (5e-9, 5e-9, 1e-9))
    back, header = read_ovf(path)
    assert header["format"] == "Binary 4" and header["nodes"] == (5, 4, 2) and header["cell"] == (5e-9, 5e-9, 1e-9)
    assert header["desc"] == ["Total simulation time:  1e-09  s"]
    np.testing.assert_array_equal(back, m.astype(np.float32).astype(np.float64))
    assert (back[m == 0] == 0).all()  # the cells outside the magnet stay zero vectors


# Written by discretisedfield 0.92.0 (Ubermag): a 3 x 2 x 2 field of 4 x 5 x 1 nm cells from (0, 0, 0), value
# (i + 10 j + 100 k, -i / 2, 1 + k / 4) at cell (i, j, k), saved with `Field.to_file(..., representation="bin4")`.
UBERMAG_BIN4 = """
IyBPT01NRiBPVkYgMi4wCiMKIyBTZWdtZW50IGNvdW50OiAxCiMKIyBCZWdpbjogU2VnbWVudAojIEJlZ2luOiBIZWFkZXIKIwoj
IFRpdGxlOiBGaWVsZAojIERlc2M6IEZpbGUgZ2VuZXJhdGVkIGJ5IEZpZWxkIGNsYXNzCiMgbWVzaHVuaXQ6IG0KIyBtZXNodHlw
ZTogcmVjdGFuZ3VsYXIKIyB4YmFzZTogMmUtMDkKIyB5YmFzZTogMi41ZS0wOQojIHpiYXNlOiA1ZS0xMAojIHhub2RlczogMwoj
IHlub2RlczogMgojIHpub2RlczogMgojIHhzdGVwc2l6ZTogNGUtMDkKIyB5c3RlcHNpemU6IDVlLTA5CiMgenN0ZXBzaXplOiAx
ZS0wOQojIHhtaW46IDAuMAojIHltaW46IDAuMAojIHptaW46IDAuMAojIHhtYXg6IDEuMjAwMDAwMDAwMDAwMDAwMmUtMDgKIyB5
bWF4OiAxZS0wOAojIHptYXg6IDJlLTA5CiMgdmFsdWVkaW06IDMKIyB2YWx1ZWxhYmVsczogZmllbGRfeCBmaWVsZF95IGZpZWxk
X3oKIyB2YWx1ZXVuaXRzOiBOb25lIE5vbmUgTm9uZQojCiMgRW5kOiBIZWFkZXIKIwojIEJlZ2luOiBEYXRhIEJpbmFyeSA0Cji0
lkkAAAAAAAAAgAAAgD8AAIA/AAAAvwAAgD8AAABAAACAvwAAgD8AACBBAAAAgAAAgD8AADBBAAAAvwAAgD8AAEBBAACAvwAAgD8A
AMhCAAAAgAAAoD8AAMpCAAAAvwAAoD8AAMxCAACAvwAAoD8AANxCAAAAgAAAoD8AAN5CAAAAvwAAoD8AAOBCAACAvwAAoD8KIyBF
bmQ6IERhdGEgQmluYXJ5IDQKIyBFbmQ6IFNlZ21lbnQK
"""


def test_reads_a_file_ubermag_wrote(tmp_path):
    path = tmp_path / "field.ovf"
    path.write_bytes(base64.b64decode("".join(UBERMAG_BIN4.split())))
    back, header = read_ovf(path)
    i, j, k = np.meshgrid(np.arange(3), np.arange(2), np.arange(2), indexing="ij")
    np.testing.assert_array_equal(back, np.stack([i + 10.0 * j + 100.0 * k, -0.5 * i, 1 + 0.25 * k], axis=-1))
    assert header["format"] == "Binary 4" and header["cell"] == (4e-9, 5e-9, 1e-9) and header["base"] == (
        2e-9, 2.5e-9, 0.5e-9)
    assert header["valuelabels"] == ["field_x", "field_y", "field_z"]


@pytest.mark.parametrize("binary", [True, False], ids=["binary8", "text"])
def test_ubermag_reads_ours_and_we_read_ubermags(tmp_path, binary):
    df = pytest.importorskip("discretisedfield")
    m = unit_vectors((4, 3, 2), seed=5)
    cell = (2e-9, 3e-9, 1e-9)
    field = df.Field.from_file(str(write_ovf(tmp_path / "ours.ovf", m, cell, binary=binary)))
    np.testing.assert_array_equal(field.array, m)
    np.testing.assert_allclose(field.mesh.cell, cell, rtol=1e-12)
    field.to_file(str(tmp_path / "theirs.ovf"), representation="bin8" if binary else "txt")
    back, header = read_ovf(tmp_path / "theirs.ovf")
    np.testing.assert_array_equal(back, m)
    assert header["cell"] == pytest.approx(cell, rel=1e-12)


# ---- refusals -----------------------------------------------------------------------------------
def _good(tmp_path, binary=True):
    return write_ovf(tmp_path / "good.ovf", unit_vectors((3, 2, 2), disc=False), CELL, binary=binary).read_bytes()


def _replace(old, new):
    def change(content):
        assert content.count(old) == 1, old
        return content.replace(old, new)
    return change


def _data_start(content):
    return content.index(b"Binary 8\n") + len(b"Binary 8\n")


@pytest.mark.parametrize(
    "binary, change, message",
    [
        (True, _replace(b"# OOMMF OVF 2.0", b"# OOMMF: rectangular mesh v1.0"), "is not an OVF 2.0 file"),
        (True, lambda c: b"\x89PNG\r\n" + c, "is not an OVF 2.0 file"),
        (True, lambda c: c[:_data_start(c)] + struct.pack(">d", 123456789012345.0) + c[_data_start(c) + 8:],
         "wrong check value"),
        (True, lambda c: c.replace(b"Data Binary 8", b"Data Binary 4"), "wrong check value"),  # float64 as float32
        (True, _replace(b"# valuedim: 3", b"# valuedim: 1"), "valuedim is 1; a vector field has 3"),
        (True, _replace(b"# meshtype: rectangular", b"# meshtype: irregular"), "the mesh is not rectangular"),
        (True, _replace(b"# xnodes: 3\n", b""), "the header lacks xnodes"),
        (True, _replace(b"# xnodes: 3", b"# xnodes: three"), "xnodes must be a whole number"),
        (True, _replace(b"# Segment count: 1", b"# Segment count: 2"), "holds 2 segments"),
        (True, lambda c: c[:_data_start(c) + 8 + 24 * 5 + 3], "truncated data: 15 of 36 values"),
        (True, lambda c: c[:_data_start(c) + 4], "ends before the check value"),
        (True, lambda c: c[:c.index(b"\n# End: Data")], "truncated: it ends after the data"),
        (True, lambda c: c[:c.index(b"# Begin: Data")], "no '# Begin: Data' line"),
        (True, _replace(b"# xnodes: 3", b"# xnodes: 2"), "is not followed by '# End: Data Binary 8'"),
        (True, lambda c: c.replace(b"Data Binary 8", b"Data Binary 2"), "unknown data format 'Data Binary 2'"),
        (False, lambda c: c.replace(c.splitlines(keepends=True)[-4], b""), "truncated data: 33 values for 36"),
        (False, lambda c: c.replace(b"# End: Data Text", b"0.5 0.5 0.5\n# End: Data Text"),
         "more values than nodes: 39 values for 36"),
        (False, lambda c: c.replace(b"# End: Data Text", b"").replace(b"# End: Segment", b""),
         "truncated: no '# End: Data Text' line"),
        (False, lambda c: c.replace(c.splitlines(keepends=True)[-3], b"1.0 nope 2.0\n"), "not a number"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, binary, change, message):
    path = tmp_path / "bad.ovf"
    path.write_bytes(change(_good(tmp_path, binary)))
    with pytest.raises(mp.MtjphysError) as error:
        read_ovf(path)
    assert message in str(error.value) and "\n" not in str(error.value) and "bad.ovf" in str(error.value)


def test_a_missing_file_and_bad_states_are_refused(tmp_path):
    with pytest.raises(mp.MtjphysError, match=r"cannot read OVF file .*absent\.ovf.*No such file"):
        read_ovf(tmp_path / "absent.ovf")
    m = unit_vectors((3, 2, 1), disc=False)
    for bad, message in [(m[..., :2], "a grid state is"), (np.where(m > 0.5, np.inf, m), "must be finite")]:
        with pytest.raises(mp.MtjphysError, match=message):
            write_ovf(tmp_path / "x.ovf", bad, CELL)
    with pytest.raises(mp.MtjphysError, match="one line"):
        write_ovf(tmp_path / "x.ovf", m, CELL, title="two\nlines")
    with pytest.raises(mp.MtjphysError, match="cell sizes must be finite and positive"):
        write_ovf(tmp_path / "x.ovf", m, (1e-9, 0.0, 1e-9))
    with pytest.raises(mp.MtjphysError, match="its mesh has 4 x 4 x 1"):
        write_ovf(tmp_path / "x.ovf", m, Mesh("disc", 100e-9, 100e-9, 1e-9, 25e-9, 1))
    assert list(tmp_path.iterdir()) == []
    path = tmp_path / "kept.ovf"
    path.write_text("precious")
    with pytest.raises(mp.MtjphysError, match="exists; pass --overwrite"):
        write_ovf(path, m, CELL)
    assert path.read_text() == "precious" and sorted(p.name for p in tmp_path.iterdir()) == ["kept.ovf"]
    write_ovf(path, m, CELL, overwrite=True)
    np.testing.assert_array_equal(read_ovf(path)[0], m)


# ---- a window's start -----------------------------------------------------------------------------
def test_the_initial_state_is_normalised_on_the_mesh_and_checked_against_it(tmp_path):
    mesh = Mesh("disc", 100e-9, 100e-9, 1e-9, 25e-9, 1)
    m = unit_vectors(mesh.shape, seed=7, disc=False)
    m = np.where(mesh.mask[..., None], 8e5 * m, 0.0)  # M in A/m, zero outside the magnet (MuMax3's, Ubermag's)
    state = ovf_initial_state(write_ovf(tmp_path / "m.ovf", m, mesh), mesh)
    assert state.shape == mesh.shape + (3,)
    np.testing.assert_allclose(state[mesh.mask], m[mesh.mask] / 8e5, rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(state[~mesh.mask], np.broadcast_to([0.0, 0.0, 1.0], state[~mesh.mask].shape))
    np.testing.assert_allclose(np.linalg.norm(state, axis=-1), 1.0, rtol=1e-15)
    # the same grid from another origin, its cells within 1e-9 (a float32 file's header is text: exact)
    shifted = write_ovf(tmp_path / "shifted.ovf", m, mesh.cell, origin=(0, 0, 0))
    np.testing.assert_array_equal(ovf_initial_state(shifted, mesh), state)
    near = write_ovf(tmp_path / "near.ovf", m, tuple(d * (1 + 1e-12) for d in mesh.cell))
    np.testing.assert_array_equal(ovf_initial_state(near, mesh), state)
    refusals = [
        (write_ovf(tmp_path / "far.ovf", m, tuple(d * (1 + 1e-7) for d in mesh.cell)),
         "has cells of 2.5e-08 x 2.5e-08 x 1e-09 m; the mesh's are"),
        (write_ovf(tmp_path / "wide.ovf", unit_vectors((5, 4, 1)), mesh.cell), "has 5 x 4 x 1 nodes; the mesh has "
         "4 x 4 x 1 cells"),
        (write_ovf(tmp_path / "hole.ovf", np.where(np.arange(4)[:, None, None, None] == 1, 0.0, m), mesh),
         "cells inside the magnet hold a zero or non-finite vector, the first at (x, y, z) index (1, 0, 0)"),
    ]
    nm = (tmp_path / "m.ovf").read_bytes().replace(b"meshunit: m", b"meshunit: nm")
    (tmp_path / "nm.ovf").write_bytes(nm)
    refusals.append((tmp_path / "nm.ovf", "meshunit 'nm'; only metres"))
    for path, message in refusals:
        with pytest.raises(mp.MtjphysError) as error:
            ovf_initial_state(path, mesh)
        assert message in str(error.value) and str(path.name) in str(error.value), str(error.value)
    header = read_ovf(tmp_path / "m.ovf")[1]
    check_ovf_mesh(header, mesh)
    with pytest.raises(mp.MtjphysError, match="has 4 x 4 x 1 nodes"):
        check_ovf_mesh(header, Mesh("disc", 100e-9, 100e-9, 2e-9, 25e-9, 2))


# ---- the command line ---------------------------------------------------------------------------------
GRID = ["--model", "micromagnetic", "--cell-size", "25e-9"]  # a 100 nm disc on 4 x 4 cells: 12 in the magnet


def test_the_command_line_refuses_ovf_options_it_cannot_honour_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "n.nc"
    other = write_ovf(tmp_path / "other.ovf", unit_vectors((5, 5, 1)), (20e-9, 20e-9, 1e-9))
    (tmp_path / "taken.ovf").write_text("precious")
    cases = [
        (["-j", "0.9e10", "--ovf", "-o", str(out)], "--ovf applies to --model micromagnetic only"),
        (["-j", "0.9e10", "--initial-state", str(other), "-o", str(out)],
         "--initial-state applies to --model micromagnetic only"),
        (["-j", "0.9e10", *GRID, "--initial-state", str(other), "-o", str(out)],
         "has 5 x 5 x 1 nodes; the mesh has 4 x 4 x 1 cells"),
        (["-j", "0.9e10", *GRID, "--initial-state", str(tmp_path / "absent.ovf"), "-o", str(out)],
         "cannot read OVF file"),
        (["-j", "0.9e10", *GRID, "--ovf", "-o", str(tmp_path / "taken.nc")],
         "taken.ovf' exists; pass --overwrite"),
        (["-j", "0.9e10", *GRID, "--ovf", "-o", str(tmp_path / "same.ovf")], "which is the output"),
    ]
    for args, message in cases:
        code, stdout, stderr = run(["neuron", *args], capsys)
        assert code == 2 and stderr.startswith("mtjphys: error: ") and stderr.count("\n") == 1, stderr
        assert message in stderr and "Traceback" not in stderr and not stdout, (message, stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.ovf", "taken.ovf"]
    assert (tmp_path / "taken.ovf").read_text() == "precious"


@pytest.mark.slow  # about 13 s, most of it compiling the grid's solve
def test_ovf_holds_the_final_state(tmp_path, capsys):
    out = tmp_path / "first.nc"
    code, stdout, stderr = run(["neuron", "-j", "0.9e10", *GRID, "--ovf", "-o", str(out)], capsys)
    assert code == 0, stderr
    assert f"-> {out}, {tmp_path / 'first.ovf'}" in stdout
    dataset = mp.open_dataset(out)
    final = dataset.m_final.values  # (x, y, component), NaN outside the magnet
    state, header = read_ovf(tmp_path / "first.ovf")
    assert header["nodes"] == (4, 4, 1) and header["cell"] == (25e-9, 25e-9, 1e-9)
    np.testing.assert_array_equal(state[:, :, 0], np.where(np.isnan(final), 0.0, final))
    assert "initial_state" not in dataset.attrs and json.loads(dataset.attrs["parameters"])["cell_size"] == 25e-9


@pytest.mark.slow
def test_a_window_starts_from_an_ovf_state(tmp_path, capsys):
    # a state tilted by 30 degrees from the equilibrium's z, zero outside the magnet as MuMax3 writes it
    mesh = Mesh("disc", 100e-9, 100e-9, 1e-9, 25e-9, 1)
    tilted = np.where(mesh.mask[..., None], [0.5, 0.0, 0.75**0.5], 0.0)
    write_ovf(tmp_path / "tilted.ovf", tilted, mesh)
    again = tmp_path / "second.nc"
    code, _, stderr = run(["neuron", "-j", "0.9e10", *GRID, "--initial-state", str(tmp_path / "tilted.ovf"),
                           "-o", str(again)], capsys)
    assert code == 0, stderr
    second = mp.open_dataset(again)
    assert second.attrs["initial_state"] == str((tmp_path / "tilted.ovf").resolve())
    np.testing.assert_allclose(second.m.values[0], [0.5, 0.0, 0.75**0.5], rtol=0, atol=1e-12)
    assert second.m_final.shape == (4, 4, 3) and np.isfinite(second.m_final.values[mesh.mask[:, :, 0]]).all()
