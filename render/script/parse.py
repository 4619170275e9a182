"""Parse a Markdown/MDX podcast script into speaker turns.

The parser walks the file line by line with a tiny state machine, because
what a line means depends on the block it sits in (front matter, an
admonition, a JSX block) and each turn must remember its source line so
errors and captions can point back to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from render.errors import NoScript, RenderError
from render.script.markdown import strip_inline
from render.script.markup import MARKUP, Problem, has_markup, segments, written
from render.script.textfix import repair, strip_emoji


@dataclass
class Turn:
    """One uninterrupted stretch of speech by one host."""

    index: int
    speaker: str
    text: str
    line: int
    spoken: str = ""
    sentences: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""  # the text with the producer's voice markup, when it has any (render.script.markup)
    pauses: list[float] = field(default_factory=list)  # extra silence after each sentence (markup), seconds

    @property
    def number(self) -> int:
        """The turn's number as users see and type it everywhere (``render script``,
        ``--turns``, the check, the report, the page): from 1. ``index`` counts from 0."""
        return self.index + 1


@dataclass
class Heading:
    """A Markdown heading; chapters start at the first turn after one."""

    level: int
    text: str
    line: int
    next_turn: int


@dataclass
class Script:
    """A parsed script: the turns plus everything around them worth keeping."""

    path: Path
    turns: list[Turn]
    metadata: dict[str, str]
    front_matter: dict[str, object]
    headings: list[Heading]
    title: str | None
    problems: list[tuple[int, Problem]] = field(default_factory=list)  # markup dropped: (line, what)
    together: list[tuple[int, str, str]] = field(default_factory=list)  # lines for several hosts: (line, as written, reader)
    aliases_used: list[str] = field(default_factory=list)  # aliases its turns are written with ("Speaker 1")


# Show notes' sections about the people: "**Jordan**: Staff engineer …" there is a bio, not a turn
_ABOUT = re.compile(r"^(?:about(?: (?:the|your|our))?(?: hosts?| speakers?| guests?| us| the show)?|(?:the |your |our )?"
                    r"(?:hosts?|speakers?|guests?|cast|bios?|credits|people)|who'?s who|meet the hosts)\s*:?$", re.I)
# A line for every host at once ("**Both**: Bye!"): read by the cast's first host.
_TOGETHER = {"both", "together", "everyone", "all", "all hosts", "both hosts", "hosts together"}
# Bold keys that label metadata rather than a speaker.
METADATA_KEYS = {
    "audience", "author", "category", "date", "description", "duration", "episode",
    "format", "guest", "guests", "host", "hosts", "keywords", "length", "link", "links",
    "note", "notes", "part", "producer", "published", "recorded", "runtime", "season",
    "series", "source", "sources", "speakers", "status", "summary", "tags", "title",
    "topics", "transcript", "version",
}

# A stage direction after a speaker's name is not said: "Jordan (laughing):", "**Alex** [deadpan]:"
_DIRECTION = r"(?:\s*[(\[][^()\[\]]{1,40}[)\]])?"
_BOLD_TURN = re.compile(rf"^(?:\*\*|__)([^*_]+?)(?:\*\*|__){_DIRECTION}\s*:\s*(.*)$")
_BOLD_TURN_INNER = re.compile(rf"^(?:\*\*|__)([^*_]+?){_DIRECTION}:(?:\*\*|__)\s*(.*)$")
# "**Jordan** — text": a dash instead of the colon, taken only for a known speaker
_BOLD_DASH_TURN = re.compile(rf"^(?:\*\*|__)([^*_]+?)(?:\*\*|__){_DIRECTION}\s+[—–-]\s+(.*)$")
_BULLET_TURN = re.compile(rf"^(?:[-*+]|\d{{1,3}}[.)])\s+\*{{0,2}}([A-Z][\w.' -]{{0,30}}?)\*{{0,2}}{_DIRECTION}\s*:\s*(.*)$")
_PLAIN_TURN = re.compile(rf"^([A-Z][\w.'-]*(?: [A-Z0-9][\w.'-]*)?){_DIRECTION}\s*:\s+(.*)$")
# a transcript tool's time stamp before a speaker's line ("[00:01:23] Jordan: …", "00:12 Alex: …")
_STAMP = r"[\[(]?(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?[\])]?"
_STAMPED = re.compile(rf"^{_STAMP}\s*[-–—|]?\s*(?=\S)")
# a speaker's name alone on its line, the text below it: with a time stamp (Otter's "Jordan  0:05"),
# a colon ("Jordan:") or in capitals (a screenplay's "JORDAN"); a bold name alone is a label, not a turn
_NAME_LINE = re.compile(rf"^(?P<name>[A-Z][\w.' -]{{0,30}}?)(?:\s+{_STAMP}\s*|\s+\({_STAMP}\s*[-–]\s*{_STAMP}\)\s*"
                        rf"|\s*:\s*|(?<=[A-Z]{{2}}))$")  # Riverside's "Jordan (00:00:01 - 00:00:05)"
# a line that is only a time stamp or a subtitle cue's timing: "[00:00:04]", "00:00:06.000 --> 00:00:09.000"
_STAMP_LINE = re.compile(rf"^{_STAMP}(?:\s*(?:-->|[-–])\s*{_STAMP})?$")
# "Jordan - text": a plain name and a dash, taken only for a known speaker
_DASH_TURN = re.compile(r"^([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?)\s+[—–-]\s+(.*)$")
_KEY_DIRECTION = re.compile(r"\s*[(\[][^()\[\]]{1,40}[)\]]\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_HR = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})\s*$")
# MDX's module lines ("import Tabs from '@theme/Tabs';", "export const meta = …"), not a wrapped
# line of a turn that starts with the word ("import the data and then")
_IMPORT = re.compile(r"^(?:import\s+(?:[\w*{][^'\"]*\bfrom\s+)?['\"]|export\s+(?:const|let|var|default|function|class|"
                     r"async|\{|\*))")
_TAG_OPEN = re.compile(r"<[A-Za-z]")
_TAG_CLOSE = re.compile(r"</[A-Za-z]")
_SELF_CLOSE = re.compile(r"/>")
# "[^1]: A footnote.", "[docs]: https://…": a footnote's or a reference link's definition, no speech
_DEFINITION = re.compile(r"^\[(?:\^[^\]]+|[^\]]+(?=\]:\s*(?:<?https?://|/|\S+\.\w)))\]:")
_LIST = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


# Words that start a "Label: text" line in prose without being anyone's name.
_PROSE_LABELS = {"note", "why", "what", "how", "when", "where", "who", "example", "tip", "warning", "important",
                 "update", "answer", "question", "q", "a", "caveat", "bonus", "result", "step", "takeaway",
                 "spoiler", "reminder", "fact", "edit", "ps"}


def _looks_like_speaker(name: str) -> bool:
    """In a script of ``Name: text`` turns, whether an unknown ``Label:`` is a misspelt or
    uncast speaker (an error) rather than prose (a continuation of the turn)."""
    if re.fullmatch(r"(?:Speaker|Host|Guest|Voice) \d+|Narrator", name):
        return True
    return " " not in name and name.lower() not in _PROSE_LABELS | METADATA_KEYS


def decode(data: bytes, path: Path) -> str:
    """Decode script bytes, naming the line of the first bad byte if it isn't text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RenderError("file starts as UTF-16 but is not valid UTF-16", path,
                              hint="re-save the script as UTF-8") from exc
    if b"\x00" in data[:4096]:
        raise RenderError("file looks like UTF-16 without a byte-order mark, or binary",
                          path, hint="re-save the script as UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RenderError(f"invalid UTF-8 byte 0x{data[exc.start]:02x}", path, line,
                          hint="re-save the script as UTF-8 (most editors: Save As → UTF-8)"
                          ) from exc


