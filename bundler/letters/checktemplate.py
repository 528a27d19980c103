"""Check a letter template's variables against its context model, before any letter is sent.

docxtpl's own ``get_undeclared_template_variables`` sees only top-level names
(``provider``), so a misspelt ``provider.adress.postcode`` would pass it and only
fail, or print blank, at render time. This walks jinja2's syntax tree of every
part docxtpl renders (the body, every header and footer, first-page ones
included, footnotes and the document properties) and follows each name through
attribute and item look-ups, ``{% for %}`` loops (the loop variable takes the
list's item model), ``{% set %}``, ``{% with %}`` and macros, checking each
dotted path against the Pydantic context model field by field.

Templates are shared between councils, so each is also checked for the ways a value
leads into Python itself: any attribute (or item, or ``|attr``) whose name starts with
``_``, such as ``''.__class__.__mro__`` or ``cycler.__init__.__globals__``, is an error
naming the part and the whole expression; names other than the letter's values and
Jinja's own globals are unknown variables. ``render`` fills letters in Jinja's sandbox,
which refuses the same things at render time.

A council runs it as ``bundler letter check-template FILE.docx --kind KIND``;
``render`` runs it before every letter so an unknown name stops the letter with
every bad name listed, not just the first.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import jinja2
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import nodes
from pydantic import BaseModel

from bundler.letters.context import LetterKind
from bundler.letters.render import jinja_environment, open_template

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class _Scalar:
    """Text, a number or a flag: no fields of its own (string methods are allowed)."""


@dataclass(frozen=True)
class _Any:
    """Something the checker cannot see into (a macro argument, ``loop``, a dict's items)."""


@dataclass(frozen=True)
class _List:
    item: _Type


_Type = Union[type[BaseModel], _Scalar, _Any, _List]  # noqa: UP007 (a runtime alias)
SCALAR = _Scalar()
ANY = _Any()

_JINJA_GLOBALS = frozenset(jinja_environment().globals)
_LIST_FILTERS_KEEPING_ITEMS = frozenset(
    {"sort", "reverse", "unique", "list", "batch", "slice", "select", "reject",
     "selectattr", "rejectattr", "default", "d"}
)
_ITEM_FILTERS = frozenset({"first", "last", "random", "min", "max"})


def _type_of(annotation: Any) -> _Type:
    """The checker's view of a Pydantic field annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_of(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if origin is list:
        (inner,) = typing.get_args(annotation) or (Any,)
        return _List(_type_of(inner))
    if origin in (typing.Union, types.UnionType):
        found = [_type_of(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        return found[0] if len(found) == 1 else ANY
    if annotation in (str, int, float, bool):
        return SCALAR
    return ANY


def _fields(model: type[BaseModel]) -> dict[str, _Type]:
    return {name: _type_of(info.annotation) for name, info in model.model_fields.items()}


def _describe(kind_type: _Type) -> str:
    if isinstance(kind_type, type):
        return "a set of fields (" + ", ".join(sorted(kind_type.model_fields)) + ")"
    if isinstance(kind_type, _List):
        return "a list (use it in {% for ... %})"
    return "text"


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class UnknownVariable:
    """A name the template uses that the letter's context does not provide."""

    written: str  # as written in the template, e.g. "rec.idd"
    resolved: str  # the path in the context, e.g. "recommendations[].idd"
    part: str  # where: "document body", "first-page header", ...
    reason: str

    def __str__(self) -> str:
        shown = self.written if self.written == self.resolved else f"{self.written} ({self.resolved})"
        return f"{shown} in the {self.part}: {self.reason}"


@dataclass
class TemplateCheck:
    """What ``check_template`` found."""

    template: str
    kind: LetterKind
    variables: list[str] = field(default_factory=list)
    unknown: list[UnknownVariable] = field(default_factory=list)
    syntax_errors: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)  # expressions reaching past the values

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.syntax_errors and not self.unsafe

    def problems(self) -> list[str]:
        return [*self.unsafe, *self.syntax_errors, *(str(item) for item in self.unknown)]


# --------------------------------------------------------------------------- the walk


