// The regex functions on RE2 (operators/expr/regex.h): matches (search
// anywhere, as before), regex_match (the whole string), regex_extract,
// regex_replace; bad patterns as compile errors at the pattern's offset; the
// bounded cache of non-literal patterns; and patterns that made std::regex
// backtrack for minutes finishing at once.
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "operators/expr/regex.h"
#include "tests/unit/expr/test_fixture.h"

namespace sluice::expr {
namespace {

using RegexTest = ExprFixture;

TEST_F(RegexTest, MatchesStillSearchesAnywhere) {
  EXPECT_EQ(Ok("matches(value.s, 'ui')"), Value(true));
  EXPECT_EQ(Ok("matches(value.s, '^ui')"), Value(false));
  EXPECT_EQ(Ok("matches(value.s, '^S.*e$')"), Value(true));
  EXPECT_EQ(Ok("matches(value.s, '')"), Value(true));
  EXPECT_EQ(Ok("matches(value.empty, '^$')"), Value(true));
  EXPECT_EQ(Ok(R"(matches('ab12', '\\d+$'))"), Value(true));  // \\ in the literal is one backslash
  EXPECT_EQ(Ok("matches(value.s, '(?i)SLUICE')"), Value(true));
  EXPECT_EQ(Ok("matches(value.s, value.two)"), Value(false));  // a pattern that is not a literal
  EXPECT_EQ(Ok("matches(value.missing, 'a')"), Value(false));
  EXPECT_EQ(Ok("matches(value.s, value.missing)"), Value(false));  // a null pattern, as a null subject
}

TEST_F(RegexTest, TextIsUtf8) {
  EXPECT_EQ(Ok("matches(value.uni, '^h.h.€.$')"), Value(true));  // '.' is a code point, not a byte
  EXPECT_EQ(Ok("regex_extract(value.uni, '(\\\\p{Sc})', 1)"), Value("€"));
  EXPECT_EQ(Ok("regex_replace(value.uni, '[é€]', '_')"), Value("h_h__😀"));
}

TEST_F(RegexTest, RegexMatchIsTheWholeString) {
  EXPECT_EQ(Ok("regex_match(value.s, 'ui')"), Value(false));
  EXPECT_EQ(Ok("regex_match(value.s, 'S.*e')"), Value(true));
  EXPECT_EQ(Ok("regex_match(value.two, 'a|ab')"), Value(true));  // an alternative that spans it all
  EXPECT_EQ(Ok("regex_match(value.empty, 'x*')"), Value(true));
  EXPECT_EQ(Ok("regex_match(value.missing, '.*')"), Value(false));
  EXPECT_EQ(Ok("regex_match(value.s, concat('Sl', '.*'))"), Value(true));
  Fails("regex_match(value.n, 'a')", "regex_match() expects a string, got int");
}

TEST_F(RegexTest, RegexExtract) {
  EXPECT_EQ(Ok("regex_extract(value.url, 'channel_id=([0-9]+)', 1)"), Value("1236"));
  EXPECT_EQ(Ok("regex_extract(value.url, 'channel_id=([0-9]+)', 0)"), Value("channel_id=1236"));
  EXPECT_EQ(Ok("regex_extract(value.url, '/([a-z]+)/([a-z]+)/', 2)"), Value("vcw"));
  EXPECT_EQ(Ok("regex_extract(value.s, '(x)?(S)', 2)"), Value("S"));
  EXPECT_TRUE(Ok("regex_extract(value.s, '(x)?(S)', 1)").is_null());  // the group took no part
  EXPECT_TRUE(Ok("regex_extract(value.s, '([0-9]+)', 1)").is_null());  // no match
  EXPECT_EQ(Ok("regex_extract(value.s, '(z*)', 1)"), Value(""));       // an empty match is not null
  EXPECT_TRUE(Ok("regex_extract(value.missing, '(a)', 1)").is_null());
  EXPECT_TRUE(Ok("regex_extract(value.s, '(a)', value.missing)").is_null());
  EXPECT_TRUE(Ok("regex_extract(value.s, value.missing, 1)").is_null());
  EXPECT_EQ(CompileError("regex_extract(value.s, '(a)', 2)", "group 2 is not in the pattern, which has 1 group"), 30u);
  EXPECT_EQ(CompileError("regex_extract(value.s, 'a', -1)", "group -1 is not in the pattern"), 28u);
  EXPECT_EQ(CompileError("regex_extract(value.s, '(a)', '1')", "regex_extract() expects an int, got string"), 30u);
  Fails("regex_extract(value.s, value.two, 1)", "group 1 is not in the pattern, which has 0 groups");
}

TEST_F(RegexTest, RegexReplace) {
  EXPECT_EQ(Ok("regex_replace('a1b22c333', '[0-9]+', '#')"), Value("a#b#c#"));
  EXPECT_EQ(Ok(R"(regex_replace('john@example.org', '(\\w+)@(\\w+)', '\\2 at \\1'))"), Value("example at john.org"));
  EXPECT_EQ(Ok(R"(regex_replace(value.s, 'u', '[\\0]'))"), Value("Sl[u]ice"));
  EXPECT_EQ(Ok(R"(regex_replace(value.s, 'u', '\\\\'))"), Value("Sl\\ice"));
  EXPECT_EQ(Ok("regex_replace('abc', '', '-')"), Value("-a-b-c-"));
  EXPECT_EQ(Ok("regex_replace('abxd', 'x*', '-')"), Value("-a-b-d-"));  // no empty match right after "x"
  EXPECT_EQ(Ok("regex_replace('héé', '', '.')"), Value(".h.é.é."));   // steps over whole characters
  EXPECT_EQ(Ok("regex_replace('a-b', '^', '>')"), Value(">a-b"));
  EXPECT_EQ(Ok("regex_replace(value.empty, 'x*', '-')"), Value("-"));
  EXPECT_EQ(Ok("regex_replace(value.s, 'x', '-')"), Value("Sluice"));
  EXPECT_TRUE(Ok("regex_replace(value.missing, 'a', 'b')").is_null());
  EXPECT_TRUE(Ok("regex_replace(value.s, 'a', null)").is_null());
  EXPECT_EQ(CompileError(R"(regex_replace(value.s, '(a)', '\\2'))", "regex_replace(): "), 30u);
  EXPECT_EQ(CompileError(R"(regex_replace(value.s, 'a', '\\x'))", "regex_replace(): "), 28u);
  Fails(R"(regex_replace(value.s, value.two, '\\1'))", "regex_replace(): ");
}

// value.aaa is 41 bytes: each nested replace multiplies the length by 40.
TEST_F(RegexTest, ReplacementsCannotGrowWithoutBound) {
  const std::string three = "replace(replace(replace(value.aaa, 'a', value.aaa), 'a', value.aaa), 'a', value.aaa)";
  EXPECT_EQ(Ok("len(" + three + ")"), Value(2625641));
  Fails("replace(" + three + ", 'a', value.aaa)", "replace(): the result would exceed 16 MiB");
  Fails(R"(regex_replace()" + three + R"(, 'a+', '\\0\\0\\0\\0\\0\\0\\0'))", "regex_replace(): the result would exceed 16 MiB");
}

TEST_F(RegexTest, BadLiteralPatternsAreCompileErrorsAtThePattern) {
  EXPECT_EQ(CompileError("matches(value.s, '(ab')", "invalid regular expression: missing ): (ab"), 17u);
  EXPECT_EQ(CompileError("value.n > 1 && regex_extract(value.s, 'a[', 0) == 'x'", "invalid regular expression"), 38u);
  EXPECT_EQ(CompileError("regex_match(value.s, '*')", "invalid regular expression"), 21u);
  EXPECT_EQ(CompileError("regex_replace(value.s, 'a{2,1}', '')", "invalid regular expression"), 23u);
  // What RE2 leaves out of ECMAScript: backreferences and lookaround.
  EXPECT_EQ(CompileError(R"(matches(value.s, '(a)\\1'))", "invalid regular expression"), 17u);
  EXPECT_EQ(CompileError("matches(value.s, 'S(?=l)')", "invalid regular expression"), 17u);
  EXPECT_EQ(CompileError("matches(value.s, 5)", "matches() expects a string, got int"), 17u);
  // A single backslash the string literal would swallow ('\d' is the letter d).
  EXPECT_EQ(CompileError(R"(matches(value.s, 'a\d'))", R"('\d' in a string is just 'd': write '\\d')"), 19u);
  EXPECT_EQ(CompileError(R"(matches(value.s, "item\.htm"))", R"('\.' in a string is just '.')"), 22u);
  EXPECT_EQ(CompileError(R"(regex_replace(value.s, '(u)', '<\1>'))", R"('\1' in a string is just '1')"), 32u);
  EXPECT_EQ(Ok(R"(matches('a\\b\t', 'a\\\\b\t$'))"), Value(true));  // \\ and \t are kept
  EXPECT_EQ(Ok(R"(regex_match('it\'s', 'it\'s'))"), Value(true));
  // Not literals: a runtime error of the record (the job's on_error decides).
  Fails("matches(value.s, value.bad)", "matches(): bad pattern: missing ): (ab");
  Fails("regex_extract(value.s, concat('(', ''), 0)", "regex_extract(): bad pattern");
  Fails("matches(value.s, value.n)", "matches() expects a string pattern");
}

TEST_F(RegexTest, ProgramSizeIsBounded) {
  // The repetition is within RE2's limit of 1000; the program (1000 copies of every letter) is not.
  EXPECT_EQ(CompileError("matches(value.s, '\\\\pL{1000}')", "pattern too large"), 17u);
  Fails("matches(value.s, concat('\\\\pL', '{1000}'))", "pattern too large");
  EXPECT_EQ(Ok("matches(value.s, 'S[a-z]{1,500}')"), Value(true));  // a big but ordinary pattern fits
  EXPECT_EQ(CompileError("matches(value.s, 'a{1001}')", "invalid repetition size"), 17u);
}

// The fuzzer's input (corpus/expr_parser/regression-regex-backtracking) ran for
// minutes under std::regex on one record; nested quantifiers are the textbook
// case. RE2 is linear in the input: each finishes at once.
TEST_F(RegexTest, BacktrackingPatternsFinishFast) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Ok("matches(value.aaa, '^(a+)+$')"), Value(false));
  EXPECT_EQ(Ok("matches(value.aaa, '^(a|aa)*$')"), Value(false));
  EXPECT_EQ(Ok("regex_match(value.aaa, '(a*)*b')"), Value(false));
  EXPECT_EQ(Ok("matches(value.aaa, value.evil)"), Value(false));
  EXPECT_EQ(Ok("regex_replace(value.aaa, '(a+)+b', 'x')"), Value(value_.Get("aaa")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/tests/fuzz/corpus/expr_parser/regression-regex-backtracking");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  // Its pattern is not valid UTF-8 (nor RE2 syntax): now an error before any record.
  EXPECT_EQ(CompileError(text.str(), "invalid regular expression"), 17u);
}

TEST_F(RegexTest, NonLiteralPatternsGoThroughABoundedCache) {
  for (int i = 0; i < 3 * static_cast<int>(kRegexCacheEntries); ++i) {
    // '^S.{0,i}$' on "Sluice": true from i = 5 on.
    EXPECT_EQ(Ok("matches(value.s, concat('^S.{0,', to_string(" + std::to_string(i) + "), '}$'))"), Value(i >= 5));
  }
  EXPECT_LE(RegexCacheSize(), kRegexCacheEntries);
  EXPECT_GT(RegexCacheSize(), 0u);
  auto a = CachedRegex("x+y");
  auto b = CachedRegex("x+y");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());  // compiled once
  EXPECT_FALSE(CachedRegex("(").ok());
}

// One compiled expression evaluated by several threads, as a job's subtasks do,
// with 150 patterns that come and go from the cache of 64.
TEST_F(RegexTest, TheCacheIsSharedByThreads) {
  std::vector<Diagnostic> d;
  auto e = Compile("regex_extract(value.s, concat('(', value.p, ')'), 1)", {}, &d);
  ASSERT_NE(e, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        const std::string n = std::to_string((i * 7 + t) % 150);
        Value v(Object{{"s", Value("id-" + n + "!")}, {"p", Value("[0-9]{" + std::to_string(n.size()) + "}x{0," + n + "}")}});
        RecordView r;
        r.value = &v;
        auto result = e->Eval(r);
        if (!result.ok() || !(*result == Value(n))) ++wrong[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
  EXPECT_LE(RegexCacheSize(), kRegexCacheEntries);
}

}  // namespace
}  // namespace sluice::expr
