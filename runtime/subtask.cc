#include "runtime/subtask.h"

#include <chrono>
#include <limits>

#include "operators/state_codec.h"
#include "operators/value_codec.h"

#include "common/clock.h"

namespace sluice::runtime {
namespace {

constexpr size_t kPollBytes = 256 << 10;
constexpr size_t kMessagesPerStep = 8;
constexpr int64_t kEndOfTime = std::numeric_limits<int64_t>::max();

constexpr uint8_t kSubtaskStateVersion = 1;

}  // namespace

// Keys that compare equal hash equally (1 and 1.0 too, as in CanonicalBytes);
// strings and numbers without building their canonical bytes.
uint64_t KeyHash(const expr::Value& key) {
  auto fnv = [](std::string_view bytes, uint64_t h) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
  };
  auto mix = [](uint64_t x) {  // splitmix64's finaliser
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  };
  switch (key.type()) {
    case expr::Type::kString: return fnv(key.as_string(), 1469598103934665603ull);
    case expr::Type::kInt: return mix(static_cast<uint64_t>(key.as_int()));
    case expr::Type::kDouble: {
      const double d = key.as_double();
      if (d > -9.2e18 && d < 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
        return mix(static_cast<uint64_t>(static_cast<int64_t>(d)));
      }
      return fnv(operators::CanonicalBytes(key), 7);
    }
    default: return fnv(operators::CanonicalBytes(key), 7);
  }
}

std::string EncodeSubtaskState(const std::vector<std::pair<std::string, std::string>>& nodes) {
  operators::StateWriter w(kSubtaskStateVersion);
  w.PutVarint(nodes.size());
  for (const auto& [name, state] : nodes) {
    w.PutBytes(name);
    w.PutBytes(state);
  }
  return std::move(w).Finish();
}

