"""Photos of a visit: checked by content, kept once per inspection, removable from a draft."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import storage
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..uow import transactional
from . import files
from .access import require_edit
from .inputs import clean, item_ids
from .models import Inspection, InspectionPhoto


@transactional
def add_photo(
    user,
    inspection: Inspection,
    data: bytes,
    *,
    item_code: str | None = None,
    caption: str | None = None,
    client_key: str | None = None,
) -> tuple[InspectionPhoto, bool]:
    """Keep a photo of the visit; returns (photo, created). The same photo twice is kept
    once. Photos added after submitting are allowed and dated (shown as added later)."""
    require_edit(user, inspection)
    if inspection.status == "cancelled":
        raise Conflict(_("This inspection is cancelled."), field="status")
    files.check_size(len(data))
    if not data:
        raise Invalid(_("Choose a photo."), field="file")
    if client_key:
        client_key = client_key[:64]
        found = db.session.scalar(
            select(InspectionPhoto).where(
                InspectionPhoto.inspection_id == inspection.id,
                InspectionPhoto.client_key == client_key,
            )
        )
        if found is not None:
            return found, False
    item_id = None
    if item_code:
        item_id = item_ids(inspection).get(item_code)
        if item_id is None:
            raise Invalid(_("Unknown checklist item %(code)s.", code=item_code), field="item")
    fmt, width, height = files.sniff(data)
    content_type, ext = files.FORMATS[fmt]
    sha, stored = storage.save(data, ext, owner_id=inspection.id)
    same = db.session.scalar(
        select(InspectionPhoto).where(
            InspectionPhoto.inspection_id == inspection.id, InspectionPhoto.sha256 == sha
        )
    )
    if same is not None:
        return same, False
    photo = InspectionPhoto(
        inspection_id=inspection.id,
        item_id=item_id,
        client_key=client_key,
        sha256=sha,
        content_type=content_type,
        size_bytes=len(data),
        width=width,
        height=height,
        stored_name=stored,
        caption=clean(caption),
        uploaded_by_id=user.id,
    )
    db.session.add(photo)
    db.session.flush()
    return photo, True


def get_photo(inspection: Inspection, photo_id: int) -> InspectionPhoto:
    """A photo of this inspection (404 otherwise)."""
    photo = db.session.get(InspectionPhoto, photo_id)
    if photo is None or photo.inspection_id != inspection.id:
        raise NotFound(_("No such photo."))
    return photo


@transactional
def delete_photo(user, inspection: Inspection, photo: InspectionPhoto) -> None:
    """Remove a photo from a draft (a submitted inspection keeps its evidence)."""
    require_edit(user, inspection)
    if inspection.status != "draft":
        raise Conflict(_("Photos of a submitted inspection cannot be removed."), field="status")
    name = photo.stored_name
    db.session.delete(photo)
    db.session.flush()
    still_used = db.session.scalar(
        select(func.count()).select_from(InspectionPhoto).where(InspectionPhoto.stored_name == name)
    )
    if not still_used:
        files.delete_after_commit(name)
