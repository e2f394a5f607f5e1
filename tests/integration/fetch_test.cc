// Fetch without copies (broker/reply.h: the batches are sent from the segment
// files): clients must get every record, whole and in order, under every byte
// limit, across many segments, on PLAINTEXT (sendfile) and TLS (the buffered
// path), and a segment deleted while its bytes are being sent must still be
// sent whole.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log/record_batch.h"
#include "tests/support/kafka_client.h"
#include "tests/support/loopback_socket.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

// Big-endian request writer and response reader for the raw-socket cases.
struct Out {
  std::vector<uint8_t> b;
  void I8(int8_t v) { b.push_back(static_cast<uint8_t>(v)); }
  void I16(int16_t v) { U(static_cast<uint16_t>(v), 2); }
  void I32(int32_t v) { U(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { U(static_cast<uint64_t>(v), 8); }
  void Str(const std::string& s) {
    I16(static_cast<int16_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void U(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
};

struct In {
  const std::vector<uint8_t>& b;
  size_t at = 0;
  bool ok = true;
  uint64_t U(int n) {
    if (at + static_cast<size_t>(n) > b.size()) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | b[at++];
    return v;
  }
  int16_t I16() { return static_cast<int16_t>(U(2)); }
  int32_t I32() { return static_cast<int32_t>(U(4)); }
  int64_t I64() { return static_cast<int64_t>(U(8)); }
  std::string Str() {
    const int16_t n = I16();
    if (n < 0 || at + static_cast<size_t>(n) > b.size()) return ok = false, "";
    std::string s(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at) + n);
    at += static_cast<size_t>(n);
    return s;
  }
};

std::vector<uint8_t> Request(int16_t key, int16_t version, int32_t corr, const std::vector<uint8_t>& body) {
  Out h;
  h.I16(key);
  h.I16(version);
  h.I32(corr);
  h.Str("fetch-test");
  h.b.insert(h.b.end(), body.begin(), body.end());
  Out frame;
  frame.I32(static_cast<int32_t>(h.b.size()));
  frame.b.insert(frame.b.end(), h.b.begin(), h.b.end());
  return frame.b;
}

bool SendAll(int fd, const std::vector<uint8_t>& bytes) {
  return send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// One response frame's body after the correlation id; empty on close.
std::vector<uint8_t> ReadResponse(int fd) {
  uint8_t size_buf[4];
  if (recv(fd, size_buf, 4, MSG_WAITALL) != 4) return {};
  const uint32_t size = ntohl(*reinterpret_cast<uint32_t*>(size_buf));
  std::vector<uint8_t> body(size);
  size_t got = 0;
  while (got < size) {
    const ssize_t n = recv(fd, body.data() + got, size - got, 0);
    if (n <= 0) return {};
    got += static_cast<size_t>(n);
  }
  return std::vector<uint8_t>(body.begin() + 4, body.end());
}

struct FetchPart {
  int32_t partition;
  int64_t offset;
  int32_t max_bytes;
};

// Fetch v4: one topic, read_uncommitted, no wait.
std::vector<uint8_t> FetchRequest(int32_t corr, const std::string& topic, const std::vector<FetchPart>& parts,
                                  int32_t max_bytes, int32_t max_wait = 0, int32_t min_bytes = 1) {
  Out b;
  b.I32(-1);
  b.I32(max_wait);
  b.I32(min_bytes);
  b.I32(max_bytes);
  b.I8(0);
  b.I32(1);
  b.Str(topic);
  b.I32(static_cast<int32_t>(parts.size()));
  for (const auto& p : parts) {
    b.I32(p.partition);
    b.I64(p.offset);
    b.I32(p.max_bytes);
  }
  return Request(1, 4, corr, b.b);
}

struct Batch {
  int64_t base_offset, last_offset;
  size_t size;
};
struct PartitionData {
  int16_t error = -1;
  int64_t high_watermark = -1;
  std::vector<Batch> batches;
  size_t bytes = 0;
  bool valid = true;  // every batch whole, CRC-valid and in offset order, nothing after the last
};

// Parses a Fetch v4 response of one topic; validates every batch (CRC included).
std::map<int32_t, PartitionData> ParseFetch(const std::vector<uint8_t>& body) {
  std::map<int32_t, PartitionData> out;
  In in{body};
  in.I32();  // throttle
  for (int32_t t = in.I32(); t > 0 && in.ok; --t) {
    in.Str();
    for (int32_t p = in.I32(); p > 0 && in.ok; --p) {
      const int32_t index = in.I32();
      PartitionData& d = out[index];
      d.error = in.I16();
      d.high_watermark = in.I64();
      in.I64();  // last stable offset
      for (int32_t a = in.I32(); a > 0 && in.ok; --a) in.U(16);
      const int32_t size = in.I32();
      if (size < 0 || in.at + static_cast<size_t>(size) > body.size()) {
        d.valid = false;
        return out;
      }
      std::span<const uint8_t> records(body.data() + in.at, static_cast<size_t>(size));
      in.at += static_cast<size_t>(size);
      d.bytes = records.size();
      int64_t expect = -1;
      while (!records.empty()) {
        auto h = log::ValidateBatch(records);
        if (!h.ok() || h->total_size() > records.size() || (expect >= 0 && h->base_offset != expect)) {
          d.valid = false;
          break;
        }
        d.batches.push_back({h->base_offset, h->last_offset(), h->total_size()});
        expect = h->last_offset() + 1;
        records = records.subspan(h->total_size());
      }
    }
  }
  if (!in.ok) out.clear();
  return out;
}

// Creates `topic` with `partitions` and topic configs, through librdkafka's admin API.
void CreateTopicWithConfig(const std::string& bootstrap, const std::string& topic, int partitions,
                           const std::vector<std::pair<std::string, std::string>>& configs) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap, {});
  char err[512];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, err, sizeof(err));
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(t, k.c_str(), v.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &t, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 60'000);
  ASSERT_NE(ev, nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** r = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_topic_result_error(r[0]), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(t);
  rd_kafka_destroy(rk);
}

// Produces `count` records of `size` bytes to one partition in batches of about
// `batch_records` records; the values are "<i>:" padded with 'x'.
void Produce(const std::string& bootstrap, const std::string& topic, int32_t partition, int count, size_t size,
             int batch_records) {
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, bootstrap,
                             {{"linger.ms", "50"}, {"batch.num.messages", std::to_string(batch_records)},
                              {"compression.type", "none"}, {"acks", "1"}, {"message.max.bytes", "2000000"}});
  ASSERT_NE(rk, nullptr);
  for (int i = 0; i < count; ++i) {
    std::string value = std::to_string(i) + ":";
    value.resize(std::max(size, value.size()), 'x');
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 10);
    }
  }
  EXPECT_EQ(rd_kafka_flush(rk, 60'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(rk);
}

std::string Lines(int count, int seed) {
  std::string input;
  for (int i = 0; i < count; ++i) {
    std::string line = std::to_string(i) + "-";
    line.resize(line.size() + static_cast<size_t>((i * 7919 + seed) % 300), static_cast<char>('a' + i % 26));
    input += line + "\n";
  }
  return input;
}

class FetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = ServerProcess::Start();
    ASSERT_NE(server_, nullptr);
  }
  std::string Kcat(const std::string& args) { return "kcat -b " + server_->bootstrap() + " " + args; }
  std::unique_ptr<ServerProcess> server_;
};

// Many small segments (64 KiB) and records of 2–300 bytes, read back by kcat
// with the default limits and with the smallest ones librdkafka allows: every
// response is cut at whole batches, across segment boundaries.
TEST_F(FetchTest, KcatReadsManySegmentsUnderEveryLimit) {
  CreateTopicWithConfig(server_->bootstrap(), "segmented", 1, {{"segment.bytes", "65536"}});
  const std::string input = Lines(60000, 3);
  auto p = RunCommand(Kcat("-P -t segmented -X linger.ms=20"), seconds(180), input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ASSERT_GT(std::distance(std::filesystem::directory_iterator(server_->data_dir() / "segmented-0"),
                          std::filesystem::directory_iterator()),
            30);
  for (const std::string limits :
       {"", "-X fetch.max.bytes=1000 -X message.max.bytes=1000 -X max.partition.fetch.bytes=1000",
        "-X fetch.max.bytes=70000 -X message.max.bytes=60000 -X max.partition.fetch.bytes=30000"}) {
    auto c = RunCommand(Kcat("-C -t segmented -o beginning -e " + limits), seconds(300));
    ASSERT_EQ(c.exit_code, 0) << limits << ": " << c.err;
    EXPECT_TRUE(c.out == input) << limits << ": records came back changed, missing or out of order ("
                                << c.out.size() << " bytes of " << input.size() << ")";
  }
}

// kafka-python and confluent-kafka under small fetch limits, with records
// larger than the partition limit (the first batch is returned anyway).
TEST_F(FetchTest, PythonClientsUnderFetchLimits) {
  auto r = RunCommand(std::string("/usr/bin/python3 ") + SLUICE_PY_DIR + "/fetch_limits.py " + server_->bootstrap(),
                      seconds(400));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"ok\": true"), std::string::npos) << r.out;
}

