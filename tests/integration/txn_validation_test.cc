// Issue 15 item 4: a transactional Produce whose producer id no InitProducerId
// handed out, whose epoch is not current, or whose partition is not in an open
// transaction is refused (49 / 47 / 48) with nothing stored, so it cannot pin
// the last stable offset; read_committed consumers keep progressing, also
// after a restart. An open transaction found at start that no transactional id
// owns (written before this check) is aborted after transaction.max.timeout.ms.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log/log_manager.h"
#include "log/record_batch.h"
#include "tests/support/kafka_client.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

class Frame {
 public:
  Frame(int16_t api_key, int16_t version, int32_t corr) {
    I16(api_key);
    I16(version);
    I32(corr);
    String("txn-test");
  }
  void I8(int8_t v) { b_.push_back(static_cast<uint8_t>(v)); }
  void I16(int16_t v) {
    for (int i = 1; i >= 0; --i) b_.push_back(static_cast<uint8_t>(static_cast<uint16_t>(v) >> (8 * i)));
  }
  void I32(int32_t v) {
    for (int i = 3; i >= 0; --i) b_.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i)));
  }
  void I64(int64_t v) {
    for (int i = 7; i >= 0; --i) b_.push_back(static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i)));
  }
  void String(const std::string& s) {
    I16(static_cast<int16_t>(s.size()));
    b_.insert(b_.end(), s.begin(), s.end());
  }
  void NullString() { I16(-1); }
  void Bytes(const std::vector<uint8_t>& v) {
    I32(static_cast<int32_t>(v.size()));
    b_.insert(b_.end(), v.begin(), v.end());
  }
  std::vector<uint8_t> Take() const {
    std::vector<uint8_t> out;
    const uint32_t n = static_cast<uint32_t>(b_.size());
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
    out.insert(out.end(), b_.begin(), b_.end());
    return out;
  }

 private:
  std::vector<uint8_t> b_;
};

class Body {
 public:
  explicit Body(std::vector<uint8_t> b) : b_(std::move(b)) {}
  int16_t I16() { return static_cast<int16_t>(Take(2)); }
  int32_t I32() { return static_cast<int32_t>(Take(4)); }
  int64_t I64() { return static_cast<int64_t>(Take(8)); }
  std::string String() {
    const int16_t n = I16();
    if (n < 0 || at_ + static_cast<size_t>(n) > b_.size()) return "";
    std::string s(b_.begin() + static_cast<long>(at_), b_.begin() + static_cast<long>(at_) + n);
    at_ += static_cast<size_t>(n);
    return s;
  }

 private:
  uint64_t Take(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n && at_ < b_.size(); ++i) v = (v << 8) | b_[at_++];
    return v;
  }
  std::vector<uint8_t> b_;
  size_t at_ = 0;
};

