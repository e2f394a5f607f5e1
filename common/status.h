// Status and Result<T>: how every module boundary reports failure.
//
// A Status is a code plus a message a user can act on. Result<T> holds either a
// value or a non-OK Status. Both are [[nodiscard]]: an ignored error is a bug.
// Exceptions from libraries are caught where they enter Sluice and turned into
// a Status; they never cross a module boundary.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input from a caller or user (config, name, request)
  kNotFound,            // topic, partition, group, job ... does not exist
  kAlreadyExists,
  kCorruption,          // bytes on disk or on the wire fail validation (CRC, sizes)
  kIoError,             // the OS refused a read or write
  kDiskFull,            // ENOSPC, or free space below the configured floor
  kOutOfRange,          // offset outside [log start, high watermark]
  kRecordTooLarge,      // batch over max.message.bytes
  kInvalidRecord,       // well-formed bytes that break a rule (wrong magic, offsets)
  kOutOfOrderSequence,  // idempotent producer skipped a sequence number
  kDuplicateSequence,   // idempotent producer resent a batch already written
  kInvalidProducerEpoch,  // fenced: a newer epoch exists for this producer id
  kUnknownProducerId,
  kInvalidTxnState,
  kBusy,                // locked by another process or operation in progress
  kTimeout,
  kCancelled,
  kUnsupported,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<CodeName>: message", for logs and CLI output.
  std::string ToString() const;

  // Prefixes the message with context ("opening segment X: ...").
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
// An IoError or DiskFull built from errno, naming the operation and the path.
Status ErrnoStatus(std::string_view op, std::string_view path, int err);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// Returns from the current function when `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::sluice::Status _st = (expr);             \
    if (!_st.ok()) return _st;                 \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, ResultExpr())` binds the value or returns the Status.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                          \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
