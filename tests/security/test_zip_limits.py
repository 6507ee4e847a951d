"""Zip bombs, oversized and unsafe submissions are refused quickly, with a clear message, without filling the disk.

The caps are :class:`IntakeLimits`' defaults (what ``course grade`` uses). Every attack is measured while the
grader opens it: its temporary files go to a directory of the test (``tempfile.tempdir``), whose disk use a
thread samples every few milliseconds; the peak must stay under the cap on total size.
"""

import os
import struct
import tempfile
import threading
import time
import zipfile

import pytest

from autograder.grading import reports
from autograder.grading.grade import SubmissionError, open_submission
from autograder.grading.submission import IntakeLimits

from .submissions import grade_beside_companion, stubs_with_reference, zip_tree

LIMITS = IntakeLimits()
MIB = 1024**2
QUICK_SECONDS = 5.0
ASSIGNMENTS = ["a4"]


class DiskUse:
    """Peak bytes on disk (allocated blocks) and files under a directory while the block runs."""

    def __init__(self, directory):
        self.directory, self.peak_bytes, self.peak_files, self._stop = directory, 0, 0, threading.Event()

    def _measure(self):
        total, files = 0, 0
        for parent, _, names in os.walk(self.directory):
            for name in names:
                try:
                    total += os.lstat(os.path.join(parent, name)).st_blocks * 512
                    files += 1
                except FileNotFoundError:
                    pass
        self.peak_bytes, self.peak_files = max(self.peak_bytes, total), max(self.peak_files, files)

    def _run(self):
        while not self._stop.is_set():
            self._measure()
            time.sleep(0.005)

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.started
        self._stop.set()
        self._thread.join()
        self._measure()


@pytest.fixture
def grader_tmp(tmp_path, monkeypatch):
    directory = tmp_path / "grader-tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def write_zeros(zf, name, size):
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=size > 2**31) as handle:
        chunk = bytes(MIB)
        for start in range(0, size, MIB):
            handle.write(chunk[:min(MIB, size - start)])


def bomb(tmp_path, members, name="bomb.zip"):
    """The A4 reference (graded) plus ``members`` {name: size} of zeros inside the package, deflated."""
    root = stubs_with_reference(tmp_path / f"{name}-repo", ["a4_gru"])
    archive = zip_tree(root, tmp_path / name)
    with zipfile.ZipFile(archive, "a") as zf:
        for member, size in members.items():
            write_zeros(zf, member, size)
    return archive


def refused(archive, grader_tmp):
    """Open ``archive`` as the grader does; returns (the SubmissionError's message, DiskUse)."""
    with DiskUse(grader_tmp) as disk:
        with pytest.raises(SubmissionError) as error:
            with open_submission(archive):
                pass
    assert disk.seconds < QUICK_SECONDS, disk.seconds
    assert disk.peak_bytes <= LIMITS.max_total_bytes, disk.peak_bytes
    return str(error.value), disk


def test_one_huge_member_is_refused_before_it_is_written(tmp_path, grader_tmp):
    size = 4 * LIMITS.max_total_bytes
    archive = bomb(tmp_path, {"assignments/a4_gru/weights.bin": size})
    assert archive.stat().st_size < size / 100  # a real bomb: small zip, huge content
    message, disk = refused(archive, grader_tmp)
    assert "assignments/a4_gru/weights.bin" in message and f"{LIMITS.max_member_bytes // MIB} MiB" in message
    assert str(tmp_path) not in message


def test_members_under_the_member_cap_but_over_the_total_cap(tmp_path, grader_tmp):
    each = LIMITS.max_member_bytes - MIB
    count = LIMITS.max_total_bytes // each + 1
    archive = bomb(tmp_path, {f"assignments/a4_gru/part{k}.bin": each for k in range(count)})
    message, _ = refused(archive, grader_tmp)
    assert f"{LIMITS.max_total_bytes // MIB} MiB" in message


def lie_about_size(archive, member, declared):
    """Rewrite the uncompressed size of ``member`` in its local and central headers (the data stays huge)."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
        central = zf.start_dir
    data = bytearray(archive.read_bytes())
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    entry = central
    while True:
        assert data[entry:entry + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46:entry + 46 + name_length] == member.encode():
            break
        entry += 46 + name_length + extra_length + comment_length
    struct.pack_into("<I", data, entry + 24, declared)
    archive.write_bytes(bytes(data))


def test_headers_that_understate_the_size_are_not_trusted(tmp_path, grader_tmp):
    member = "assignments/a4_gru/weights.bin"
    archive = bomb(tmp_path, {member: 4 * LIMITS.max_total_bytes})
    lie_about_size(archive, member, 1000)
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo(member).file_size == 1000
    message, _ = refused(archive, grader_tmp)
    assert member in message


def test_many_tiny_files_are_refused_before_any_is_written(tmp_path, grader_tmp):
    root = stubs_with_reference(tmp_path / "bomber-repo", ["a4_gru"])
    archive = zip_tree(root, tmp_path / "tiny.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        for k in range(LIMITS.max_members + 1):
            zf.writestr(f"assignments/a4_gru/junk/{k}.txt", "")
    message, disk = refused(archive, grader_tmp)
    assert str(LIMITS.max_members) in message
    assert disk.peak_files == 0


def test_a_huge_file_in_a_directory_submission_is_not_copied(tmp_path, grader_tmp):
    root = stubs_with_reference(tmp_path / "bomber", ["a4_gru"])
    with (root / "assignments" / "a4_gru" / "weights.bin").open("wb") as handle:
        handle.truncate(4 * LIMITS.max_total_bytes)  # sparse: costs nothing until someone copies it
    message, _ = refused(root, grader_tmp)
    assert "assignments/a4_gru/weights.bin" in message and str(tmp_path) not in message


def test_a_bomb_outside_the_package_is_never_extracted(tmp_path, grader_tmp):
    archive = bomb(tmp_path, {"data/weights.bin": 4 * LIMITS.max_total_bytes})
    with DiskUse(grader_tmp) as disk:
        with open_submission(archive) as intake:
            assert (intake.package_dir / "a4_gru" / "gru.py").is_file()
    assert disk.seconds < QUICK_SECONDS and disk.peak_bytes <= LIMITS.max_total_bytes


@pytest.mark.parametrize("member", ["/etc/cron.d/evil", "../escape.py", "assignments/../../escape.py",
                                    "..\\..\\escape.py", "C:/Windows/evil.py"])
def test_unsafe_member_names_refuse_the_zip(tmp_path, grader_tmp, member):
    root = stubs_with_reference(tmp_path / "repo", ["a4_gru"])
    archive = zip_tree(root, tmp_path / "evil.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(zipfile.ZipInfo(member), "x = 1\n")
    message, disk = refused(archive, grader_tmp)
    assert "unsafe path" in message and disk.peak_files == 0


def test_bombs_in_a_batch_score_zero_and_leave_the_others_alone(tmp_path, grader_tmp):
    huge = bomb(tmp_path, {"assignments/a4_gru/weights.bin": 4 * LIMITS.max_total_bytes}, "huge.zip")
    lying = bomb(tmp_path, {"assignments/a4_gru/weights.bin": 4 * LIMITS.max_total_bytes}, "lying.zip")
    lie_about_size(lying, "assignments/a4_gru/weights.bin", 1000)
    graded, _ = grade_beside_companion([huge, lying], tmp_path, ASSIGNMENTS)
    for report in graded:
        assert report.points == 0
        assert "assignments/a4_gru/weights.bin" in reports.task_messages(report.tasks[0])[0]
