"""Parameter sweeps: results, file store, resume after deletions, failures and crashes, Dask schedulers."""

import json
import os
import pathlib
import uuid

import numpy as np
import pytest
import xarray as xr

import mtjphys as mp
from mtjphys.data import _sweep, code_hash
from mtjphys.data._sweep import point_name, run_sweep


def quadratic(a, b, scale=1.0, record=None):
    """scale * a**2 + b. With `record` (a directory), each call leaves a marker file there, and the call fails
    if `record/fail.json` names its point."""
    if record is not None:
        record = pathlib.Path(record)
        (record / f"call_a={a}_b={b}_pid={os.getpid()}_{uuid.uuid4().hex}").touch()
        fail = record / "fail.json"
        if fail.exists() and json.loads(fail.read_text()) == [a, b]:
            raise ValueError(f"cannot evaluate a={a}, b={b}")
    return xr.Dataset({"value": ((), scale * a**2 + b), "pid": ((), os.getpid())},
                      attrs={"title": "quadratic", "first_a": a})


def curve(label, k):
    """A result with its own dimension and a string variable."""
    t = np.linspace(0.0, 1.0, 4)
    return xr.Dataset({"trace": (("t",), k * t), "label_copy": ((), label)}, coords={"t": t})


def returns_list(a):
    return [a]


def ragged(n):
    """Results whose unlabelled dimension differs in size between points."""
    return xr.Dataset({"trace": (("sample",), np.zeros(n))})


def calls(record):
    """Returns: the (a, b) of every recorded call."""
    points = []
    for path in pathlib.Path(record).glob("call_*"):
        fields = dict(field.split("=") for field in path.name.split("_")[1:4])
        points.append((float(fields["a"]), float(fields["b"])))
    return sorted(points)


def point_files(store):
    return sorted(path.name for path in pathlib.Path(store).glob("*.nc"))


@pytest.fixture
def record(tmp_path):
    path = tmp_path / "calls"
    path.mkdir()
    return path


GRID = {"a": [3.0, 1.0, 2.0], "b": [10, 20]}


def test_synchronous_sweep_values_dims_and_attributes(tmp_path):
    store = tmp_path / "store"
    result = run_sweep(quadratic, GRID, store, fixed={"scale": 2.0}, scheduler="synchronous", progress=False)
    assert result.value.dims == ("a", "b")
    assert result.a.values.tolist() == [3.0, 1.0, 2.0] and result.a.dtype.kind == "f"
    assert result.b.values.tolist() == [10, 20] and result.b.dtype.kind == "i"
    expected = 2.0 * np.array([3.0, 1.0, 2.0])[:, None] ** 2 + np.array([10, 20])[None, :]
    np.testing.assert_array_equal(result.value.values, expected)
    assert result.attrs["title"] == "quadratic" and result.attrs["first_a"] == 3.0  # the first point's
    assert json.loads(result.attrs["sweep_grid"]) == GRID
    assert json.loads(result.attrs["sweep_fixed"]) == {"scale": 2.0}
    assert result.attrs["sweep_function"] == "tests.test_sweep.quadratic"
    assert "sweep_point" not in result.attrs
    files = point_files(store)
    assert len(files) == 6 and f"{point_name({'a': 3.0, 'b': 10}, {'scale': 2.0})}.nc" in files
    manifest = json.loads((store / "sweep.json").read_text())
    assert manifest["function"] == "tests.test_sweep.quadratic" and manifest["fixed"] == {"scale": 2.0}
    # the combined dataset can itself be saved
    mp.write_dataset(result, tmp_path / "all.nc")
    assert mp.open_dataset(tmp_path / "all.nc").identical(result)


def test_strings_and_own_dimensions_keep_grid_order(tmp_path):
    result = run_sweep(curve, {"label": ["y", "x"], "k": [2, 1, 3]}, tmp_path, scheduler="synchronous",
                       progress=False)
    assert result.trace.dims == ("label", "k", "t")
    assert result.label.values.tolist() == ["y", "x"] and result.label.dtype.kind == "U"
    assert result.k.values.tolist() == [2, 1, 3] and result.k.dtype.kind == "i"
    np.testing.assert_allclose(result.trace.sel(label="x", k=3).values, 3 * np.linspace(0, 1, 4))
    assert result.label_copy.values.tolist() == [["y"] * 3, ["x"] * 3]


