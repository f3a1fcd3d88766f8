"""The progress update form, with evidence files checked before saving."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from saferplaces.partnership.models import Action, Status, allowed_change

# Extension -> the content type it is stored and described as. Files are
# only ever sent back as downloads, never rendered or executed.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The first bytes each type must start with (text types are checked as text).
SIGNATURES = {
    ".pdf": [b"%PDF-"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
}


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices, label="Status", help_text="Where the action stands now."
    )
    text = forms.CharField(
        label="What has happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Progress since the last update: what was done, by whom, "
        "what changed. No personal details of victims or residents.",
    )
    evidence = forms.FileField(
        label="Evidence (optional)",
        required=False,
        help_text="PDF, Word, Excel, CSV, text, PNG or JPEG, up to "
        f"{settings.EVIDENCE_MAX_MEGABYTES} MB.",
    )

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["status"].initial = action.status

    def clean_status(self) -> str:
        status = str(self.cleaned_data["status"])
        if not allowed_change(self.action.status, status):
            raise forms.ValidationError(
                f"An action that is {self.action.get_status_display().lower()} "
                "can only be reopened as on track or at risk."
                if self.action.finished
                else "A started action cannot go back to not started."
            )
        return status

    def clean_evidence(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("evidence")
        if not upload:
            return None
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in EVIDENCE_TYPES:
            raise forms.ValidationError(
                "The evidence must be a PDF, Word, Excel, CSV, text, PNG or JPEG file."
            )
        limit = settings.EVIDENCE_MAX_MEGABYTES * 1024 * 1024
        if upload.size is None or upload.size > limit:
            megabytes = settings.EVIDENCE_MAX_MEGABYTES
            raise forms.ValidationError(
                f"The evidence must be smaller than {megabytes} MB."
            )
        head = upload.read(512)
        upload.seek(0)
        if not _looks_like(suffix, head):
            raise forms.ValidationError(
                f"The file's contents are not a {suffix[1:].upper()} file."
            )
        return upload


def _looks_like(suffix: str, head: bytes) -> bool:
    if suffix in SIGNATURES:
        return any(head.startswith(signature) for signature in SIGNATURES[suffix])
    # Text: no NUL bytes, decodes as UTF-8 (a cut multi-byte character at the
    # end of the sample is allowed).
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3
    return True
