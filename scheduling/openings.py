"""The rules of an extra opening's blocks (``ClinicOpening``): pure, no database.

A block is a local wall-clock range inside the opening's date (00:00 to 23:59, so always within
the date): it closes after it opens, and neither end is a local time that does not exist that day
(the hour the clocks skip going forward). An opening has at least one block, and its blocks do not
overlap. An ambiguous time (clocks going back) is allowed and means its first occurrence, as for
weekly hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from itertools import pairwise
from zoneinfo import ZoneInfo

Block = tuple[time, time]


def wall_time_exists(day: date, wall_time: time, zone: ZoneInfo) -> bool:
    """Whether ``wall_time`` is a time the clocks of ``zone`` show on ``day``."""
    naive = datetime.combine(day, wall_time)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def block_problems(*, day: date, block: Block, zone: ZoneInfo) -> list[str]:
    """What is wrong with one block on ``day``, in words an admin reads (empty: nothing)."""
    opens, closes = block
    problems = []
    if closes <= opens:
        problems.append(f"The block {opens:%H:%M}-{closes:%H:%M} must close after it opens, on the same day.")
    problems.extend(
        f"{moment:%H:%M} does not exist on {day.isoformat()} in {zone.key}: the clocks go forward."
        for moment in (opens, closes)
        if not wall_time_exists(day, moment, zone)
    )
    return problems


def block_set_problems(blocks: Sequence[Block]) -> list[str]:
    """What is wrong with an opening's blocks taken together: none at all, or two that overlap."""
    if not blocks:
        return ["An opening needs at least one block of hours."]
    ordered = sorted(blocks)
    return [
        f"The blocks {first[0]:%H:%M}-{first[1]:%H:%M} and {later[0]:%H:%M}-{later[1]:%H:%M} overlap."
        for first, later in pairwise(ordered)
        if later[0] < first[1]
    ]


def opening_problems(*, day: date, blocks: Sequence[Block], zone: ZoneInfo) -> list[str]:
    """Every problem of an opening's blocks on ``day`` (empty: it may be saved)."""
    each = [problem for block in blocks for problem in block_problems(day=day, block=block, zone=zone)]
    return each + block_set_problems(blocks)


def merged_blocks(blocks: Sequence[Block]) -> list[Block]:
    """The blocks sorted, with overlapping or touching ones merged into one."""
    merged: list[Block] = []
    for opens, closes in sorted(blocks):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged
