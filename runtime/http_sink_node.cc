#include "runtime/http_sink_node.h"

#include <chrono>
#include <utility>
#include <vector>

#include "operators/sinks/alertmanager.h"
#include "operators/sinks/webhook_sender.h"

#include "common/clock.h"

namespace sluice::runtime {
namespace {

using CompiledFields = std::vector<std::pair<std::string, std::shared_ptr<const expr::Expr>>>;

Result<CompiledFields> CompileFields(const std::vector<std::pair<std::string, Text>>& fields) {
  CompiledFields out;
  for (const auto& [name, text] : fields) {
    ASSIGN_OR_RETURN(auto compiled, CompileExpr(text));
    out.emplace_back(name, std::move(compiled));
  }
  return out;
}

Result<sinks::LabelSet> EvalFields(const CompiledFields& fields, const Record& record) {
  sinks::LabelSet out;
  for (const auto& [name, compiled] : fields) {
    ASSIGN_OR_RETURN(expr::Value value, compiled->Eval(record.View()));
    if (value.type() == expr::Type::kNull) continue;
    out.emplace_back(name, value.type() == expr::Type::kString ? value.as_string() : value.ToJson());
  }
  return out;
}

class HttpSinkNodeImpl : public HttpSinkNode {
 public:
  HttpSinkNodeImpl(const SinkSpec& spec, std::string job, std::unique_ptr<sinks::WebhookSender> sender)
      : spec_(spec), job_(std::move(job)), sender_(std::move(sender)), tracker_(spec.http.resolve_after) {}

  Status Init() {
    ASSIGN_OR_RETURN(labels_, CompileFields(spec_.http.labels));
    ASSIGN_OR_RETURN(annotations_, CompileFields(spec_.http.annotations));
    return Status::Ok();
  }

  Status Process(Record record) override {
    std::string key = IdempotencyKey(record);
    if (spec_.kind == SinkKind::kWebhook) {
      sender_->Write({EncodeOutput(record.value, Format::kJson), std::move(key)});
      return TakeFailures();
    }
    auto labels = EvalFields(labels_, record);
    if (!labels.ok()) return RecordError(record, labels.status());
    auto annotations = EvalFields(annotations_, record);
    if (!annotations.ok()) return RecordError(record, annotations.status());
    sinks::Alert alert = tracker_.Fire(std::move(*labels), std::move(*annotations), NowMs(), "sluice://jobs/" + job_);
    sender_->Write({sinks::AlertJson(alert), std::move(key)});
    return TakeFailures();
  }

  Status Flush() override {
    sender_->Poll();
    return TakeFailures();
  }
  Status PreCommit(int64_t /*next_checkpoint*/, std::vector<SinkTxn>* /*txns*/) override { return Drain(); }
  Status Finish() override { return Drain(); }
  double back_pressure_seconds() const override { return sender_->blocked_seconds(); }

 private:
  std::string IdempotencyKey(const Record& record) const {
    if (record.partition >= 0) return sinks::RecordIdempotencyKey(job_, record.partition, record.offset);
    return job_ + "/" + spec_.name + "/" + record.key.ToJson() + "/" + std::to_string(record.timestamp);
  }

  Status Drain() {
    if (!sender_->Flush()) return Abandoned();
    return TakeFailures();
  }

  Status Abandoned() const {
    return Status(StatusCode::kCancelled, "sink " + spec_.name + ": job stopping, undelivered requests abandoned");
  }

  Status TakeFailures() {
    for (auto& failure : sender_->TakeFailures()) {
      for (auto& item : failure.items) {
        Record failed;
        failed.key = expr::Value(std::move(item.idempotency_key));
        failed.value = expr::Value(std::move(item.json));
        failed.topic = spec_.name;
        RETURN_IF_ERROR(RecordError(failed, failure.error));
      }
    }
    return Status::Ok();
  }

  const SinkSpec spec_;
  const std::string job_;
  std::unique_ptr<sinks::WebhookSender> sender_;
  sinks::AlertTracker tracker_;
  CompiledFields labels_;
  CompiledFields annotations_;
};

sinks::WebhookOptions SenderOptions(const SinkSpec& spec, const std::atomic<bool>* stopping) {
  sinks::WebhookOptions options;
  if (stopping) options.cancelled = [stopping] { return stopping->load(std::memory_order_relaxed); };
  options.url = spec.target;
  if (spec.kind == SinkKind::kAlertmanager) {
    while (!options.url.empty() && options.url.back() == '/') options.url.pop_back();
    options.url += "/api/v2/alerts";
    options.always_array = true;
  }
  options.method = spec.http.method;
  options.headers = spec.http.headers;
  options.max_records = static_cast<size_t>(spec.http.max_records);
  options.max_delay = spec.http.max_delay;
  options.timeout = spec.http.timeout;
  options.attempts = spec.http.attempts;
  options.backoff = spec.http.backoff;
  return options;
}

}  // namespace

Result<std::unique_ptr<Node>> MakeHttpSinkNode(const SinkSpec& spec, const std::string& job,
                                               ErrorPolicyHandler* errors, const std::atomic<bool>* stopping) {
  if (spec.kind != SinkKind::kWebhook && spec.kind != SinkKind::kAlertmanager) {
    return InvalidArgument("sink " + spec.name + " is not a webhook or alertmanager sink");
  }
  auto sender = sinks::WebhookSender::Create(SenderOptions(spec, stopping));
  if (!sender.ok()) return sender.status().WithContext("sink " + spec.name);
  auto node = std::make_unique<HttpSinkNodeImpl>(spec, job, std::move(*sender));
  RETURN_IF_ERROR(node->Init());
  node->Bind(spec.name, nullptr, errors);
  return std::unique_ptr<Node>(std::move(node));
}

double SinkBackPressureSeconds(const std::vector<std::unique_ptr<Node>>& nodes) {
  double seconds = 0;
  for (const auto& node : nodes) {
    if (const auto* http = dynamic_cast<const HttpSinkNode*>(node.get())) seconds += http->back_pressure_seconds();
  }
  return seconds;
}

}  // namespace sluice::runtime
