#include "runtime/nodes.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace sluice::runtime {
namespace {

using expr::Value;

class StatelessNode : public Node {
 public:
  explicit StatelessNode(const OperatorSpec& spec) : spec_(spec) {}
  Status Compile() {
    if (spec_.filter) {
      ASSIGN_OR_RETURN(filter_, CompileExpr(*spec_.filter));
    }
    if (spec_.expr) {
      ASSIGN_OR_RETURN(expr_, CompileExpr(*spec_.expr));
    }
    for (const auto& [field, text] : spec_.map) {
      ASSIGN_OR_RETURN(auto compiled, CompileExpr(text));
      fields_.emplace_back(field, std::move(compiled));
    }
    return Status::Ok();
  }

  // Evaluation errors go to on_error with the record as it stood; errors from
  // downstream pass through unchanged (the node that failed applied on_error).
  Status Process(Record record) override {
    auto keep = Transform(record);
    if (!keep.ok()) return RecordError(record, keep.status());
    if (!*keep) return Status::Ok();
    if (spec_.kind == OperatorKind::kFlatMap) return FlatMap(record);
    return Emit(std::move(record));
  }

 private:
  // Filter, map and key_by in place; false when the filter drops the record.
  Result<bool> Transform(Record& record) {
    if (filter_) {
      ASSIGN_OR_RETURN(Value keep, filter_->Eval(record.View()));
      if (!expr::IsTrue(keep)) return false;
    }
    if (!fields_.empty()) RETURN_IF_ERROR(Map(record));
    if (spec_.kind == OperatorKind::kKeyBy) {
      ASSIGN_OR_RETURN(record.key, expr_->Eval(record.View()));
    }
    return true;
  }

  // The value becomes an object of the fields; "*" copies the old value's fields first.
  Status Map(Record& record) {
    expr::Object out;
    out.reserve(fields_.size());
    for (const auto& [field, compiled] : fields_) {
      ASSIGN_OR_RETURN(Value v, compiled->Eval(record.View()));
      if (field == "*" && v.type() == expr::Type::kObject) {
        for (const auto& entry : v.as_object()) out.push_back(entry);
        continue;
      }
      auto existing = std::find_if(out.begin(), out.end(), [&name = field](const auto& e) { return e.first == name; });
      if (existing != out.end()) {
        existing->second = std::move(v);
      } else {
        out.emplace_back(field, std::move(v));
      }
    }
    record.value = Value(std::move(out));
    return Status::Ok();
  }

  Status FlatMap(const Record& record) {
    auto list = expr_->Eval(record.View());
    if (!list.ok()) return RecordError(record, list.status());
    if (list->is_null()) return Status::Ok();
    if (list->type() != expr::Type::kList) {
      return RecordError(record,
                         InvalidArgument("flat_map expects a list, got " + std::string(expr::TypeName(list->type()))));
    }
    for (const Value& element : list->as_list()) {
      Record out = record;
      out.value = element;
      RETURN_IF_ERROR(Emit(std::move(out)));
    }
    return Status::Ok();
  }

  const OperatorSpec spec_;
  std::shared_ptr<const expr::Expr> filter_, expr_;
  std::vector<std::pair<std::string, std::shared_ptr<const expr::Expr>>> fields_;
};

class SinkNode : public Node {
 public:
  SinkNode(const SinkSpec& spec, SharedStream* stream) : spec_(spec), stream_(stream) {}
  Status Open(log::LogManager& log) {
    if (spec_.key) {
      ASSIGN_OR_RETURN(key_, CompileExpr(*spec_.key));
    }
    if (spec_.kind == SinkKind::kTopic) {
      ASSIGN_OR_RETURN(writer_, TopicWriter::Open(log, spec_.target));
    }
    return Status::Ok();
  }

