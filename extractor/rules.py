"""Load, validate and compile the rule data in `rules/*.yaml`.

A rule file is data only. Its shape is checked here with pydantic (unknown keys, bad regexes,
duplicate ids and unknown kinds fail loudly, naming the file and rule id); a pattern that can
backtrack for ever (`(a+)+`) is refused at load (`redos.py`). Patterns may use
`<<NAME>>` macros defined in the file's `macros:` block (Duckling-style building blocks).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import RuleError
from .models import DeadlineKind
from .prefilter import skipping
from .redos import nested_repeat

__all__ = [
    "CompiledRule",
    "Example",
    "RuleSet",
    "default_rules_dir",
    "load_rules",
    "search_screen",
    "union_regex",
]

# Which dimensions exist and which `kind` values each accepts (schema, not vocabulary).
DIMENSIONS: dict[str, frozenset[str]] = {
    "triggers": frozenset({"assign", "request", "possessive", "heading"}),
    "roles": frozenset({"lead", "coordinate", "obligation"}),
    "actions": frozenset({"verb", "adverb", "governing"}),
    "units": frozenset(
        {
            "organ",
            "organization",
            "title",
            "collective",
            "people",
            "person",
            "area",
            "name_part",
            "compound_name",
            "stop",
            "office",
            "addressee_ref",
            "plural",
            "alias",
            "issuer",
            "honorific",
            "city",
        }
    ),
    "deadlines": frozenset(get_args(DeadlineKind)),
    "sections": frozenset(
        {
            "marker",
            "abbreviation",
            "directive_intro",
            "body_end",
            "addressee_list",
            "intro",
            "table_column",
            "table_number",
            "field",
            "attachment",
            "line_start",
        }
    ),
    "boilerplate": frozenset(
        {
            "not_task",
            "deadline_only",
            "all_addressees",
            "narrative",
            "report_formula",
            "context_heading",
            "deadline_lead",
            "generic_action",
        }
    ),
    "metadata": frozenset({"number", "date", "issuer", "type", "subject", "signer"}),
}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (ten times faster), if built; a key given twice in one mapping
    is an error, where YAML would keep the last silently (and drop a rule's examples)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


_LOADER = _Loader
WORD_START = r"(?<!\w)"
GLOBAL_FLAGS = re.compile(r"^\(\?([imsx]+)\)")  # "(?m)^..." joins others as "(?m:^...)"
# the lookbehinds a pattern opens on: "(?<![Đđ]ã\s)(?<!\w)giao"
LOOKBEHINDS = re.compile(r"^(?:\(\?<[!=](?:[^()\\\[]|\\.|\[(?:[^\]\\]|\\.)*\])*\))+")
MACRO = re.compile(r"<<([A-Z_][A-Z0-9_]*)>>")
ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1)
    ref: date | None = None
    expect: dict[str, Any] = Field(default_factory=dict)


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID)
    description: str = Field(min_length=3)
    kind: str
    pattern: str | None = None
    words: list[str] | None = None
    case_sensitive: bool = False
    level: int | None = None
    freq: str | None = None
    # A rule-specific constant: a metadata type code, H1/H2 for half-years, `column` for a
    # deadline form read only in a table's deadline column, `relative` for stop words, a table
    # column's role, `after_number` for metadata read right after the notice number.
    value: str | None = None
    confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    examples: list[Example] = Field(min_length=1)
    counter_examples: list[Example] = Field(default_factory=list)


class RuleFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dimension: str
    description: str
    macros: dict[str, str] = Field(default_factory=dict)
    # Every pattern of the file matches only from the start of a word ("(?<!\w)" is put in
    # front): "hằng ngày" never inside "thằng ngày", and a search skips the middle of words.
    word_start: bool = False
    rules: list[RuleModel]


@dataclass(frozen=True, eq=False)  # a rule is itself: compared and hashed by identity
class CompiledRule:
    id: str
    dimension: str
    kind: str
    description: str
    regex: re.Pattern[str]
    words: tuple[str, ...]
    level: int | None
    freq: str | None
    value: str | None
    confidence: float
    examples: tuple[Example, ...]
    counter_examples: tuple[Example, ...]
    file: str


def _words_regex(words: list[str], ignore_case: bool) -> str:
    """The words as one pattern, a space matching any white space: the longest word that
    matches wins, as in an alternation of the words longest first; written as a trie of their
    letters ("ch(?:ỉ\\s+đạo|ủ\\s+trì)"), which `re` walks letter by letter instead of trying
    every word (a list of 150 verbs is read three times faster, with the same matches)."""
    root: dict[str, dict[str, Any]] = {}
    for word in {w.strip() for w in words if w.strip()}:
        node = root
        for token in re.findall(r"\s+|.", word, re.S):
            key = " " if token.isspace() else token.lower() if ignore_case else token
            node = node.setdefault(key, {})
        node[""] = {}  # a word ends here
    return rf"(?<!\w)(?:{_trie(root)})(?!\w)"


def _trie(node: dict[str, dict[str, Any]]) -> str:
    """A trie node as a pattern: the longer words first, then the word ending here (so the
    longest match wins)."""
    parts = [
        (r"\s+" if key == " " else re.escape(key)) + _trie(child)
        for key, child in sorted(node.items())
        if key
    ]
    if "" in node:
        return f"(?:{'|'.join(parts)})?" if parts else ""
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


def _expand(pattern: str, macros: dict[str, str], file: str, rid: str) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise RuleError(file, rid, f"unknown macro <<{name}>>.")
        return macros[name]

    for _ in range(5):  # macros may use macros; bounded so a cycle cannot hang
        pattern, n = MACRO.subn(sub, pattern)
        if not n:
            return pattern
    raise RuleError(file, rid, "macros nest more than five deep (a cycle?).")


def _compile(
    rule: RuleModel, dim: str, macros: dict[str, str], file: str, word_start: bool
) -> CompiledRule:
    if (rule.pattern is None) == (rule.words is None):
        raise RuleError(file, rule.id, "give exactly one of 'pattern' or 'words'.")
    allowed = DIMENSIONS[dim]
    if rule.kind not in allowed:
        raise RuleError(file, rule.id, f"kind {rule.kind!r} is not one of {sorted(allowed)}.")
    source = (
        _expand(rule.pattern, macros, file, rule.id)
        if rule.pattern is not None
        else _words_regex(rule.words or [], not rule.case_sensitive)
    )
    if word_start and rule.pattern is not None:
        source = f"{WORD_START}(?:{source})"
    flags = 0 if rule.case_sensitive else re.IGNORECASE
    try:
        regex = re.compile(source, flags)
    except re.error as exc:
        raise RuleError(file, rule.id, f"bad regex ({exc}).") from exc
    if nested_repeat(regex):
        raise RuleError(
            file,
            rule.id,
            "its pattern nests a repeat inside a repeat with nothing between them that tells "
            "one repetition from the next (like '(a+)+'), which can take hours on one line; "
            "require a separator in the outer repeat (like '(?:a+,)+') or drop one of them.",
        )
    return CompiledRule(
        id=rule.id,
        dimension=dim,
        kind=rule.kind,
        description=rule.description,
        regex=regex,
        words=tuple(rule.words or ()),
        level=rule.level,
        freq=rule.freq,
        value=rule.value,
        confidence=rule.confidence,
        examples=tuple(rule.examples),
        counter_examples=tuple(rule.counter_examples),
        file=file,
    )


class RuleSet:
    """All rules, by dimension, in file order; plus a hash of the rule data."""

    def __init__(self, rules: list[CompiledRule], digest: str) -> None:
        self.rules = tuple(rules)
        self.digest = digest
        self.by_id = {r.id: r for r in rules}
        self._by_dim: dict[tuple[str, str | None], tuple[CompiledRule, ...]] = {}

    def of(self, dimension: str, kind: str | None = None) -> tuple[CompiledRule, ...]:
        key = (dimension, kind)
        if key not in self._by_dim:
            self._by_dim[key] = tuple(
                r
                for r in self.rules
                if r.dimension == dimension and (kind is None or r.kind == kind)
            )
        return self._by_dim[key]


@lru_cache(maxsize=64)
def search_screen(rules: tuple[CompiledRule, ...], *, loose: bool = False) -> re.Pattern[str]:
    """`union_regex(rules)` to `search` with: where its matches start is all it tells, and it
    skips to the characters they can start with at C speed (`prefilter.skipping`)."""
    return skipping(union_regex(rules, loose=loose))


@lru_cache(maxsize=64)
def union_regex(rules: tuple[CompiledRule, ...], *, loose: bool = False) -> re.Pattern[str]:
    """One pattern matching wherever any of the rules matches (a superset: group names and
    back-references are dropped), to screen text before trying the rules one by one. Rules
    that cannot be joined give a pattern matching everywhere: no screening, same results.

    `loose` drops the lookbehinds the rules open on ("(?<![Đđ]ã\\s)(?<!\\w)giao"): the screen
    matches more places, but where the rules then open on words, `re` finds those words' first
    letters at C speed, about seven times faster over a sentence."""
    bodies = []
    for r in rules:
        body = re.sub(r"\(\?P=\w+\)", "", re.sub(r"\(\?P<\w+>", "(?:", r.regex.pattern))
        flags = GLOBAL_FLAGS.match(body)
        if flags:
            body = f"(?{flags.group(1)}:{body[flags.end() :]})"
        elif loose:
            body = LOOKBEHINDS.sub("", body)
        bodies.append(body)
    lead = WORD_START  # a file's `word_start`: tested once per position, not once per rule
    if bodies and all(b.startswith(lead) for b in bodies):
        bodies = [b[len(lead) :] for b in bodies]
    else:
        lead = ""
    # one flag for all when the rules agree (faster), else each rule keeps its own
    ignore = {bool(r.regex.flags & re.IGNORECASE) for r in rules}
    if len(ignore) > 1:
        bodies = [
            f"(?i:{b})" if r.regex.flags & re.IGNORECASE else b
            for r, b in zip(rules, bodies, strict=True)
        ]
    try:
        return re.compile(
            lead + "(?:" + "|".join(bodies or ["(?!)"]) + ")",
            re.IGNORECASE if ignore == {True} else 0,
        )
    except re.error:
        return re.compile("")


def default_rules_dir() -> Path:
    """EXTRACTOR_RULES_DIR, else the rule files inside the package: extractor/rule_files is a
    link to the top-level rules/ in a checkout (edit them there) and a copy of it in a wheel."""
    env = os.environ.get("EXTRACTOR_RULES_DIR")
    return Path(env) if env else Path(__file__).resolve().parent / "rule_files"


def load_file(path: Path) -> tuple[RuleFileModel, list[CompiledRule]]:
    name = str(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise RuleError(name, None, f"is not valid YAML ({exc}).") from exc
    if not isinstance(raw, dict):
        raise RuleError(name, None, "must be a mapping with 'dimension' and 'rules'.")
    try:
        model = RuleFileModel.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"]
        rid = None
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            rules = raw.get("rules") or []
            if loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
                rid = rules[loc[1]].get("id")
        where = ".".join(str(x) for x in loc)
        raise RuleError(name, rid, f"{where}: {first['msg']}.") from exc
    if model.dimension not in DIMENSIONS:
        raise RuleError(name, None, f"unknown dimension {model.dimension!r}.")
    return model, [
        _compile(r, model.dimension, model.macros, name, model.word_start) for r in model.rules
    ]


def load_rules(directory: Path | None = None) -> RuleSet:
    """Load every `*.yaml` in the directory; duplicate ids across files are an error."""
    directory = directory or default_rules_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RuleError(str(directory), None, "holds no rule files (*.yaml).")
    compiled: list[CompiledRule] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        _, rules = load_file(path)
        for rule in rules:
            if rule.id in seen:
                raise RuleError(str(path), rule.id, f"duplicate id (also in {seen[rule.id]}).")
            seen[rule.id] = str(path)
            compiled.append(rule)
    return RuleSet(compiled, digest.hexdigest())


@lru_cache(maxsize=4)
def cached_rules(directory: str | None = None) -> RuleSet:
    return load_rules(Path(directory) if directory else None)
