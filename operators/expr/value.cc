#include "operators/expr/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace sluice::expr {

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBool: return "bool";
    case Type::kInt: return "int";
    case Type::kDouble: return "float";
    case Type::kString: return "string";
    case Type::kList: return "list";
    case Type::kObject: return "object";
  }
  return "unknown";
}

const Value& Value::Null() {
  static const Value kNull;
  return kNull;
}

const Value& Value::Get(std::string_view field) const {
  if (type() != Type::kObject) return Null();
  for (const auto& [k, v] : as_object()) {
    if (k == field) return v;
  }
  return Null();
}

const Value& Value::At(int64_t index) const {
  if (type() != Type::kList) return Null();
  const auto& l = as_list();
  const int64_t n = static_cast<int64_t>(l.size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return Null();
  return l[static_cast<size_t>(index)];
}

bool Value::operator==(const Value& o) const {
  if (is_number() && o.is_number()) {
    if (type() == Type::kInt && o.type() == Type::kInt) return as_int() == o.as_int();
    return as_number() == o.as_number();
  }
  if (type() != o.type()) return false;
  switch (type()) {
    case Type::kNull: return true;
    case Type::kBool: return as_bool() == o.as_bool();
    case Type::kString: return as_string() == o.as_string();
    case Type::kList: return as_list() == o.as_list();
    case Type::kObject: return as_object() == o.as_object();
    default: return false;
  }
}

namespace {

void AppendEscaped(std::string& out, const std::string& s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

void Value::AppendJson(std::string& out) const {
  switch (type()) {
    case Type::kNull: out += "null"; break;
    case Type::kBool: out += as_bool() ? "true" : "false"; break;
    case Type::kInt: out += std::to_string(as_int()); break;
    case Type::kDouble: {
      const double d = as_double();
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN or infinity
        break;
      }
      // Shortest text that reads back exactly, fixed or scientific, whichever is shorter.
      char buf[64];
      const auto result = std::to_chars(buf, buf + sizeof buf, d);
      *result.ptr = '\0';
      out += buf;
      if (std::string_view(buf).find_first_of(".eEn") == std::string_view::npos) out += ".0";
      break;
    }
    case Type::kString: AppendEscaped(out, as_string()); break;
    case Type::kList: {
      out.push_back('[');
      bool first = true;
      for (const auto& v : as_list()) {
        if (!first) out.push_back(',');
        first = false;
        v.AppendJson(out);
      }
      out.push_back(']');
      break;
    }
    case Type::kObject: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : as_object()) {
        if (!first) out.push_back(',');
        first = false;
        AppendEscaped(out, k);
        out.push_back(':');
        v.AppendJson(out);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string Value::ToJson() const {
  std::string out;
  AppendJson(out);
  return out;
}

}  // namespace sluice::expr
