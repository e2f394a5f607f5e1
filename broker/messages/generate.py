#!/usr/bin/env python3
"""Generates the typed Kafka messages (broker/messages/README.md) from one definition.

    generate.py DEF OUT_DIR

reads broker/messages/defs/<api>.def and writes OUT_DIR/broker/messages/<api>.h,
<api>.cc and <api>_fill.h (the test-only filler). Run by CMake at build time.

Definition format (indentation is two spaces per level):

    api <key> <Name>
    request <versions> flexible <versions|none>
      <field> <type> <versions> [null=<versions>] [tag=<n>@<versions>] [default=<value>]
        <nested fields of a struct or []struct field>
      struct <Name> <versions>          # a struct shared by several fields
        <its fields>
    response <versions> flexible <versions|none>
      ...

Types: int8 int16 int32 int64 uint16 float64 bool string bytes records uuid,
[]<type> (arrays), or a struct name (nested fields follow, or a shared struct).
Versions: "N+", "N-M", "N" or "none".
"""
import os
import re
import sys

PRIMITIVES = {
    "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
    "uint16": "uint16_t", "float64": "double", "bool": "bool", "uuid": "Uuid",
    "string": "std::string", "bytes": "std::vector<uint8_t>", "records": "ByteView",
}
KEYWORDS = {"default", "operator", "class", "delete", "new", "register", "template", "union", "namespace"}
INT16_MAX = 32767


def parse_versions(text):
    if text == "none":
        return None
    if text.endswith("+"):
        return (int(text[:-1]), INT16_MAX)
    if "-" in text:
        lo, hi = text.split("-")
        return (int(lo), int(hi))
    return (int(text), int(text))


class Field:
    def __init__(self, name, type_, versions, attrs, line):
        self.name = name + "_" if name in KEYWORDS else name
        self.type = type_
        self.versions = parse_versions(versions)
        self.nullable = parse_versions(attrs.get("null", "none"))
        self.tag = None
        self.tagged = None
        if "tag" in attrs:
            tag, tv = attrs["tag"].split("@")
            self.tag = int(tag)
            self.tagged = parse_versions(tv)
        self.default = attrs.get("default")
        self.fields = []  # for an inline struct
        self.line = line

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def elem(self):
        return self.type[2:] if self.is_array else self.type


class Struct:
    def __init__(self, name):
        self.name = name
        self.fields = []


class Message:
    def __init__(self, kind):
        self.kind = kind
        self.versions = None
        self.flexible = None
        self.fields = []
        self.structs = {}  # name -> Struct (inline and shared)


def fail(msg):
    sys.exit("generate.py: " + msg)


def parse(path):
    api_key = api_name = None
    messages = []
    stack = []  # (indent, list of fields, owning Field or Struct)
    for lineno, raw in enumerate(open(path), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = (len(line) - len(line.lstrip(" "))) // 2
        words = line.split()
        where = f"{path}:{lineno}"
        if indent == 0:
            if words[0] == "api":
                api_key, api_name = int(words[1]), words[2]
            elif words[0] in ("request", "response"):
                msg = Message(words[0])
                msg.versions = parse_versions(words[1])
                msg.flexible = parse_versions(words[3])
                messages.append(msg)
                stack = [(0, msg.fields, msg)]
            else:
                fail(f"{where}: unexpected {words[0]}")
            continue
        msg = messages[-1]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if not stack:
            fail(f"{where}: bad indentation")
        if words[0] == "struct":
            s = Struct(words[1])
            if s.name in msg.structs:
                fail(f"{where}: struct {s.name} defined twice")
            msg.structs[s.name] = s
            stack.append((indent, s.fields, s))
            continue
        attrs = dict(w.split("=", 1) for w in words[3:])
        f = Field(words[0], words[1], words[2], attrs, where)
        stack[-1][1].append(f)
        if f.elem not in PRIMITIVES and not f.elem.startswith("[]"):
            stack.append((indent, f.fields, f))
    # Inline structs become named structs of the message.
    for msg in messages:
        seen = set()

        def collect(fields):
            for f in fields:
                if f.fields and id(f) not in seen:
                    seen.add(id(f))
                    if f.elem in msg.structs:
                        fail(f"{f.line}: struct {f.elem} defined twice")
                    s = Struct(f.elem)
                    s.fields = f.fields
                    msg.structs[s.name] = s
                    collect(f.fields)
        collect(msg.fields)
        for s in list(msg.structs.values()):
            collect(s.fields)
    return api_key, api_name, messages


def snake(name):
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s).lower()