@dataclass(frozen=True)
class _Binding:
    type: _Type
    path: str  # the context path it stands for, e.g. "recommendations[]"


class _Walker:
    def __init__(self, root: type[BaseModel], part: str, check: TemplateCheck) -> None:
        self.root = _fields(root)
        self.part = part
        self.check = check
        self.filters = jinja_environment().filters
        self.used: set[str] = set()
        self.chain: str | None = None  # the whole dotted name being looked at, as written
        self.outer: nodes.Node | None = None  # the whole expression being looked at
        self.underscores: list[str] = []  # ``_`` attributes found in it

    # ------------------------------------------------------------- problems and uses

    def _unknown(self, written: str, resolved: str, reason: str) -> None:
        if self.chain and self.chain.startswith(written) and self.chain != written:
            tail = self.chain[len(written):]
            written, resolved = written + tail, resolved + tail
        item = UnknownVariable(written=written, resolved=resolved, part=self.part, reason=reason)
        if item not in self.check.unknown:
            self.check.unknown.append(item)

    def _problem(self, message: str) -> None:
        text = f"{self.part}: {message}"
        if text not in self.check.syntax_errors:
            self.check.syntax_errors.append(text)

    def _unsafe(self, name: str) -> None:
        """An attribute starting with ``_`` (``__class__``, ``__globals__``...): a way from a
        value into Python itself, which the sandbox refuses when the letter is written.
        Reported once per expression (by ``expr``), naming the first such attribute."""
        self.underscores.append(name)

    def _report_unsafe(self, outer: nodes.Node) -> None:
        written = _written(outer)
        name = min(self.underscores, key=lambda found: _position(written, found))
        self.underscores.clear()
        text = (f"{self.part}: the expression {written} reaches past the letter's values into "
                f"Python itself (through {name!r}); a template may use only the values the "
                "letter provides")
        if text not in self.check.unsafe:
            self.check.unsafe.append(text)

    # ------------------------------------------------------------- expressions

    def expr(self, node: nodes.Node, scope: dict[str, _Binding]) -> tuple[_Type, str, str] | None:
        """Visit an expression; return (type, context path, text as written) when it names
        something in the context, else None (and its type is unknown)."""
        if self.outer is None:
            self.outer = node
            try:
                return self._expr(node, scope)
            finally:
                self.outer = None
                if self.underscores:
                    self._report_unsafe(node)
        return self._expr(node, scope)

    def _expr(self, node: nodes.Node, scope: dict[str, _Binding]) -> tuple[_Type, str, str] | None:
        underscore = _underscore_name(node)
        if underscore is not None:
            self._unsafe(underscore)
            self._children(node, scope)
            return None
        if isinstance(node, nodes.Name):
            if node.name in scope:
                binding = scope[node.name]
                return binding.type, binding.path, node.name
            if node.name in self.root:
                self.used.add(node.name)
                return self.root[node.name], node.name, node.name
            if node.name in _JINJA_GLOBALS:
                return None
            self._unknown(node.name, node.name, "the letter has no such value")
            return None
        if isinstance(node, nodes.Getattr | nodes.Getitem) and self.chain is None:
            self.chain = _chain_text(node)
            try:
                return self.expr(node, scope)
            finally:
                self.chain = None
        if isinstance(node, nodes.Getattr):
            return self._member(node.node, node.attr, scope)
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self._member(node.node, node.arg.value, scope)
            base = self.expr(node.node, scope)
            self.expr(node.arg, scope)
            if base is not None and isinstance(base[0], _List):
                if isinstance(node.arg, nodes.Slice):
                    return base
                return base[0].item, base[1] + "[]", base[2] + "[...]"
            return None
        if isinstance(node, nodes.Filter):
            return self._filter(node, scope)
        if isinstance(node, nodes.Call):
            if isinstance(node.node, nodes.Getattr) and node.node.attr.startswith("_"):
                self._unsafe(node.node.attr)  # x.__len__(): a method, but Python's own
                self.expr(node.node.node, scope)
            elif isinstance(node.node, nodes.Getattr):
                self._method_base(node.node, scope)
            else:
                self.expr(node.node, scope)
            self._children(node, scope, skip=node.node)
            return None
        self._children(node, scope)
        return None

    def _children(self, node: nodes.Node, scope: dict[str, _Binding], skip: nodes.Node | None = None) -> None:
        for child in node.iter_child_nodes():
            if child is skip:
                continue
            if isinstance(child, nodes.Expr):
                self.expr(child, scope)
            else:
                self.stmt(child, scope)

    def _member(self, base_node: nodes.Node, attr: str, scope: dict[str, _Binding]) -> tuple[_Type, str, str] | None:
        base = self.expr(base_node, scope)
        if base is None:
            return None
        base_type, path, written = base
        new_path, new_written = f"{path}.{attr}", f"{written}.{attr}"
        if isinstance(base_type, type):
            fields = _fields(base_type)
            if attr in fields:
                self.used.add(new_path)
                return fields[attr], new_path, new_written
            self._unknown(new_written, new_path, f"{path} has no field {attr!r}; it has "
                          + ", ".join(sorted(fields)))
            return None
        if isinstance(base_type, _Any):
            return None
        self._unknown(new_written, new_path, f"{path} is {_describe(base_type)}, with no field {attr!r}")
        return None

    def _method_base(self, node: nodes.Getattr, scope: dict[str, _Binding]) -> None:
        """``x.upper()`` and the like: check ``x``, and that the method exists on text or lists."""
        base = self.expr(node.node, scope)
        if base is None:
            return
        base_type = base[0]
        if isinstance(base_type, _Scalar) and hasattr(str, node.attr):
            return
        if isinstance(base_type, _List) and hasattr(list, node.attr):
            return
        if isinstance(base_type, _Any):
            return
        self._member(node.node, node.attr, scope)

    def _filter(self, node: nodes.Filter, scope: dict[str, _Binding]) -> tuple[_Type, str, str] | None:
        base = self.expr(node.node, scope) if node.node is not None else None
        for arg in node.args:
            self.expr(arg, scope)
        for keyword in node.kwargs:
            self.expr(keyword.value, scope)
        if node.name not in self.filters:
            self._problem(f"unknown filter {node.name!r}")
            return None
        if node.name == "safe":
            self._problem("the |safe filter turns off escaping, so a value such as "
                          "'Smith & Sons' would break the letter; remove |safe")
            return None
        if base is None:
            return None
        if isinstance(base[0], _List):
            if node.name in _LIST_FILTERS_KEEPING_ITEMS:
                return base
            if node.name in _ITEM_FILTERS:
                return base[0].item, base[1] + "[]", f"{base[2]}|{node.name}"
        return None

    # ------------------------------------------------------------- statements

    def stmt(self, node: nodes.Node, scope: dict[str, _Binding]) -> None:
        if isinstance(node, nodes.For):
            self._for(node, scope)
        elif isinstance(node, nodes.Assign):
            found = self.expr(node.node, scope)
            self._bind(node.target, found, scope)
        elif isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self.stmt(child, scope)
            self._bind(node.target, None, scope)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self._bind(target, self.expr(value, scope), inner)
            for child in node.body:
                self.stmt(child, inner)
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            inner = dict(scope)
            if isinstance(node, nodes.Macro):
                scope[node.name] = _Binding(ANY, node.name)
            else:
                self.expr(node.call, scope)
            for arg in node.args:
                inner[arg.name] = _Binding(ANY, arg.name)
            for name in ("caller", "varargs", "kwargs"):
                inner[name] = _Binding(ANY, name)
            for default in node.defaults:
                self.expr(default, scope)
            for child in node.body:
                self.stmt(child, inner)
        elif isinstance(node, nodes.Include | nodes.Import | nodes.FromImport | nodes.Extends):
            self._problem("{% include %}, {% import %} and {% extends %} cannot be used in a "
                          "Word letter template")
        elif isinstance(node, nodes.Expr):
            self.expr(node, scope)
        else:
            self._children(node, scope)

    def _bind(self, target: nodes.Node, found: tuple[_Type, str, str] | None, scope: dict[str, _Binding]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = (
                _Binding(found[0], found[1]) if found is not None else _Binding(ANY, target.name)
            )
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, None, scope)
        elif isinstance(target, nodes.NSRef):
            self.expr(nodes.Name(target.name, "load"), scope)

    def _for(self, node: nodes.For, scope: dict[str, _Binding]) -> None:
        found = self.expr(node.iter, scope)
        inner = dict(scope)
        if found is not None and isinstance(found[0], _List):
            item: tuple[_Type, str, str] | None = (found[0].item, found[1] + "[]", found[2])
        else:
            if found is not None and not isinstance(found[0], _Any):
                self._unknown(found[2], found[1], f"{found[1]} is {_describe(found[0])}, not a list to loop over")
            item = None
        self._bind(node.target, item, inner)
        inner["loop"] = _Binding(ANY, "loop")
        if node.test is not None:
            self.expr(node.test, inner)
        for child in node.body:
            self.stmt(child, inner)
        for child in node.else_:
            self.stmt(child, scope)


