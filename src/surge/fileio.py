"""Reading input files with limits and writing output files atomically.

Every command reads its files through :func:`read_text` (a size limit, regular files and
pipes only, UTF-8) and writes through :func:`write_text` (a temporary file in the same
folder, flushed to disk, then renamed over the target), so a full disk or an interrupt
never leaves a half-written file nor destroys the file that was there. :func:`check_output`
refuses, before any work is done, an output that cannot be written or that is one of the
command's inputs. Missing folders of an output are created (for every command).

>>> check_output(Path("plan.json"), [Path("scenario.yaml")])
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from surge.errors import InputError

MAX_INPUT_BYTES = 512 * 1024 * 1024
"""Largest input file read [bytes]; ``SURGE_MAX_INPUT_MB`` changes it."""


def max_input_bytes() -> int:
    """The input size limit [bytes]: ``SURGE_MAX_INPUT_MB`` if set, else 512 MB."""
    text = os.environ.get("SURGE_MAX_INPUT_MB", "")
    try:
        return int(float(text) * 1024 * 1024) if text else MAX_INPUT_BYTES
    except ValueError:
        return MAX_INPUT_BYTES


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of an input file, refused with an :class:`InputError` naming the file
    if it is missing, a folder or a device, larger than the limit, or not UTF-8."""
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{p}: is a directory, expected a {what}")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise InputError(f"{p}: is not a regular file (a device?), expected a {what}")
    limit = max_input_bytes()
    if info.st_size > limit:
        raise InputError(f"{p}: {info.st_size / 2**20:,.0f} MB is larger than the input limit "
                         f"of {limit / 2**20:,.0f} MB (set SURGE_MAX_INPUT_MB to change it)")
    try:
        with open(p, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise InputError(f"{p}: larger than the input limit of {limit / 2**20:,.0f} MB "
                         "(set SURGE_MAX_INPUT_MB to change it)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _writable(mode: int) -> bool:
    return bool(mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def check_output(path: Path, inputs: Iterable[Path | None] = (), option: str = "--output") -> None:
    """Refuse, before any work, an output path that cannot be written or is an input.

    Raises
    ------
    InputError
        "cannot write PATH: ..." naming the reason (a folder, read-only, under a file,
        not allowed) or saying that it is also an input of the command.
    """
    for other in inputs:
        if other is not None and _same(path, Path(other)):
            raise InputError(f"cannot write {option} {path}: it is also an input of the "
                             f"command ({other}); choose another path")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a directory")
    if path.exists() and (not _writable(path.stat().st_mode) or not os.access(path, os.W_OK)):
        raise InputError(f"cannot write {path}: the file is read-only")
    folder = path.parent
    while not folder.exists():  # missing folders are created: the first existing one counts
        if folder.is_symlink() or folder == folder.parent:
            break
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise InputError(f"cannot write {path}: {folder} is a file, not a directory")
    if folder.exists() and (not os.access(folder, os.W_OK | os.X_OK)
                            or not _writable(folder.stat().st_mode)):
        raise InputError(f"cannot write {path}: the directory {folder} is read-only")


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path.

    The text goes to a temporary file in the same folder, is flushed to disk, then renamed
    over ``path``: readers see the old file or the new one, never a part. Missing folders
    are created.
    """
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """:func:`write_text` for bytes."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise InputError(f"cannot write {p}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if p.exists():
            os.chmod(tmp, stat.S_IMODE(p.stat().st_mode))
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, p)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {p}: {exc.strerror}") from None
        raise
    _sync_folder(p.parent)
    return p


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
