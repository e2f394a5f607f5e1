// Writes the binary seed corpora of the fuzz targets (tests/fuzz/README.md):
//   OUT/kafka_request/<Api>-v<N>    one realistic request per supported API and version,
//                                   in kafka_request_fuzz's input format
//   OUT/record_batch/<name>         record batches: each codec, transactional,
//                                   control, several batches, headers, nulls
// Run from the fuzz build: make_fuzz_corpus tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/api.h"
#include "broker/wire.h"
#include "log/compression.h"
#include "log/record_batch.h"

namespace {

using namespace sluice;
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

void WriteFile(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<log::Record> SampleRecords(int n, bool with_headers) {
  std::vector<log::Record> records;
  for (int i = 0; i < n; ++i) {
    log::Record r;
    r.timestamp = 1764745200000 + i * 10;
    if (i % 3 != 2) r.key = "sensor-" + std::to_string(i % 4);
    if (i % 5 != 4) r.value = "{\"t\":" + std::to_string(20 + i) + ",\"unit\":\"C\",\"ok\":true}";
    if (with_headers) r.headers = {{"trace", std::string("abc") + std::to_string(i)}, {"empty", std::nullopt}};
    records.push_back(std::move(r));
  }
  return records;
}

Bytes Batch(log::Compression codec, int n = 3, bool headers = false, int64_t producer_id = -1,
            bool transactional = false) {
  log::BatchOptions o;
  o.compression = codec;
  o.producer_id = producer_id;
  o.producer_epoch = producer_id >= 0 ? 0 : -1;
  o.base_sequence = producer_id >= 0 ? 0 : -1;
  o.transactional = transactional;
  return log::EncodeBatch(o, SampleRecords(n, headers)).value();
}

// The body of one request of `key` at version `v`, as clients send it.
Bytes Body(broker::ApiKey key, int16_t v) {
  using broker::ApiKey;
  broker::Writer w;
  auto topic_parts = [&w](const std::function<void()>& per_partition) {
    w.ArrayLength(1);
    w.String("t");
    w.ArrayLength(1);
    w.I32(0);
    per_partition();
  };
  switch (key) {
    case ApiKey::kProduce: {
      w.NullableString(std::nullopt);
      w.I16(-1);
      w.I32(30000);
      const Bytes batch = Batch(v % 2 ? log::Compression::kGzip : log::Compression::kNone, 3, v >= 5);
      topic_parts([&] { w.Bytes(batch); });
      break;
    }
    case ApiKey::kFetch:
      w.I32(-1);
      w.I32(v % 2 ? 100 : 0);  // max wait: some long polls
      w.I32(v % 2 ? 1 << 20 : 1);
      w.I32(52428800);
      w.I8(static_cast<int8_t>(v % 2));
      if (v >= 7) {
        w.I32(0);
        w.I32(-1);
      }
      topic_parts([&] {
        if (v >= 9) w.I32(-1);
        w.I64(0);
        if (v >= 5) w.I64(-1);
        w.I32(1048576);
      });
      if (v >= 7) w.ArrayLength(0);
      if (v >= 11) w.String("");
      break;
    case ApiKey::kListOffsets:
      w.I32(-1);
      if (v >= 2) w.I8(0);
      topic_parts([&] { w.I64(v == 1 ? -1 : v == 2 ? -2 : 1764745200005); });
      break;
    case ApiKey::kMetadata:
      if (v % 2) {
        w.ArrayLength(2);
        w.String("t");
        w.String("auto-created");
      } else {
        w.ArrayLength(v >= 1 ? -1 : 0);
      }
      if (v >= 4) w.Bool(true);
      break;
    case ApiKey::kOffsetCommit:
      w.String("g");
      w.I32(-1);
      w.String("");
      if (v >= 2 && v <= 4) w.I64(-1);
      if (v >= 7) w.NullableString(std::nullopt);
      topic_parts([&] {
        w.I64(2);
        if (v >= 6) w.I32(-1);
        w.NullableString(std::string("meta"));
      });
      break;
    case ApiKey::kOffsetFetch:
      w.String("g");
      if (v >= 2 && v % 2) {
        w.ArrayLength(-1);
      } else {
        topic_parts([] {});
      }
      break;
    case ApiKey::kFindCoordinator:
      w.String(v % 2 ? "txn-1" : "g");
      if (v >= 1) w.I8(static_cast<int8_t>(v % 2));
      break;
    case ApiKey::kJoinGroup:
      w.String("g");
      w.I32(10000);
      if (v >= 1) w.I32(v % 2 ? 1 : 300000);
      w.String("");
      if (v >= 5) w.NullableString(v % 2 ? std::optional<std::string>("instance-1") : std::nullopt);
      w.String("consumer");
      w.ArrayLength(2);
      for (const char* name : {"range", "roundrobin"}) {
        w.String(name);
        const Bytes meta = {0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0};
        w.Bytes(meta);
      }
      break;
    case ApiKey::kHeartbeat:
      w.String("g");
      w.I32(1);
      w.String("member-1");
      if (v >= 3) w.NullableString(std::nullopt);
      break;
    case ApiKey::kLeaveGroup:
      w.String("g");
      w.String("member-1");
      break;
    case ApiKey::kSyncGroup: {
      w.String("g");
      w.I32(1);
      w.String("member-1");
      if (v >= 3) w.NullableString(std::nullopt);
      w.ArrayLength(1);
      w.String("member-1");
      const Bytes assignment = {0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
      w.Bytes(assignment);
      break;
    }
    case ApiKey::kDescribeGroups:
      w.ArrayLength(2);
      w.String("g");
      w.String("other");
      if (v >= 3) w.Bool(true);
      break;
    case ApiKey::kListGroups:
      break;
    case ApiKey::kApiVersions:
      if (v >= 3) {
        broker::Writer f(true);
        f.String("librdkafka");
        f.String("2.0.2");
        f.EmptyTags();
        return f.Take();
      }
      break;
    case ApiKey::kCreateTopics:
      w.ArrayLength(2);
      w.String("new-topic");
      w.I32(3);
      w.I16(1);
      w.ArrayLength(0);
      w.ArrayLength(2);
      w.String("cleanup.policy");
      w.NullableString(std::string("compact"));
      w.String("retention.ms");
      w.NullableString(std::string("60000"));
      w.String("t");  // exists already
      w.I32(-1);
      w.I16(-1);
      w.ArrayLength(1);
      w.I32(0);
      w.ArrayLength(1);
      w.I32(1);
      w.ArrayLength(0);
      w.I32(30000);
      if (v >= 1) w.Bool(v % 2 == 1);
      break;
    case ApiKey::kDeleteTopics:
      w.ArrayLength(2);
      w.String("t");
      w.String("missing");
      w.I32(30000);
      break;
    case ApiKey::kDeleteRecords:
      topic_parts([&] { w.I64(1); });
      w.I32(30000);
      break;
    case ApiKey::kInitProducerId:
      w.NullableString(v % 2 ? std::optional<std::string>("txn-1") : std::nullopt);
      w.I32(60000);
      break;
    case ApiKey::kAddPartitionsToTxn:
      w.String("txn-1");
      w.I64(1000);
      w.I16(0);
      topic_parts([] {});
      break;
    case ApiKey::kAddOffsetsToTxn:
      w.String("txn-1");
      w.I64(1000);
      w.I16(0);
      w.String("g");
      break;
    case ApiKey::kEndTxn:
      w.String("txn-1");
      w.I64(1000);
      w.I16(0);
      w.Bool(v % 2 == 0);
      break;
    case ApiKey::kTxnOffsetCommit:
      w.String("txn-1");
      w.String("g");
      w.I64(1000);
      w.I16(0);
      topic_parts([&] {
        w.I64(2);
        if (v >= 2) w.I32(-1);
        w.NullableString(std::nullopt);
      });
      break;
    case ApiKey::kDescribeConfigs:
      w.ArrayLength(2);
      w.I8(2);  // topic
      w.String("t");
      w.ArrayLength(-1);
      w.I8(4);  // broker
      w.String("1");
      w.ArrayLength(1);
      w.String("log.retention.ms");
      if (v >= 1) w.Bool(true);
      break;
    case ApiKey::kAlterConfigs:
    case ApiKey::kIncrementalAlterConfigs: {
      const bool incremental = key == ApiKey::kIncrementalAlterConfigs;
      w.ArrayLength(1);
      w.I8(2);
      w.String("t");
      w.ArrayLength(2);
      w.String("retention.ms");
      if (incremental) w.I8(0);
      w.NullableString(std::string("3600000"));
      w.String("cleanup.policy");
      if (incremental) w.I8(1);
      w.NullableString(incremental ? std::nullopt : std::optional<std::string>("delete"));
      w.Bool(v % 2 == 1);
      break;
    }
    case ApiKey::kCreatePartitions:
      w.ArrayLength(1);
      w.String("t");
      w.I32(4);
      w.ArrayLength(-1);
      w.I32(30000);
      w.Bool(v % 2 == 1);
      break;
    case ApiKey::kDeleteGroups:
      w.ArrayLength(1);
      w.String("g");
      break;
  }
  return w.Take();
}

// kafka_request_fuzz's input: API index, version - min, then the frame after api_key/api_version.
Bytes KafkaInput(size_t api_index, const broker::ApiRange& api, int16_t v) {
  Bytes in = {static_cast<uint8_t>(api_index), static_cast<uint8_t>(v - api.min)};
  broker::Writer h;
  h.I32(7);  // correlation id
  h.NullableString(std::string("rdkafka"));
  if (api.key == broker::ApiKey::kApiVersions && v >= 3) h.UVarint(0);  // header v2 tags
  const Bytes header = h.Take();
  const Bytes body = Body(api.key, v);
  in.insert(in.end(), header.begin(), header.end());
  in.insert(in.end(), body.begin(), body.end());
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const auto& apis = broker::SupportedApis();
  int files = 0;
  for (size_t i = 0; i < apis.size(); ++i) {
    for (int16_t v = apis[i].min; v <= apis[i].max; ++v) {
      WriteFile(out / "kafka_request" / (broker::ApiName(static_cast<int16_t>(apis[i].key)) + "-v" + std::to_string(v)),
                KafkaInput(i, apis[i], v));
      ++files;
    }
  }
  // Raw frames (selector 0xff): an unknown API and a too-new ApiVersions.
  WriteFile(out / "kafka_request" / "raw-unknown-api", {0xff, 0, 99, 0, 0, 0, 0, 0, 1, 0xff, 0xff});
  WriteFile(out / "kafka_request" / "raw-apiversions-v9", {0xff, 0, 18, 0, 9, 0, 0, 0, 1, 0, 0});

  const std::map<std::string, log::Compression> codecs = {{"none", log::Compression::kNone},
                                                          {"gzip", log::Compression::kGzip},
                                                          {"snappy", log::Compression::kSnappy},
                                                          {"lz4", log::Compression::kLz4},
                                                          {"zstd", log::Compression::kZstd}};
  for (const auto& [name, codec] : codecs) {
    WriteFile(out / "record_batch" / ("batch-" + name), Batch(codec, 5, true));
    WriteFile(out / "record_batch" / ("idempotent-" + name), Batch(codec, 2, false, 1000));
    // For the codec path of record_batch_fuzz: byte 0 selects the codec.
    const std::string text = "{\"sensor\":\"a\",\"t\":21.5} {\"sensor\":\"a\",\"t\":21.5} repeated text";
    Bytes payload = {static_cast<uint8_t>(codec)};
    const Bytes packed = log::Compress(codec, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())).value();
    payload.insert(payload.end(), packed.begin(), packed.end());
    WriteFile(out / "record_batch" / ("payload-" + name), payload);
  }
  WriteFile(out / "record_batch" / "transactional", Batch(log::Compression::kNone, 2, false, 1000, true));
  WriteFile(out / "record_batch" / "control-commit",
            log::EncodeControlBatch(1000, 0, log::ControlType::kCommit, 0, 1764745200000));
  Bytes two = Batch(log::Compression::kNone, 1);
  const Bytes second = Batch(log::Compression::kGzip, 2);
  two.insert(two.end(), second.begin(), second.end());
  two.insert(two.end(), second.begin(), second.begin() + 30);  // a partial trailing batch
  WriteFile(out / "record_batch" / "two-and-partial", two);
  std::printf("wrote %d kafka requests and %zu record batches under %s\n", files, codecs.size() * 3 + 3,
              out.c_str());
  return 0;
}
