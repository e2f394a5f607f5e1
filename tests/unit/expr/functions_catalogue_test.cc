// A catalogue of the expression language beyond expr_test.cc: every function of
// JOB-SPEC.md with normal, null and wrong-type arguments; operator precedence
// and associativity; the null rules; true division; integer overflow; and the
// byte offset of each compile error. Expectations follow JOB-SPEC.md and
// operators/expr/README.md. Where those leave a case open, the choice is named
// in the test (integer overflow: the exact result as a float, as `sum` does,
// never a wrapped int; an integer literal too large for int64 is a float, as
// in the JSON mapping; an impossible date is not a time).
//
// Each choice is pinned by its own test (ImpossibleDatesAreNotTimes,
// IntegerOverflowIsNotWrapped, ModuloOfTheSmallestIntByMinusOneDoesNotCrash,
// HugeFloatsDoNotBecomeArbitraryInts, ArgumentCountWording,
// ASyntaxErrorIsReportedOnce); they found bugs that are fixed now.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <ostream>
#include <limits>
#include <string>
#include <vector>

#include "operators/expr/expr.h"
#include "tests/unit/expr/test_fixture.h"

namespace sluice::expr {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

class FunctionsCatalogueTest : public ExprFixture {
 protected:
  FunctionsCatalogueTest()
      : ExprFixture(R"({"n": 7, "f": 2.5, "s": "Sluice", "neg": -4, "list": [3, 1, 2], "obj": {"a": 1},
      "big": 9223372036854775807, "small": -9223372036854775808, "zero": 0, "num_text": "12", "flag": true,
      "t": "2024-02-29T12:00:00Z", "nan_text": "abc", "huge": 1e300})") {}
  // The compile errors as "offset: message".
  std::vector<std::string> Errors(const std::string& source) {
    std::vector<Diagnostic> d;
    EXPECT_EQ(Compile(source, {}, &d), nullptr) << source << " compiled";
    std::vector<std::string> out;
    for (const auto& x : d) out.push_back(std::to_string(x.offset) + ": " + x.message);
    return out;
  }
};

TEST_F(FunctionsCatalogueTest, NumericFunctions) {
  EXPECT_EQ(Ok("abs(value.neg)"), Value(4));
  EXPECT_EQ(Ok("abs(-2.5)"), Value(2.5));
  EXPECT_EQ(Ok("abs(value.f)").type(), Type::kDouble);
  EXPECT_EQ(Ok("round(2.5)"), Value(3));
  EXPECT_EQ(Ok("round(-2.5)"), Value(-3));
  EXPECT_EQ(Ok("round(value.n)").type(), Type::kInt);
  EXPECT_EQ(Ok("round(3.14159, 2)"), Value(3.14));
  EXPECT_EQ(Ok("round(1234.5, -2)"), Value(1200.0));
  EXPECT_EQ(Ok("floor(-2.5)"), Value(-3));
  EXPECT_EQ(Ok("ceil(-2.5)"), Value(-2));
  EXPECT_EQ(Ok("floor(value.n)"), Value(7));
  EXPECT_EQ(Ok("min(value.n, value.f, value.neg)"), Value(-4));
  EXPECT_EQ(Ok("max(value.missing, 2, value.f)"), Value(2.5));
  EXPECT_EQ(Ok("min(4)"), Value(4));
}

TEST_F(FunctionsCatalogueTest, NumericFunctionsWithNullAndWrongTypes) {
  for (const char* fn : {"abs", "round", "floor", "ceil"}) {
    EXPECT_TRUE(Ok(std::string(fn) + "(value.missing)").is_null()) << fn;
    Fails(std::string(fn) + "(value.s)", "expects a number");
  }
  EXPECT_TRUE(Ok("round(value.missing, 2)").is_null());
  Fails("round(value.f, value.s)", "digits");
  EXPECT_TRUE(Ok("min(value.missing, null)").is_null());
  Fails("max(1, value.s)", "max() expects numbers, got string");
  Fails("min(value.list, 1)", "min() expects numbers, got list");
}