Result<std::vector<std::pair<std::string, std::string>>> DecodeSubtaskState(std::string_view bytes) {
  ASSIGN_OR_RETURN(auto r, operators::StateReader::Open(bytes, kSubtaskStateVersion, "subtask state"));
  ASSIGN_OR_RETURN(uint64_t n, r.Varint());
  std::vector<std::pair<std::string, std::string>> nodes;
  for (uint64_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(auto name, r.Bytes());
    ASSIGN_OR_RETURN(auto state, r.Bytes());
    nodes.emplace_back(std::string(name), std::string(state));
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return nodes;
}

size_t Router::TargetOf(const Record& record) const {
  if (global_ || targets_.size() == 1) return 0;
  return KeyHash(record.key) % targets_.size();
}

void Router::Add(Record record) {
  const size_t t = TargetOf(record);
  Message& m = pending_[t];
  if (sent_watermark_[t] != watermark_) {
    m.watermarks.emplace_back(static_cast<uint32_t>(m.records.size()), watermark_);
    sent_watermark_[t] = watermark_;
  }
  m.records.push_back(std::move(record));
  if (m.records.size() >= kBatchRecords) Send(t, false);
}

void Router::Send(size_t target, bool end, std::optional<int64_t> barrier) {
  Message& m = pending_[target];
  if (sent_watermark_[target] != watermark_) {
    m.watermarks.emplace_back(static_cast<uint32_t>(m.records.size()), watermark_);
    sent_watermark_[target] = watermark_;
  }
  if (m.records.empty() && m.watermarks.empty() && !end && !barrier) return;
  m.sender = channel_;
  m.end = end;
  m.barrier = barrier;
  targets_[target]->Push(std::move(m));
  m = Message{};
}

void Router::Flush(bool end) {
  for (size_t t = 0; t < targets_.size(); ++t) Send(t, end);
}

void Router::Barrier(int64_t id) {
  for (size_t t = 0; t < targets_.size(); ++t) Send(t, false, id);
}

bool Router::Blocked() const {
  for (const Mailbox* box : targets_) {
    if (box->Full()) return true;
  }
  return false;
}

bool Subtask::CanRun() const {
  for (const auto& r : routers) {
    if (r->Blocked()) return false;
  }
  return true;
}

Status Subtask::AdvanceWatermark(int64_t watermark) {
  if (watermark <= watermark_) return Status::Ok();
  watermark_ = watermark;
  current_watermark.store(watermark, std::memory_order_relaxed);
  for (auto& node : nodes) RETURN_IF_ERROR(node->OnWatermark(watermark));
  if (!idle_) {
    for (auto& r : routers) r->SetWatermark(watermark);
  }
  return Status::Ok();
}

void Subtask::SetIdle(bool idle) {
  if (idle == idle_) return;
  idle_ = idle;
  for (auto& r : routers) r->SetWatermark(idle ? kIdle : watermark_);
}

Status Subtask::FlushOutputs() {
  for (auto& node : nodes) RETURN_IF_ERROR(node->Flush());
  if (errors) RETURN_IF_ERROR(errors->Flush());
  for (auto& r : routers) r->Flush(false);
  return Status::Ok();
}

Status Subtask::FlushAll() { return FlushOutputs(); }

Status Subtask::FinishChain() {
  SetIdle(false);
  RETURN_IF_ERROR(AdvanceWatermark(kEndOfTime));
  for (auto& node : nodes) RETURN_IF_ERROR(node->Finish());
  if (errors) RETURN_IF_ERROR(errors->Flush());
  RETURN_IF_ERROR(TakeSnapshot(-1));
  for (auto& r : routers) r->Flush(true);
  return Status::Ok();
}

Status Subtask::TakeSnapshot(int64_t id) {
  if (!hooks) return Status::Ok();
  SubtaskSnapshot snapshot;
  snapshot.checkpoint = id;
  for (auto& node : nodes) RETURN_IF_ERROR(node->PreCommit(id + 1, &snapshot.txns));
  if (errors) RETURN_IF_ERROR(errors->Flush());
  std::vector<std::pair<std::string, std::string>> states;
  for (const auto& node : nodes) {
    std::string state = node->Snapshot();
    if (!state.empty()) states.emplace_back(node->name(), std::move(state));
  }
  if (!states.empty()) snapshot.state = EncodeSubtaskState(states);
  AddOffsets(&snapshot.offsets);
  RETURN_IF_ERROR(hooks->Ack(*this, std::move(snapshot)));
  if (id >= 0) {
    for (auto& r : routers) r->Barrier(id);
  }
  return Status::Ok();
}

SourceSubtask::SourceSubtask(const SourceSpec& spec, std::shared_ptr<const expr::Expr> event_time, bool bounded,
                             std::vector<std::unique_ptr<OwnedPartition>> partitions, int64_t now_ms)
    : spec_(spec),
      event_time_(std::move(event_time)),
      bounded_(bounded),
      partitions_(std::move(partitions)),
      watermarks_(partitions_.size(), spec.max_delay, spec.idle_after, now_ms) {}

bool SourceSubtask::AtEnd() const {
  for (const auto& p : partitions_) {
    if (p->reader.next() < p->end) return false;
  }
  return true;
}

void SourceSubtask::AddOffsets(std::vector<SourceOffset>* offsets) const {
  for (const auto& p : partitions_) {
    const Offset next = bounded_ ? std::min(p->reader.next(), p->end) : p->reader.next();
    offsets->push_back({spec_.name, spec_.topic, p->id, next.value});
  }
}

Result<StepResult> SourceSubtask::Step() {
  if (hooks && hooks->Requested() > last_barrier_) {
    last_barrier_ = hooks->Requested();
    RETURN_IF_ERROR(TakeSnapshot(last_barrier_));
  }
  bool worked = false;
  const int64_t now_ms = NowMs();
  for (size_t tries = 0; tries < partitions_.size() && !worked; ++tries) {
    const size_t index = next_partition_++ % partitions_.size();
    OwnedPartition& p = *partitions_[index];
    if (bounded_ && p.reader.next() >= p.end) continue;
    batch_.clear();
    ASSIGN_OR_RETURN(size_t n, p.reader.Poll(&batch_, kPollBytes));
    for (const auto& stored : batch_) {
      if (bounded_ && stored.offset >= p.end.value) break;
      RETURN_IF_ERROR(Handle(stored, index, now_ms));
    }
    p.next.store(p.reader.next().value, std::memory_order_relaxed);
    worked = n > 0;
  }
  RETURN_IF_ERROR(AdvanceWatermark(watermarks_.Current(now_ms)));  // idle partitions may let it move
  SetIdle(!worked && watermarks_.AllIdle(now_ms));
  if (bounded_ && AtEnd()) {
    RETURN_IF_ERROR(FlushOutputs());  // the last real watermark goes out before the end of time
    watermarks_.Finish();
    RETURN_IF_ERROR(FinishChain());
    return StepResult::kDone;
  }
  RETURN_IF_ERROR(FlushOutputs());
  return worked ? StepResult::kWorked : StepResult::kIdle;
}

Status IngestRecord(const log::Record& stored, const SourceSpec& spec, int32_t partition, const expr::Expr* event_time,
                    SourceNode& entry, int64_t* pushed_event_time) {
  auto decoded = DecodeRecord(stored, spec.format, spec.topic, partition);
  if (!decoded.ok()) {
    Record raw;
    raw.topic = spec.topic;
    raw.partition = partition;
    raw.offset = stored.offset;
    raw.timestamp = stored.timestamp;
    raw.value = expr::Value(stored.value.value_or(""));
    return entry.Reject(raw, decoded.status());
  }
  Record record = std::move(*decoded);
  if (event_time) {
    auto t = event_time->Eval(record.View());
    if (!t.ok() || !t->is_number()) {
      return entry.Reject(record, t.ok() ? InvalidArgument("event_time is not a number") : t.status());
    }
    record.event_time = static_cast<int64_t>(t->as_number());
  }
  *pushed_event_time = record.event_time;
  return entry.Push(std::move(record));
}

Status SourceSubtask::Handle(const log::Record& stored, size_t index, int64_t now_ms) {
  int64_t event_time = kNoWatermark;
  RETURN_IF_ERROR(IngestRecord(stored, spec_, partitions_[index]->id, event_time_.get(), *entry, &event_time));
  if (event_time == kNoWatermark) return Status::Ok();  // rejected
  watermarks_.Observe(index, event_time, now_ms);
  SetIdle(false);
  return AdvanceWatermark(watermarks_.Current(now_ms));
}

ExchangeSubtask::ExchangeSubtask(size_t channels, std::function<void()> on_push)
    : inbox(std::max<size_t>(16, 4 * channels), std::move(on_push)),
      merge_(channels),
      ended_(channels, false),
      arrived_(channels, false),
      stash_(channels) {}

Result<StepResult> ExchangeSubtask::Step() {
  std::vector<Message> messages = inbox.Take(kMessagesPerStep);
  if (messages.empty()) return StepResult::kIdle;
  for (Message& m : messages) {
    if (pending_barrier_ >= 0 && arrived_[m.sender] && hooks && hooks->aligned()) {
      stash_[m.sender].push_back(std::move(m));
    } else {
      RETURN_IF_ERROR(Handle(m));
      RETURN_IF_ERROR(DrainStash());
    }
  }
  if (ended_count_ == ended_.size()) {
    RETURN_IF_ERROR(FlushOutputs());
    RETURN_IF_ERROR(FinishChain());
    return StepResult::kDone;
  }
  RETURN_IF_ERROR(FlushOutputs());
  return StepResult::kWorked;
}

Status ExchangeSubtask::ApplyWatermark(uint32_t channel, int64_t watermark) {
  RETURN_IF_ERROR(AdvanceWatermark(merge_.Update(channel, watermark)));
  SetIdle(merge_.AllIdle());
  return Status::Ok();
}

Status ExchangeSubtask::Handle(Message& m) {
  size_t mark = 0;
  for (size_t i = 0; i < m.records.size(); ++i) {
    for (; mark < m.watermarks.size() && m.watermarks[mark].first <= i; ++mark) {
      RETURN_IF_ERROR(ApplyWatermark(m.sender, m.watermarks[mark].second));
    }
    RETURN_IF_ERROR(head->Push(std::move(m.records[i])));
  }
  for (; mark < m.watermarks.size(); ++mark) RETURN_IF_ERROR(ApplyWatermark(m.sender, m.watermarks[mark].second));
  if (m.barrier) RETURN_IF_ERROR(OnBarrier(m.sender, *m.barrier));
  if (m.end && !ended_[m.sender]) {
    ended_[m.sender] = true;
    ++ended_count_;
    if (ended_count_ < ended_.size()) RETURN_IF_ERROR(ApplyWatermark(m.sender, kEndOfTime));
    RETURN_IF_ERROR(MaybeAligned());
  }
  return Status::Ok();
}

Status ExchangeSubtask::OnBarrier(uint32_t channel, int64_t id) {
  if (pending_barrier_ >= 0 && id != pending_barrier_) {
    return Internal("barrier " + std::to_string(id) + " while aligning " + std::to_string(pending_barrier_));
  }
  pending_barrier_ = id;
  arrived_[channel] = true;
  return MaybeAligned();
}

Status ExchangeSubtask::MaybeAligned() {
  if (pending_barrier_ < 0) return Status::Ok();
  for (size_t c = 0; c < arrived_.size(); ++c) {
    if (!arrived_[c] && !ended_[c]) return Status::Ok();
  }
  const int64_t id = pending_barrier_;
  pending_barrier_ = -1;
  std::fill(arrived_.begin(), arrived_.end(), false);
  return TakeSnapshot(id);
}

Status ExchangeSubtask::DrainStash() {
  for (bool progress = true; progress;) {
    progress = false;
    for (size_t c = 0; c < stash_.size(); ++c) {
      while (!stash_[c].empty() && !(pending_barrier_ >= 0 && arrived_[c])) {
        Message m = std::move(stash_[c].front());
        stash_[c].pop_front();
        RETURN_IF_ERROR(Handle(m));
        progress = true;
      }
    }
  }
  return Status::Ok();
}

}  // namespace sluice::runtime
