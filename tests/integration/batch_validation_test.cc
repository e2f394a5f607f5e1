// Produce validation against a real `sluice serve` (issue 15 case 3): hand-built
// batches that a consumer could not read (garbage gzip/zstd payloads, a record
// length that lies, a control batch from a client) are refused with Kafka's
// error codes and nothing of them is stored; the rest of the request is served;
// kcat and a job reading the topic keep working.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log/crc32c.h"
#include "log/record_batch.h"
#include "log/varint.h"
#include "server/http_server.h"
#include "tests/support/kafka_client.h"
#include "tests/support/loopback_socket.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;
using log::ByteReader;
using log::ByteWriter;

int Connect(uint16_t port) { return ConnectLoopback(port, std::chrono::seconds(30)); }

// A batch with hand-built header fields around `payload`; the CRC is correct.
std::vector<uint8_t> Frame(int16_t attributes, int32_t count, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  w.I64(0);
  w.I32(static_cast<int32_t>(log::kBatchHeaderSize - log::kBatchLogOverhead + payload.size()));
  w.I32(-1);
  w.I8(log::kMagicV2);
  w.U32(0);
  w.I16(attributes);
  w.I32(count - 1);
  w.I64(1000);
  w.I64(1000);
  w.I64(-1);
  w.I16(-1);
  w.I32(-1);
  w.I32(count);
  w.Bytes(payload.data(), payload.size());
  log::StoreBE(out.data() + 17, log::Crc32c(std::span<const uint8_t>(out).subspan(21)), 4);
  return out;
}

// One record whose length prefix claims `extra` more bytes than it has.
std::vector<uint8_t> LyingRecord(const std::string& value, int64_t extra) {
  std::vector<uint8_t> body;
  ByteWriter b(body);
  b.I8(0);
  b.Varint(0);
  b.Varint(0);
  b.Varint(-1);
  b.Varint(static_cast<int64_t>(value.size()));
  b.Bytes(value);
  b.Varint(0);
  std::vector<uint8_t> out;
  ByteWriter o(out);
  o.Varint(static_cast<int64_t>(body.size()) + extra);
  o.Bytes(body.data(), body.size());
  return out;
}

std::vector<uint8_t> GoodBatch(const std::string& value) {
  log::Record r;
  r.timestamp = 1000;
  r.value = value;
  return log::EncodeBatch({}, std::span<const log::Record>(&r, 1)).value();
}

using TopicBatches = std::vector<std::pair<std::string, std::vector<uint8_t>>>;

// Sends one Produce v3 (acks=all) with one partition-0 batch per topic; returns each topic's error code.
std::map<std::string, int16_t> Produce(uint16_t port, const TopicBatches& batches) {
  std::vector<uint8_t> body;
  ByteWriter w(body);
  w.I16(0);  // Produce
  w.I16(3);
  w.I32(7);  // correlation id
  w.I16(1);
  w.Bytes("t");
  w.I16(-1);  // transactional id
  w.I16(-1);  // acks=all
  w.I32(10000);
  w.I32(static_cast<int32_t>(batches.size()));
  for (const auto& [topic, batch] : batches) {
    w.I16(static_cast<int16_t>(topic.size()));
    w.Bytes(topic);
    w.I32(1);
    w.I32(0);
    w.I32(static_cast<int32_t>(batch.size()));
    w.Bytes(batch.data(), batch.size());
  }
  std::vector<uint8_t> frame;
  ByteWriter(frame).I32(static_cast<int32_t>(body.size()));
  frame.insert(frame.end(), body.begin(), body.end());
  std::map<std::string, int16_t> codes;
  int fd = Connect(port);
  if (fd < 0) return codes;
  if (send(fd, frame.data(), frame.size(), 0) == static_cast<ssize_t>(frame.size())) {
    uint8_t size_buf[4];
    if (recv(fd, size_buf, 4, MSG_WAITALL) == 4) {
      std::vector<uint8_t> resp(log::LoadBE(size_buf, 4));
      if (recv(fd, resp.data(), resp.size(), MSG_WAITALL) == static_cast<ssize_t>(resp.size())) {
        ByteReader r(resp);
        r.I32();  // correlation id
        for (int32_t t = r.I32(); t > 0 && r.ok(); --t) {
          auto name = r.Take(static_cast<size_t>(r.I16()));
          const std::string topic(name.begin(), name.end());
          for (int32_t p = r.I32(); p > 0 && r.ok(); --p) {
            r.I32();
            codes[topic] = r.I16();
            r.I64();
            r.I64();
          }
        }
      }
    }
  }
  close(fd);
  return codes;
}

