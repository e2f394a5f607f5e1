// Value: the dynamic value of the expression language and of record fields.
// null, bool, int64, double, string, list, object. Objects keep insertion order
// (JSON output looks like its input). Lists and objects are shared and
// immutable once built, so copying a Value is cheap.
//
// JSON mapping: null<->null, true/false<->bool, integers that fit int64 -> int,
// other numbers -> double, string<->string, array<->list, object<->object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::expr {

class Value;
using List = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

enum class Type : uint8_t { kNull, kBool, kInt, kDouble, kString, kList, kObject };
std::string_view TypeName(Type t);

class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int64_t i) : v_(i) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l) : v_(std::make_shared<const List>(std::move(l))) {}
  Value(Object o) : v_(std::make_shared<const Object>(std::move(o))) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_number() const { return type() == Type::kInt || type() == Type::kDouble; }

  bool as_bool() const { return std::get<bool>(v_); }
  int64_t as_int() const { return std::get<int64_t>(v_); }
  double as_double() const { return std::get<double>(v_); }
  // int or double as double.
  double as_number() const { return type() == Type::kInt ? static_cast<double>(as_int()) : as_double(); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(v_); }
  const Object& as_object() const { return *std::get<std::shared_ptr<const Object>>(v_); }

  // Field of an object, or null (also when this is not an object).
  const Value& Get(std::string_view field) const;
  // Element of a list (negative counts from the end), or null.
  const Value& At(int64_t index) const;

  // Deep equality; 1 == 1.0 is true.
  bool operator==(const Value& other) const;
  // Compact JSON text.
  std::string ToJson() const;
  void AppendJson(std::string& out) const;

  static const Value& Null();

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Object>>
      v_;
};

}  // namespace sluice::expr
