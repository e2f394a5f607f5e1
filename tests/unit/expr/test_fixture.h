// Compiling and evaluating expressions against one record, for the expression
// tests (the function catalogue, the string and regex functions).
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "operators/expr/expr.h"
#include "operators/expr/json.h"

namespace sluice::expr {

inline void PrintTo(const Value& v, std::ostream* os) { *os << v.ToJson() << " (" << TypeName(v.type()) << ")"; }

// The record value of the string and regex function tests.
inline constexpr std::string_view kStringsRecord =
    R"({"s": "Sluice", "n": 7, "empty": "", "uni": "héhé€😀", "csv": "a,b,,c",
      "url": "https://www.nexmark.com/vyt/vcw/item.htm?query=1&channel_id=1236&q=caf%C3%A9+au+lait#top",
      "aaa": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "evil": "(a+)+$", "bad": "(ab", "two": "ab"})";

// The record has key "s1", a header trace=abc, and `value_json` as its value.
class ExprFixture : public ::testing::Test {
 protected:
  explicit ExprFixture(std::string_view value_json = kStringsRecord)
      : value_(ParseJson(value_json).value()) {}
  // Compiles (which must succeed) and evaluates against the fixture's record.
  Result<Value> Run(const std::string& source) {
    std::vector<Diagnostic> d;
    auto e = Compile(source, {}, &d);
    if (!e) return InvalidArgument("compile error in '" + source + "': " + (d.empty() ? "" : d[0].message));
    RecordView r{&key_, &value_, 1700000000123, &headers_, "readings", 3, 42};
    return e->Eval(r);
  }
  Value Ok(const std::string& source) {
    auto v = Run(source);
    EXPECT_TRUE(v.ok()) << source << ": " << v.status().ToString();
    return v.ok() ? *v : Value("<error>");
  }
  // A runtime error whose message contains `text`.
  void Fails(const std::string& source, const std::string& text) {
    auto v = Run(source);
    ASSERT_FALSE(v.ok()) << source << " gave " << v->ToJson();
    EXPECT_NE(v.status().message().find(text), std::string::npos) << source << ": " << v.status().message();
  }
  // The one compile error of `source`: its offset, and that its message contains `text`.
  size_t CompileError(const std::string& source, const std::string& text) {
    std::vector<Diagnostic> d;
    EXPECT_EQ(Compile(source, {}, &d), nullptr) << source << " compiled";
    EXPECT_EQ(d.size(), 1u) << source;
    if (d.empty()) return std::string::npos;
    EXPECT_NE(d[0].message.find(text), std::string::npos) << source << ": " << d[0].message;
    return d[0].offset;
  }
  static Value Strings(const std::vector<std::string>& items) {
    List l;
    for (const auto& s : items) l.emplace_back(s);
    return Value(std::move(l));
  }

  Value key_ = Value("s1");
  Value value_;
  Value headers_ = Value(Object{{"trace", Value("abc")}});
};

}  // namespace sluice::expr
