"""Read YAML and remember where every value came from, so errors can name the line.

PyYAML's composer gives nodes with marks; we walk them once to index each path
(``("services", 2, "annual_cost")``) by line and column, then construct the data with the
safe loader.  Duplicate keys (which PyYAML silently resolves) are reported, and alias bombs
are refused before they are expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.base.errors import InputError, Problem
from engine.base.limits import MAX_RECORDS, MAX_STRING_CHARS, MAX_VALUES

Loc = tuple[str | int, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster


@dataclass
class YamlDoc:
    """Parsed data plus the position of every path in the source text."""

    data: Any
    source: str
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # readable, but wrong: told with the rest

    def locate(self, loc: Loc) -> tuple[int | None, int | None]:
        """1-based (line, column) of the deepest known prefix of ``loc``."""
        for end in range(len(loc), -1, -1):
            pos = self.positions.get(tuple(loc[:end]))
            if pos is not None:
                return pos
        return None, None

    def known(self, loc: Loc) -> bool:
        return tuple(loc) in self.positions


def read_yaml(content: str | bytes, source: str, what: str = "document") -> YamlDoc:
    """Parse ``content``; raise :class:`InputError` naming the place for anything unreadable."""
    text = _decode(content, source)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise InputError.one(f"the file is empty; expected a {what} (a YAML mapping)", file=source)
    _count_values(text, source)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "unreadable"
        raise InputError.one(
            f"not valid YAML: {reason}",
            file=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError.one(f"not valid YAML: {exc}", file=source) from None
    except RecursionError:
        raise InputError.one("nested too deeply to be a " + what, file=source) from None
    if root is None:
        raise InputError.one(f"the file is empty; expected a {what} (a YAML mapping)", file=source)
    if not isinstance(root, yaml.MappingNode):
        raise InputError.one(
            f"expected a {what}: a YAML mapping of `field: value` lines, found a {_kind(root)}",
            file=source,
            line=root.start_mark.line + 1,
        )
    doc = YamlDoc(data=None, source=source)
    try:
        sizes: dict[int, int] = {}
        _bounded(_index(root, (), doc, doc.problems, sizes), sizes, root, source)
        doc.data = yaml.constructor.SafeConstructor().construct_document(root)
    except RecursionError:
        raise InputError.one("nested too deeply to be a " + what, file=source) from None
    except yaml.YAMLError as exc:  # constructor errors, e.g. an invalid timestamp
        mark = getattr(exc, "problem_mark", None)
        raise InputError.one(
            f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
            file=source,
            line=mark.line + 1 if mark else None,
        ) from None
    except ValueError as exc:  # e.g. PyYAML's date constructor on 2015-02-30
        raise InputError.one(f"not valid YAML: {exc}", file=source) from None
    return doc


_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


def _count_values(text: str, source: str) -> None:
    """Refuse a document of too many values from the parser's events, before building any node.

    Composing costs about 1.5 s per MB and the events a sixth of that, so a file of real records
    beyond the limit is refused after reading only as far as the limit.  Aliases are counted
    once here; their expansion is bounded by :func:`_bounded`.
    """
    count = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > MAX_VALUES:
                    mark = event.start_mark
                    raise InputError.one(
                        f"the document holds more than {MAX_VALUES:,} values; the limit is {MAX_VALUES:,}",
                        file=source,
                        line=mark.line + 1 if mark is not None else None,
                    )
    except yaml.YAMLError:
        return  # not valid YAML: composing says where, below


def _decode(content: str | bytes, source: str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise InputError.one(
            f"not UTF-8 text (byte {exc.start}); expected a YAML text file", file=source, line=line
        ) from None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return f"single value `{str(node.value)[:40]}`" if isinstance(node, yaml.ScalarNode) else "value"


def _index(node: yaml.Node, loc: Loc, doc: YamlDoc, problems: list[Problem], sizes: dict[int, int]) -> int:
    """Note where ``node`` is, check it, and return how many values it expands to (memoised per
    node, capped just past the limit, so an alias bomb costs one visit per node it names)."""
    doc.positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if id(node) in sizes:  # an alias: its contents are indexed where the anchor is
        return sizes[id(node)]
    sizes[id(node)] = 1  # guards against recursive aliases
    total = 1
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_line and key != "<<":
                problems.append(
                    Problem(
                        f"key `{key}` appears twice (first on line {first_line[key]}); keep one",
                        file=doc.source,
                        line=line,
                    )
                )
            first_line.setdefault(key, line)
            total += _key_size(key_node, sizes) + _index(value_node, (*loc, key), doc, problems, sizes)
    elif isinstance(node, yaml.SequenceNode):
        if len(node.value) > MAX_RECORDS:
            where = f"`{loc[-1]}`" if loc else "the list"
            raise InputError.one(
                f"{where} has {len(node.value):,} items; the limit is {MAX_RECORDS:,}",
                file=doc.source,
                line=node.start_mark.line + 1,
            )
        for i, item in enumerate(node.value):
            total += _index(item, (*loc, i), doc, problems, sizes)
    else:
        _check_scalar(node, doc, problems)
    sizes[id(node)] = min(total, MAX_VALUES + 1)
    return sizes[id(node)]


def _key_size(key: yaml.Node, sizes: dict[int, int]) -> int:
    """A key is one value, unless it is itself a collection (counted, not indexed)."""
    if isinstance(key, yaml.ScalarNode):
        return 1
    return _size(key, sizes)


def _size(node: yaml.Node, sizes: dict[int, int]) -> int:
    if id(node) in sizes:
        return sizes[id(node)]
    sizes[id(node)] = 1
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_size(k, sizes) + _size(v, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_size(v, sizes) for v in node.value)
    else:
        total = 1
    sizes[id(node)] = min(total, MAX_VALUES + 1)
    return sizes[id(node)]


def _check_scalar(node: yaml.Node, doc: YamlDoc, problems: list[Problem]) -> None:
    if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_STRING_CHARS:
        raise InputError.one(
            f"a text of {len(node.value):,} characters; the limit is {MAX_STRING_CHARS:,}",
            file=doc.source,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        )
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
        except ValueError as exc:
            node.tag = "tag:yaml.org,2002:str"  # read on as text; the date itself is reported here
            problems.append(
                Problem(
                    f"`{node.value}` is not a real date ({exc}); expected YYYY-MM-DD",
                    file=doc.source,
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                )
            )


def _bounded(expanded: int, sizes: dict[int, int], root: yaml.Node, source: str) -> None:
    """Refuse documents with an absurd number of values, written out or through aliases."""
    if len(sizes) > MAX_VALUES:  # each node counted once: values written out in the file
        raise InputError.one(
            f"the document holds {len(sizes):,} values; the limit is {MAX_VALUES:,}", file=source
        )
    if expanded > MAX_VALUES:
        raise InputError.one(
            f"the document expands to more than {MAX_VALUES:,} values (through YAML aliases); "
            "refusing to read it",
            file=source,
            line=root.start_mark.line + 1,
        )


def dump_yaml(data: Any) -> str:
    """Readable YAML: keys in model order, block style, multi-line text as ``|`` blocks."""
    return yaml.dump(_plain(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