// The byte limits, checked on the wire: a partition limit smaller than the first
// batch still returns that batch whole (KIP-74), and nothing else; the request
// limit cuts at whole batches; a later partition whose first batch does not fit
// what is left gets no records (Kafka's rule: only the first partition with data
// may go over).
TEST_F(FetchTest, ByteLimitsOnTheWire) {
  CreateTopicWithConfig(server_->bootstrap(), "limits", 2, {});
  Produce(server_->bootstrap(), "limits", 0, 2000, 100, 100);  // batches of ~10 KB
  Produce(server_->bootstrap(), "limits", 1, 2000, 100, 100);
  const int fd = ConnectLoopback(server_->port(), seconds(10));
  ASSERT_GE(fd, 0);

  ASSERT_TRUE(SendAll(fd, FetchRequest(1, "limits", {{0, 0, 100}}, 1 << 20)));
  auto one = ParseFetch(ReadResponse(fd));
  ASSERT_EQ(one.count(0), 1u);
  EXPECT_EQ(one[0].error, 0);
  EXPECT_TRUE(one[0].valid);
  ASSERT_EQ(one[0].batches.size(), 1u);
  EXPECT_GT(one[0].bytes, 100u);
  EXPECT_EQ(one[0].batches[0].base_offset, 0);

  // From the middle of a batch: that batch is returned from its start.
  const int64_t mid = one[0].batches[0].last_offset;
  ASSERT_TRUE(SendAll(fd, FetchRequest(2, "limits", {{0, mid, 100}}, 1 << 20)));
  auto from_mid = ParseFetch(ReadResponse(fd));
  ASSERT_EQ(from_mid[0].batches.size(), 1u);
  EXPECT_EQ(from_mid[0].batches[0].base_offset, 0);

  ASSERT_TRUE(SendAll(fd, FetchRequest(3, "limits", {{0, 0, 1 << 20}}, 50000)));
  auto cut = ParseFetch(ReadResponse(fd));
  EXPECT_TRUE(cut[0].valid);
  EXPECT_GT(cut[0].batches.size(), 1u);
  EXPECT_LE(cut[0].bytes, 50000u);
  EXPECT_GT(cut[0].bytes + one[0].bytes * 2, 50000u) << "the response should fill the limit";

  // Partition 0 fills the request limit; partition 1's first batch does not fit what is left.
  ASSERT_TRUE(SendAll(fd, FetchRequest(4, "limits", {{0, 0, 1 << 20}, {1, 0, 1 << 20}}, 15000)));
  auto two = ParseFetch(ReadResponse(fd));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_TRUE(two[0].valid);
  EXPECT_GE(two[0].batches.size(), 1u);
  EXPECT_EQ(two[1].error, 0);
  EXPECT_EQ(two[1].bytes, 0u);
  // An empty partition first does not use up the exception: partition 1 gets its first batch.
  ASSERT_TRUE(SendAll(fd, FetchRequest(5, "limits", {{0, 2000, 10}, {1, 0, 10}}, 10)));
  auto second = ParseFetch(ReadResponse(fd));
  EXPECT_EQ(second[0].bytes, 0u);
  ASSERT_EQ(second[1].batches.size(), 1u);
  EXPECT_TRUE(second[1].valid);

  // Pipelined fetches are answered in order, whole.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(SendAll(fd, FetchRequest(100 + i, "limits", {{i % 2, i * 50, 30000}}, 1 << 20)));
  for (int i = 0; i < 20; ++i) {
    auto r = ParseFetch(ReadResponse(fd));
    ASSERT_EQ(r.count(i % 2), 1u) << i;
    EXPECT_TRUE(r[i % 2].valid) << i;
    ASSERT_FALSE(r[i % 2].batches.empty()) << i;
    EXPECT_LE(r[i % 2].batches.front().base_offset, i * 50);
    EXPECT_GT(r[i % 2].batches.front().last_offset, i * 50 - 1);
  }
  close(fd);
}