def cond(rng, var="v"):
    lo, hi = rng
    parts = []
    if lo > 0:
        parts.append(f"{var} >= {lo}")
    if hi < INT16_MAX:
        parts.append(f"{var} <= {hi}")
    return " && ".join(parts) if parts else "true"


def elem_cpp(t, msg):
    if t in PRIMITIVES:
        return PRIMITIVES[t]
    if t.startswith("[]"):
        return f"std::vector<{elem_cpp(t[2:], msg)}>"
    if t not in msg.structs:
        fail(f"unknown type {t}")
    return t


def cpp_type(f, msg):
    t = elem_cpp(f.type, msg)
    if f.nullable and (f.is_array or f.type in ("string", "bytes", "records")):
        return f"std::optional<{t}>"
    return t


def default_value(f):
    d = f.default
    if f.nullable and (f.is_array or f.type in ("string", "bytes", "records")):
        return "std::nullopt" if d in (None, "null") else f"std::string({d})"
    if f.type in ("int8", "int16", "int32", "int64", "uint16"):
        return d if d is not None else "0"
    if f.type == "float64":
        return d if d is not None else "0.0"
    if f.type == "bool":
        return d if d is not None else "false"
    if f.type == "string":
        return d if d is not None else '""'
    return None  # value-initialised


def default_expr(f, msg):
    d = default_value(f)
    if d is None:
        return f"{cpp_type(f, msg)}{{}}"
    if d == "std::nullopt" or d.startswith("std::string"):
        return d
    if f.type == "string":
        return f"std::string_view({d})"
    return f"static_cast<{cpp_type(f, msg)}>({d})"


def read_scalar(t, nullable, reader):
    if t == "int8": return f"{reader}.I8()"
    if t == "int16": return f"{reader}.I16()"
    if t == "int32": return f"{reader}.I32()"
    if t == "int64": return f"{reader}.I64()"
    if t == "uint16": return f"static_cast<uint16_t>({reader}.I16())"
    if t == "float64": return f"std::bit_cast<double>({reader}.I64())"
    if t == "bool": return f"{reader}.Bool()"
    if t == "uuid": return f"ReadUuid({reader})"
    if t == "string": return f"{reader}.NullableString()" if nullable else f"{reader}.String()"
    if t == "bytes": return f"ReadNullableBytes({reader})" if nullable else f"ReadBytes({reader})"
    if t == "records": return f"ReadNullableView({reader})" if nullable else f"ByteView{{{reader}.Bytes()}}"
    return None


def write_scalar(t, nullable, expr, writer):
    if t == "int8": return f"{writer}.I8({expr});"
    if t == "int16": return f"{writer}.I16({expr});"
    if t == "int32": return f"{writer}.I32({expr});"
    if t == "int64": return f"{writer}.I64({expr});"
    if t == "uint16": return f"{writer}.I16(static_cast<int16_t>({expr}));"
    if t == "float64": return f"{writer}.I64(std::bit_cast<int64_t>({expr}));"
    if t == "bool": return f"{writer}.Bool({expr});"
    if t == "uuid": return f"{writer}.Raw({expr}.bytes);"
    if t == "string": return f"{writer}.NullableString({expr});" if nullable else f"{writer}.String({expr});"
    if t == "bytes": return f"WriteNullableBytes({writer}, {expr});" if nullable else f"{writer}.Bytes({expr});"
    if t == "records": return f"WriteNullableView({writer}, {expr});" if nullable else f"{writer}.Bytes({expr}.data);"
    return None