std::string Consume(const ServerProcess& server, const std::string& topic) {
  auto r = RunCommand("kcat -C -b " + server.bootstrap() + " -t " + topic + " -o beginning -e -q -f '%o %s\\n'", seconds(60));
  return r.exit_code == 0 ? r.out : "kcat failed: " + r.err;
}

TEST(BatchValidationTest, UnreadableBatchesAreRefusedAndNothingIsStored) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  CreateTopic(server->bootstrap(), "checked", 1);
  CreateTopic(server->bootstrap(), "other", 1);
  auto job = server::HttpCall("POST", server->http_url() + "/api/v1/jobs",
                              "job: copy\non_error: fail\n"
                              "sources: {r: {topic: checked}}\nsinks: {o: {input: r, topic: copied}}\n",
                              30, {server->http_token()});
  ASSERT_TRUE(job.ok());
  ASSERT_EQ(job->status, 201) << job->body;
  ASSERT_EQ(RunCommand("printf '{\"n\":1}\\n' | kcat -P -b " + server->bootstrap() + " -t checked", seconds(60)).exit_code, 0);

  const std::vector<uint8_t> garbage(200, 0xA5);
  const int16_t gzip = static_cast<int16_t>(log::Compression::kGzip);
  const int16_t zstd = static_cast<int16_t>(log::Compression::kZstd);
  EXPECT_EQ(Produce(server->port(), {{"checked", Frame(gzip, 3, garbage)}})["checked"], 2);  // CORRUPT_MESSAGE
  EXPECT_EQ(Produce(server->port(), {{"checked", Frame(zstd, 3, garbage)}})["checked"], 2);
  EXPECT_EQ(Produce(server->port(), {{"checked", Frame(0, 1, LyingRecord("{\"n\":9}", 40))}})["checked"], 87);
  EXPECT_EQ(Produce(server->port(), {{"checked", Frame(0, 1, LyingRecord("{\"n\":9}", -2))}})["checked"], 87);
  auto control = log::EncodeControlBatch(12345, 0, log::ControlType::kCommit, 0, 1000);
  EXPECT_EQ(Produce(server->port(), {{"checked", control}})["checked"], 87);  // INVALID_RECORD
  // The rest of a request proceeds: the good batch for "other" is stored.
  auto mixed = Produce(server->port(), {{"checked", Frame(gzip, 1, garbage)}, {"other", GoodBatch("{\"n\":7}")}});
  EXPECT_EQ(mixed["checked"], 2);
  EXPECT_EQ(mixed["other"], 0);
  ASSERT_EQ(RunCommand("printf '{\"n\":2}\\n' | kcat -P -b " + server->bootstrap() + " -t checked", seconds(60)).exit_code, 0);

  // Nothing of the refused batches took an offset or bytes: the two good records are 0 and 1.
  EXPECT_EQ(Consume(*server, "checked"), "0 {\"n\":1}\n1 {\"n\":2}\n");
  EXPECT_EQ(Consume(*server, "other"), "0 {\"n\":7}\n");
  std::string copied;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(60); std::chrono::steady_clock::now() < deadline;) {
    copied = Consume(*server, "copied");
    if (copied.find("{\"n\":2}") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(copied.find("{\"n\":1}"), std::string::npos) << copied;
  EXPECT_NE(copied.find("{\"n\":2}"), std::string::npos) << copied;
  auto status = server::HttpCall("GET", server->http_url() + "/api/v1/jobs/copy", "", 30, {server->http_token()});
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->body.find("\"state\":\"running\""), std::string::npos) << status->body;
  EXPECT_EQ(server->Stop(), 0) << server->Log();
}

}  // namespace
}  // namespace sluice::testing
