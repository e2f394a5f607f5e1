// Fuzz target: arbitrary text into the expression compiler (operators/expr:
// lexer, parser, name and type checks), as a plain expression and as an
// aggregate call; what compiles is evaluated against a fixed record. The text
// also goes through the JSON parser (records arrive as JSON).
//
// Known: very deep nesting overflows the stack until the compiler bounds its
// depth (issue 15, item 1) — run with -max_len=4096 meanwhile. The regex
// functions are evaluated too: they use RE2, linear in the input (std::regex's
// backtracking took minutes on corpus/expr_parser/regression-regex-backtracking).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "operators/expr/expr.h"
#include "operators/expr/json.h"

namespace {

using namespace sluice;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "expr_parser_fuzz: %s\n", what);
  std::abort();
}

struct Fixture {
  expr::Value key{"user-42"};
  expr::Value value;
  expr::Value headers;
  expr::RecordView view;

  Fixture() {
    auto v = expr::ParseJson(
        R"({"s":"Hello, World","n":42,"neg":-7,"d":1.5,"b":true,"z":null,"l":[1,2.5,"x",null,[3]],)"
        R"("o":{"x":1,"y":"two","in":{"deep":[true]}},"ts":"2026-12-03T07:00:00Z","big":9223372036854775807})");
    auto h = expr::ParseJson(R"({"trace":"abc","n":"1"})");
    if (!v.ok() || !h.ok()) Fail("fixture JSON does not parse");
    value = *v;
    headers = *h;
    view.key = &key;
    view.value = &value;
    view.headers = &headers;
    view.timestamp = 1764745200000;
    view.topic = "events";
    view.partition = 3;
    view.offset = 1234;
  }
};

const Fixture& TheFixture() {
  static const Fixture* f = new Fixture();
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Fixture& fx = TheFixture();

  expr::CompileOptions options;
  std::vector<expr::Diagnostic> diagnostics;
  auto compiled = expr::Compile(text, options, &diagnostics);
  if (compiled) {
    if (!diagnostics.empty()) Fail("compiled, yet reported diagnostics");
    auto result = compiled->Eval(fx.view);
    if (result.ok()) (void)result->ToJson();
  } else if (diagnostics.empty()) {
    Fail("failed to compile without a diagnostic");
  }
  for (const auto& d : diagnostics) {
    if (d.offset > size) Fail("diagnostic offset beyond the source");
  }

  options.allow_aggregates = true;
  expr::AggregateCall call;
  diagnostics.clear();
  if (expr::ParseAggregateCall(text, options, &call, &diagnostics)) {
    for (const auto& arg : call.args) {
      if (arg) (void)arg->Eval(fx.view);
    }
  }

  auto json = expr::ParseJson(text);
  if (json.ok()) {
    auto again = expr::ParseJson(json->ToJson());
    if (!again.ok() || !(*again == *json)) Fail("JSON does not survive ToJson/ParseJson");
  }
  return 0;
}
