#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace sluice {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIoError: return "IoError";
    case StatusCode::kDiskFull: return "DiskFull";
    case StatusCode::kOutOfRange: return "OutOfRange";
    case StatusCode::kRecordTooLarge: return "RecordTooLarge";
    case StatusCode::kInvalidRecord: return "InvalidRecord";
    case StatusCode::kOutOfOrderSequence: return "OutOfOrderSequence";
    case StatusCode::kDuplicateSequence: return "DuplicateSequence";
    case StatusCode::kInvalidProducerEpoch: return "InvalidProducerEpoch";
    case StatusCode::kUnknownProducerId: return "UnknownProducerId";
    case StatusCode::kInvalidTxnState: return "InvalidTxnState";
    case StatusCode::kBusy: return "Busy";
    case StatusCode::kTimeout: return "Timeout";
    case StatusCode::kCancelled: return "Cancelled";
    case StatusCode::kUnsupported: return "Unsupported";
    case StatusCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return Status(code_, std::move(m));
}

Status ErrnoStatus(std::string_view op, std::string_view path, int err) {
  std::string m(op);
  m += " ";
  m += path;
  m += ": ";
  m += std::strerror(err);
  return Status(err == ENOSPC || err == EDQUOT ? StatusCode::kDiskFull : StatusCode::kIoError,
                std::move(m));
}

}  // namespace sluice
