"""Zip submissions for :mod:`autograder.grading.submission`: the one package extracted, capped, link-free.

Before anything is parsed, the zip's end record must declare at most ``max_members`` members and a central
directory of a matching size. Member names that are absolute, carry a drive letter or ``..`` refuse the whole
zip; members whose ``external_attr`` says symbolic link or special file are left out with a note. Only the
members of the chosen package are extracted: their declared sizes are checked first, then every byte actually
decompressed counts against the caps (a header that understates a size does not help: the read stops at the
declared size and the CRC check fails).
"""

import os
import re
import stat
import struct
import zipfile
import zlib

from ..runtime.problems import problem
from .submission import CHUNK, IGNORED_DIRS, IGNORED_SUFFIXES, STUDENT_PACKAGE, Budget, SubmissionError, choose


def _member_parts(info, shown):
    """The parts of a member's name; absolute names, drive letters and ``..`` are refused."""
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
        raise SubmissionError(problem("grade.unsafe_zip", path=shown, member=info.filename))
    return tuple(part for part in name.split("/") if part not in ("", "."))


def _member_kind(info):
    """"file", "dir", "link" or "special", from the Unix mode in ``external_attr`` (0: a plain file)."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return "link"
    if kind == stat.S_IFDIR or info.is_dir():
        return "dir"
    if kind in (0, stat.S_IFREG):
        return "file"
    return "special"


def _declared_size_of_directory(path):
    """(member count, central directory bytes) from the zip's end record, read before anything is parsed."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - (1 << 16) - 22))
        tail = handle.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or len(tail) < end + 22:
            raise zipfile.BadZipFile("no end of central directory")
        entries, directory_bytes = struct.unpack_from("<HI", tail, end + 10)
        locator = end - 20
        if (entries == 0xFFFF or directory_bytes == 0xFFFFFFFF) and locator >= 0 and \
                tail[locator:locator + 4] == b"PK\x06\x07":  # zip64: the real values are in its own record
            handle.seek(struct.unpack_from("<Q", tail, locator + 8)[0])
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06":
                entries, directory_bytes = struct.unpack_from("<QQ", record, 24)
    return entries, directory_bytes


def from_zip(path, shown, destination, limits):
    """Extract the one package of the zip ``path`` into ``destination``; returns (its path in the zip, notes)."""
    try:
        entries, directory_bytes = _declared_size_of_directory(path)
        if entries > limits.max_members or directory_bytes > limits.max_members * 1024:
            raise SubmissionError(problem("intake.too_many_files", path=shown, limit=limits.max_members))
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > limits.max_members:
                raise SubmissionError(problem("intake.too_many_files", path=shown, limit=limits.max_members))
            members = [(_member_parts(info, shown), _member_kind(info), info) for info in infos]
            files = {parts for parts, kind, _ in members if kind == "file"}
            candidates = sorted({parts[:k + 1] for parts in files for k, part in enumerate(parts[:-1])
                                 if part == STUDENT_PACKAGE and parts[k + 1:] == ("__init__.py",)})
            candidates = [c for c in candidates if not any(c[:len(o)] == o and c != o for o in candidates)]
            links = ["/".join(parts) for parts, kind, _ in members if kind == "link" and parts[-1:] == (STUDENT_PACKAGE,)]
            chosen = choose(["/".join(c) for c in candidates], links, shown)
            prefix = tuple(chosen.split("/"))
            inside = [(parts[len(prefix):], kind, info) for parts, kind, info in members
                      if parts[:len(prefix)] == prefix and len(parts) > len(prefix)]
            return chosen, _extract(archive, inside, chosen, shown, destination, limits)
    except SubmissionError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, struct.error) as error:
        raise SubmissionError(problem("intake.bad_zip", path=shown, error=error)) from None


def _extract(archive, members, chosen, shown, destination, limits):
    budget = Budget(shown, limits)
    declared = 0
    for parts, kind, info in members:  # cheap refusal from the headers first; the reads below are capped too
        shown_member = f"{shown}/{chosen}/{'/'.join(parts)}"
        if kind == "file" and not any(p in IGNORED_DIRS for p in parts):
            declared += info.file_size
            if info.file_size > limits.max_member_bytes:
                raise SubmissionError(problem("intake.file_too_large", path=shown, member=shown_member,
                                        mib=limits.max_member_bytes // CHUNK))
            if declared > limits.max_total_bytes:
                raise SubmissionError(problem("intake.too_large", path=shown, mib=limits.max_total_bytes // CHUNK))
    notes = []
    destination.mkdir()
    for parts, kind, info in members:
        shown_member = f"{shown}/{chosen}/{'/'.join(parts)}"
        if any(part in IGNORED_DIRS for part in parts) or parts[-1].endswith(IGNORED_SUFFIXES):
            continue
        if kind in ("link", "special"):
            notes.append(problem("intake.skipped_link" if kind == "link" else "intake.skipped_special", path=shown_member))
            continue
        target = destination.joinpath(*parts)
        try:
            if kind == "dir":
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            budget.count(shown_member)
            with archive.open(info) as source, open(target, "xb") as out:
                budget.copy(source, out, shown_member)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise SubmissionError(problem("intake.duplicate", path=shown, member=shown_member)) from None
    return notes
