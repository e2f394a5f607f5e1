// Micro-benchmarks of the record-batch codec: CRC-32C, encode, validate, decode.
#include <benchmark/benchmark.h>

#include <vector>

#include "log/crc32c.h"
#include "log/record_batch.h"

namespace {

using namespace sluice::log;

void BM_Crc32cHardware(benchmark::State& state) {
  std::vector<uint8_t> buf(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(buf));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32cHardware)->Arg(64 << 10);

void BM_Crc32cTable(benchmark::State& state) {
  std::vector<uint8_t> buf(static_cast<size_t>(state.range(0)), 0x5a);
  for (auto _ : state) benchmark::DoNotOptimize(Crc32cPortableForTest(0, buf.data(), buf.size()));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32cTable)->Arg(64 << 10);

std::vector<Record> Records() {
  std::vector<Record> records(600);  // ~64 KiB of 100 B values
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].timestamp = 1700000000000 + static_cast<int64_t>(i);
    records[i].key = "sensor-" + std::to_string(i % 50);
    records[i].value = std::string(100, 'a' + static_cast<char>(i % 26));
  }
  return records;
}

void BM_Encode(benchmark::State& state) {
  auto records = Records();
  BatchOptions o;
  o.compression = static_cast<Compression>(state.range(0));
  size_t bytes = 0;
  for (auto _ : state) {
    auto b = EncodeBatch(o, records);
    bytes += b->size();
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(records.size()));
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(3)->Arg(4);

void BM_Validate(benchmark::State& state) {
  auto batch = EncodeBatch({}, Records()).value();
  for (auto _ : state) benchmark::DoNotOptimize(ValidateBatch(batch));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
}
BENCHMARK(BM_Validate);

void BM_Decode(benchmark::State& state) {
  BatchOptions o;
  o.compression = static_cast<Compression>(state.range(0));
  auto records = Records();
  auto batch = EncodeBatch(o, records).value();
  for (auto _ : state) benchmark::DoNotOptimize(DecodeBatch(batch));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(records.size()));
}
BENCHMARK(BM_Decode)->Arg(0)->Arg(3)->Arg(4);

}  // namespace
