// Micro-benchmarks of the string and regex functions of the expression language
// (issue 18 item 5) on Nexmark-like bid URLs: one compiled expression evaluated
// per record, as a map field is. Results and the command are in bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "operators/expr/expr.h"

namespace {

using namespace sluice::expr;

// 64 URLs as the Nexmark generator makes them: three random path parts, then
// `?query=1&channel_id=N` (the channel id varies in length).
std::vector<Value> Records() {
  std::vector<Value> records;
  uint32_t seed = 42;
  auto next = [&seed] { return seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff; };
  auto word = [&] {
    std::string w;
    for (int i = 0; i < 3 + static_cast<int>(next() % 3); ++i) w.push_back(static_cast<char>('a' + next() % 26));
    return w;
  };
  for (int i = 0; i < 64; ++i) {
    const std::string url = "https://www.nexmark.com/" + word() + "/" + word() + "/" + word() +
                            "/item.htm?query=1&channel_id=" + std::to_string(next() % 100000);
    records.push_back(Value(Object{{"auction", Value(int64_t{1000 + i})}, {"url", Value(url)}}));
  }
  return records;
}

void Run(benchmark::State& state, const std::string& source) {
  std::vector<Diagnostic> diagnostics;
  auto expr = Compile(source, {}, &diagnostics);
  if (!expr) {
    state.SkipWithError(("does not compile: " + source).c_str());
    return;
  }
  const auto records = Records();
  size_t i = 0;
  for (auto _ : state) {
    RecordView view;
    view.value = &records[i++ & 63];
    auto v = expr->Eval(view);
    if (!v.ok() || v->is_null()) {
      state.SkipWithError(("no result: " + source).c_str());
      return;
    }
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

// The floor: reading the field the others parse.
void BM_FieldOnly(benchmark::State& state) { Run(state, "value.url"); }
BENCHMARK(BM_FieldOnly);

void BM_UrlParam(benchmark::State& state) { Run(state, "url_param(value.url, 'channel_id')"); }
BENCHMARK(BM_UrlParam);

void BM_RegexExtract(benchmark::State& state) { Run(state, "regex_extract(value.url, 'channel_id=([0-9]+)', 1)"); }
BENCHMARK(BM_RegexExtract);

// A pattern computed per record: through the cache.
void BM_RegexExtractCached(benchmark::State& state) {
  Run(state, "regex_extract(value.url, concat('channel_id=', '([0-9]+)'), 1)");
}
BENCHMARK(BM_RegexExtractCached);

void BM_SplitIndex(benchmark::State& state) { Run(state, "split_index(value.url, '/', 4)"); }
BENCHMARK(BM_SplitIndex);

void BM_Matches(benchmark::State& state) { Run(state, "matches(value.url, 'item\\\\.htm\\\\?query=1')"); }
BENCHMARK(BM_Matches);

// What a job had to write before these functions (issue 18: "long unrolled expressions"):
// try each position the parameter can start at.
void BM_UnrolledSubstr(benchmark::State& state) {
  std::string source = "null";
  for (int at = 70; at >= 35; --at) {
    const std::string p = std::to_string(at);
    source = "substr(value.url, " + p + ", 11) == 'channel_id=' ? substr(value.url, " + std::to_string(at + 11) +
             ") : (" + source + ")";
  }
  Run(state, source);
}
BENCHMARK(BM_UnrolledSubstr);

}  // namespace
