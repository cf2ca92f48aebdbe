"""Importing messages: classification, grouping, tagging and duplicate suggestions,
stored with bulk statements in one transaction per batch.

An import streams: it reads the messages lazily, a batch at a time, and commits each batch
in its own short transaction, so a long import never holds the database for long (a
moderator's decision waits for one batch at most), keeps only one batch in memory, and an
interrupted import keeps every batch it committed: run again, it adds exactly what is
missing (known source keys are skipped). After each committed batch `_after_import_batch`
runs (the place for follow-up work on the new questions), then the caller's `progress`.

The rooms: `pipeline` (the use cases and one batch's store), `batches` (reading and sizing
the batches), `linking` (replies and votes), `duplicates` (suggestions and auto-merges),
`divide_mails` (mails listing several questions), `summary` (what an import did).
"""

from moderator.services.importing.pipeline import ImportingMixin
from moderator.services.importing.summary import (
    ImportBatch,
    ImportSummary,
    Progress,
    fold_imports,
)

__all__ = ["ImportBatch", "ImportSummary", "ImportingMixin", "Progress", "fold_imports"]