// A 24 MB fetch over 1 MiB segments is sent to a client that does not read; while
// it is stuck in the socket, DeleteRecords (the same segment removal as
// retention) deletes every segment it reads from. The client then reads the
// response: every batch whole, CRC-valid, offsets contiguous from 0.
TEST_F(FetchTest, SegmentsDeletedWhileTheirBytesAreSent) {
  CreateTopicWithConfig(server_->bootstrap(), "deleted", 1, {{"segment.bytes", "1048576"}});
  Produce(server_->bootstrap(), "deleted", 0, 24000, 1000, 200);
  const auto dir = server_->data_dir() / "deleted-0";
  const auto first_segment = dir / "00000000000000000000.log";
  ASSERT_TRUE(std::filesystem::exists(first_segment));

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);  // before connect: a small window
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_TRUE(SendAll(fd, FetchRequest(1, "deleted", {{0, 0, 64 << 20}}, 64 << 20)));
  uint8_t peek[4];
  ASSERT_EQ(recv(fd, peek, 4, MSG_PEEK | MSG_WAITALL), 4);  // the reply is being written
  const uint32_t frame = ntohl(*reinterpret_cast<uint32_t*>(peek));
  ASSERT_GT(frame, 20u << 20);

  // Delete everything below the high watermark on another connection.
  const int admin = ConnectLoopback(server_->port(), seconds(10));
  Out b;
  b.I32(1);
  b.Str("deleted");
  b.I32(1);
  b.I32(0);
  b.I64(-1);  // up to the high watermark
  b.I32(30000);
  ASSERT_TRUE(SendAll(admin, Request(21, 0, 7, b.b)));
  ASSERT_FALSE(ReadResponse(admin).empty());
  close(admin);
  ASSERT_FALSE(std::filesystem::exists(first_segment)) << "the segments were not deleted";

  auto fetched = ParseFetch(ReadResponse(fd));
  close(fd);
  ASSERT_EQ(fetched.count(0), 1u);
  EXPECT_EQ(fetched[0].error, 0);
  EXPECT_TRUE(fetched[0].valid) << "a batch came back damaged";
  ASSERT_FALSE(fetched[0].batches.empty());
  EXPECT_EQ(fetched[0].batches.front().base_offset, 0);
  EXPECT_EQ(fetched[0].batches.back().last_offset, 23999);
  // The server is still healthy and the topic readable past the deleted range.
  auto c = RunCommand(Kcat("-C -t deleted -o beginning -e -c 1"), seconds(60));
  EXPECT_EQ(c.exit_code, 0) << c.err;
}

