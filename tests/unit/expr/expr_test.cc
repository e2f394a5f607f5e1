// The expression language: parsing, checking with positions, evaluation, JSON.
#include <gtest/gtest.h>

#include "operators/expr/expr.h"
#include "operators/expr/json.h"

namespace sluice::expr {
namespace {

Value Json(const std::string& text) { return ParseJson(text).value(); }

class ExprTest : public ::testing::Test {
 protected:
  Value Eval(const std::string& source) {
    std::vector<Diagnostic> d;
    auto e = Compile(source, {}, &d);
    EXPECT_NE(e, nullptr) << source << ": " << (d.empty() ? "" : d[0].message);
    if (!e) return Value();
    RecordView r{&key_, &value_, 1700000000123, &headers_, "readings", 3, 42};
    auto v = e->Eval(r);
    EXPECT_TRUE(v.ok()) << source << ": " << v.status().ToString();
    return v.ok() ? *v : Value();
  }
  std::vector<Diagnostic> Errors(const std::string& source) {
    std::vector<Diagnostic> d;
    EXPECT_EQ(Compile(source, {}, &d), nullptr) << source;
    return d;
  }
  Value key_ = Value("s1");
  Value value_ = Json(R"({"temperature": 91.5, "site": "plant", "sensor_id": "s1", "n": 7,
                           "items": [1, 2, 3], "nested": {"a": {"b": "deep"}}, "level": "error"})");
  Value headers_ = Value(Object{{"trace", Value("abc")}});
};

TEST_F(ExprTest, JobSpecExamples) {
  EXPECT_EQ(Eval("value.temperature > 80 && value.site != \"lab\""), Value(true));
  EXPECT_EQ(Eval("value.max_temp > 120 ? 'critical' : 'warning'"), Value("warning"));
  EXPECT_EQ(Eval("value.level == \"error\" ? 1 : 0"), Value(1));
  EXPECT_EQ(Eval("round(value.temperature, 1)"), Value(91.5));
  EXPECT_EQ(Eval("format_time(timestamp)"), Value("2023-11-14T22:13:20.123Z"));
  EXPECT_EQ(Eval("key"), Value("s1"));
}

TEST_F(ExprTest, ArithmeticAndNulls) {
  EXPECT_EQ(Eval("7 / 2"), Value(3.5));
  EXPECT_EQ(Eval("7 % 4 + 2 * 3 - 1"), Value(8));
  EXPECT_EQ(Eval("value.n * 2"), Value(14));
  EXPECT_EQ(Eval("-value.n"), Value(-7));
  EXPECT_TRUE(Eval("value.missing + 1").is_null());
  EXPECT_EQ(Eval("value.missing > 1"), Value(false));
  EXPECT_EQ(Eval("value.missing == null"), Value(true));
  EXPECT_EQ(Eval("value.site == null"), Value(false));
  EXPECT_EQ(Eval("'a' + 'b'"), Value("ab"));
  EXPECT_EQ(Eval("1 == 1.0"), Value(true));
}

TEST_F(ExprTest, AccessInAndLists) {
  EXPECT_EQ(Eval("value.nested.a.b"), Value("deep"));
  EXPECT_EQ(Eval("value.items[0] + value.items[-1]"), Value(4));
  EXPECT_EQ(Eval("headers[\"trace\"]"), Value("abc"));
  EXPECT_EQ(Eval("value.site in ['plant', 'lab']"), Value(true));
  EXPECT_EQ(Eval("5 in value.items"), Value(false));
  EXPECT_EQ(Eval("[1, 2]"), Value(List{Value(1), Value(2)}));
  EXPECT_EQ(Eval("topic"), Value("readings"));
  EXPECT_EQ(Eval("partition + offset"), Value(45));
}

TEST_F(ExprTest, Functions) {
  EXPECT_EQ(Eval("abs(-3)"), Value(3));
  EXPECT_EQ(Eval("floor(2.7) + ceil(2.1)"), Value(5));
  EXPECT_EQ(Eval("min(3, 1, 2)"), Value(1));
  EXPECT_EQ(Eval("max(3, 1.5)"), Value(3));
  EXPECT_EQ(Eval("lower('AbC') + upper('x')"), Value("abcX"));
  EXPECT_EQ(Eval("len(value.items)"), Value(3));
  EXPECT_EQ(Eval("contains(value.site, 'lan')"), Value(true));
  EXPECT_EQ(Eval("starts_with(value.site, 'pl') && ends_with(value.site, 'nt')"), Value(true));
  EXPECT_EQ(Eval("concat(value.site, '-', value.n)"), Value("plant-7"));
  EXPECT_EQ(Eval("substr('sluice', 1, 3)"), Value("lui"));
  EXPECT_EQ(Eval("matches(value.sensor_id, '^s[0-9]+$')"), Value(true));
  EXPECT_EQ(Eval("to_int('42') + to_int(2.9)"), Value(44));
  EXPECT_EQ(Eval("to_float('1.5')"), Value(1.5));
  EXPECT_EQ(Eval("to_string(12)"), Value("12"));
  EXPECT_EQ(Eval("coalesce(value.missing, 'x')"), Value("x"));
  EXPECT_EQ(Eval("is_null(value.missing)"), Value(true));
  EXPECT_EQ(Eval("parse_time('2024-01-01T00:00:00Z')"), Value(int64_t{1704067200000}));
  EXPECT_EQ(Eval("parse_time('2024-01-01T01:00:00.5+01:00')"), Value(int64_t{1704067200500}));
  EXPECT_GT(Eval("now()").as_int(), 1700000000000);
}

TEST_F(ExprTest, ErrorsHavePositions) {
  auto d = Errors("value.x > ");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].offset, 10u);
  d = Errors("valeu.x > 1");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].offset, 0u);
  EXPECT_NE(d[0].message.find("did you mean 'value'"), std::string::npos) << d[0].message;
  d = Errors("lowr(value.site)");
  EXPECT_NE(d[0].message.find("did you mean 'lower'"), std::string::npos) << d[0].message;
  d = Errors("round()");
  EXPECT_NE(d[0].message.find("takes 1 to 2 arguments"), std::string::npos) << d[0].message;
  d = Errors("value.a + 'x' * 2");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].offset, 14u);
  EXPECT_NE(d[0].message.find("cannot apply '*' to string and int"), std::string::npos) << d[0].message;
  d = Errors("len(5)");
  EXPECT_NE(d[0].message.find("len() expects"), std::string::npos);
  d = Errors("'unterminated");
  EXPECT_NE(d[0].message.find("unterminated"), std::string::npos);
  d = Errors("value.a # 2");
  EXPECT_EQ(d[0].offset, 8u);
  d = Errors("count()");
  EXPECT_NE(d[0].message.find("aggregate"), std::string::npos);
  d = Errors("matches(value.a, '([')");
  EXPECT_NE(d[0].message.find("regular expression"), std::string::npos);
}