  Status Process(Record record) override {
    std::string bytes = EncodeOutput(record.value, spec_.format);
    if (spec_.kind != SinkKind::kTopic) {
      lines_ += bytes;
      lines_ += '\n';
      return lines_.size() >= (1 << 16) ? Flush() : Status::Ok();
    }
    Value key = record.key;
    if (key_) {
      auto evaluated = key_->Eval(record.View());
      if (!evaluated.ok()) return RecordError(record, evaluated.status());
      key = std::move(*evaluated);
    }
    log::Record out{0, record.timestamp, std::nullopt, std::move(bytes), {}};
    if (!key.is_null()) out.key = key.type() == expr::Type::kString ? key.as_string() : key.ToJson();
    writer_->Add(std::move(out));
    return writer_->buffered() >= 1000 ? writer_->Flush() : Status::Ok();
  }

  Status Flush() override {
    if (writer_) return writer_->Flush();
    if (lines_.empty()) return Status::Ok();
    Status st = stream_->WriteLines(lines_, spec_.name);
    lines_.clear();
    return st;
  }

  Status Finish() override {
    RETURN_IF_ERROR(Flush());
    return stream_ ? stream_->Sync(spec_.name) : Status::Ok();
  }

  void StartTransactions(const std::array<int64_t, 2>& pids, int64_t checkpoint) override {
    if (!writer_) return;
    pids_ = pids;
    writer_->SetProducer(pids_[checkpoint % 2]);
  }

  // A checkpoint covers this sink's output only once it is durable to the
  // sink's guarantee: a file's lines are written and fdatasync'ed (stdout is
  // flushed); a topic's batches are in the log (its transaction commits with
  // the checkpoint).
  Status PreCommit(int64_t next_checkpoint, std::vector<SinkTxn>* txns) override {
    RETURN_IF_ERROR(Flush());
    if (stream_) RETURN_IF_ERROR(stream_->Sync(spec_.name));
    if (!writer_ || writer_->producer_id() < 0) return Status::Ok();
    std::vector<int32_t> touched = writer_->TakeTouched();
    if (!touched.empty()) txns->push_back({spec_.target, writer_->producer_id(), std::move(touched)});
    writer_->SetProducer(pids_[next_checkpoint % 2]);
    return Status::Ok();
  }

 private:
  const SinkSpec spec_;
  SharedStream* stream_;
  std::shared_ptr<const expr::Expr> key_;
  std::unique_ptr<TopicWriter> writer_;
  std::string lines_;  // stdout and file sinks: output since the last flush
  std::array<int64_t, 2> pids_{-1, -1};
};

}  // namespace

Status ErrorPolicyHandler::Handle(const Record& record, const std::string& node, const Status& error) {
  if (policy_ == ErrorPolicy::kFail) return error.WithContext("node " + node);
  if (policy_ == ErrorPolicy::kSkip) return Status::Ok();
  if (!dead_letter_) {
    ASSIGN_OR_RETURN(dead_letter_, TopicWriter::Open(*log_, topic_));
  }
  log::Record out{0, record.timestamp, std::nullopt, record.value.ToJson(),
                  {{"sluice.error", node + ": " + error.message()}}};
  if (!record.topic.empty()) {
    out.headers.push_back({"sluice.source", std::string(record.topic) + "/" + std::to_string(record.partition) + "/" +
                                                std::to_string(record.offset)});
  }
  if (record.key.type() == expr::Type::kString) out.key = record.key.as_string();
  dead_letter_->Add(std::move(out));
  return Status::Ok();
}

Status ErrorPolicyHandler::Flush() { return dead_letter_ ? dead_letter_->Flush() : Status::Ok(); }

SharedStream::~SharedStream() {
  if (fd_ >= 0) ::close(fd_);
}

