"""A readable history of a case's audit log (``bundler audit show``)."""

from __future__ import annotations

from collections.abc import Sequence

from bundler.audit.log import RECORD_FILES
from bundler.audit.model import AuditEntry, FileRecord, format_time

SHORT = 12


def _file(record: FileRecord) -> str:
    return f"{record.path} ({record.sha256[:SHORT]})"


def _is_record(path: str) -> bool:
    return path in RECORD_FILES or (
        path.startswith("residents/") and path.count("/") == 1 and path.endswith((".yaml", ".yml"))
    )


def records_changed(before: AuditEntry | None, after: AuditEntry) -> list[str]:
    """The record files (case.yaml, residents/...) that changed, appeared or went between
    two entries that both recorded them, e.g. ['residents/R02.yaml (changed)']."""
    if before is None or before.records is None or after.records is None:
        return []
    # The records as the earlier action left them: what it found, with what it wrote
    # (a letter's entry in letters.yaml) in place.
    old = {r.path: r.sha256 for r in before.records}
    old.update((o.path, o.sha256) for o in before.outputs if _is_record(o.path))
    new = {r.path: r.sha256 for r in after.records}
    changes = []
    for path in sorted(old.keys() | new.keys()):
        if path not in new:
            changes.append(f"{path} (removed)")
        elif path not in old:
            changes.append(f"{path} (added)")
        elif old[path] != new[path]:
            changes.append(f"{path} (changed)")
    return changes


def render_history(entries: Sequence[AuditEntry]) -> str:
    """A plain-text table: seq, UTC time, action, user, outputs with short hashes.

    Each further output of an entry goes on its own line under the first. Where the case's
    records changed between two actions, a line before the later one says which.
    """
    header = ("seq", "time (UTC)", "action", "user", "outputs (sha256)")
    rows: list[tuple[str, str, str, str, str]] = []
    previous: AuditEntry | None = None
    for entry in entries:
        changed = records_changed(previous, entry)
        if changed:
            rows.append(("", "", "", "", f"-- records changed since entry {previous.seq if previous else '?'}: "
                         + ", ".join(changed)))
        if entry.records is not None:
            previous = entry
        outputs = [_file(o) for o in entry.outputs] or ["-"]
        rows.append(
            (str(entry.seq), format_time(entry.time), str(entry.action), entry.user, outputs[0])
        )
        rows.extend(("", "", "", "", more) for more in outputs[1:])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def fmt(row: tuple[str, str, str, str, str]) -> str:
        seq, when, action, user, files = row
        return "  ".join(
            [
                seq.rjust(widths[0]),
                when.ljust(widths[1]),
                action.ljust(widths[2]),
                user.ljust(widths[3]),
                files,
            ]
        ).rstrip()

    if not rows:
        return "(no entries recorded yet)"
    return "\n".join([fmt(header), *(fmt(row) for row in rows)])
