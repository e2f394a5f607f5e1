// split, split_index, index_of, replace, url_param, count_char
// (operators/expr/string_functions.h): results, empty strings, UTF-8, nulls,
// and wrong types caught at compile time with their offsets.
#include "tests/unit/expr/test_fixture.h"

namespace sluice::expr {
namespace {

using StringFunctionsTest = ExprFixture;

TEST_F(StringFunctionsTest, Split) {
  EXPECT_EQ(Ok("split(value.csv, ',')"), Strings({"a", "b", "", "c"}));
  EXPECT_EQ(Ok("split(',a,', ',')"), Strings({"", "a", ""}));
  EXPECT_EQ(Ok("split('a::b', '::')"), Strings({"a", "b"}));
  EXPECT_EQ(Ok("split(value.s, ',')"), Strings({"Sluice"}));
  EXPECT_EQ(Ok("split(value.empty, ',')"), Strings({""}));
  // An empty separator splits into characters (UTF-8 code points), as Flink's SPLIT.
  EXPECT_EQ(Ok("split(value.uni, '')"), Strings({"h", "é", "h", "é", "€", "😀"}));
  EXPECT_EQ(Ok("split('', '')"), Strings({}));
  EXPECT_EQ(Ok("split(value.csv, ',')[-1]"), Value("c"));
  EXPECT_EQ(Ok("len(split(value.csv, ','))"), Value(4));
  EXPECT_TRUE(Ok("split(value.missing, ',')").is_null());
  EXPECT_TRUE(Ok("split(value.s, null)").is_null());
  EXPECT_EQ(CompileError("split(value.s, 5)", "split() expects a string, got int"), 15u);
  Fails("split(value.n, ',')", "split() expects strings, got int");
}

TEST_F(StringFunctionsTest, SplitIndexIsZeroBasedAndNullOutOfRange) {
  EXPECT_EQ(Ok("split_index(value.csv, ',', 0)"), Value("a"));
  EXPECT_EQ(Ok("split_index(value.csv, ',', 2)"), Value(""));
  EXPECT_EQ(Ok("split_index(value.csv, ',', 3)"), Value("c"));
  EXPECT_TRUE(Ok("split_index(value.csv, ',', 4)").is_null());
  EXPECT_TRUE(Ok("split_index(value.csv, ',', -1)").is_null());  // as Flink's SPLIT_INDEX
  EXPECT_EQ(Ok("split_index(value.uni, '', 4)"), Value("€"));
  EXPECT_EQ(Ok("split_index(value.uni, 'é', 1)"), Value("h"));
  EXPECT_TRUE(Ok("split_index(value.missing, ',', 0)").is_null());
  EXPECT_TRUE(Ok("split_index(value.csv, ',', value.missing)").is_null());
  EXPECT_EQ(CompileError("split_index(value.csv, ',', '1')", "split_index() expects an int, got string"), 28u);
  EXPECT_EQ(CompileError("split_index(value.csv, ',', 1.0)", "expects an int, got float"), 28u);
  Fails("split_index(value.csv, ',', value.s)", "split_index() expects an int index, got string");
}

TEST_F(StringFunctionsTest, IndexOfIsAZeroBasedByteOffsetOrMinusOne) {
  EXPECT_EQ(Ok("index_of(value.s, 'ui')"), Value(2));
  EXPECT_EQ(Ok("index_of(value.s, 'S')"), Value(0));
  EXPECT_EQ(Ok("index_of(value.s, 'x')"), Value(-1));
  EXPECT_EQ(Ok("index_of(value.s, '')"), Value(0));
  EXPECT_EQ(Ok("index_of(value.empty, 'a')"), Value(-1));
  EXPECT_EQ(Ok("index_of(value.uni, '€')"), Value(6));  // bytes: h é(2) h é(2)
  EXPECT_EQ(Ok("substr(value.url, index_of(value.url, '?') + 1, 7)"), Value("query=1"));
  EXPECT_TRUE(Ok("index_of(value.missing, 'a')").is_null());
  EXPECT_TRUE(Ok("index_of(value.s, null)").is_null());
  EXPECT_EQ(CompileError("index_of(1, 'a')", "index_of() expects a string, got int"), 9u);
}

TEST_F(StringFunctionsTest, ReplaceEveryOccurrence) {
  EXPECT_EQ(Ok("replace(value.csv, ',', ';')"), Value("a;b;;c"));
  EXPECT_EQ(Ok("replace('aaa', 'aa', 'b')"), Value("ba"));  // left to right, no overlaps
  EXPECT_EQ(Ok("replace(value.s, 'x', 'y')"), Value("Sluice"));
  EXPECT_EQ(Ok("replace(value.s, '', 'y')"), Value("Sluice"));  // nothing to find
  EXPECT_EQ(Ok("replace(value.s, 'ui', '')"), Value("Slce"));
  EXPECT_EQ(Ok("replace(value.uni, 'é', 'e')"), Value("hehe€😀"));
  EXPECT_EQ(Ok("replace(value.empty, 'a', 'b')"), Value(""));
  EXPECT_TRUE(Ok("replace(value.missing, 'a', 'b')").is_null());
  EXPECT_TRUE(Ok("replace(value.s, 'a', null)").is_null());
  EXPECT_EQ(CompileError("replace(value.s, 'a', 1)", "replace() expects a string, got int"), 22u);
}

TEST_F(StringFunctionsTest, UrlParamDecodesTheQueryString) {
  EXPECT_EQ(Ok("url_param(value.url, 'channel_id')"), Value("1236"));
  EXPECT_EQ(Ok("url_param(value.url, 'query')"), Value("1"));
  EXPECT_EQ(Ok("url_param(value.url, 'q')"), Value("café au lait"));  // %XX and '+'
  EXPECT_TRUE(Ok("url_param(value.url, 'top')").is_null());           // the fragment is not the query
  EXPECT_TRUE(Ok("url_param(value.url, 'missing')").is_null());
  EXPECT_TRUE(Ok("url_param('https://x.org/a=1', 'a')").is_null());   // no query at all
  EXPECT_TRUE(Ok("url_param('https://x.org/#s?a=1', 'a')").is_null()); // a '?' in the fragment
  EXPECT_EQ(Ok("url_param('/p?flag&a=1', 'flag')"), Value(""));
  EXPECT_EQ(Ok("url_param('/p?a=1&a=2', 'a')"), Value("1"));           // the first one
  EXPECT_EQ(Ok("url_param('/p?a=&b=2', 'a')"), Value(""));
  EXPECT_EQ(Ok("url_param('/p?x=1=2', 'x')"), Value("1=2"));
  EXPECT_EQ(Ok("url_param('/p?%61%5B%5D=v', 'a[]')"), Value("v"));     // names are decoded too
  EXPECT_EQ(Ok("url_param('/p?a=100%&b=%zz%4', 'a')"), Value("100%"));  // a bad escape stays as it is
  EXPECT_EQ(Ok("url_param('/p?a=100%&b=%zz%4', 'b')"), Value("%zz%4"));
  EXPECT_EQ(Ok("url_param('/p?&&a=1&', 'a')"), Value("1"));
  EXPECT_TRUE(Ok("url_param('/p?a=1', '')").is_null());
  EXPECT_TRUE(Ok("url_param(value.missing, 'a')").is_null());
  EXPECT_TRUE(Ok("url_param(value.url, null)").is_null());
  EXPECT_EQ(CompileError("url_param(value.url, 3)", "url_param() expects a string, got int"), 21u);
}

TEST_F(StringFunctionsTest, CountCharCountsOneCharacter) {
  EXPECT_EQ(Ok("count_char(value.csv, ',')"), Value(3));
  EXPECT_EQ(Ok("count_char(value.s, 'x')"), Value(0));
  EXPECT_EQ(Ok("count_char(value.empty, 'x')"), Value(0));
  EXPECT_EQ(Ok("count_char(value.uni, 'é')"), Value(2));
  EXPECT_EQ(Ok("count_char(value.uni, '😀')"), Value(1));
  EXPECT_EQ(Ok("count_char(value.url, '/')"), Value(5));
  EXPECT_TRUE(Ok("count_char(value.missing, 'a')").is_null());
  EXPECT_EQ(CompileError("count_char(value.s, 'ab')", "count_char() expects one character, got 'ab'"), 20u);
  EXPECT_EQ(CompileError("count_char(value.s, '')", "one character"), 20u);
  Fails("count_char(value.s, value.two)", "count_char() expects one character, got 'ab'");
}

TEST_F(StringFunctionsTest, ArgumentCounts) {
  EXPECT_EQ(CompileError("split(value.s)", "split() takes 2 arguments, got 1"), 0u);
  EXPECT_EQ(CompileError("split_index(value.s, ',')", "split_index() takes 3 arguments, got 2"), 0u);
  EXPECT_EQ(CompileError("url_parm(value.url, 'a')", "did you mean 'url_param'"), 0u);
}

}  // namespace
}  // namespace sluice::expr