def gen_read(f, msg, reader, out, ind):
    p = "  " * ind
    nullable = bool(f.nullable)
    target = f.name
    if f.is_array:
        out.append(f"{p}{{")
        out.append(f"{p}  const int32_t n = {reader}.ArrayLength();")
        if nullable:
            out.append(f"{p}  if (n < 0) {{")
            out.append(f"{p}    {target}.reset();")
            out.append(f"{p}  }} else {{")
            out.append(f"{p}    auto& items = {target}.emplace();")
        else:
            out.append(f"{p}  {{")
            out.append(f"{p}    auto& items = {target};")
            out.append(f"{p}    items.clear();")
        out.append(f"{p}    for (int32_t i = 0; i < n && {reader}.ok(); ++i) {{")
        e = f.elem
        if e in PRIMITIVES:
            out.append(f"{p}      items.push_back({read_scalar(e, False, reader)});")
        else:
            out.append(f"{p}      items.emplace_back().Read({reader}, v);")
        out.append(f"{p}    }}")
        out.append(f"{p}  }}")
        out.append(f"{p}}}")
    elif f.type in PRIMITIVES:
        out.append(f"{p}{target} = {read_scalar(f.type, nullable, reader)};")
    else:
        out.append(f"{p}{target}.Read({reader}, v);")


def gen_write(f, msg, writer, out, ind):
    p = "  " * ind
    nullable = bool(f.nullable)
    if f.is_array:
        e = f.elem
        if nullable:
            out.append(f"{p}if (!{f.name}) {{")
            out.append(f"{p}  {writer}.ArrayLength(-1);")
            out.append(f"{p}}} else {{")
            items = f"*{f.name}"
        else:
            out.append(f"{p}{{")
            items = f.name
        out.append(f"{p}  {writer}.ArrayLength(static_cast<int32_t>(({items}).size()));")
        out.append(f"{p}  for (const auto& item : {items}) {{")
        if e in PRIMITIVES:
            out.append(f"{p}    {write_scalar(e, False, 'item', writer)}")
        else:
            out.append(f"{p}    item.Write({writer}, v);")
        out.append(f"{p}  }}")
        out.append(f"{p}}}")
    elif f.type in PRIMITIVES:
        out.append(f"{p}{write_scalar(f.type, nullable, f.name, writer)}")
    else:
        out.append(f"{p}{f.name}.Write({writer}, v);")


def gen_struct_decl(name, fields, msg, out, top=None):
    out.append(f"struct {name} {{" if top is None else f"struct {top} {{")
    if top is not None:
        key, lo, hi, flex = msg.meta
        out.append(f"  static constexpr int16_t kApiKey = {key};")
        out.append(f"  static constexpr int16_t kMinVersion = {lo};")
        out.append(f"  static constexpr int16_t kMaxVersion = {hi};")
        out.append(f"  // Versions from this one on use the flexible encoding ({INT16_MAX}: none).")
        out.append(f"  static constexpr int16_t kFirstFlexible = {flex};")
        out.append("")
        for s in order_structs(msg):
            for l in gen_struct_lines(s.name, s.fields, msg):
                out.append("  " + l if l else "")
            out.append("")
    for f in fields:
        d = default_value(f)
        init = "{}" if d is None else f" = {d}"
        out.append(f"  {cpp_type(f, msg)} {f.name}{init};")
    out.append("  // Tagged fields this version does not know, kept to be written back.")
    out.append("  std::vector<TaggedField> unknown_tags;")
    out.append("")
    out.append(f"  bool operator==(const {top or name}&) const = default;")
    if top is not None:
        out.append("  // Reads a body of `version` (the encoding follows the version); false, and `r`")
        out.append("  // failed, when it does not parse. Views (records) point into the reader's buffer.")
        out.append("  bool Decode(Reader& r, int16_t version);")
        out.append("  // Appends the body in `version`'s layout (sets the writer's encoding).")
        out.append("  void Encode(Writer& w, int16_t version) const;")
        out.append("  std::vector<uint8_t> Encode(int16_t version) const;")
    out.append("  void Read(Reader& r, int16_t v);")
    out.append("  void Write(Writer& w, int16_t v) const;")
    out.append("};")


def gen_struct_lines(name, fields, msg):
    out = []
    gen_struct_decl(name, fields, msg, out)
    return out


