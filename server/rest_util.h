// Small helpers shared by the REST API's route files: JSON answers, errors,
// Status -> HTTP status, and query-string parameters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "operators/expr/value.h"
#include "server/http_server.h"

namespace sluice::server {

inline HttpResponse Json(int status, const expr::Value& value) {
  return {status, "application/json", value.ToJson() + "\n", {}};
}
inline HttpResponse Error(int status, const std::string& message) {
  return Json(status, expr::Value(expr::Object{{"error", message}}));
}
inline expr::Value Int(int64_t v) { return expr::Value(v); }
inline expr::Value Int(uint64_t v) { return expr::Value(static_cast<int64_t>(v)); }

// 404 NotFound, 409 AlreadyExists / InvalidTxnState, 400 InvalidArgument, 503 Busy, else 500.
int StatusFor(const Status& st);

// The decoded value of `name` in the query string of `target` ("/x?a=1&b=2"), or nothing.
std::optional<std::string> QueryParam(const std::string& target, const std::string& name);

// `s` when it is valid UTF-8 (so JSON can carry it), else nothing.
bool IsUtf8(const std::string& s);
std::string Base64(const std::string& bytes);

}  // namespace sluice::server
