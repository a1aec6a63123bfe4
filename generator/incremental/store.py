"""Where a build keeps what the next one may reuse, and how: beside the site, in
`.hindsight-cache/`, as sealed files that are read back only by the very code that wrote them.

Every cache file is checked before use and ignored when it does not match; none is needed for
a correct build.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
import zlib
from pathlib import Path


def cache_path(output: Path, kind: str) -> Path:
    """Where a build keeps `kind` between builds (the incremental record, the sheets read, the
    similar statements found, the search record, the spare site): beside the site folder, in
    `.hindsight-cache/`, never in it."""
    output = output.resolve()
    return output.parent / ".hindsight-cache" / f"{output.name}.{kind}"


# A file only this program writes and reads back (the incremental record, the sheets already
# read): a header naming what it holds, its version and the Python that wrote it (marshal's
# format is Python's own), then a CRC-32 of the body. Anything else, or a body that does not
# match its checksum (cut short, damaged, another version), is refused: read as if absent.
# (CRC-32 finds damage, not forgery, at a gigabyte a second; whoever can write here can
# write the site itself.)
_SEALED = b"hindsight %s %d python %s\n"


def write_sealed(path: Path, kind: str, version: int, value) -> None:
    """Write `value` (plain values only: dict, list, tuple, str, bytes, numbers, None) to
    `path` whole or not at all: through a temporary file renamed over it."""
    body = marshal.dumps(value)
    header = _SEALED % (kind.encode(), version, sys.version.encode("unicode_escape"))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    with open(temporary, "wb") as stream:
        stream.write(header + zlib.crc32(body).to_bytes(4, "big"))
        stream.write(body)
    os.replace(temporary, path)


def read_sealed(path: Path, kind: str, version: int):
    """The value `write_sealed` wrote to `path`; None when it is missing, unreadable, cut
    short, changed since, or of another kind, version or Python."""
    header = _SEALED % (kind.encode(), version, sys.version.encode("unicode_escape"))
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    checksum, body = raw[len(header):len(header) + 4], memoryview(raw)[len(header) + 4:]
    if not raw.startswith(header) or zlib.crc32(body).to_bytes(4, "big") != checksum:
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None


@functools.cache
def code_digest() -> str:
    """A digest of the generator's code and schemas: what reading, checking and modelling do."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(CODE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(CODE).as_posix()}\0".encode())
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


CODE = Path(__file__).resolve().parent.parent   # the generator package
