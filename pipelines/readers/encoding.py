"""Is a file that is not valid UTF-8 plausibly Windows-1252 text?

Exports are UTF-8, or Windows-1252 when Excel on an Indonesian or English Windows saved them:
Indonesian text is ASCII but for a few characters (curly quotes, dashes, a no-break space, an
accented letter in a name). Decoding anything else as Windows-1252 never fails and silently turns
names into nonsense, so the reader takes Windows-1252 only when the bytes look like it:
- no byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D);
- the non-ASCII bytes are few (at most 5 % of the file, or 16 in a tiny one) and stand alone or
  in short runs (none of four or more: text in a multi-byte encoding, or Cyrillic/Greek in their
  code pages);
- they are not mostly valid UTF-8 sequences (bytes in valid multi-byte UTF-8 characters fewer
  than the others): such a file is UTF-8 with damaged bytes, and reading it as Windows-1252
  would turn every "é" into "Ã©".
Anything else is refused with the reason, and the reader asks for the file as UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

UNDEFINED_CP1252 = b"\x81\x8d\x8f\x90\x9d"
MAX_HIGH_SHARE = 0.05
FEW_HIGH = 16  # a tiny file may hold this many whatever its size
MAX_HIGH_RUN = 3
_HIGH = bytes(range(0x80, 0x100))
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_LONG_RUN = re.compile(rb"[\x80-\xff]{%d,}" % (MAX_HIGH_RUN + 1))


@dataclass
class _Counts:
    size: int = 0
    high: int = 0
    in_utf8: int = 0
    undefined: int | None = None  # the first undefined byte
    long_run: int = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if chunk.isascii():
            return
        self.high += len(chunk) - len(chunk.translate(None, _HIGH))
        if self.undefined is None:
            found = [b for b in UNDEFINED_CP1252 if b in chunk]
            self.undefined = found[0] if found else None
        self.in_utf8 += sum(len(m) for m in _UTF8_SEQUENCE.findall(chunk))
        self.long_run = max([self.long_run, *(len(m) for m in _LONG_RUN.findall(chunk))])


def cp1252_problem(chunks: Iterable[bytes]) -> str | None:
    """Why the bytes (a file that is not valid UTF-8, in chunks) are not plausibly Windows-1252
    text; None when they are. Chunk edges may split a sequence: the counts stay close enough."""
    counts = _Counts()
    for chunk in chunks:
        counts.add(bytes(chunk))
    if counts.undefined is not None:
        return f"byte 0x{counts.undefined:02X} is no Windows-1252 character"
    if counts.in_utf8 and counts.in_utf8 >= counts.high - counts.in_utf8:
        return ("most of its non-ASCII bytes are UTF-8 characters: a UTF-8 file with damaged "
                "bytes")
    if counts.long_run:
        return f"it holds a run of {counts.long_run} non-ASCII bytes: another encoding"
    if counts.high > max(FEW_HIGH, MAX_HIGH_SHARE * counts.size):
        return (f"{counts.high / counts.size:.0%} of its bytes are non-ASCII: another encoding")
    return None


def encoding_refusal(problem: str) -> str:
    """The FatalFileError reason for a file neither UTF-8 nor plausibly Windows-1252."""
    return (f"not a readable table (encoding: not valid UTF-8, and not Windows-1252 either: "
            f"{problem}; save it as UTF-8)")
