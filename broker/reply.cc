#include "broker/reply.h"

#include "log/file.h"

namespace sluice::broker {

Result<std::vector<uint8_t>> ReplyBody::Flatten() const {
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(size()));
  size_t cursor = 0;
  for (const auto& s : slices) {
    out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(cursor),
               bytes.begin() + static_cast<std::ptrdiff_t>(s.at));
    cursor = s.at;
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(s.range.length));
    RETURN_IF_ERROR(s.range.file->PRead(out.data() + at, static_cast<size_t>(s.range.length), s.range.position));
  }
  out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(cursor), bytes.end());
  return out;
}

}  // namespace sluice::broker
