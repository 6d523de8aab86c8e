"""The Spanish catalogue holds every string the code marks, each translated: ``make messages`` on a
copy of the source must add no entry and leave none empty. (Strings marked in code but missing from
the catalogue show in English on a Spanish page, and nothing else would say so.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = Path("locale") / "es" / "LC_MESSAGES" / "django.po"
# What `make messages` passes (Makefile): the same ignores, so the same strings are extracted.
MAKEMESSAGES = ["makemessages", "--locale", "es", "--ignore=.venv", "--ignore=bench", "--ignore=tests", "--no-obsolete"]


def _entries(po_text: str) -> dict[str, str]:
    """msgid (with its context and plural) -> the joined msgstr(s), header excluded."""
    entries: dict[str, str] = {}
    for block in po_text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            keyword = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
            if keyword:
                key = keyword.group(1)
                fields[key] = keyword.group(2)[1:-1]
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            ident = "\x04".join(fields.get(name, "") for name in ("msgctxt", "msgid", "msgid_plural"))
            entries[ident] = "".join(value for name, value in fields.items() if name.startswith("msgstr"))
    return entries


def test_make_messages_finds_every_marked_string_already_translated(tmp_path: Path):
    tracked = subprocess.run(["git", "ls-files"], cwd=BASE_DIR, capture_output=True, text=True, check=True)
    copy = tmp_path / "source"
    for name in tracked.stdout.splitlines():
        if (BASE_DIR / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(BASE_DIR / name, copy / name)
    before = _entries((copy / CATALOGUE).read_text(encoding="utf-8"))
    subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=copy, check=True, capture_output=True)
    after = _entries((copy / CATALOGUE).read_text(encoding="utf-8"))

    assert sorted(set(after) - set(before)) == [], "marked in the code but not in the catalogue: run `make messages`"
    assert sorted(ident for ident, text in after.items() if not text) == [], "in the catalogue without Spanish"