def _underscore_name(node: nodes.Node) -> str | None:
    """The ``_name`` an attribute or item look-up (or ``|attr``) asks for, if it does."""
    if isinstance(node, nodes.Getattr):
        name: object = node.attr
    elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        name = node.arg.value
    elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args and isinstance(
            node.args[0], nodes.Const):
        name = node.args[0].value
    else:
        return None
    return name if isinstance(name, str) and name.startswith("_") else None


def _written(node: nodes.Node) -> str:
    """An expression as a template would write it (near enough to find it in Word)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return f"'{node.value}'" if isinstance(node.value, str) else repr(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{_written(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_written(node.node)}[{_written(node.arg)}]"
    if isinstance(node, nodes.Call):
        args = [_written(arg) for arg in node.args]
        args += [f"{kw.key}={_written(kw.value)}" for kw in node.kwargs]
        return f"{_written(node.node)}({', '.join(args)})"
    if isinstance(node, nodes.Filter | nodes.Test):
        base = _written(node.node) if node.node is not None else ""
        within = f"({', '.join(_written(arg) for arg in node.args)})" if node.args else ""
        joint = "|" if isinstance(node, nodes.Filter) else " is "
        return f"{base}{joint}{node.name}{within}"
    if isinstance(node, nodes.BinExpr):
        return f"{_written(node.left)} {node.operator} {_written(node.right)}"
    if isinstance(node, nodes.List):
        return f"[{', '.join(_written(item) for item in node.items)}]"
    if isinstance(node, nodes.Tuple):
        items = [_written(item) for item in node.items]
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
    return "..."


def _position(written: str, name: str) -> int:
    """Where ``name`` first appears in an expression as written (for the first one)."""
    found = written.find(name)
    return found if found >= 0 else len(written)


def _chain_text(node: nodes.Node) -> str:
    """``provider.address.postcode`` for a plain chain of names; "" for anything else."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _chain_text(node.node)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        base = _chain_text(node.node)
        if base and isinstance(node.arg.value, str):
            return f"{base}.{node.arg.value}"
    return ""