TEST_F(FunctionsCatalogueTest, StringFunctions) {
  EXPECT_EQ(Ok("lower(value.s)"), Value("sluice"));
  EXPECT_EQ(Ok("upper(value.s)"), Value("SLUICE"));
  EXPECT_EQ(Ok("len(value.s)"), Value(6));
  EXPECT_EQ(Ok("len(value.obj)"), Value(1));
  EXPECT_EQ(Ok("len('')"), Value(0));
  EXPECT_EQ(Ok("contains(value.list, 2)"), Value(true));
  EXPECT_EQ(Ok("contains(value.list, 2.0)"), Value(true));
  EXPECT_EQ(Ok("contains(value.list, 9)"), Value(false));
  EXPECT_EQ(Ok("contains(value.s, 'uic')"), Value(true));
  EXPECT_EQ(Ok("contains(value.s, 'UIC')"), Value(false));
  EXPECT_EQ(Ok("starts_with(value.s, '')"), Value(true));
  EXPECT_EQ(Ok("ends_with(value.s, 'Sluice!')"), Value(false));
  EXPECT_EQ(Ok("concat('a', null, 1, 2.5, true, value.list)"), Value("a12.5true[3,1,2]"));
  EXPECT_EQ(Ok("substr(value.s, 2)"), Value("uice"));
  EXPECT_EQ(Ok("substr(value.s, 4, 100)"), Value("ce"));
  EXPECT_EQ(Ok("substr(value.s, 100)"), Value(""));
  EXPECT_EQ(Ok("substr(value.s, -3, 2)"), Value("Sl"));
  EXPECT_EQ(Ok("substr(value.s, 1, -1)"), Value(""));
  EXPECT_EQ(Ok("matches(value.s, 'ui')"), Value(true));
  EXPECT_EQ(Ok("matches(value.s, '^ui')"), Value(false));
  EXPECT_EQ(Ok("matches(value.s, concat('^', 'Sl'))"), Value(true));
}

TEST_F(FunctionsCatalogueTest, StringFunctionsWithNullAndWrongTypes) {
  EXPECT_TRUE(Ok("lower(value.missing)").is_null());
  EXPECT_TRUE(Ok("upper(null)").is_null());
  EXPECT_TRUE(Ok("len(value.missing)").is_null());
  EXPECT_TRUE(Ok("substr(value.missing, 1)").is_null());
  EXPECT_EQ(Ok("contains(value.missing, 'a')"), Value(false));
  EXPECT_EQ(Ok("starts_with(value.missing, 'a')"), Value(false));
  EXPECT_EQ(Ok("ends_with(value.s, value.missing)"), Value(false));
  EXPECT_EQ(Ok("matches(value.missing, 'a')"), Value(false));
  EXPECT_EQ(Ok("concat(null)"), Value(""));
  Fails("lower(value.n)", "expects a string, got int");
  Fails("len(value.flag)", "len() expects a string, list or object, got bool");
  Fails("starts_with(value.n, 'a')", "starts_with() expects strings");
  Fails("contains(value.obj, 'a')", "contains() expects strings or a list");
  Fails("substr(value.s, 'a')", "substr() expects");
  Fails("substr(value.s, 1, 'a')", "an int length");
  Fails("matches(value.n, 'a')", "matches() expects a string, got int");
  Fails("matches(value.s, value.n)", "matches() expects a string pattern");
  Fails("matches(value.s, concat('(', ''))", "bad pattern");
}

