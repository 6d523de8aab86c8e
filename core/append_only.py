"""Rows that are added and never changed or removed, through the ORM too: ``save`` of an existing
row, ``delete``, and a queryset's ``update`` and ``delete`` (``bulk_update`` goes through
``update``). PostgreSQL triggers back it up in each app's migrations; the controlled-substance log
and clinical's signed records share it."""

from django.db import models


class AppendOnlyError(Exception):
    """A write that would change or remove a signed row: a bug, never a user's refusal."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: write a new row instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: nothing is deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only: write a new row instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only: nothing is deleted.")
