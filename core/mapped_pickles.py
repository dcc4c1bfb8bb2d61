"""Pickles whose large buffers a process maps from their file instead of reading and copying them.

A process copy too big for the cache (core/process_copies.py: the search index of a 1,000,000-product
catalogue, ~300 MB) goes through a file of the host. Read and unpickled, it costs each worker seconds
and its own 300 MB. Written with pickle's protocol 5, the numpy arrays that make up most of it are kept out
of the pickle's stream ("out-of-band" buffers) and laid after it in the same file; `load` maps the file
and hands pickle views of it, so the arrays are read straight from the file's pages in the operating
system's cache: loading takes milliseconds, and every worker of the host shares one copy in memory. The
arrays are read-only (the copies are never changed in place: they are replaced whole).

The file: MAGIC, the stream's length and the number of buffers, then each buffer's offset and length, the
stream, and the buffers, each starting on an ALIGN-byte boundary. A file that does not start with MAGIC
(written by an earlier version) is not read.
"""

import contextlib
import mmap
import os
import pickle
import struct
import time
import uuid

MAGIC = b"OCOPMAP1"
ALIGN = 64
# A partial file this old was abandoned: a write takes seconds even at 1,000,000 products.
ABANDONED_SECONDS = 600
_PAIR = struct.Struct("<QQ")  # the stream's length and the number of buffers, then each buffer's offset and length


def dumps(value):
    """(the pickle stream, [its out-of-band buffers as memoryviews]): nothing copied yet."""
    buffers = []
    stream = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    return stream, [buffer.raw() for buffer in buffers]


def size(stream, buffers) -> int:
    return len(stream) + sum(buffer.nbytes for buffer in buffers)


def write(file, stream, buffers):
    """Write what `dumps` gave to an open binary file."""
    header = len(MAGIC) + _PAIR.size + _PAIR.size * len(buffers)
    offset = _aligned(header + len(stream))
    places = []
    for buffer in buffers:
        places.append((offset, buffer.nbytes))
        offset = _aligned(offset + buffer.nbytes)
    file.write(MAGIC + _PAIR.pack(len(stream), len(buffers)))
    for place in places:
        file.write(_PAIR.pack(*place))
    file.write(stream)
    written = header + len(stream)
    for (start, _length), buffer in zip(places, buffers, strict=True):
        file.write(b"\0" * (start - written))
        file.write(buffer)
        written = start + buffer.nbytes


def write_file(path, stream, buffers):
    """Write what `dumps` gave to `path`, whole or not at all: a partial file, flushed to the disk, renamed
    over it (a process that mapped the old file keeps its pages; after a crash the name holds the old file
    or the whole new one, never a new one whose pages were not written). Raises OSError."""
    partial = path.with_suffix(f".{uuid.uuid4().hex}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(path.parent)
        with open(partial, "wb") as file:
            write(file, stream, buffers)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def _remove_abandoned(directory):
    """Partial files older than ABANDONED_SECONDS: their writer died (a worker recycled mid-write)."""
    limit = time.time() - ABANDONED_SECONDS
    for partial in directory.glob("*.partial"):
        with contextlib.suppress(OSError):
            if partial.stat().st_mtime < limit:
                partial.unlink()


def load(path):
    """The value in the file at `path`, its buffers mapped from the file; None when it is not such a file."""
    with open(path, "rb") as file:
        if file.read(len(MAGIC)) != MAGIC:
            return None
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    at = len(MAGIC)
    stream_length, count = _PAIR.unpack_from(view, at)
    at += _PAIR.size
    buffers = []
    for _ in range(count):
        start, length = _PAIR.unpack_from(view, at)
        at += _PAIR.size
        if start + length > len(view):
            raise ValueError(f"{path}: cut short")
        buffers.append(view[start : start + length])
    return pickle.loads(view[at : at + stream_length], buffers=buffers)  # noqa: S301 (written by this host)


def _aligned(offset):
    return -(-offset // ALIGN) * ALIGN