TEST_F(FunctionsCatalogueTest, Conversions) {
  EXPECT_EQ(Ok("to_int(value.num_text)"), Value(12));
  EXPECT_EQ(Ok("to_int('-5')"), Value(-5));
  EXPECT_EQ(Ok("to_int(-2.9)"), Value(-2));
  EXPECT_EQ(Ok("to_int(value.flag)"), Value(1));
  EXPECT_EQ(Ok("to_float(value.n)").type(), Type::kDouble);
  EXPECT_EQ(Ok("to_float('2.5e1')"), Value(25.0));
  EXPECT_EQ(Ok("to_string(value.f)"), Value("2.5"));
  EXPECT_EQ(Ok("to_string(value.s)"), Value("Sluice"));
  EXPECT_EQ(Ok("to_string(value.obj)"), Value("{\"a\":1}"));
  EXPECT_EQ(Ok("to_string(3.0)"), Value("3.0"));
  for (const char* fn : {"to_int", "to_float", "to_string"}) {
    EXPECT_TRUE(Ok(std::string(fn) + "(value.missing)").is_null()) << fn;
  }
  Fails("to_int('')", "is not an integer");
  Fails("to_int('12abc')", "'12abc' is not an integer");
  Fails("to_int(value.list)", "to_int() expects");
  Fails("to_float(value.nan_text)", "'abc' is not a number");
  Fails("to_float(value.obj)", "to_float() expects");
}

TEST_F(FunctionsCatalogueTest, NullHelpersAndTime) {
  EXPECT_EQ(Ok("coalesce(value.missing, null, value.n, 1)"), Value(7));
  EXPECT_TRUE(Ok("coalesce(null, value.missing)").is_null());
  EXPECT_EQ(Ok("is_null(null)"), Value(true));
  EXPECT_EQ(Ok("is_null(value.zero)"), Value(false));
  EXPECT_EQ(Ok("is_null(value.list[10])"), Value(true));
  EXPECT_EQ(Ok("parse_time(value.t)"), Value(int64_t{1709208000000}));
  EXPECT_EQ(Ok("parse_time('2024-01-01T00:00:00-02:30')"), Value(int64_t{1704076200000}));
  EXPECT_EQ(Ok("parse_time('1970-01-01T00:00:00.001Z')"), Value(int64_t{1}));
  EXPECT_EQ(Ok("format_time(1709208000000)"), Value("2024-02-29T12:00:00.000Z"));
  EXPECT_EQ(Ok("format_time(-1)"), Value("1969-12-31T23:59:59.999Z"));
  EXPECT_EQ(Ok("format_time(parse_time('2024-05-01T10:00:00.250Z'))"), Value("2024-05-01T10:00:00.250Z"));
  EXPECT_TRUE(Ok("parse_time(value.missing)").is_null());
  EXPECT_TRUE(Ok("format_time(value.missing)").is_null());
  Fails("parse_time('yesterday')", "'yesterday' is not an RFC 3339 time");
  Fails("parse_time('2024-01-01T00:00:00')", "is not an RFC 3339 time");
  Fails("parse_time(value.n)", "parse_time() expects an RFC 3339 string, got int");
  Fails("format_time(value.s)", "format_time() expects epoch milliseconds, got string");
  const int64_t before = Ok("now()").as_int();
  EXPECT_LE(before, Ok("now()").as_int());
}

// Out-of-range fields are not a time: 2023 has no 29 February, no month 13.
TEST_F(FunctionsCatalogueTest, ImpossibleDatesAreNotTimes) {
  Fails("parse_time('2023-02-29T00:00:00Z')", "is not an RFC 3339 time");
  Fails("parse_time('2024-13-01T00:00:00Z')", "is not an RFC 3339 time");
  Fails("parse_time('2024-01-01T25:00:00Z')", "is not an RFC 3339 time");
}

TEST_F(FunctionsCatalogueTest, Precedence) {
  EXPECT_EQ(Ok("1 + 2 * 3"), Value(7));
  EXPECT_EQ(Ok("(1 + 2) * 3"), Value(9));
  EXPECT_EQ(Ok("10 - 4 - 3"), Value(3));
  EXPECT_EQ(Ok("8 / 4 / 2"), Value(1.0));
  EXPECT_EQ(Ok("2 * 3 % 4"), Value(2));
  EXPECT_EQ(Ok("-value.list[0] * 2"), Value(-6));
  EXPECT_EQ(Ok("1 < 2 == 2 < 3"), Value(true));
  EXPECT_EQ(Ok("1 + 1 in [2, 3]"), Value(true));
  EXPECT_EQ(Ok("2 in [1, 2] == true"), Value(true));
  EXPECT_EQ(Ok("true || false && false"), Value(true));
  EXPECT_EQ(Ok("!false && false"), Value(false));
  EXPECT_EQ(Ok("!(1 > 2)"), Value(true));
  EXPECT_EQ(Ok("false ? 1 : true ? 2 : 3"), Value(2));
  EXPECT_EQ(Ok("true ? false ? 1 : 2 : 3"), Value(2));
  EXPECT_EQ(Ok("value.n > 5 && value.f < 3 ? 'both' : 'not'"), Value("both"));
}