def test_point_names_are_safe_deterministic_and_depend_on_fixed():
    name = point_name({"label": "a b/../c", "a": 0.5}, {})
    assert name == point_name({"label": "a b/../c", "a": 0.5}, {})
    assert "/" not in name and " " not in name and not name.startswith(".")
    assert name.startswith("label=a-b-..-c_a=0.5__") and len(name.split("__")[1]) == 12
    assert point_name({"a": 1}, {}) == point_name({"a": 1.0}, {}) == point_name({"a": np.int64(1)}, {})
    assert point_name({"a": 1}, {"scale": 1}) != point_name({"a": 1}, {"scale": 2})
    assert len(point_name({"label": "x" * 500}, {})) < 120


def test_resume_recomputes_only_a_deleted_point(tmp_path, record):
    store, fixed = tmp_path / "store", {"record": str(record)}
    first = run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    assert len(calls(record)) == 6
    (store / f"{point_name({'a': 1.0, 'b': 20}, fixed)}.nc").unlink()
    second = run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    assert calls(record) == sorted([(a, b) for a in GRID["a"] for b in GRID["b"]] + [(1.0, 20.0)])
    # the same data and attributes; only the combined dataset's own creation time may differ
    assert second.attrs.pop("created") >= first.attrs.pop("created")
    assert second.identical(first)
    # extending the grid computes only the new points and keeps the old ones in the manifest
    run_sweep(quadratic, {"a": [3.0, 1.0, 2.0, 4.0], "b": [20]}, store, fixed=fixed, scheduler="synchronous",
              progress=False)
    assert calls(record).count((4.0, 20.0)) == 1 and len(calls(record)) == 8
    manifest = json.loads((store / "sweep.json").read_text())
    assert manifest["grid"] == {"a": [3.0, 1.0, 2.0, 4.0], "b": [10, 20]}


def test_failed_point_raises_after_the_others_are_saved_and_is_computed_next_time(tmp_path, record):
    store, fixed = tmp_path / "store", {"record": str(record)}
    (record / "fail.json").write_text(json.dumps([1.0, 10]))
    with pytest.raises(ValueError, match=r"cannot evaluate a=1\.0, b=10") as error:
        run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    assert any("sweep point a=1.0, b=10 failed" in note for note in error.value.__notes__)
    assert len(calls(record)) == 6 and len(point_files(store)) == 5  # the points after it still ran
    assert not (store / f"{point_name({'a': 1.0, 'b': 10}, fixed)}.nc").exists()
    (record / "fail.json").unlink()
    result = run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    assert calls(record).count((1.0, 10.0)) == 2 and len(calls(record)) == 7
    assert float(result.value.sel(a=1.0, b=10)) == 11.0


def test_a_result_that_is_not_a_dataset_fails_its_point(tmp_path):
    with pytest.raises(mp.MtjphysError, match="returned list, not an xarray Dataset"):
        run_sweep(returns_list, {"a": [1, 2]}, tmp_path, scheduler="synchronous", progress=False)
    assert point_files(tmp_path) == []


def test_crash_while_writing_leaves_no_point_file(tmp_path, record, monkeypatch):
    store, fixed = tmp_path / "store", {"record": str(record)}
    crashing = point_name({"a": 2.0, "b": 10}, fixed)
    original = xr.Dataset.to_netcdf

    def to_netcdf_crashing_halfway(self, path, *args, **kwargs):
        if crashing in str(path):
            pathlib.Path(path).write_bytes(b"CDF\x01" + b"\x00" * 100)  # a half-written temporary file
            raise KeyboardInterrupt  # an interruption, not an error: the sweep stops here
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(xr.Dataset, "to_netcdf", to_netcdf_crashing_halfway)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    monkeypatch.undo()
    assert not (store / f"{crashing}.nc").exists()
    assert len(point_files(store)) == 4  # the points before the crash
    assert [path.name for path in store.iterdir() if path.name.startswith(".")] == []
    for name in point_files(store):
        mp.open_dataset(store / name)  # complete
    # a temporary file left by a hard kill is removed; the missing points are computed
    stale = store / f".{crashing}.nc.x1y2z3.tmp"
    stale.write_bytes(b"partial")
    result = run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    assert not stale.exists() and len(point_files(store)) == 6
    assert calls(record).count((2.0, 10.0)) == 2 and calls(record).count((2.0, 20.0)) == 1
    assert float(result.value.sel(a=2.0, b=10)) == 14.0


