"""A tenant's custom-field definitions and analytical axes, read once per run for the
streams that type, select or ask for values by them."""

from __future__ import annotations

import logging
import typing as t
from functools import cached_property

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from tap_lucca.custom_fields import Exclusions


class FieldCatalog:
    """What the tap knows of a tenant's custom fields and axes. Each is read on the
    first demand, through the stream that lists it; either may be unreadable (a
    guessed route, a key without the right): the values are then typed by their JSON
    type, and with exclusions set none is read, since none can be told apart."""

    def __init__(
        self,
        read_definitions: Callable[[], list[dict] | None],
        read_axes: Callable[[], dict[int, str | None]],
        exclusions: Exclusions,
        logger: logging.Logger,
    ) -> None:
        self._read_definitions = read_definitions
        self._read_axes = read_axes
        self.exclusions = exclusions
        self.logger = logger

    @cached_property
    def definitions(self) -> dict[str, dict] | None:
        """Definitions by field id; None when they cannot be read."""
        read = self._read_definitions()
        if read is None:
            self.logger.log(
                logging.WARNING if self.exclusions else logging.INFO,
                "Custom field definitions could not be read: %s",
                "excluded_custom_fields is set, so no custom field value is read"
                if self.exclusions
                else "values are typed by their JSON type",
            )
            return None
        return {d["id"]: d for d in read}

    @cached_property
    def axes(self) -> dict[int, str | None]:
        """The tenant's analytical axes: id -> name."""
        return self._read_axes()

    def definition(self, field_id: str) -> dict | None:
        return (self.definitions or {}).get(field_id)

    @cached_property
    def requested_fields(self) -> list[str] | None:
        """The fields whose values to ask for: None for all of them (nothing is
        excluded), else the ids of those not excluded (maybe none)."""
        if not self.exclusions:
            return None
        if self.definitions is None:
            return []
        allowed = [i for i in self.definitions if not self.is_excluded(i)]
        return None if len(allowed) == len(self.definitions) else allowed

    def is_excluded(self, field_id: str) -> bool:
        """Whether a field's values must stay in Lucca."""
        if not self.exclusions:
            return False
        if self.definitions is None:
            return True
        definition = self.definitions.get(field_id) or {}
        return self.exclusions.excludes(field_id, definition.get("name"))