TEST_F(FunctionsCatalogueTest, NullRules) {
  EXPECT_TRUE(Ok("null * 2").is_null());
  EXPECT_TRUE(Ok("value.missing - value.n").is_null());
  EXPECT_TRUE(Ok("-value.missing").is_null());
  EXPECT_TRUE(Ok("!value.missing").is_null());
  EXPECT_TRUE(Ok("value.missing / 0").is_null());
  for (const char* op : {"<", "<=", ">", ">="}) {
    EXPECT_EQ(Ok(std::string("value.missing ") + op + " 1"), Value(false)) << op;
    EXPECT_EQ(Ok(std::string("null ") + op + " null"), Value(false)) << op;
  }
  EXPECT_EQ(Ok("null == null"), Value(true));
  EXPECT_EQ(Ok("value.missing != 1"), Value(true));
  EXPECT_EQ(Ok("value.missing && true"), Value(false));
  EXPECT_EQ(Ok("value.missing || true"), Value(true));
  EXPECT_EQ(Ok("value.missing ? 1 : 2"), Value(2));
  EXPECT_EQ(Ok("null in [null]"), Value(true));
  EXPECT_EQ(Ok("value.s < 1"), Value(false));
  EXPECT_EQ(Ok("'abc' < 'abd'"), Value(true));
  EXPECT_TRUE(Ok("value.obj.a.b").is_null());
  EXPECT_TRUE(Ok("value.s.x").is_null());
}

TEST_F(FunctionsCatalogueTest, TrueDivisionAndModulo) {
  EXPECT_EQ(Ok("6 / 3"), Value(2.0));
  EXPECT_EQ(Ok("6 / 3").type(), Type::kDouble);
  EXPECT_EQ(Ok("-7 / 2"), Value(-3.5));
  EXPECT_EQ(Ok("value.n / value.f"), Value(2.8));
  EXPECT_EQ(Ok("7 % 3"), Value(1));
  EXPECT_EQ(Ok("7.5 % 2"), Value(1.5));
  Fails("value.n / value.zero", "division by zero");
  Fails("value.n / 0.0", "division by zero");
  Fails("value.n % value.zero", "modulo by zero");
  Fails("value.s - 1", "arithmetic on string and int");
}

// int64 arithmetic that does not fit gives the result as a float (2^63 is
// exact as a double; 2^64 - 2 rounds to 2^64).
TEST_F(FunctionsCatalogueTest, IntegerOverflowIsNotWrapped) {
  EXPECT_EQ(Ok("value.big - 1"), Value(kMax - 1));
  EXPECT_EQ(Ok("value.small"), Value(kMin));
  const double two63 = 9223372036854775808.0;
  for (const auto& [source, expected] : std::vector<std::pair<std::string, double>>{
           {"value.big + 1", two63},
           {"value.small - 1", -two63},
           {"value.big * 2", 2 * two63},
           {"-value.small", two63},
           {"abs(value.small)", two63},
           {"9223372036854775808", two63}}) {
    const Value v = Ok(source);
    EXPECT_EQ(v.type(), Type::kDouble) << source << " gave " << v.ToJson();
    EXPECT_EQ(v, Value(expected)) << source;
  }
}