def test_corrupt_or_foreign_point_files_are_recomputed(tmp_path, record):
    store, fixed = tmp_path / "store", {"record": str(record)}
    run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    corrupt = store / f"{point_name({'a': 3.0, 'b': 20}, fixed)}.nc"
    corrupt.write_bytes(os.urandom(300))
    foreign = store / f"{point_name({'a': 2.0, 'b': 20}, fixed)}.nc"
    foreign.write_bytes((store / f"{point_name({'a': 3.0, 'b': 10}, fixed)}.nc").read_bytes())
    with pytest.warns(UserWarning) as warned:
        result = run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    messages = sorted(str(warning.message) for warning in warned)
    assert len(messages) == 2 and "another point" in messages[0] and "unreadable" in messages[1]
    assert len(calls(record)) == 8
    assert calls(record).count((3.0, 20.0)) == 2 and calls(record).count((2.0, 20.0)) == 2
    assert float(result.value.sel(a=3.0, b=20)) == 29.0 and float(result.value.sel(a=2.0, b=20)) == 24.0
    mp.open_dataset(corrupt)  # replaced by a valid file


def test_store_of_another_sweep_is_refused(tmp_path):
    run_sweep(quadratic, {"a": [1], "b": [2]}, tmp_path, fixed={"scale": 1.0}, scheduler="synchronous",
              progress=False)
    with pytest.raises(mp.MtjphysError, match="fixed=") as error:
        run_sweep(quadratic, {"a": [1], "b": [2]}, tmp_path, fixed={"scale": 3.0}, scheduler="synchronous",
                  progress=False)
    assert "\n" not in str(error.value)
    with pytest.raises(mp.MtjphysError, match=r"holds a sweep of tests\.test_sweep\.quadratic"):
        run_sweep(curve, {"label": ["x"], "k": [1]}, tmp_path, fixed={"scale": 1.0}, scheduler="synchronous",
                  progress=False)
    with pytest.raises(mp.MtjphysError, match="sweeps"):
        run_sweep(quadratic, {"a": [1], "c": [2]}, tmp_path, fixed={"scale": 1.0}, scheduler="synchronous",
                  progress=False)
    # the same fixed arguments, written as an integer, are the same sweep
    result = run_sweep(quadratic, {"a": [1], "b": [2]}, tmp_path, fixed={"scale": 1}, scheduler="synchronous",
                       progress=False)
    assert result.value.values.tolist() == [[3.0]]


@pytest.mark.parametrize(("function", "grid", "fixed", "message"), [
    (quadratic, {}, None, "non-empty dict"),
    (quadratic, [("a", [1])], None, "non-empty dict"),
    (quadratic, {"a": [], "b": [1]}, None, "'a' has no values"),
    (quadratic, {"a": [1, 2, 1], "b": [1]}, None, "lists the value 1 twice"),
    (quadratic, {"a": [1, 1.0], "b": [1]}, None, "twice"),
    (quadratic, {"a": 1, "b": [1]}, None, "must be a list of values"),
    (quadratic, {"a": "abc", "b": [1]}, None, "must be a list of values"),
    (quadratic, {"a": [1, "x"], "b": [1]}, None, "mixes strings and numbers"),
    (quadratic, {"a": [[1, 2]], "b": [1]}, None, "numbers or strings"),
    (quadratic, {"a": [float("nan")], "b": [1]}, None, "finite"),
    (quadratic, {"": [1]}, None, "non-empty strings"),
    (quadratic, {"a": [1], "b": [1]}, {"a": 2}, "both swept"),
    (quadratic, {"a": [1], "b": [1]}, {"scale": object()}, "cannot be recorded"),
    ("quadratic", {"a": [1], "b": [1]}, None, "must be callable"),
])
def test_invalid_arguments(tmp_path, function, grid, fixed, message):
    with pytest.raises(mp.MtjphysError, match=message):
        run_sweep(function, grid, tmp_path / "store", fixed=fixed, scheduler="synchronous", progress=False)
    assert not (tmp_path / "store").exists()


def test_store_that_is_a_file(tmp_path):
    (tmp_path / "store").write_text("")
    with pytest.raises(mp.MtjphysError, match="is a file"):
        run_sweep(quadratic, {"a": [1], "b": [1]}, tmp_path / "store", scheduler="synchronous", progress=False)