# --------------------------------------------------------------------------- template parts


def _header_footer_labels(template: DocxTemplate) -> dict[str, str]:
    """rId -> "first-page header" and so on, from the section properties."""
    labels: dict[str, str] = {}
    body = template.docx.element.body
    kinds = {"first": "first-page", "default": "", "even": "even-page"}
    for tag, word in ((qn("w:headerReference"), "header"), (qn("w:footerReference"), "footer")):
        for ref in body.iter(tag):
            rid = ref.get(qn("r:id"))
            prefix = kinds.get(ref.get(qn("w:type"), "default"), "")
            labels[rid] = f"{prefix} {word}".strip() if prefix else word
    return labels


def template_sources(template: DocxTemplate) -> Iterator[tuple[str, str, str]]:
    """(part name, raw XML, jinja2 source) for every part docxtpl renders, the source as
    docxtpl prepares it."""
    body = template.get_xml()
    yield "document body", body, _as_rendered(template, body)
    labels = _header_footer_labels(template)
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for rel_key, part in template.get_headers_footers(uri):
            label = labels.get(rel_key, "header" if uri == template.HEADER_URI else "footer")
            xml = template.xml_to_string(parse_xml(part.blob))
            yield label, xml, _as_rendered(template, xml)
    for part in template.docx.part.package.parts:
        if part.content_type == _FOOTNOTES:
            xml = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else str(part.blob)
            yield "footnotes", xml, _as_rendered(template, xml)
    props = template.docx.core_properties
    for name in ("author", "comments", "identifier", "language", "subject", "title"):
        value = getattr(props, name) or ""
        if "{" in value:
            yield f"document property {name}", value, value