// INT64_MIN % -1 traps on x86 in C++; a record must not be able to crash the
// process. Run in a child process so that a crash fails only this test.
TEST_F(FunctionsCatalogueTest, ModuloOfTheSmallestIntByMinusOneDoesNotCrash) {
  EXPECT_EXIT(
      {
        auto v = Run("value.small % -1");
        std::exit(v.ok() && *v == Value(0) ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Floats outside int64 do not become an arbitrary int.
TEST_F(FunctionsCatalogueTest, HugeFloatsDoNotBecomeArbitraryInts) {
  Fails("to_int(value.huge)", "to_int()");
  Fails("to_int('99999999999999999999')", "is not an integer");
  Fails("floor(value.huge)", "floor");
  Fails("round(value.huge)", "round");
}

TEST_F(FunctionsCatalogueTest, CompileTypeErrorsAreCertainOnly) {
  EXPECT_EQ(Errors("abs('x')"), std::vector<std::string>{"4: abs() expects a number, got string"});
  EXPECT_EQ(Errors("upper(1.5)"), std::vector<std::string>{"6: upper() expects a string, got float"});
  EXPECT_EQ(Errors("format_time('now')"), std::vector<std::string>{"12: format_time() expects a number, got string"});
  EXPECT_EQ(Errors("true + 1"), std::vector<std::string>{"5: cannot apply '+' to bool and int"});
  EXPECT_EQ(Errors("[1] - 1"), std::vector<std::string>{"4: cannot apply '-' to list and int"});
  // Types only known per record are checked when evaluating, not compiling.
  EXPECT_NE(Compile("abs(value.s)", {}, nullptr), nullptr);
  EXPECT_NE(Compile("value.s * 2", {}, nullptr), nullptr);
}

TEST_F(FunctionsCatalogueTest, ErrorPositions) {
  EXPECT_EQ(Errors("(1 + 2"), std::vector<std::string>{"6: expected ')' at the end"});
  EXPECT_EQ(Errors("[1, 2"), std::vector<std::string>{"5: expected ']' at the end"});
  EXPECT_EQ(Errors("value. + 1"), std::vector<std::string>{"7: expected a field name after '.', found '+'"});
  EXPECT_EQ(Errors("value.list[0"), std::vector<std::string>{"12: expected ']' at the end"});
  EXPECT_EQ(Errors("is_null()"), std::vector<std::string>{"0: is_null() takes 1 argument, got 0"});
  EXPECT_EQ(Errors("now(1)"), std::vector<std::string>{"0: now() takes 0 arguments, got 1"});
  EXPECT_EQ(Errors("value.n + substr('a')"), std::vector<std::string>{"10: substr() takes 2 to 3 arguments, got 1"});
}

TEST_F(FunctionsCatalogueTest, ArgumentCountWording) {
  EXPECT_EQ(Errors("coalesce()"), std::vector<std::string>{"0: coalesce() takes at least 1 argument, got 0"});
}

// One mistake, one error: no follow-up errors from the same spot.
TEST_F(FunctionsCatalogueTest, ASyntaxErrorIsReportedOnce) {
  EXPECT_EQ(Errors("1 +* 2"), std::vector<std::string>{"3: unexpected '*'"});
  EXPECT_EQ(Errors("true ? 1"), std::vector<std::string>{"8: expected ':' at the end"});
  EXPECT_EQ(Errors("concat('a' 'b')"), std::vector<std::string>{"11: expected ')', found 'b'"});
}

// In any order: the validator sorts them by position.
TEST_F(FunctionsCatalogueTest, EveryProblemIsReported) {
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(sorted(Errors("lowr(valeu.s) + uper('x')")),
            (std::vector<std::string>{"0: unknown function 'lowr' (did you mean 'lower'?)",
                                      "16: unknown function 'uper' (did you mean 'upper'?)",
                                      "5: unknown name 'valeu' (did you mean 'value'?)"}));
  EXPECT_EQ(sorted(Errors("sum(value.n) > 1 && 'a' * 2")),
            (std::vector<std::string>{"0: sum() is an aggregate: use it in a window's aggregate: block",
                                      "24: cannot apply '*' to string and int"}));
}

}  // namespace
}  // namespace sluice::expr