TEST_F(ExprTest, RuntimeErrorsAreStatuses) {
  auto e = Compile("to_int(value.site)", {}, nullptr);
  ASSERT_NE(e, nullptr);
  RecordView r{&key_, &value_};
  auto v = e->Eval(r);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("not an integer"), std::string::npos);
  auto div = Compile("value.n / 0", {}, nullptr);
  EXPECT_FALSE(div->Eval(r).ok());
}

TEST(AggregateTest, ParsesCalls) {
  AggregateCall call;
  std::vector<Diagnostic> d;
  ASSERT_TRUE(ParseAggregateCall("avg(value.temperature)", {}, &call, &d));
  EXPECT_EQ(call.function, "avg");
  ASSERT_EQ(call.args.size(), 1u);
  AggregateCall p;
  ASSERT_TRUE(ParseAggregateCall("percentile(value.latency, 0.99)", {}, &p, &d));
  ASSERT_EQ(p.constant_args.size(), 1u);
  EXPECT_EQ(p.constant_args[0], Value(0.99));
  AggregateCall c;
  ASSERT_TRUE(ParseAggregateCall("count()", {}, &c, &d));
  EXPECT_TRUE(c.args.empty());
  AggregateCall bad;
  EXPECT_FALSE(ParseAggregateCall("avgg(value.x)", {}, &bad, &d));
  EXPECT_NE(d.back().message.find("did you mean 'avg'"), std::string::npos);
  EXPECT_FALSE(ParseAggregateCall("percentile(value.x, 2)", {}, &bad, &d));
  EXPECT_FALSE(ParseAggregateCall("sum()", {}, &bad, &d));
}

TEST(AggregateTest, ParsesRankedCalls) {
  std::vector<Diagnostic> d;
  AggregateCall by;
  ASSERT_TRUE(ParseAggregateCall("max_by(value.id, value.price)", {}, &by, &d));
  EXPECT_EQ(by.args.size(), 2u);
  EXPECT_TRUE(by.constant_args.empty());
  AggregateCall top;
  ASSERT_TRUE(ParseAggregateCall("top_n(3, value.price)", {}, &top, &d));
  ASSERT_EQ(top.constant_args.size(), 1u);
  EXPECT_EQ(top.constant_args[0], Value(3));
  EXPECT_EQ(top.args.size(), 1u);  // n is not an argument expression
  AggregateCall top3;
  ASSERT_TRUE(ParseAggregateCall("top_n(10000, value.price, value.id)", {}, &top3, &d));
  EXPECT_EQ(top3.args.size(), 2u);
  // Arity at the name; n at its offset.
  for (const auto& [text, offset, message] :
       {std::tuple<const char*, size_t, const char*>{"min_by(value.x)", 0, "min_by() takes 2 arguments (value, order), got 1"},
        {"top_n(3, value.x, value.y, value.z)", 0, "top_n() takes 2 or 3 arguments (n, order[, value]), got 4"},
        {"top_n(value.n, value.x)", 6, "top_n() needs a constant n"},
        {"top_n(2.5, value.x)", 6, "top_n() needs a constant n"},
        {"top_n(-1, value.x)", 6, "top_n() needs a constant n"},
        {"top_n(10001, value.x)", 6, "top_n() needs a constant n"}}) {
    AggregateCall bad;
    std::vector<Diagnostic> found;
    EXPECT_FALSE(ParseAggregateCall(text, {}, &bad, &found)) << text;
    ASSERT_FALSE(found.empty()) << text;
    EXPECT_EQ(found[0].offset, offset) << text;
    EXPECT_NE(found[0].message.find(message), std::string::npos) << text << ": " << found[0].message;
  }
}

TEST(JsonTest, RoundTripAndMapping) {
  auto v = ParseJson(R"({"a":1,"b":2.5,"c":"x\n\"y\"","d":[true,null],"e":{}})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Get("a").type(), Type::kInt);
  EXPECT_EQ(v->Get("b").type(), Type::kDouble);
  EXPECT_EQ(v->ToJson(), R"({"a":1,"b":2.5,"c":"x\n\"y\"","d":[true,null],"e":{}})");
  EXPECT_EQ(Value(3.0).ToJson(), "3.0");
  EXPECT_EQ(Value(0.1).ToJson(), "0.1");
  EXPECT_EQ(Value(110.0).ToJson(), "110.0");
  EXPECT_EQ(Value(102.4).ToJson(), "102.4");
  EXPECT_EQ(Value(1e21).ToJson(), "1e+21");
  EXPECT_FALSE(ParseJson("{bad").ok());
}

}  // namespace
}  // namespace sluice::expr
