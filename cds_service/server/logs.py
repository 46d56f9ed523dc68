"""Log records that cannot be forged: control characters in a message are escaped.

Request data reaches log lines (a hookInstance, a JWT's iss or jti, the path in the access log). A
newline in it would start a line of the attacker's choosing, an ESC sequence would rewrite what a
terminal shows, a NUL would cut the line for some readers. `EscapeControlCharacters` turns every C0
and C1 control character, DEL and the Unicode line and paragraph separators into a visible `\\xNN` /
`\\uNNNN` escape, so one event stays one line.
"""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100
                        else f"\\u{ord(match.group()):04x}", text)


class EscapeControlCharacters(logging.Filter):
    """A handler filter: the record's message (with its arguments) and exception text, escaped."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = escape_controls(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = escape_controls(record.exc_text)
        return True


def install(handler: logging.Handler) -> logging.Handler:
    handler.addFilter(EscapeControlCharacters())
    return handler