def read_text(path: Path) -> str:
    """Read and repair a text file, with errors a user can act on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RenderError("file not found", path) from exc
    except OSError as exc:
        raise RenderError(f"cannot read file: {exc.strerror}", path) from exc
    return repair(decode(data, path))


def split_front_matter(lines: list[str], path: Path) -> tuple[dict[str, object], int]:
    """Return the YAML front matter and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:
                data = yaml.safe_load("\n".join(lines[1:end])) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark else 1
                raise RenderError("front matter is not valid YAML", path, line,
                                  hint="fix the YAML between the two '---' lines") from exc
            if not isinstance(data, dict):
                raise RenderError("front matter must be 'key: value' lines", path, 2)
            return {str(k): v for k, v in data.items()}, end + 1
    return {}, 0


def _clean(text: str, speech: bool = False) -> str:
    """One line's plain words; ``speech`` (a host's line) keeps its emphasis as markup."""
    text = strip_emoji(strip_inline(text, emphasis=speech))
    text = re.sub(r"\s+([,.;:!?])(?=\s|$)", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


class _Parser:
    """Line-by-line state machine; one instance per file parse."""

    def __init__(self, path: Path, speakers: list[str], bullets_only: bool, aliases: dict[str, str]) -> None:
        self.path = path
        self.speakers = {s.lower(): s for s in speakers} | {a.lower(): s for a, s in aliases.items()}
        self.starts_turn = _host_line(self.speakers)  # whether a line is a host's turn, in any dialogue form
        self.alias_names = {a.lower(): a for a in aliases}
        self.aliases_used: list[str] = []  # the aliases the script's turns were written with, first use first
        self.plain_style = False  # a "Name: text" turn was seen: other "Name:" lines are turns too
        self.bullets_only = bullets_only
        self.turns: list[tuple[str, list[str], int]] = []
        self.current: tuple[str, list[str], int] | None = None
        self.metadata: dict[str, str] = {}
        self.headings: list[Heading] = []
        self.title: str | None = None
        self.together: list[tuple[int, str, str]] = []
        self.in_text = False  # the line before was a line of the current turn
        self.about = False  # under a heading about the people ("## Hosts"): their lines are bios

    def end_turn(self) -> None:
        if self.current is not None:
            self.turns.append(self.current)
            self.current = None

    def together_reader(self, name: str) -> str | None:
        """The host who reads a line written for several ("**Both**:", "**Jordan & Alex**:"):
        the first named, or the cast's first for "Both"; None for anything else."""
        key = name.strip().lower()
        if key in _TOGETHER and self.speakers:
            return next(iter(self.speakers.values()))
        names = [p.strip() for p in re.split(r"\s*(?:&|\+|/|,|\band\b)\s*", key) if p.strip()]
        if len(names) > 1 and all(n in self.speakers for n in names):
            return self.speakers[names[0]]
        return None

    def start_together(self, name: str, text: str, lineno: int) -> bool:
        reader = self.together_reader(name)
        if reader is None:
            return False
        self.together.append((lineno, name.strip(), reader))
        self.start_turn(reader, text, lineno)
        return True

    def start_turn(self, name: str, text: str, lineno: int) -> None:
        self.end_turn()
        if self.about:  # "## Hosts" then "**Jordan**: Staff engineer …": a bio, not a turn
            self.metadata[self.speakers[name.lower()]] = _clean(text)
            return
        alias = self.alias_names.get(name.lower())
        if alias is not None and alias not in self.aliases_used:
            self.aliases_used.append(alias)
        self.current = (self.speakers[name.lower()], [text] if text else [], lineno)

    def unknown(self, name: str, lineno: int) -> RenderError:
        known = ", ".join(sorted(set(self.speakers.values())))
        return RenderError(f"unknown speaker '{name}'", self.path, lineno,
                           hint=f"known speakers are {known}; fix the name, add '{name}' to voices/cast.toml, "
                                f"or map it to a host under [aliases] (\"{name}\" = \"{known.split(', ')[0]}\")")

    def bold_line(self, name: str, raw: str, lineno: int) -> bool:
        """Handle ``**Name**: text`` (``raw``: the text as written); return False if it is not
        a turn or metadata. A turn's text is cleaned as speech (its emphasis kept), metadata's
        as plain words."""
        name = strip_emoji(name).strip() or name  # "**Jordan 🎙️**:"
        key = _KEY_DIRECTION.sub("", name.strip()) or name.strip()  # "**Jordan (laughing)**:"
        if key.lower() in self.speakers:
            self.start_turn(key, _clean(raw, True), lineno)
            return True
        if self.start_together(key, _clean(raw, True), lineno):
            return True
        rest = _clean(raw)
        words = key.split()
        is_meta = (
            len(words) > 1
            or key.lower() in METADATA_KEYS
            or not key[:1].isupper()
            or (not self.turns and self.current is None and len(rest.split()) <= 12)
        )
        if is_meta:
            self.metadata[key] = _clean(rest)
            return True
        if self.bullets_only:
            return False
        raise self.unknown(key, lineno)

    def line(self, raw: str, lineno: int) -> None:
        stripped = raw.strip()
        wrapped, self.in_text = self.in_text, bool(stripped) and self.current is not None
        if not stripped:
            return
        if (m := _HEADING.match(stripped)) and wrapped and m.group(2)[:1].islower():
            pass  # a turn's wrapped line that starts "# of nodes …", not a heading
        elif m:
            self.end_turn()
            text = _clean(m.group(2))
            level = len(m.group(1))
            if level == 1 and self.title is None:
                self.title = text
            self.headings.append(Heading(level, text, lineno, len(self.turns)))
            self.about = bool(_ABOUT.match(text))
            return
        if _HR.match(stripped):
            self.end_turn()
            return
        if stripped.startswith(">"):
            # a quote is a note, unless it is a host's line quoted whole ("> **Alex**: …")
            inner = stripped.lstrip("> ").strip()
            m = _BOLD_TURN.match(inner) or _BOLD_TURN_INNER.match(inner) or _PLAIN_TURN.match(inner)
            if m and _KEY_DIRECTION.sub("", m.group(1).strip()).lower() in self.speakers:
                self.line(inner, lineno)
            return
        if _STAMP_LINE.match(stripped):
            return  # a transcript tool's time, not words
        if (m := _STAMPED.match(stripped)) and self.starts_turn(stripped[m.end():]):
            stripped = stripped[m.end():]
        if (m := _NAME_LINE.match(stripped)) and m["name"].strip().lower() in self.speakers and not self.bullets_only \
                and (m["name"].isupper() or m.end("name") < len(stripped)):
            self.start_turn(m["name"].strip(), "", lineno)
            return
        if stripped.startswith("|") or _IMPORT.match(stripped) or _DEFINITION.match(stripped):
            return
        if m := _BULLET_TURN.match(stripped):
            name = m.group(1).strip()
            if name.lower() in self.speakers:
                self.start_turn(name, _clean(m.group(2), True), lineno)
                return
        if self.bullets_only:
            return
        m = _BOLD_TURN.match(stripped) or _BOLD_TURN_INNER.match(stripped)
        if m and self.bold_line(m.group(1), m.group(2), lineno):
            return
        if (m := _BOLD_DASH_TURN.match(stripped)) and m.group(1).strip().lower() in self.speakers:
            self.start_turn(m.group(1).strip(), _clean(m.group(2), True), lineno)
            return
        # "Jordan - text" starts a dialogue only in a plain-text transcript; once one is, it is a turn
        if (m := _DASH_TURN.match(stripped)) and m.group(1).lower() in self.speakers and (
                self.plain_style or (self.current is None and self.path.suffix == ".txt")):
            self.plain_style = True
            self.start_turn(m.group(1), _clean(m.group(2), True), lineno)
            return
        if m := _PLAIN_TURN.match(stripped):
            name = m.group(1)
            if name.lower() in self.speakers:
                self.plain_style = True
                self.start_turn(name, _clean(m.group(2), True), lineno)
                return
            if self.plain_style and self.start_together(name, _clean(m.group(2), True), lineno):
                return
            if self.plain_style and _looks_like_speaker(name):
                raise self.unknown(name, lineno)
        if self.current is not None:
            text = _clean(_LIST.sub("", stripped), True)
            if text:
                self.current[1].append(text)


def _unclosed(lines: list[str], opened: int, what: str, close: str, keep: Callable[[str], bool] | None,
              path: Path | None) -> None:
    """A block opened at ``opened`` (0-based) and never closed skips the rest of the file: an
    error when hosts' turns are among what it would skip, so no turn is lost unsaid."""
    if keep is None:
        return
    lost = next((k for k in range(opened + 1, len(lines)) if keep(lines[k].strip())), None)
    if lost is not None:
        raise RenderError(f"{what} opened here is never closed, so every turn after it (from line {lost + 1}) "
                          "would be skipped", path, opened + 1, hint=f"close it with a line {close}, or remove it")


def _skip_blocks(lines: list[str], start: int,
                 keep: Callable[[str], bool] | None = None, path: Path | None = None) -> list[tuple[int, str]]:
    """Yield (line number, text) of lines outside non-speech blocks.

    Drops fenced code, ``:::`` admonitions, HTML/MDX comments and JSX/HTML
    blocks, which can span many lines and contain anything. Inside a JSX block,
    a line ``keep`` accepts (a host's turn: MDX's ``<Tabs><TabItem>`` hold Markdown)
    is kept with the lines that continue it, up to a blank line or a tag.
    """
    kept: list[tuple[int, str]] = []
    i = start
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith("```") or s.startswith("~~~"):
            fence, opened = s[:3], i
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                i += 1
            if i == len(lines):
                _unclosed(lines, opened, "a code block", fence, keep, path)
        elif s.startswith(":::"):
            opened = i
            i += 1
            while i < len(lines) and lines[i].strip() != ":::":
                i += 1
            if i == len(lines):
                _unclosed(lines, opened, f"an admonition ({s.split()[0]})", ":::", keep, path)
        elif s.startswith("<!--"):
            opened = i
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            if i == len(lines):
                _unclosed(lines, opened, "a comment", "ending -->", keep, path)
        elif s.startswith("{/*"):
            opened = i
            while i < len(lines) and "*/}" not in lines[i]:
                i += 1
            if i == len(lines):
                _unclosed(lines, opened, "a comment", "ending */}", keep, path)
        elif (_TAG_OPEN.match(s) or _TAG_CLOSE.match(s)) and not MARKUP.match(s):
            depth = 0
            turn = False  # inside a kept turn's lines
            while i < len(lines):
                t = lines[i]
                inner = t.strip()
                tag = bool(_TAG_OPEN.match(inner) or _TAG_CLOSE.match(inner))
                turn = bool(inner) and not tag and (turn or (keep is not None and keep(inner)))
                if turn:
                    kept.append((i + 1, t))
                depth += len(_TAG_OPEN.findall(t)) - 2 * len(_TAG_CLOSE.findall(t))
                depth += len(_TAG_CLOSE.findall(t)) - len(_SELF_CLOSE.findall(t))
                if depth <= 0:
                    break
                i += 1
        else:
            kept.append((i + 1, lines[i]))
        i += 1
    return kept


def _host_line(speakers: dict[str, str]) -> Callable[[str], bool]:
    """Whether a line starts a turn of one of ``speakers`` (lower-case name → name), in any
    of the dialogue forms."""
    def starts_turn(line: str) -> bool:
        for form in (_BOLD_TURN, _BOLD_TURN_INNER, _BOLD_DASH_TURN, _PLAIN_TURN, _BULLET_TURN):
            if m := form.match(line):
                return (_KEY_DIRECTION.sub("", m.group(1).strip()) or m.group(1).strip()).lower() in speakers
        return False
    return starts_turn


def parse_text(text: str, path: Path, speakers: list[str], *,
               bullets_only: bool = False, aliases: dict[str, str] | None = None) -> Script:
    """Parse already-decoded script text. ``bullets_only`` reads an outline's exchanges;
    ``aliases`` maps other names a script uses to speakers (``"Speaker 1"`` → ``Jordan``)."""
    lines = text.lstrip("\ufeff").splitlines()
    front, start = split_front_matter(lines, path)
    parser = _Parser(path, speakers, bullets_only, aliases or {})
    for lineno, raw in _skip_blocks(lines, start, parser.starts_turn, path):
        parser.line(raw, lineno)
    parser.end_turn()
    if not parser.turns and not bullets_only:
        parser.turns = narration(lines, start, path)
    turns: list[Turn] = []
    problems: list[tuple[int, Problem]] = []
    for speaker, parts, lineno in parser.turns:
        body = " ".join(parts).strip()
        source = ""
        if has_markup(body):
            problems += [(lineno, p) for p in segments(body)[1]]
            body, source = written(body), body
        if not body:
            raise RenderError(f"{speaker}'s turn has no text", path, lineno,
                              hint="write what they say after the colon, or delete the line")
        turns.append(Turn(len(turns), speaker, body, lineno, source=source))
    title = str(front.get("title") or parser.title or "") or None
    return Script(path, turns, parser.metadata, front, parser.headings, title, problems, parser.together,
                  parser.aliases_used)


NARRATOR = "Narrator"  # who reads a script of untagged paragraphs (a lesson); see render.prepare
# The section a lesson page reads aloud: "## Transcript", and the names other course pages give
# it ("## Script", "## Narration", "## Voice-over", "## Lesson script", "## Audio script")
_TRANSCRIPT = re.compile(r"^(#{1,6})\s+(?:(?:full|lesson|audio|narrator|narrator's|spoken|video)\s+)?"
                         r"(?:transcript|script|narration|voice[- ]?over)\s*:?\s*$", re.I)
_STRUCTURE = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|\||>|#|\*\*[^*]+\*\*\s*:|[^:]{1,40}:\*\*|!?\[[^\]]*\]\([^)]*\)\s*$)")


def narration(lines: list[str], start: int, path: Path) -> list[tuple[str, list[str], int]]:
    """Untagged paragraphs as turns of the :data:`NARRATOR`, one per paragraph: those of a
    ``## Transcript`` section if the file has one; else the whole body of a ``.txt`` file, or
    of a Markdown file that is prose (at least two paragraphs, three lines in four plain text:
    not lists, tables, headings or bold labels, which is what show notes are made of)."""
    kept = _skip_blocks(lines, start)
    section = next((k for k, (_, raw) in enumerate(kept) if _TRANSCRIPT.match(raw.strip())), None)
    if section is not None:
        level = len(_TRANSCRIPT.match(kept[section][1].strip()).group(1))  # type: ignore[union-attr]
        body = []
        for lineno, raw in kept[section + 1:]:
            if (m := _HEADING.match(raw.strip())) and len(m.group(1)) <= level:
                break
            body.append((lineno, raw))
    else:
        body = kept
        text_lines = [raw.strip() for _, raw in body if raw.strip() and not _HEADING.match(raw.strip())]
        plain = [s for s in text_lines if not _STRUCTURE.match(s)]
        if path.suffix != ".txt" and (len(plain) < 0.75 * len(text_lines) or not text_lines):
            return []
    paragraphs: list[tuple[str, list[str], int]] = []
    current: list[str] = []
    first = 0
    for lineno, raw in [*body, (0, "")]:
        s = raw.strip()
        if s and not _HEADING.match(s) and not _STRUCTURE.match(s):
            if not current:
                first = lineno
            current.append(_clean(s, True))
        elif current:
            paragraphs.append((NARRATOR, [c for c in current if c], first))
            current = []
    paragraphs = [p for p in paragraphs if p[1]]
    if section is None and path.suffix != ".txt" and len(paragraphs) < 2:
        return []
    return paragraphs


def parse_file(path: Path, speakers: list[str], *, bullets_only: bool = False,
               text: str | None = None, aliases: dict[str, str] | None = None) -> Script:
    """Parse a script file; raises :class:`RenderError` for anything a user must fix.

    ``text`` is the file's already read and repaired text, if the caller has it.
    """
    text = read_text(path) if text is None else text
    if not text.strip():
        raise RenderError("file is empty", path, hint="write the script's turns as "
                          "'**Name**: text' lines")
    script = parse_text(text, path, speakers, bullets_only=bullets_only, aliases=aliases)
    if not script.turns and not bullets_only:
        labels = sorted({k for k in script.metadata if len(k) < 40})
        seen = f" (bold labels seen: {', '.join(labels[:8])})" if labels else ""
        raise NoScript(f"no script: no line is a turn of {' or '.join(speakers)}, and there is no "
                       f"transcript section or narration{seen}", path)
    return script
