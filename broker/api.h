// The Kafka APIs this broker speaks, the version ranges it advertises
// (KAFKA-PROTOCOL.md §2), and what a handler gets for one request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker {

enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kSaslHandshake = 17,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kInitProducerId = 22,
  kAddPartitionsToTxn = 24,
  kAddOffsetsToTxn = 25,
  kEndTxn = 26,
  kTxnOffsetCommit = 28,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kSaslAuthenticate = 36,
  kCreatePartitions = 37,
  kDeleteGroups = 42,
  kIncrementalAlterConfigs = 44,
  kDescribeUserScramCredentials = 50,
  kAlterUserScramCredentials = 51,
  kDescribeAcls = 29,
  kCreateAcls = 30,
  kDeleteAcls = 31,
};

struct ApiRange {
  ApiKey key;
  int16_t min;
  int16_t max;
  // Versions from this one on use the flexible encoding (request header v2,
  // response header v1; ApiVersions keeps response header v0).
  int16_t first_flexible = INT16_MAX;
};

// Every API and version range this broker answers, in the order of the API
// table (api_table.cc); ApiVersions lists exactly these.
const std::vector<ApiRange>& SupportedApis();
// The range for `key`, or nullopt when unsupported.
std::optional<ApiRange> FindApi(int16_t key);
// Kafka's name of the API ("Produce"), or "Api<key>" for one we do not know.
std::string ApiName(int16_t key);
// Topics the broker itself owns (`__consumer_offsets`, `__transaction_state`):
// clients may not produce to, delete, repartition or truncate them.
bool IsInternalTopic(std::string_view topic);

// Kafka error codes used here.
namespace error {
constexpr int16_t kNone = 0;
constexpr int16_t kUnknownServerError = -1;
constexpr int16_t kOffsetOutOfRange = 1;
constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kMessageTooLarge = 10;
constexpr int16_t kCoordinatorNotAvailable = 15;
constexpr int16_t kNotCoordinator = 16;
constexpr int16_t kInvalidTopic = 17;
constexpr int16_t kIllegalGeneration = 22;
constexpr int16_t kInconsistentGroupProtocol = 23;
constexpr int16_t kInvalidGroupId = 24;
constexpr int16_t kUnknownMemberId = 25;
constexpr int16_t kInvalidSessionTimeout = 26;
constexpr int16_t kRebalanceInProgress = 27;
constexpr int16_t kUnsupportedVersion = 35;
constexpr int16_t kTopicAlreadyExists = 36;
constexpr int16_t kInvalidPartitions = 37;
constexpr int16_t kInvalidReplicationFactor = 38;
constexpr int16_t kInvalidRequest = 42;
constexpr int16_t kInvalidConfig = 40;
constexpr int16_t kOutOfOrderSequence = 45;
constexpr int16_t kDuplicateSequence = 46;
constexpr int16_t kInvalidProducerEpoch = 47;
constexpr int16_t kInvalidTxnState = 48;
constexpr int16_t kUnknownProducerId = 59;
constexpr int16_t kInvalidProducerIdMapping = 49;
constexpr int16_t kInvalidTransactionTimeout = 50;
constexpr int16_t kConcurrentTransactions = 51;
constexpr int16_t kKafkaStorageError = 56;
constexpr int16_t kUnsupportedSaslMechanism = 33;
constexpr int16_t kIllegalSaslState = 34;
constexpr int16_t kSaslAuthenticationFailed = 58;
constexpr int16_t kNonEmptyGroup = 68;
constexpr int16_t kGroupIdNotFound = 69;
constexpr int16_t kMemberIdRequired = 79;
constexpr int16_t kFencedInstanceId = 82;  // another member holds the group.instance.id (KIP-345)
constexpr int16_t kInvalidRecord = 87;
constexpr int16_t kResourceNotFound = 91;
constexpr int16_t kUnknownTopicId = 100;  // a topic id no topic has (KIP-516)
constexpr int16_t kDuplicateResource = 92;
constexpr int16_t kUnacceptableCredential = 93;
constexpr int16_t kTopicAuthorizationFailed = 29;
constexpr int16_t kGroupAuthorizationFailed = 30;
constexpr int16_t kClusterAuthorizationFailed = 31;
constexpr int16_t kTransactionalIdAuthorizationFailed = 53;
constexpr int16_t kSecurityDisabled = 54;
constexpr int16_t kOperationNotAttempted = 55;
}  // namespace error

class ReplySink;

struct RequestContext {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
  std::string client_host;
  // Who sent the request, as Kafka's KafkaPrincipal string: "User:<name>" after SASL,
  // "User:<certificate subject>" with SSL client authentication, else "User:ANONYMOUS".
  // Set by the connection; handlers check ACLs against it.
  std::string principal = "User:ANONYMOUS";
  // The security protocol of the listener the request arrived on (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL).
  std::string listener = "PLAINTEXT";
  // The advertised address of that listener (Metadata and FindCoordinator answer
  // with it, as Kafka does); empty/0: the broker's --advertise address.
  std::string advertised_host;
  int32_t advertised_port = 0;
  // Set by connections that write bodies with file ranges (broker/reply.h): Fetch
  // answers through it without copying the batches. Null: use Respond.
  std::shared_ptr<ReplySink> reply_sink;
};

// Sends the response body (without the size and header). Called exactly once
// per request, from any thread, possibly later (long polls, group joins).
// nullopt sends nothing: a Produce with acks=0 gets no response.
using Respond = std::function<void(std::optional<std::vector<uint8_t>> body)>;

class Reader;
struct HandlerEnv;
// One API's handler (broker/handlers/*.cc); see broker/handlers/env.h.
using HandlerFn = void (*)(HandlerEnv& env, const RequestContext& ctx, Reader& r, const Respond& respond);

// One row of the API table, the single list that drives dispatch, the version
// ranges ApiVersions advertises, the names in logs and metrics, and
// docs/compatibility.md.
struct ApiInfo {
  ApiKey key;
  const char* name;
  int16_t min, max;
  int16_t first_flexible;  // Kafka's first flexible version (INT16_MAX: none)
  int16_t kafka_max;       // Kafka 3.9's highest version (its lowest is 0 for all of these)
  // Null for the APIs the connection answers itself (SaslHandshake, SaslAuthenticate).
  HandlerFn handler;
};
const std::vector<ApiInfo>& ApiTable();
// The row of `key`, or null when the broker does not implement it.
const ApiInfo* FindApiInfo(int16_t key);
// The table as the Markdown rows of docs/compatibility.md, ordered by key.
std::string CompatibilityMarkdown();

// Runs work later on the broker's threads; handlers use it for timeouts.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual void RunAfter(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
};

}  // namespace sluice::broker