_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# docxtpl's rich-text and sub-document tags insert raw Word XML: letters have neither, and
# a plain value there would vanish from the letter or bypass escaping.
_RAW_TAG = re.compile(r"\{\{\s*[rp]\s|\{%\s*r\s")


def _raw_tags(xml: str) -> list[str]:
    text = re.sub(r"<[^>]+>", "", xml)
    return sorted({match.group(0).strip() for match in _RAW_TAG.finditer(text)})


def _as_rendered(template: DocxTemplate, xml: str) -> str:
    # docxtpl puts each paragraph on its own line before rendering; so do we, so a syntax
    # error's line number points at the paragraph it is in.
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(xml))


def _paragraph_text(source: str, lineno: int) -> str:
    lines = source.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()
    return text[:120]


def check_template(path: Path, kind: LetterKind, *, shown: str | None = None) -> TemplateCheck:
    """Every variable ``path`` uses, and those the ``kind`` letter's context lacks.

    Raises InputNotFound or TemplateError only when the file is missing or is not a
    .docx; problems inside the template are reported in the result.
    """
    name = shown or str(path)
    template = open_template(path, name)
    check = TemplateCheck(template=name, kind=kind)
    env = jinja_environment()
    used: set[str] = set()
    for part, raw, source in template_sources(template):
        for tag in _raw_tags(raw):
            check.syntax_errors.append(
                f"{part}: {tag} ... tags (docxtpl rich text and sub-documents) are not "
                "available in letters; write {{ name }} instead"
            )
        try:
            tree = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            near = _paragraph_text(source, exc.lineno or 0)
            where = f" near {near!r}" if near else ""
            check.syntax_errors.append(f"{part}: template syntax error: {exc.message}{where}")
            continue
        walker = _Walker(kind.context_model, part, check)
        walker.stmt(tree, {})
        used |= walker.used
    check.variables = _leaves(used)
    return check


def _leaves(paths: set[str]) -> list[str]:
    """The most specific paths: "provider.address.postcode" rather than "provider" as well."""
    return sorted(
        path
        for path in paths
        if not any(other.startswith((path + ".", path + "[]")) for other in paths)
    )


def context_fields(kind: LetterKind) -> list[str]:
    """Every dotted path the ``kind`` letter provides, for documentation and listings."""
    return [field.path for field in describe_fields(kind)]


@dataclass(frozen=True)
class FieldDoc:
    """One value a letter provides: ``shape`` is "value", "group" (has fields) or "list"."""

    path: str
    description: str
    shape: str

    def usage(self) -> str:
        """How a template writes it, e.g. ``{{ provider.name }}``; ``items[].text`` for a
        field of each item in a ``{% for item in items %}`` loop."""
        if "[]" in self.path:
            return self.path + (".*" if self.shape == "group" else "")
        if self.shape == "list":
            return f"{{% for item in {self.path} %}}"
        if self.shape == "group":
            return f"{self.path}.*"
        return f"{{{{ {self.path} }}}}"


def describe_fields(kind: LetterKind) -> list[FieldDoc]:
    """Every value the ``kind`` letter provides, in model order, with its description;
    list items are shown as ``recommendations[].id``."""
    out: list[FieldDoc] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        types_ = _fields(model)
        for name, info in model.model_fields.items():
            kind_type = types_[name]
            path = f"{prefix}{name}"
            shape = "list" if isinstance(kind_type, _List) else (
                "group" if isinstance(kind_type, type) else "value")
            out.append(FieldDoc(path, info.description or "", shape))
            while isinstance(kind_type, _List):
                path += "[]"
                kind_type = kind_type.item
            if isinstance(kind_type, type):
                walk(kind_type, path + ".")

    walk(kind.context_model, "")
    return out
