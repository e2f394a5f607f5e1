#include "runtime/job_policy.h"

#include <algorithm>
#include <string_view>

namespace sluice::runtime {
namespace {

namespace fs = std::filesystem;

// librdkafka properties (CONFIGURATION.md) that only tune the client's network,
// protocol, batching and authentication with values given inline. Left out on
// purpose, because they run a program, load code or read/write a local file:
// sasl.kerberos.* (kinit.cmd runs a shell command; keytab), plugin.library.paths,
// ssl.engine.location, ssl.engine.id, ssl.providers, ssl.*.location,
// ssl.keystore.*, ssl.crl.location, ssl.ca.certificate.stores, offset.store.path
// and offset.store.method (file offsets), sasl.oauthbearer.method and its
// token.endpoint.url / client.secret / scope / extensions (an HTTP call to a
// URL the job names), debug (floods the server log), test.mock.*.
// Anything not listed (including properties added by later librdkafka
// versions) is refused until the operator allows it.
constexpr std::string_view kSafe[] = {
    // global: network and protocol
    "client.id", "client.rack", "client.dns.lookup", "client.software.name", "client.software.version",
    "bootstrap.servers", "message.max.bytes", "message.copy.max.bytes", "receive.message.max.bytes",
    "max.in.flight.requests.per.connection", "max.in.flight", "metadata.max.age.ms",
    "topic.metadata.refresh.interval.ms", "topic.metadata.refresh.fast.interval.ms", "topic.metadata.refresh.sparse",
    "topic.metadata.propagation.max.ms", "socket.timeout.ms", "socket.send.buffer.bytes",
    "socket.receive.buffer.bytes", "socket.keepalive.enable", "socket.nagle.disable", "socket.max.fails",
    "socket.connection.setup.timeout.ms", "broker.address.ttl", "broker.address.family", "connections.max.idle.ms",
    "reconnect.backoff.ms", "reconnect.backoff.max.ms", "retry.backoff.ms", "retry.backoff.max.ms",
    "api.version.request", "api.version.request.timeout.ms", "api.version.fallback.ms", "broker.version.fallback",
    "allow.auto.create.topics", "statistics.interval.ms", "log.connection.close", "log_level", "enable.random.seed",
    // security with inline values
    "security.protocol", "ssl.cipher.suites", "ssl.curves.list", "ssl.sigalgs.list", "ssl.key.pem", "ssl.key.password",
    "ssl.certificate.pem", "ssl.ca.pem", "ssl.endpoint.identification.algorithm",
    "enable.ssl.certificate.verification", "sasl.mechanisms", "sasl.mechanism", "sasl.username", "sasl.password",
    "sasl.oauthbearer.config", "enable.sasl.oauthbearer.unsecure.jwt",
    // consumer
    "session.timeout.ms", "heartbeat.interval.ms", "group.protocol.type", "group.protocol", "group.instance.id",
    "coordinator.query.interval.ms", "max.poll.interval.ms", "auto.commit.interval.ms", "auto.offset.reset",
    "queued.min.messages", "queued.max.messages.kbytes", "fetch.wait.max.ms", "fetch.queue.backoff.ms",
    "fetch.message.max.bytes", "max.partition.fetch.bytes", "fetch.max.bytes", "fetch.min.bytes",
    "fetch.error.backoff.ms", "isolation.level", "check.crcs", "partition.assignment.strategy",
    // producer
    "transaction.timeout.ms", "enable.idempotence", "queue.buffering.max.messages", "queue.buffering.max.kbytes",
    "queue.buffering.max.ms", "linger.ms", "message.send.max.retries", "retries", "queue.buffering.backpressure.threshold",
    "compression.codec", "compression.type", "compression.level", "batch.num.messages", "batch.size",
    "sticky.partitioning.linger.ms", "request.required.acks", "acks", "request.timeout.ms", "message.timeout.ms",
    "delivery.timeout.ms", "partitioner"};

bool Has(const std::set<std::string>& set, const std::string& s) { return set.count(s) > 0; }

// Host of an http:// URL ("" when it has none): http://HOST[:PORT][/...]
std::string HostOf(const std::string& url) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return "";
  std::string authority = url.substr(prefix.size(), url.find_first_of("/?#", prefix.size()) - prefix.size());
  if (const auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  if (!authority.empty() && authority[0] == '[') return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

bool Below(const fs::path& dir, const fs::path& path) {
  auto d = dir.begin();
  auto p = path.begin();
  for (; d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;  // a trailing slash
    if (p == path.end() || *d != *p) return false;
  }
  return true;
}

}  // namespace

bool IsSafeKafkaProperty(const std::string& name) {
  return std::find(std::begin(kSafe), std::end(kSafe), name) != std::end(kSafe);
}

bool IsSecretKafkaProperty(const std::string& name) {
  return name == "sasl.password" || name == "ssl.key.password" || name == "ssl.key.pem" ||
         name == "ssl.keystore.password" || name == "sasl.oauthbearer.client.secret" ||
         name == "sasl.oauthbearer.config";
}

std::string CheckKafkaProperty(const JobPolicy& policy, const std::string& name) {
  if (!policy.restricted || IsSafeKafkaProperty(name) || Has(policy.extra_kafka_properties, name)) return "";
  return "kafka property '" + name +
         "' is not allowed in jobs submitted to the server (it may run a program, load a library or read a "
         "local file); the operator can allow it with job-allowed-kafka-properties";
}

Result<fs::path> ResolveOutputPath(const fs::path& output_dir, const std::string& path) {
  const fs::path p(path);
  if (path.empty()) return InvalidArgument("expected a path below the job output directory");
  if (p.is_absolute()) {
    return InvalidArgument("'" + path + "' is absolute; jobs submitted to the server write below the job output "
                           "directory (job-output-dir): give a relative path");
  }
  for (const auto& part : p) {
    if (part == "..") return InvalidArgument("'" + path + "' leaves the job output directory (job-output-dir)");
  }
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(output_dir, ec);
  if (ec) return InvalidArgument("the job output directory " + output_dir.string() + " cannot be resolved");
  // weakly_canonical follows every symlink of the part that exists.
  const fs::path resolved = fs::weakly_canonical(root / p, ec);
  if (ec || !Below(root, resolved) || resolved == root) {
    return InvalidArgument("'" + path + "' resolves outside the job output directory (job-output-dir)");
  }
  return resolved;
}

Status RecheckOutputPath(const fs::path& output_dir, const fs::path& resolved) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(output_dir, ec);
  const fs::path relative = resolved.lexically_relative(root);
  if (ec || relative.empty()) return InvalidArgument("the file resolves outside the job output directory");
  ASSIGN_OR_RETURN(fs::path again, ResolveOutputPath(root, relative.string()));
  if (again != resolved) return InvalidArgument("the file resolves outside the job output directory");
  return Status::Ok();
}

std::string CheckHttpUrl(const JobPolicy& policy, const std::string& url) {
  if (!policy.restricted || policy.allowed_http_hosts.empty()) return "";
  const std::string host = HostOf(url);
  if (Has(policy.allowed_http_hosts, host)) return "";
  return "host '" + host + "' is not one of the hosts jobs may call (job-allowed-http-hosts)";
}

}  // namespace sluice::runtime
