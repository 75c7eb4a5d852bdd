"""Record rules: a record names an existing procedure, form and corrected record; retention is tracked."""

from __future__ import annotations

from collections.abc import Iterator

from ..model.finding import Finding
from ..model.state import retain_until
from ..model.workspace import Workspace


def check_records(ws: Workspace) -> Iterator[Finding]:
    """Governing procedure, form and corrected record exist (or the corrected record was disposed of after
    retention); records past retention are flagged for disposal."""
    for record in ws.records:
        if record.procedure not in ws.by_id:
            yield Finding(record.path, record.line("procedure"), "QMS083", f"procedure {record.procedure} is not "
                          "a document", "name the procedure that requires this record")
        if record.form and record.form not in ws.by_id:
            yield Finding(record.path, record.line("form"), "QMS084", f"form {record.form} is not a document",
                          "name the form this record was made on, or remove 'form'")
        if record.corrects and record.corrects not in ws.records_by_id and record.corrects not in ws.disposed_ids:
            yield Finding(record.path, record.line("corrects"), "QMS085", f"corrected record {record.corrects} "
                          "does not exist", "name the id of the record this one corrects")
        record_type = ws.config.record_types.get(record.type)
        if record_type is not None:
            until = retain_until(record.date, record_type.retention_years)
            if until < ws.today:
                yield Finding(record.path, record.line("date"), "QMS086", f"retention of {record.id} ended on "
                              f"{until.isoformat()}", f"dispose of it: qms dispose {record.id} --reason ...",
                              "warning")
