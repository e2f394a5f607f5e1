// What flows between the subtasks of a job, and the inbox of a subtask.
//
// A Message comes from one sender (an upstream subtask; its channel index at
// the receiver) and holds, in order, a run of records with watermark updates
// placed between them: `watermarks[i] = {pos, wm}` takes effect before
// records[pos] (pos == records.size(): after the last). Then optionally a
// checkpoint barrier, then optionally the end of the sender's stream. One
// sender's messages arrive in the order it sent them.
//
// A Mailbox is a subtask's inbox: many senders, one receiver. Push never
// blocks; senders respect `soft_capacity` by not running while a downstream
// mailbox is full (the scheduler checks Full() before each step), which
// bounds memory and turns a slow consumer into back-pressure on its sources.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "runtime/record.h"

namespace sluice::runtime {

struct Message {
  uint32_t sender = 0;
  std::vector<Record> records;
  std::vector<std::pair<uint32_t, int64_t>> watermarks;
  std::optional<int64_t> barrier;  // checkpoint id
  bool end = false;
};

class Mailbox {
 public:
  // `on_push` is called after every Push, and after a Take that made room in
  // a full mailbox (the scheduler's wake-up: a consumer or a blocked producer
  // may now run); may be empty.
  Mailbox(size_t soft_capacity, std::function<void()> on_push)
      : soft_capacity_(soft_capacity == 0 ? 1 : soft_capacity), on_push_(std::move(on_push)) {}

  void Push(Message message) {
    {
      std::lock_guard lock(mu_);
      messages_.push_back(std::move(message));
    }
    if (on_push_) on_push_();
  }

  // Removes and returns up to `max` messages, oldest first.
  std::vector<Message> Take(size_t max) {
    std::vector<Message> out;
    bool was_full = false;
    {
      std::lock_guard lock(mu_);
      was_full = messages_.size() >= soft_capacity_;
      while (!messages_.empty() && out.size() < max) {
        out.push_back(std::move(messages_.front()));
        messages_.pop_front();
      }
    }
    if (was_full && !out.empty() && on_push_) on_push_();
    return out;
  }

  bool Full() const {
    std::lock_guard lock(mu_);
    return messages_.size() >= soft_capacity_;
  }
  bool Empty() const {
    std::lock_guard lock(mu_);
    return messages_.empty();
  }

 private:
  const size_t soft_capacity_;
  const std::function<void()> on_push_;
  mutable std::mutex mu_;
  std::deque<Message> messages_;
};

}  // namespace sluice::runtime