// A long poll that is answered by an append sends the new batch from the file.
TEST_F(FetchTest, LongPollAnsweredByAppend) {
  CreateTopicWithConfig(server_->bootstrap(), "poll", 1, {});
  const int fd = ConnectLoopback(server_->port(), seconds(10));
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, FetchRequest(1, "poll", {{0, 0, 1 << 20}}, 1 << 20, 20000, 1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Produce(server_->bootstrap(), "poll", 0, 10, 50, 10);
  const auto start = std::chrono::steady_clock::now();
  auto r = ParseFetch(ReadResponse(fd));
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(15));
  ASSERT_EQ(r.count(0), 1u);
  EXPECT_TRUE(r[0].valid);
  ASSERT_FALSE(r[0].batches.empty());
  EXPECT_EQ(r[0].batches.front().base_offset, 0);
  close(fd);
}

// TLS: file ranges go through the connection's buffer (256 KiB chunks) and
// scatter-gather writes. 10 MB over many segments, read back by kcat over SSL.
TEST(FetchTlsTest, KcatReadsLargeTopicOverTls) {
  const auto pki = MakeTempDir("sluice-fetch-pki");
  auto gen = RunCommand("cd " + pki.string() +
                            " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                            "-keyout server.key -out server.crt -subj '/CN=localhost' "
                            "-addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -addext 'basicConstraints=critical,CA:TRUE' 2>&1",
                        seconds(60));
  ASSERT_EQ(gen.exit_code, 0) << gen.out;
  auto server = ServerProcess::Start({"--listeners", "SSL://127.0.0.1:0", "--tls-cert", (pki / "server.crt").string(),
                                      "--tls-key", (pki / "server.key").string()});
  ASSERT_NE(server, nullptr);
  std::smatch m;
  const std::string log = server->Log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(ready: Kafka API on [0-9.]+:([0-9]+) \(SSL)"))) << log;
  const std::string kcat = "kcat -b 127.0.0.1:" + m[1].str() + " -X security.protocol=SSL -X ssl.ca.location=" +
                           (pki / "server.crt").string() + " ";
  const std::string input = Lines(40000, 5);
  auto p = RunCommand(kcat + "-P -t tls -X linger.ms=20", seconds(180), input);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const std::string limits : {"", "-X fetch.max.bytes=1000 -X message.max.bytes=1000 -X max.partition.fetch.bytes=1000"}) {
    auto c = RunCommand(kcat + "-C -t tls -o beginning -e " + limits, seconds(300));
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_TRUE(c.out == input) << limits << ": records came back changed over TLS (" << c.out.size() << " of "
                                << input.size() << " bytes)";
  }
  server.reset();
  std::error_code ec;
  std::filesystem::remove_all(pki, ec);
}

}  // namespace
}  // namespace sluice::testing
