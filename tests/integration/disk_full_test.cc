// A full disk against a real `sluice serve` (issue 16 "Disk full", issue 15 case
// 10): the data directory is a 64 MiB tmpfs that acks=all librdkafka producers
// fill. Every produce either succeeds and is readable afterwards, or fails with
// KAFKA_STORAGE_ERROR (or times out retrying it): never a success for bytes not
// on disk. The broker stays up and serves reads, /readyz and /metrics report the
// condition, a log line names the directory; a restart on the full disk starts
// read-only; deleting a topic frees space and writes succeed without a restart.
#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "server/http_server.h"
#include "tests/support/kafka_client.h"
#include "tests/support/server_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// A tmpfs mounted for the test's lifetime (the test runs as root in CI).
class TmpfsMount {
 public:
  TmpfsMount(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string error_;
};

std::string Py(const std::string& args) {
  return "/usr/bin/python3 " + std::string(SLUICE_PY_DIR) + "/disk_fill.py " + args;
}

struct Deliveries {
  std::set<std::string> acked;
  std::map<std::string, int> errors;  // error name -> count
};

Deliveries ParseDeliveries(const std::string& out) {
  Deliveries d;
  std::istringstream in(out);
  std::string kind, key, name;
  while (in >> kind >> key) {
    if (kind == "ok") {
      d.acked.insert(key);
    } else if (kind == "err" && in >> name) {
      ++d.errors[name];
    }
  }
  return d;
}

std::set<std::string> StoredKeys(const ServerProcess& server, const std::string& topic) {
  auto r = RunCommand(Py("keys " + server.bootstrap() + " " + topic), seconds(180));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> keys;
  std::istringstream in(r.out);
  for (std::string k; in >> k;) keys.insert(k);
  return keys;
}

int HttpStatus(const ServerProcess& server, const std::string& path, std::string* body = nullptr) {
  auto r = server::HttpCall("GET", server.http_url() + path, "", 30, {server.http_token()});
  if (!r.ok()) return -1;
  if (body) *body = r->body;
  return r->status;
}

void ExpectSubset(const std::set<std::string>& acked, const std::set<std::string>& stored, const char* when) {
  size_t missing = 0;
  for (const auto& k : acked) missing += stored.count(k) == 0;
  EXPECT_EQ(missing, 0u) << when << ": acknowledged records missing from the log (of " << acked.size() << ")";
}

TEST(DiskFullTest, FullDiskRefusesAppendsServesReadsAndRecoversWithoutRestart) {
  const fs::path base = MakeTempDir("sluice-disk-full");
  struct RemoveAfter {
    fs::path dir;
    ~RemoveAfter() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{base};
  const fs::path data = base / "data";  // the mount point; the server log stays outside it
  TmpfsMount mount(data, "64m");
  ASSERT_TRUE(mount.mounted()) << "this test needs to mount a tmpfs (run as root, or with CAP_SYS_ADMIN): mount "
                               << data << ": " << mount.error();
  auto server = ServerProcess::Start({"--min-free-mib", "auto"}, data);
  ASSERT_NE(server, nullptr);
  CreateTopic(server->bootstrap(), "ballast", 1);
  CreateTopic(server->bootstrap(), "fill", 2);

  auto ballast = RunCommand(Py("produce " + server->bootstrap() + " ballast b 2000 10000"), seconds(300));
  ASSERT_EQ(ballast.exit_code, 0) << ballast.err;
  ASSERT_EQ(ParseDeliveries(ballast.out).acked.size(), 2000u) << ballast.out.substr(0, 2000);

  // Two producers at once fill the rest (up to 80 MB into ~43 MB of space).
  const std::string out_a = (base / "a.out").string(), out_b = (base / "b.out").string();
  auto fill = RunCommand("(" + Py("produce " + server->bootstrap() + " fill a 4000 10000") + " > " + out_a + " & " +
                             Py("produce " + server->bootstrap() + " fill b 4000 10000") + " > " + out_b +
                             " & wait)",
                         seconds(600));
  ASSERT_EQ(fill.exit_code, 0) << fill.err;
  Deliveries d = ParseDeliveries(RunCommand("cat " + out_a + " " + out_b, seconds(10)).out);
  ASSERT_FALSE(d.errors.empty()) << "the disk never filled up";
  ASSERT_GT(d.acked.size(), 1000u);
  for (const auto& [name, count] : d.errors) {
    EXPECT_TRUE(name == "KAFKA_STORAGE_ERROR" || name == "_MSG_TIMED_OUT") << name << " x" << count;
  }

  // Reported: /readyz, /metrics, a log line naming the directory.
  std::string body;
  EXPECT_EQ(HttpStatus(*server, "/readyz", &body), 503) << body;
  EXPECT_NE(body.find("disk full"), std::string::npos) << body;
  EXPECT_NE(body.find(data.string()), std::string::npos) << body;
  std::string metrics;
  ASSERT_EQ(HttpStatus(*server, "/metrics", &metrics), 200);
  EXPECT_NE(metrics.find("sluice_log_disk_full{dir=\"" + data.string() + "\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("sluice_log_append_refused_total{dir=\"" + data.string() + "\",reason=\"disk_full\"}"),
            std::string::npos);
  EXPECT_EQ(metrics.find("sluice_log_append_refused_total{dir=\"" + data.string() + "\",reason=\"disk_full\"} 0\n"),
            std::string::npos);
  EXPECT_NE(server->Log().find("disk full: data directory " + data.string()), std::string::npos);

  // Reads are served while full, and hold every acknowledged record.
  ExpectSubset(d.acked, StoredKeys(*server, "fill"), "while full");
  EXPECT_EQ(StoredKeys(*server, "ballast").size(), 2000u);

  // A restart on the full disk starts read-only instead of failing.
  server->Stop();
  // Take the last bytes too: at the restart not even a recovery point can be written.
  RunCommand("dd if=/dev/zero of=" + (data / "filler").string() + " bs=64k", seconds(60));
  auto space = fs::space(data);
  EXPECT_LT(space.available, 64u * 1024) << "the filler did not fill the disk";
  server = ServerProcess::Start({"--min-free-mib", "auto"}, data);
  ASSERT_NE(server, nullptr) << "the server did not start on a full disk";
  EXPECT_NE(server->Log().find("starting read-only"), std::string::npos) << server->Log();
  EXPECT_EQ(HttpStatus(*server, "/readyz"), 503);
  ExpectSubset(d.acked, StoredKeys(*server, "fill"), "after a restart on the full disk");
  auto refused = ParseDeliveries(RunCommand(Py("produce " + server->bootstrap() + " fill r 3 10000"), seconds(120)).out);
  EXPECT_TRUE(refused.acked.empty());

  // Freeing space (deleting a topic) lets writes through again, without a restart.
  auto deleted = RunCommand(Py("delete " + server->bootstrap() + " ballast"), seconds(120));
  ASSERT_NE(deleted.out.find("deleted"), std::string::npos) << deleted.out << deleted.err;
  int ready = -1;
  for (auto deadline = std::chrono::steady_clock::now() + seconds(30); std::chrono::steady_clock::now() < deadline;) {
    if ((ready = HttpStatus(*server, "/readyz")) == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(ready, 200);
  auto after = ParseDeliveries(RunCommand(Py("produce " + server->bootstrap() + " fill c 100 10000"), seconds(120)).out);
  EXPECT_EQ(after.acked.size(), 100u);
  EXPECT_TRUE(after.errors.empty());
  auto stored = StoredKeys(*server, "fill");
  ExpectSubset(d.acked, stored, "after space was freed");
  ExpectSubset(after.acked, stored, "written after space was freed");
  EXPECT_EQ(server->Stop(), 0) << server->Log();
  server.reset();
}

}  // namespace
}  // namespace sluice::testing
