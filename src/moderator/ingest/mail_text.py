"""Decoding helpers for e-mail bodies: charsets that lie, format=flowed, HTML to text.

Everything here works on plain bytes and strings; `mail.py` wires it to `email.message`.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

# Windows-1252 puts printable characters (€ „ “ ” – …) where ISO-8859-1 has C1 controls.
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_LATIN1_NAMES = frozenset({"latin-1", "iso8859-1", "cp819"})
_ASCII_NAMES = frozenset({"ascii"})


def _codec_name(charset: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None when unknown."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower()
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _latin1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a byte cp1252 leaves undefined is taken as Latin-1."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("moderator-latin1", _latin1_for_undefined)


def _decode_cp1252_lenient(data: bytes) -> str:
    """cp1252, with its five undefined bytes taken as Latin-1 instead of failing."""
    return data.decode("cp1252", errors="moderator-latin1")


def _one(char: str) -> str:
    return _decode_cp1252_lenient(char.encode("latin-1"))


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode a body or header the way a forgiving mail client would.

    * ISO-8859-1 (and a missing or US-ASCII label on 8-bit data) is read as Windows-1252,
      which is what such mail almost always really is (the WHATWG encoding standard does the
      same); a real Latin-1 text decodes identically apart from the unused C1 range.
    * An unknown charset name falls back to UTF-8, then Windows-1252.
    * A label that does not fit the bytes (UTF-8 announced, Latin-1 sent) falls back the same
      way instead of producing replacement characters.
    """
    name = _codec_name(charset)
    if name is None or name in _ASCII_NAMES:
        return decode_unlabelled(data)
    if name in _LATIN1_NAMES:
        return _decode_cp1252_lenient(data)
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        return decode_unlabelled(data)
    except LookupError:  # codecs that exist but are not text encodings (e.g. "rot13")
        return decode_unlabelled(data)


def decode_unlabelled(data: bytes) -> str:
    """Bytes without a trustworthy label: UTF-8 if they are valid UTF-8, else Windows-1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_cp1252_lenient(data)


def repair_c1(text: str) -> str:
    """Re-read C1 control characters as the Windows-1252 characters they stand for."""
    if not _C1_CONTROLS.search(text):
        return text
    return _C1_CONTROLS.sub(lambda m: _one(m.group()), text)


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: join soft-broken lines, remove space-stuffing.

    A line ending in a space continues on the next line of the same quote depth. With
    DelSp=yes that trailing space was inserted by the sender and is removed before joining.
    The signature separator "-- " is never a soft break.
    """
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):  # space-stuffing (or the space after quote marks)
            content = content[1:]
        if pending is not None and depth != pending_depth:
            out.append(_quote(pending_depth, pending.rstrip(" ")))
            pending = None
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        pending = content if pending is None else pending + content
        pending_depth = depth
        if not flowed:
            out.append(_quote(depth, pending))
            pending = None
    if pending is not None:
        out.append(_quote(pending_depth, pending.rstrip(" ")))
    return "\n".join(out)


def _quote(depth: int, content: str) -> str:
    return ">" * depth + (" " if depth and content else "") + content


_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area"})


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML mail, one output line per block.

    Lists become "- item" / "1. item" lines and blockquotes become "> " lines, so the plain
    text rules for quoted replies apply to HTML mail as well.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip_depth = 0
        self._quote_depth = 0
        self._line_depth = 0
        self._lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self._pre = 0

    def _break(self, *, blank: bool = False) -> None:
        """End the current output line; `blank` keeps it even when empty (as <br> does)."""
        text = "".join(self._line)
        if not self._pre:
            text = re.sub(r"[ \t\r\n\f]+", " ", text).strip()
        if text or blank:
            self.lines.append(("> " * self._line_depth + text).rstrip())
        self._line = []
        self._line_depth = self._quote_depth

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
            return
        if tag == "br":
            self._break(blank=True)
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if tag == "blockquote":
            self._quote_depth += 1
            self._line_depth = self._quote_depth
        elif tag in {"ul", "ol"}:
            self._lists.append([tag == "ol", 0])
        elif tag == "li":
            marker = "- "
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                marker = f"{self._lists[-1][1]}. "
            self._line.append(marker)
        elif tag == "pre":
            self._pre += 1
        elif tag in {"td", "th"}:
            self._line.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
            self._line_depth = self._quote_depth
        elif tag in {"ul", "ol"} and self._lists:
            self._lists.pop()
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag == "p":
            self.lines.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS or tag in _BLOCK_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._break(blank=True)
                self._line.append(part)
            return
        self._line.append(data)

    def text(self) -> str:
        self._break()
        lines = [line.rstrip() for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def html_to_text(html: str) -> str:
    """Visible text of an HTML document; markup never leaks, entities are decoded once."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text().replace("\xa0", " ")