def test_thread_cluster_and_scheduler_address(tmp_path, record):
    from distributed import Client, LocalCluster

    fixed = {"record": str(record)}
    (record / "fail.json").write_text(json.dumps([2.0, 20]))
    with pytest.raises(ValueError, match="cannot evaluate") as error:
        run_sweep(quadratic, GRID, tmp_path / "threads", fixed=fixed, scheduler="threads", progress=False)
    assert any("a=2.0, b=20" in note for note in error.value.__notes__)
    assert len(point_files(tmp_path / "threads")) == 5 and len(calls(record)) == 6
    (record / "fail.json").unlink()
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        result = run_sweep(quadratic, GRID, tmp_path / "threads", fixed=fixed, scheduler=cluster.scheduler_address,
                           progress=False)
        assert calls(record).count((2.0, 20.0)) == 2 and len(calls(record)) == 7
        assert float(result.value.sel(a=2.0, b=20)) == 24.0
        with Client(cluster.scheduler_address) as client:  # the user's scheduler is still running
            assert client.submit(sum, [1, 2]).result() == 3


def test_default_local_cluster_of_processes(tmp_path, record, monkeypatch):
    monkeypatch.setattr(_sweep, "_available_cores", lambda: 2)
    grid = {"a": [1.0, 2.0], "b": [0, 5]}
    result = run_sweep(quadratic, grid, tmp_path / "store", fixed={"record": str(record)}, progress=False)
    np.testing.assert_array_equal(result.value.values, [[1.0, 6.0], [4.0, 9.0]])
    worker_pids = {int(pid) for pid in result.pid.values.ravel()}
    assert os.getpid() not in worker_pids and 1 <= len(worker_pids) <= 2
    assert len(point_files(tmp_path / "store")) == 4 and len(calls(record)) == 4


def test_results_that_cannot_be_combined(tmp_path):
    with pytest.raises(mp.MtjphysError, match="cannot combine") as error:
        run_sweep(ragged, {"n": [2, 3]}, tmp_path, scheduler="synchronous", progress=False)
    assert "\n" not in str(error.value) and len(point_files(tmp_path)) == 2


def test_every_point_and_the_manifest_carry_provenance(tmp_path):
    store = tmp_path / "store"
    record = mp.Parameters({"alpha": 0.02})
    result = run_sweep(quadratic, GRID, store, scheduler="synchronous", progress=False, record=record)
    for name in point_files(store):
        attrs = mp.open_dataset(store / name).attrs
        assert attrs["code_hash"] == code_hash() and attrs["mtjphys_version"] == mp.__version__
        assert json.loads(attrs["parameters"])["alpha"] == 0.02 and attrs["sweep_function"].endswith("quadratic")
    assert json.loads(result.attrs["parameters"])["alpha"] == 0.02
    manifest = json.loads((store / "sweep.json").read_text())
    assert manifest["provenance"]["code_hash"] == code_hash() and "created" in manifest["provenance"]


def _restamp(path, **changes):
    dataset = mp.open_dataset(path)
    dataset.attrs.update(changes)
    mp.write_dataset(dataset, path, overwrite=True)


def test_a_point_from_other_code_or_another_record_is_recomputed_or_refused(tmp_path, record):
    store, fixed = tmp_path / "store", {"record": str(record)}
    run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    other_code = store / f"{point_name({'a': 3.0, 'b': 10}, fixed)}.nc"
    _restamp(other_code, code_hash="0" * 64)
    with pytest.raises(mp.MtjphysError, match="computed with another code_hash") as error:
        run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False, stale="refuse")
    assert "\n" not in str(error.value) and len(calls(record)) == 6
    run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False)
    assert calls(record).count((3.0, 10.0)) == 2 and len(calls(record)) == 7
    assert mp.open_dataset(other_code).attrs["code_hash"] == code_hash()
    # another parameter record: every point is computed again
    run_sweep(quadratic, GRID, store, fixed=fixed, scheduler="synchronous", progress=False,
              record=mp.Parameters({"Ku": 2e5}))
    assert len(calls(record)) == 13


def test_a_store_in_use_by_another_sweep_is_refused(tmp_path):
    import fcntl

    store = tmp_path / "store"
    store.mkdir()
    with open(store / "sweep.lock", "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.write("process 12345 on elsewhere\n")
        holder.flush()
        with pytest.raises(mp.MtjphysError, match="in use by another sweep \\(process 12345 on elsewhere\\)"):
            run_sweep(quadratic, GRID, store, scheduler="synchronous", progress=False)
    assert point_files(store) == []
    run_sweep(quadratic, GRID, store, scheduler="synchronous", progress=False)  # free again
    assert len(point_files(store)) == 6