def struct_deps(s, msg):
    deps = []
    def walk(fields):
        for f in fields:
            e = f.elem
            while e.startswith("[]"):
                e = e[2:]
            if e in msg.structs:
                deps.append(e)
    walk(s.fields)
    return deps


def order_structs(msg):
    done, order = set(), []
    def visit(name, seen=()):
        if name in done:
            return
        if name in seen:
            fail(f"recursive struct {name}")
        for d in struct_deps(msg.structs[name], msg):
            visit(d, seen + (name,))
        done.add(name)
        order.append(msg.structs[name])
    for name in msg.structs:
        visit(name)
    return order


def gen_methods(qual, fields, msg, out):
    flex_lo = msg.flexible[0] if msg.flexible else None
    # Read
    out.append(f"void {qual}::Read(Reader& r, int16_t v) {{")
    out.append("  (void)v;")
    for f in fields:
        if f.tag is not None:
            continue
        c = cond(f.versions)
        ind = 1 if c == "true" else 2
        if c != "true":
            out.append(f"  if ({c}) {{")
        gen_read(f, msg, "r", out, ind)
        if f.nullable and not f.is_array and f.type in ("string", "bytes", "records") and cond(f.nullable) != "true":
            # A null where this version cannot say null reads as empty.
            out.append(f"{'  ' * ind}if (!({cond(f.nullable)}) && !{f.name}) {f.name}.emplace();")
        if c != "true":
            out.append("  }")
    tagged = [f for f in fields if f.tag is not None]
    out.append("  if (!r.flexible()) return;")
    if tagged:
        out.append("  ReadTags(r, unknown_tags, [&](uint32_t tag, Reader& t) {")
        out.append("    switch (tag) {")
        for f in tagged:
            out.append(f"      case {f.tag}:")
            out.append(f"        if (!({cond(f.tagged)})) return false;")
            gen_read(f, msg, "t", out, 4)
            out.append("        return true;")
        out.append("      default:")
        out.append("        return false;")
        out.append("    }")
        out.append("  });")
    else:
        out.append("  ReadTags(r, unknown_tags, [](uint32_t, Reader&) { return false; });")
    out.append("}")
    out.append("")
    # Write
    out.append(f"void {qual}::Write(Writer& w, int16_t v) const {{")
    out.append("  (void)v;")
    for f in fields:
        if f.tag is not None:
            continue
        c = cond(f.versions)
        ind = 1 if c == "true" else 2
        p = "  " * ind
        if c != "true":
            out.append(f"  if ({c}) {{")
        if f.nullable and (f.is_array or f.type in ("string", "bytes", "records")) and cond(f.nullable) != "true":
            # A null where this version cannot say null is written empty.
            out.append(f"{p}if (!({cond(f.nullable)}) && !{f.name}) {{")
            out.append(f"{p}  const auto {f.name} = {cpp_type(f, msg)}(std::in_place);")
            gen_write(f, msg, "w", out, ind + 1)
            out.append(f"{p}}} else {{")
            gen_write(f, msg, "w", out, ind + 1)
            out.append(f"{p}}}")
        else:
            gen_write(f, msg, "w", out, ind)
        if c != "true":
            out.append("  }")
    out.append("  if (!w.flexible()) return;")
    out.append("  TagWriter tags(unknown_tags);")
    for f in tagged:
        out.append(f"  if (({cond(f.tagged)}) && !({f.name} == {default_expr(f, msg)})) {{")
        out.append("    Writer t(true);")
        gen_write(f, msg, "t", out, 2)
        out.append(f"    tags.Add({f.tag}, t.Take());")
        out.append("  }")
    out.append("  tags.WriteTo(w);")
    out.append("}")
    out.append("")