class Connection {
 public:
  explicit Connection(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  // Sends a request and returns the response body after the correlation id.
  Body Call(const Frame& f) {
    const auto bytes = f.Take();
    EXPECT_EQ(send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    uint8_t size_buf[4];
    if (recv(fd_, size_buf, 4, MSG_WAITALL) != 4) return Body({});
    const uint32_t size = ntohl(*reinterpret_cast<uint32_t*>(size_buf));
    std::vector<uint8_t> body(size);
    if (recv(fd_, body.data(), size, MSG_WAITALL) != static_cast<ssize_t>(size)) return Body({});
    return Body(std::vector<uint8_t>(body.begin() + 4, body.end()));
  }

 private:
  int fd_ = -1;
};

std::vector<uint8_t> TxnBatch(int64_t producer_id, int16_t epoch, const std::string& value) {
  log::Record r;
  r.timestamp = 1;
  r.value = value;
  log::BatchOptions o;
  o.producer_id = producer_id;
  o.producer_epoch = epoch;
  o.base_sequence = 0;
  o.transactional = true;
  auto batch = log::EncodeBatch(o, std::span<const log::Record>(&r, 1));
  EXPECT_TRUE(batch.ok());
  return batch.ok() ? *batch : std::vector<uint8_t>();
}

// Produce v3 of one batch to partition 0; returns the partition's error code (-1: no answer).
int16_t Produce(Connection& c, const std::string& topic, const std::vector<uint8_t>& batch,
                const std::optional<std::string>& txn_id = std::nullopt) {
  Frame f(0, 3, 7);
  if (txn_id) {
    f.String(*txn_id);
  } else {
    f.NullString();
  }
  f.I16(-1);
  f.I32(10000);
  f.I32(1);
  f.String(topic);
  f.I32(1);
  f.I32(0);
  f.Bytes(batch);
  Body b = c.Call(f);
  if (b.I32() != 1 || b.String() != topic || b.I32() != 1 || b.I32() != 0) return -1;
  return b.I16();
}

struct ProducerId {
  int16_t error;
  int64_t id;
  int16_t epoch;
};

ProducerId InitProducerId(Connection& c, const std::string& txn_id) {
  Frame f(22, 0, 8);
  f.String(txn_id);
  f.I32(60000);
  Body b = c.Call(f);
  b.I32();  // throttle
  ProducerId out;
  out.error = b.I16();
  out.id = b.I64();
  out.epoch = b.I16();
  return out;
}

int16_t AddPartition(Connection& c, const std::string& txn_id, const ProducerId& p, const std::string& topic) {
  Frame f(24, 0, 9);
  f.String(txn_id);
  f.I64(p.id);
  f.I16(p.epoch);
  f.I32(1);
  f.String(topic);
  f.I32(1);
  f.I32(0);
  Body b = c.Call(f);
  b.I32();  // throttle
  if (b.I32() != 1 || b.String() != topic || b.I32() != 1 || b.I32() != 0) return -1;
  return b.I16();
}

int16_t EndTxn(Connection& c, const std::string& txn_id, const ProducerId& p, bool commit) {
  Frame f(26, 0, 10);
  f.String(txn_id);
  f.I64(p.id);
  f.I16(p.epoch);
  f.I8(commit ? 1 : 0);
  Body b = c.Call(f);
  b.I32();
  return b.I16();
}

// What a read_committed kcat consumer sees of partition 0 of `topic` from the beginning.
std::string ReadCommittedValues(const std::string& bootstrap, const std::string& topic) {
  return RunCommand("kcat -b " + bootstrap + " -C -t " + topic +
                        " -p 0 -o beginning -e -q -X isolation.level=read_committed -X fetch.wait.max.ms=100",
                    seconds(60))
      .out;
}

void ProducePlain(const std::string& bootstrap, const std::string& topic, const std::string& line) {
  ASSERT_EQ(RunCommand("kcat -b " + bootstrap + " -P -t " + topic + " -p 0", seconds(60), line + "\n").exit_code, 0);
}

TEST(TxnValidationTest, MadeUpProducerIdIsRefusedAndCannotPinReadCommitted) {
  const auto dir = MakeTempDir("txn-validation");
  auto server = ServerProcess::Start({}, dir / "data");
  ASSERT_NE(server, nullptr);
  CreateTopic(server->bootstrap(), "victim", 1);
  ProducePlain(server->bootstrap(), "victim", "before");
  {
    Connection c(server->port());
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(Produce(c, "victim", TxnBatch(424242, 0, "hostile"), std::string("nobody")), 49);
    EXPECT_EQ(Produce(c, "victim", TxnBatch(424243, 0, "hostile"), std::nullopt), 49);
  }
  ProducePlain(server->bootstrap(), "victim", "after");
  const std::string seen = ReadCommittedValues(server->bootstrap(), "victim");
  EXPECT_EQ(seen, "before\nafter\n");

  // The same after a restart on the same data.
  ASSERT_EQ(server->Stop(), 0);
  server = ServerProcess::Start({}, dir / "data");
  ASSERT_NE(server, nullptr);
  ProducePlain(server->bootstrap(), "victim", "restarted");
  EXPECT_EQ(ReadCommittedValues(server->bootstrap(), "victim"), "before\nafter\nrestarted\n");
  server.reset();
  std::filesystem::remove_all(dir);
}

TEST(TxnValidationTest, EpochAndPartitionMustMatchAnOpenTransaction) {
  auto server = ServerProcess::Start();
  ASSERT_NE(server, nullptr);
  CreateTopic(server->bootstrap(), "txn", 1);
  Connection c(server->port());
  ASSERT_TRUE(c.ok());
  const ProducerId p = InitProducerId(c, "tx-1");
  ASSERT_EQ(p.error, 0);
  // Known producer, partition not added to a transaction.
  EXPECT_EQ(Produce(c, "txn", TxnBatch(p.id, p.epoch, "early"), std::string("tx-1")), 48);
  ASSERT_EQ(AddPartition(c, "tx-1", p, "txn"), 0);
  // Wrong epochs.
  EXPECT_EQ(Produce(c, "txn", TxnBatch(p.id, static_cast<int16_t>(p.epoch + 1), "future"), std::string("tx-1")), 47);
  // The right producer, epoch and partition.
  EXPECT_EQ(Produce(c, "txn", TxnBatch(p.id, p.epoch, "committed"), std::string("tx-1")), 0);
  ASSERT_EQ(EndTxn(c, "tx-1", p, true), 0);
  // The transaction is over: a late batch would open one the coordinator never ends.
  EXPECT_EQ(Produce(c, "txn", TxnBatch(p.id, p.epoch, "late"), std::string("tx-1")), 48);
  // A new instance fences the old epoch.
  const ProducerId p2 = InitProducerId(c, "tx-1");
  ASSERT_EQ(p2.error, 0);
  EXPECT_EQ(p2.id, p.id);
  ASSERT_EQ(AddPartition(c, "tx-1", p2, "txn"), 0);
  EXPECT_EQ(Produce(c, "txn", TxnBatch(p.id, p.epoch, "zombie"), std::string("tx-1")), 47);
  EXPECT_EQ(Produce(c, "txn", TxnBatch(p2.id, p2.epoch, "aborted"), std::string("tx-1")), 0);
  ASSERT_EQ(EndTxn(c, "tx-1", p2, false), 0);
  ProducePlain(server->bootstrap(), "txn", "plain");
  EXPECT_EQ(ReadCommittedValues(server->bootstrap(), "txn"), "committed\nplain\n");
}

TEST(TxnValidationTest, UntrackedOpenTransactionFoundAtStartIsAborted) {
  const auto dir = MakeTempDir("txn-orphan");
  {
    // What an unchecked broker stored: a transactional batch of a producer id
    // no transactional id owns, never ended.
    log::LogOptions o;
    o.data_dir = dir / "data";
    o.min_free_bytes = 0;
    o.background_maintenance = false;
    auto log = log::LogManager::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->CreateTopic("pinned", 1).ok());
    auto p = (*log)->GetPartition("pinned", 0);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE((*p)->Append(TxnBatch(31337, 0, "hostile")).ok());
    ASSERT_TRUE((*log)->FlushAll().ok());
  }
  auto server = ServerProcess::Start({"--transaction-max-timeout-ms", "2000"}, dir / "data");
  ASSERT_NE(server, nullptr);
  ProducePlain(server->bootstrap(), "pinned", "plain");
  std::string seen;
  for (int i = 0; i < 60 && seen != "plain\n"; ++i) {
    seen = ReadCommittedValues(server->bootstrap(), "pinned");
    if (seen != "plain\n") std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(seen, "plain\n") << server->Log();
  EXPECT_NE(server->Log().find("producer id 31337"), std::string::npos);
  // And after another restart the abort marker holds.
  ASSERT_EQ(server->Stop(), 0);
  server = ServerProcess::Start({}, dir / "data");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(ReadCommittedValues(server->bootstrap(), "pinned"), "plain\n");
  server.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::testing
