#include "operators/value_codec.h"

#include <cmath>

namespace sluice::operators {
namespace {

using expr::Type;
using expr::Value;

constexpr int kMaxDepth = 64;
enum Tag : uint8_t { kNull, kFalse, kTrue, kInt, kDouble, kString, kList, kObject };

bool IntegralDouble(double d, int64_t* out) {
  if (!(d >= -9.2e18 && d <= 9.2e18) || std::trunc(d) != d) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

Result<Value> Decode(StateReader& in, int depth) {
  if (depth > kMaxDepth) return Corruption("value nested deeper than 64 levels in a snapshot");
  ASSIGN_OR_RETURN(uint64_t tag, in.Varint());
  switch (tag) {
    case kNull: return Value();
    case kFalse: return Value(false);
    case kTrue: return Value(true);
    case kInt: {
      ASSIGN_OR_RETURN(int64_t i, in.Signed());
      return Value(i);
    }
    case kDouble: {
      ASSIGN_OR_RETURN(double d, in.Double());
      return Value(d);
    }
    case kString: {
      ASSIGN_OR_RETURN(std::string_view s, in.Bytes());
      return Value(s);
    }
    case kList: {
      ASSIGN_OR_RETURN(uint64_t n, in.Varint());
      expr::List list;
      for (uint64_t i = 0; i < n; ++i) {
        ASSIGN_OR_RETURN(Value v, Decode(in, depth + 1));
        list.push_back(std::move(v));
      }
      return Value(std::move(list));
    }
    case kObject: {
      ASSIGN_OR_RETURN(uint64_t n, in.Varint());
      expr::Object object;
      for (uint64_t i = 0; i < n; ++i) {
        ASSIGN_OR_RETURN(std::string_view name, in.Bytes());
        ASSIGN_OR_RETURN(Value v, Decode(in, depth + 1));
        object.emplace_back(std::string(name), std::move(v));
      }
      return Value(std::move(object));
    }
  }
  return Corruption("unknown value tag " + std::to_string(tag) + " in a snapshot");
}

void Encode(const Value& value, StateWriter& out, bool canonical);

}  // namespace

void EncodeValue(const Value& value, StateWriter& out) { Encode(value, out, false); }

namespace {

void Encode(const Value& value, StateWriter& out, bool canonical) {
  switch (value.type()) {
    case Type::kNull: out.PutVarint(kNull); return;
    case Type::kBool: out.PutVarint(value.as_bool() ? kTrue : kFalse); return;
    case Type::kInt:
      out.PutVarint(kInt);
      out.PutSigned(value.as_int());
      return;
    case Type::kDouble: {
      int64_t i = 0;
      if (canonical && IntegralDouble(value.as_double(), &i)) {
        out.PutVarint(kInt);
        out.PutSigned(i);
      } else {
        out.PutVarint(kDouble);
        out.PutDouble(value.as_double());
      }
      return;
    }
    case Type::kString:
      out.PutVarint(kString);
      out.PutBytes(value.as_string());
      return;
    case Type::kList:
      out.PutVarint(kList);
      out.PutVarint(value.as_list().size());
      for (const Value& v : value.as_list()) Encode(v, out, canonical);
      return;
    case Type::kObject:
      out.PutVarint(kObject);
      out.PutVarint(value.as_object().size());
      for (const auto& [name, v] : value.as_object()) {
        out.PutBytes(name);
        Encode(v, out, canonical);
      }
      return;
  }
}

}  // namespace

Result<Value> DecodeValue(StateReader& in) { return Decode(in, 0); }

std::string CanonicalBytes(const Value& value) {
  StateWriter out(0);
  Encode(value, out, true);
  std::string bytes = std::move(out).Finish();
  bytes.erase(0, 1);  // the version byte; in place, no second allocation
  return bytes;
}

}  // namespace sluice::operators