Status SharedStream::WriteLines(const std::string& lines, const std::string& sink) {
  std::lock_guard lock(mu_);
  if (fd_ < 0) {
    *out_ << lines;
    return Status::Ok();
  }
  size_t done = 0;
  while (done < lines.size()) {
    const ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("sink " + sink + ": write " + path_ + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SharedStream::Flush(const std::string& sink) {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) return Status::Ok();
  out_->flush();
  return *out_ ? Status::Ok() : IoError("sink " + sink + ": write failed");
}

Status SharedStream::Sync(const std::string& sink) {
  if (fd_ < 0) return Flush(sink);
  std::lock_guard lock(mu_);
  while (::fdatasync(fd_) != 0) {
    if (errno == EINTR) continue;
    // A pipe, FIFO or device such as /dev/null cannot be synced (EINVAL, EROFS):
    // what write() handed it is all the durability it has.
    if (errno == EINVAL || errno == EROFS) break;
    return IoError("sink " + sink + ": fdatasync " + path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

void AddTo(const StepCounters& c, StepStats* out) {
  out->records_in += c.in.load(std::memory_order_relaxed);
  out->records_out += c.out.load(std::memory_order_relaxed);
  out->errors += c.errors.load(std::memory_order_relaxed);
  out->dead_lettered += c.dead_lettered.load(std::memory_order_relaxed);
  out->late_dropped += c.late.load(std::memory_order_relaxed);
  out->state_bytes += c.state_bytes.load(std::memory_order_relaxed);
  out->state_expired += c.expired.load(std::memory_order_relaxed);
}

Status SinkStreams::Open(const JobSpec& job, std::ostream* out) {
  for (const auto& s : job.sinks) {
    if (s.kind == SinkKind::kStdout) {
      streams_[s.name] = std::make_unique<SharedStream>(out);
    } else if (s.kind == SinkKind::kFile) {
      // A restricted job's path was resolved below the output directory when
      // parsed; a symlink made since must not lead it out.
      if (!job.output_dir.empty()) {
        RETURN_IF_ERROR(RecheckOutputPath(job.output_dir, s.target).WithContext("sinks." + s.name));
      }
      const int fd = ::open(s.target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) return IoError("sinks." + s.name + ": cannot open " + s.target + ": " + std::strerror(errno));
      streams_[s.name] = std::make_unique<SharedStream>(fd, s.target);
    }
  }
  return Status::Ok();
}

SharedStream* SinkStreams::Find(const std::string& sink) const {
  auto it = streams_.find(sink);
  return it == streams_.end() ? nullptr : it->second.get();
}

Status Node::RecordError(const Record& record, const Status& error) {
  if (counters_) StepCounters::Add(counters_->errors);
  if (!errors_) return error.WithContext("node " + name_);
  RETURN_IF_ERROR(errors_->Handle(record, name_, error));
  if (counters_ && errors_->dead_letters()) StepCounters::Add(counters_->dead_lettered);
  return Status::Ok();
}

Status Node::Emit(Record record) {
  if (counters_) StepCounters::Add(counters_->out);
  for (size_t i = 0; i < downstream_.size(); ++i) {
    RETURN_IF_ERROR(downstream_[i]->Push(i + 1 == downstream_.size() ? std::move(record) : record));
  }
  return Status::Ok();
}

Result<std::shared_ptr<const expr::Expr>> CompileExpr(const Text& text) {
  std::vector<expr::Diagnostic> diagnostics;
  auto compiled = expr::Compile(text.text, expr::CompileOptions{}, &diagnostics);
  if (!compiled) {
    return InvalidArgument(text.path + ": " + (diagnostics.empty() ? "bad expression" : diagnostics[0].message));
  }
  return compiled;
}

Result<std::unique_ptr<Node>> MakeStatelessNode(const OperatorSpec& spec) {
  auto node = std::make_unique<StatelessNode>(spec);
  RETURN_IF_ERROR(node->Compile());
  return std::unique_ptr<Node>(std::move(node));
}

Result<std::unique_ptr<Node>> MakeSinkNode(const SinkSpec& spec, log::LogManager& log, SharedStream* stream) {
  auto node = std::make_unique<SinkNode>(spec, stream);
  RETURN_IF_ERROR(node->Open(log));
  return std::unique_ptr<Node>(std::move(node));
}

}  // namespace sluice::runtime
