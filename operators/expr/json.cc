#include "operators/expr/json.h"

#include <simdjson.h>

namespace sluice::expr {
namespace {

Value Convert(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return Value();
    case simdjson::dom::element_type::BOOL: return Value(bool(e.get_bool()));
    case simdjson::dom::element_type::INT64: return Value(int64_t(e.get_int64()));
    case simdjson::dom::element_type::UINT64: return Value(double(uint64_t(e.get_uint64())));
    case simdjson::dom::element_type::DOUBLE: return Value(double(e.get_double()));
    case simdjson::dom::element_type::STRING: return Value(std::string_view(e.get_string()));
    case simdjson::dom::element_type::ARRAY: {
      List list;
      list.reserve(simdjson::dom::array(e.get_array()).size());
      for (auto child : e.get_array()) list.push_back(Convert(child));
      return Value(std::move(list));
    }
    case simdjson::dom::element_type::OBJECT: {
      Object obj;
      obj.reserve(simdjson::dom::object(e.get_object()).size());
      for (auto field : e.get_object()) obj.emplace_back(std::string(field.key), Convert(field.value));
      return Value(std::move(obj));
    }
  }
  return Value();
}

}  // namespace

Result<Value> ParseJson(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  auto error = parser.parse(padded).get(root);
  if (error) return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  return Convert(root);
}

}  // namespace sluice::expr
