"""Streaming CSV reading with physical line numbers and strict, explained parsing.

Every problem becomes a `FormatError` naming the file, the line where the row
starts and the reason, so a user can open the file at that line and fix it.
Memory stays flat: rows are read one at a time from a binary stream.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from genuine import handles

# Fields can hold long biographies or tweets; the csv module's default limit is 128 KiB.
csv.field_size_limit(16 * 1024 * 1024)

TRUE = {"1", "1.0", "true", "t", "yes", "y"}
FALSE = {"0", "0.0", "false", "f", "no", "n"}
# The store's counts are 64-bit integers (BIGINT on PostgreSQL, INTEGER on SQLite).
INTEGER_MAX = 2**63 - 1
# A date later than now by more than this is a mistake in the file, not a clock running fast.
CLOCK_SKEW = timedelta(days=1)


class FormatError(ValueError):
    """A file that cannot be imported: where and why."""

    def __init__(self, source: Path | str, line: int | None, reason: str) -> None:
        self.source, self.line, self.reason = str(source), line, reason
        where = f"{self.source}, line {line}" if line else self.source
        super().__init__(f"{where}: {reason}")


class Record(NamedTuple):
    """One row of any format, as the store takes it (a tuple: cheap to make by the million)."""

    kind: str  # "account" | "follow" | "post" | "snapshot"
    source: str
    line: int
    values: dict[str, Any]


@dataclass(slots=True)
class Row:
    """One CSV row: its cells, the header's column positions, and where it started."""

    source: Path
    line: int
    cells: list[str]
    positions: dict[str, int]

    @property
    def fields(self) -> dict[str, str]:
        return {name: self.cells[i] for name, i in self.positions.items()}

    def fail(self, reason: str) -> FormatError:
        return FormatError(self.source, self.line, reason)

    def text(self, name: str) -> str | None:
        index = self.positions.get(name)
        if index is None:
            return None
        return self.cells[index].strip() or None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise self.fail(f"column {name!r} is empty")
        return value

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            number = float(value) if "." in value or "e" in value.lower() else int(value)
        except ValueError:
            raise self.fail(f"column {name!r} is not a number: {value[:40]!r}") from None
        if not math.isfinite(number) or number < 0 or int(number) != number:
            raise self.fail(f"column {name!r} is not a whole number >= 0: {value[:40]!r}")
        if number > INTEGER_MAX:
            raise self.fail(
                f"column {name!r} is too large (at most {INTEGER_MAX:,}): {value[:40]!r}"
            )
        return int(number)

    def handle(self, name: str, platform: str, *, required: bool = True) -> str | None:
        """The stored form of the handle in column `name` (genuine.handles.parse); a handle
        no lookup could ever find (empty, spaces, HTML, no instance, too long) is refused."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        normal = handles.parse(platform, value)
        if normal is None:
            raise self.fail(f"column {name!r} {handles.refusal(platform, value)}: {value[:40]!r}")
        return normal

    def _not_future(self, name: str, value: str, moment: datetime) -> datetime:
        if moment > datetime.now(UTC) + CLOCK_SKEW:
            raise self.fail(f"column {name!r} is a date in the future: {value[:40]!r}")
        return moment

    def boolean(self, name: str, *, empty: bool | None = None) -> bool | None:
        value = self.text(name)
        if value is None:
            return empty
        lowered = value.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise self.fail(f"column {name!r} is not a boolean (true/false/1/0): {value[:40]!r}")

    def iso_datetime(self, name: str, *, required: bool = False) -> datetime | None:
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        try:
            parsed = as_utc(datetime.fromisoformat(value))
        except (ValueError, OverflowError):
            raise self.fail(f"column {name!r} is not an ISO 8601 date: {value[:40]!r}") from None
        return self._not_future(name, value, parsed)

    def twitter_datetime(self, name: str, *, required: bool = False) -> datetime | None:
        """Twitter API v1.1 dates: `Fri Apr 06 10:58:22 +0000 2007`."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        try:
            parsed = datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.fail(
                f"column {name!r} is not a Twitter date like "
                f"'Fri Apr 06 10:58:22 +0000 2007': {value[:40]!r}"
            ) from None
        return self._not_future(name, value, parsed)


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive date is taken to be UTC already (documented in the format)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# A bare carriage return inside an unquoted field (old Mac line breaks, as in one
# twcs row) stops the csv module; it travels as this private-use character and
# comes back as a newline in the field's value.
BARE_CR = "\ue000"


class _DecodedLines:
    """Lines of a binary file as text, refusing NUL bytes and invalid UTF-8 by line number."""

    def __init__(self, path: Path, binary) -> None:
        self.path, self.binary, self.number, self.bare_cr = path, binary, 0, False

    def __iter__(self) -> _DecodedLines:
        return self

    def __next__(self) -> str:
        raw = next(self.binary)
        self.number += 1
        if b"\x00" in raw:
            raise FormatError(self.path, self.number, "binary data (NUL byte): not a CSV file")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                self.path,
                self.number,
                f"not UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1})",
            ) from None
        if self.number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if "\r" in text:
            body = text.rstrip("\r\n")
            if "\r" in body:
                self.bare_cr = True
                text = body.replace("\r", BARE_CR) + text[len(body) :]
        return text


def read_rows(path: Path, required: Sequence[str]) -> Iterator[Row]:
    """Yield rows of a CSV file with a header, checking the header has `required` columns.

    Duplicate header names keep their first occurrence (cresci-2015 repeats `label`).
    """
    path = Path(path)
    if not path.is_file():
        raise FormatError(path, None, "no such file")
    with path.open("rb") as binary:
        if b"\x00" in binary.read(8192):
            raise FormatError(path, None, "binary data (NUL bytes): this is not a CSV file")
        binary.seek(0)
        lines = _DecodedLines(path, binary)
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise FormatError(path, None, "empty file: expected a header row") from None
        except csv.Error as exc:
            raise FormatError(path, 1, f"malformed CSV: {exc}") from None
        names = [name.strip() for name in header]
        missing = [name for name in required if name not in names]
        if missing:
            raise FormatError(
                path,
                1,
                f"missing required column(s): {', '.join(missing)} (header has: "
                f"{', '.join(n for n in names if n)[:200]})",
            )
        positions: dict[str, int] = {}
        for index, name in enumerate(names):
            positions.setdefault(name, index)
        width = len(names)
        saw_bare_cr = False
        previous_end = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FormatError(path, previous_end + 1, f"malformed CSV: {exc}") from None
            start, previous_end = previous_end + 1, reader.line_num
            saw_bare_cr = saw_bare_cr or lines.bare_cr
            if not cells:
                continue
            if len(cells) != width:
                raise FormatError(path, start, f"{len(cells)} fields but the header has {width}")
            if saw_bare_cr and any(BARE_CR in cell for cell in cells):
                cells = [cell.replace(BARE_CR, "\n") for cell in cells]
            yield Row(path, start, cells, positions)
