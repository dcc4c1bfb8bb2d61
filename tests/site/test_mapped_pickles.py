"""core/mapped_pickles.py: a value written with its numpy arrays out of the pickle's stream, loaded with the
arrays mapped from the file (read-only, no copy), equal to what was written."""

import mmap
import pickle

import numpy as np
import pytest

from core import mapped_pickles


def _write(path, value):
    stream, buffers = mapped_pickles.dumps(value)
    with open(path, "wb") as file:
        mapped_pickles.write(file, stream, buffers)
    return mapped_pickles.size(stream, buffers)


def _mapped(array):
    """Whether `array`'s memory is a view of a mapped file."""
    base = array
    while getattr(base, "base", None) is not None:
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def test_arrays_come_back_equal_read_only_and_mapped(tmp_path):
    value = {
        "ids": np.arange(100_000, dtype=np.int64),
        "small": np.array([3, 1, 2], dtype=np.uint16),
        "fortran": np.asfortranarray(np.arange(12, dtype=np.int32).reshape(3, 4)),
        "empty": np.zeros(0, dtype=np.int32),
        "strided": np.arange(10, dtype=np.int64)[::2],  # not contiguous: kept in the stream
        "text": "chè\nxoài\ncà phê",
        "nested": [np.ones(5, dtype=bool), ("a", 1)],
    }
    size = _write(tmp_path / "value.pickle", value)
    assert size >= 800_000
    loaded = mapped_pickles.load(tmp_path / "value.pickle")
    assert loaded.keys() == value.keys()
    for name in ("ids", "small", "fortran", "empty", "strided"):
        assert np.array_equal(loaded[name], value[name]) and loaded[name].dtype == value[name].dtype
    assert loaded["fortran"].flags.f_contiguous
    assert loaded["text"] == value["text"] and loaded["nested"][1] == ("a", 1)
    assert np.array_equal(loaded["nested"][0], value["nested"][0])
    assert _mapped(loaded["ids"]) and not loaded["ids"].flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        loaded["ids"][0] = 7


def test_buffers_start_aligned_and_the_file_can_be_replaced_while_mapped(tmp_path):
    path = tmp_path / "value.pickle"
    _write(path, [np.arange(7, dtype=np.int8), np.arange(5, dtype=np.int64)])
    first = mapped_pickles.load(path)
    assert all(array.ctypes.data % mapped_pickles.ALIGN == 0 for array in first)
    replacement = tmp_path / "new.pickle"
    _write(replacement, [np.zeros(3, dtype=np.int8)])
    replacement.replace(path)  # what ProcessCopy._write_file does: the mapped file keeps its pages
    assert list(first[1]) == [0, 1, 2, 3, 4] and list(mapped_pickles.load(path)[0]) == [0, 0, 0]


def test_a_file_of_another_format_is_not_read(tmp_path):
    path = tmp_path / "old.pickle"
    path.write_bytes(pickle.dumps({"written": "by an earlier version"}))
    assert mapped_pickles.load(path) is None


def test_a_file_cut_short_is_refused_not_read_past_its_end(tmp_path):
    path = tmp_path / "value.pickle"
    _write(path, [np.arange(1_000, dtype=np.int64)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])  # the last buffer's end is missing
    with pytest.raises(ValueError, match="cut short"):
        mapped_pickles.load(path)


def test_a_write_removes_partial_files_its_writers_abandoned(tmp_path):
    import os
    import time

    abandoned, fresh = tmp_path / "index.1.partial", tmp_path / "index.2.partial"
    for partial in (abandoned, fresh):
        partial.write_bytes(b"half")
    old = time.time() - mapped_pickles.ABANDONED_SECONDS - 60
    os.utime(abandoned, (old, old))
    stream, buffers = mapped_pickles.dumps([np.arange(3)])
    mapped_pickles.write_file(tmp_path / "index.pickle", stream, buffers)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.2.partial", "index.pickle"]
    assert list(mapped_pickles.load(tmp_path / "index.pickle")[0]) == [0, 1, 2]