def gen_fill(qual, fields, msg, out):
    out.append(f"inline void Fill({qual}& m, int16_t v, FillRng& rng) {{")
    out.append("  (void)m; (void)v; (void)rng;")
    for f in fields:
        rng_ = f.tagged if f.tag is not None else f.versions
        out.append(f"  if ({cond(rng_)}) {{")
        can_null = f.nullable is not None
        nullable_type = can_null and (f.is_array or f.type in ("string", "bytes", "records"))
        if nullable_type:
            out.append(f"    if (({cond(f.nullable)}) && rng.Chance(4)) {{")
            out.append(f"      m.{f.name}.reset();")
            out.append("    } else {")
            out.append(f"      auto& x = m.{f.name}.emplace();")
        else:
            out.append("    {")
            out.append(f"      auto& x = m.{f.name};")
        if f.is_array:
            e = f.elem
            out.append("      x.clear();")
            out.append("      const int count = rng.Count();")
            out.append("      for (int i = 0; i < count; ++i) {")
            if e in PRIMITIVES:
                out.append(f"        x.push_back(rng.Next<{PRIMITIVES[e]}>());")
            else:
                out.append("        rng.Enter();")
                out.append("        Fill(x.emplace_back(), v, rng);")
                out.append("        rng.Leave();")
            out.append("      }")
        elif f.type in PRIMITIVES:
            out.append(f"      x = rng.Next<{PRIMITIVES[f.type]}>();")
        else:
            out.append("      Fill(x, v, rng);")
        out.append("    }")
        out.append("  }")
    out.append(f"  if (v >= {msg.meta[3]}) rng.UnknownTags(m.unknown_tags);")
    out.append("}")
    out.append("")


def generate(def_path, out_dir):
    key, name, messages = parse(def_path)
    base = snake(name)
    hdr, src, fill = [], [], []
    guard = f"broker/messages/{base}.h"
    hdr += [f"// Generated by broker/messages/generate.py from broker/messages/defs/{base}.def; do not edit.",
            f"// {name} (API key {key}): the request and response bodies of every version.",
            "#pragma once", "", '#include "broker/messages/message.h"', "",
            "namespace sluice::broker::messages {", ""]
    src += [f"// Generated by broker/messages/generate.py from broker/messages/defs/{base}.def; do not edit.",
            f'#include "{guard}"', "", "#include <bit>", "", "namespace sluice::broker::messages {", ""]
    fill += [f"// Generated by broker/messages/generate.py from broker/messages/defs/{base}.def; do not edit.",
             "// Test-only: fills a message with values every field of a version can carry.",
             "#pragma once", "", f'#include "{guard}"', '#include "broker/messages/fill_rng.h"', "",
             "namespace sluice::broker::messages {", ""]
    kinds = {m.kind for m in messages}
    if kinds != {"request", "response"}:
        fail(f"{def_path}: needs one request and one response")
    for msg in messages:
        top = f"{name}{msg.kind.capitalize()}"
        lo, hi = msg.versions
        flex = msg.flexible[0] if msg.flexible else INT16_MAX
        msg.meta = (key, lo, hi, flex)
        gen_struct_decl(top, msg.fields, msg, hdr, top=top)
        hdr.append("")
        for s in order_structs(msg):
            gen_methods(f"{top}::{s.name}", s.fields, msg, src)
            gen_fill(f"{top}::{s.name}", s.fields, msg, fill)
        gen_methods(top, msg.fields, msg, src)
        gen_fill(top, msg.fields, msg, fill)
        src += [f"bool {top}::Decode(Reader& r, int16_t version) {{",
                "  r.set_flexible(version >= kFirstFlexible);",
                "  Read(r, version);",
                "  return r.ok();",
                "}", "",
                f"void {top}::Encode(Writer& w, int16_t version) const {{",
                "  w.set_flexible(version >= kFirstFlexible);",
                "  Write(w, version);",
                "}", "",
                f"std::vector<uint8_t> {top}::Encode(int16_t version) const {{",
                "  Writer w;",
                "  Encode(w, version);",
                "  return w.Take();",
                "}", ""]
    for part in (hdr, src, fill):
        part.append("}  // namespace sluice::broker::messages")
    os.makedirs(os.path.join(out_dir, "broker", "messages"), exist_ok=True)
    for suffix, lines in ((".h", hdr), (".cc", src), ("_fill.h", fill)):
        path = os.path.join(out_dir, "broker", "messages", base + suffix)
        text = "\n".join(lines) + "\n"
        # Unchanged outputs keep their timestamps (no needless rebuilds).
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as f:
                f.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    generate(sys.argv[1], sys.argv[2])
