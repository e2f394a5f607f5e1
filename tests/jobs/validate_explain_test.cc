// `sluice validate` and `sluice explain` on the example jobs and on broken ones,
// through the built binary: exit codes and the FILE:LINE:COL: path: message form.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/server_process.h"

namespace sluice {
namespace {

using sluice::testing::RunCommand;
using std::chrono::seconds;

std::string Sluice(const std::string& args) { return std::string(SLUICE_BINARY) + " " + args; }
std::string Example(const std::string& name) { return std::string(SLUICE_SOURCE_DIR) + "/jobs/" + name + ".yaml"; }

class JobFile {
 public:
  explicit JobFile(const std::string& text) : dir_(sluice::testing::MakeTempDir("sluice-job")) {
    std::ofstream(path()) << text;
  }
  ~JobFile() { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "job.yaml").string(); }

 private:
  std::filesystem::path dir_;
};

TEST(ValidateCommandTest, ExamplesAreValid) {
  for (const char* name : {"hot-readings", "overheat-alerts", "error-rate"}) {
    auto r = RunCommand(Sluice("validate " + Example(name)), seconds(60));
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_NE(r.out.find(std::string("job ") + name + " is valid"), std::string::npos) << r.out;
  }
}

TEST(ValidateCommandTest, PrintsEveryProblemAndFails) {
  JobFile job(
      "job: Bad_Name\n"
      "sources:\n"
      "  readings: {topic: t, fromat: json}\n"
      "operators:\n"
      "  w: {input: readings, window: {type: tumbling, size: 1minute}, aggregate: {n: count()}}\n"
      "sinks:\n"
      "  out: {input: readngs, topic: o}\n");
  auto r = RunCommand(Sluice("validate " + job.path()), seconds(60));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.find(job.path() + ":1:6: job: 'Bad_Name' is not a valid job name"), 0u) << r.err;
  EXPECT_NE(r.err.find(job.path() + ":3:24: sources.readings.fromat: unknown key 'fromat' (did you mean 'format'?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(job.path() + ":5:55: operators.w.window.size: bad duration '1minute'"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(job.path() + ":7:16: sinks.out.input: unknown input 'readngs' (did you mean 'readings'?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("4 problems in " + job.path()), std::string::npos) << r.err;
}

TEST(ValidateCommandTest, GraphProblemsAfterAStructurallyValidFile) {
  JobFile job("job: Bad_Name\nsources: {r: {topic: t}}\nsinks: {out: {input: rr, topic: o}}\n");
  auto r = RunCommand(Sluice("validate " + job.path()), seconds(60));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":1:6: job: 'Bad_Name' is not a valid job name"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":3:22: sinks.out.input: unknown input 'rr'\n"), std::string::npos) << r.err;
}

TEST(ValidateCommandTest, MissingFile) {
  auto r = RunCommand(Sluice("validate /nonexistent/job.yaml"), seconds(60));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/job.yaml:0:0: cannot read the job file"), std::string::npos) << r.err;
}

TEST(ExplainCommandTest, ShowsChainsExchangesAndState) {
  auto r = RunCommand(Sluice("explain " + Example("error-rate")), seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("job error-rate: 2 chains"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<- hash(key) exchange from chain 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rates: window hopping 5m every 1m"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("state: open windows with their aggregates, per key"), std::string::npos) << r.out;
}

// The dedup kind (operators/dedup.h) reaches validate and explain through its registry row alone.
TEST(ExplainCommandTest, DedupIsValidatedAndExplained) {
  const std::string dedup_case = std::string(SLUICE_SOURCE_DIR) + "/tests/jobs/dedup-keyed-4p/job.yaml";
  auto ok = RunCommand(Sluice("validate " + dedup_case), seconds(60));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  auto r = RunCommand(Sluice("explain " + dedup_case), seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("chain 1 (2 subtasks) <- hash(key) exchange from chain 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unique: dedup key value.event within 10s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("state: per key, the event time of the newest kept record"), std::string::npos) << r.out;

  JobFile bad("job: d\nsources: {in: {topic: in}}\noperators:\n  u: {input: in, dedup: {key: value.id +, within: 0s}}\n"
              "sinks: {out: {input: u, topic: out}}\n");
  auto v = RunCommand(Sluice("validate " + bad.path()), seconds(60));
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.err.find(":4:41: operators.u.dedup.key: "), std::string::npos) << v.err;
  EXPECT_NE(v.err.find(":4:51: operators.u.dedup.within: must be positive"), std::string::npos) << v.err;
}

TEST(RunCommandTest, BoundedRunOfExampleOne) {
  const auto dir = sluice::testing::MakeTempDir("sluice-run");
  const std::string data = " --data-dir " + dir.string();
  auto produced = RunCommand(Sluice("produce sensor-readings" + data), seconds(60),
                             "{\"sensor_id\":\"a\",\"temperature\":90,\"site\":\"x\"}\n"
                             "{\"sensor_id\":\"b\",\"temperature\":20,\"site\":\"x\"}\n");
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto run = RunCommand(Sluice("run " + Example("hot-readings") + data + " --until-caught-up"), seconds(60));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  auto out = RunCommand(Sluice("consume hot-readings --from-beginning" + data), seconds(60));
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out.find("{\"sensor\":\"a\",\"celsius\":90,\"at\":\""), 0u) << out.out;
  EXPECT_EQ(out.out.find("\"b\""), std::string::npos) << out.out;
  std::filesystem::remove_all(dir);
}

// Without --until-caught-up the job keeps running; SIGINT stops it cleanly
// (exit 0) with its output flushed.
TEST(RunCommandTest, UnboundedRunStopsCleanlyOnSigint) {
  const auto dir = sluice::testing::MakeTempDir("sluice-run");
  const std::string data = " --data-dir " + dir.string();
  auto produced = RunCommand(Sluice("produce sensor-readings" + data), seconds(60),
                             "{\"sensor_id\":\"a\",\"temperature\":90,\"site\":\"x\"}\n"
                             "{\"sensor_id\":\"b\",\"temperature\":20,\"site\":\"x\"}\n");
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  const std::string err = (dir / "run.err").string();
  // Waits (up to 60 s) for a progress line showing the hot record reached the sink, then interrupts.
  const std::string script = Sluice("run " + Example("hot-readings") + data + " --progress 0.1") + " 2>" + err +
                             " & pid=$!; for i in $(seq 600); do grep -q ', 1 out' " + err +
                             " && break; sleep 0.1; done; kill -INT $pid; wait $pid";
  auto run = RunCommand(script, seconds(90));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::ifstream in(err);
  const std::string stderr_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(stderr_text.find("job hot-readings stopped: 2 records in, 1 out"), std::string::npos) << stderr_text;
  auto out = RunCommand(Sluice("consume hot-readings --from-beginning" + data), seconds(60));
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.out.find("{\"sensor\":\"a\",\"celsius\":90,\"at\":\""), 0u) << out.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice
