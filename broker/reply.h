// A response body made of encoded fields in memory and ranges of stored segment
// files between them: how Fetch answers without copying the record batches.
// The connection writes it in order, the file ranges with sendfile(2) on
// plaintext connections and through a reused per-connection buffer on TLS;
// anything without a connection (the fuzz harness) flattens it with Flatten().
//
// A ReplyBody holds the files of its ranges open (log::FileRange), so a
// segment deleted by retention or compaction while the reply waits or is being
// sent is still read whole.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "log/partition.h"

namespace sluice::broker {

struct ReplyBody {
  struct Slice {
    size_t at;  // the range goes before bytes[at] (after the slices with a smaller or equal `at`)
    log::FileRange range;
  };
  std::vector<uint8_t> bytes;
  std::vector<Slice> slices;  // in order of `at`

  uint64_t size() const {
    uint64_t n = bytes.size();
    for (const auto& s : slices) n += s.range.length;
    return n;
  }
  // The whole body in one buffer, reading the ranges with PRead.
  Result<std::vector<uint8_t>> Flatten() const;
};

// Where a handler sends a ReplyBody instead of calling its Respond (set in
// RequestContext::reply_sink by connections that can write one). Send is
// called at most once, from any thread, instead of Respond.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  virtual void Send(ReplyBody body) = 0;
};

}  // namespace sluice::broker
