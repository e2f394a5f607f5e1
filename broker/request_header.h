// The Kafka request header (v1, and v2 for flexible requests), decoded without
// a socket so that the connection code and the fuzz targets
// (tests/fuzz/kafka_request_fuzz.cc) share one definition.
//
// Layout: api_key i16 | api_version i16 | correlation_id i32 | client_id
// nullable string (i16 length, never compact) | tagged fields (v2 only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/api.h"
#include "broker/wire.h"

namespace sluice::broker {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
};

enum class HeaderVerdict {
  kOk,                  // supported API and version; `r` is positioned at the body
  kMalformed,           // too short: close the connection
  kApiVersionsTooNew,   // ApiVersions above our range: answer v0 UNSUPPORTED_VERSION
  kUnsupported,         // unknown API or version out of range: close the connection
};

// Reads the header from the start of `r` and checks it against SupportedApis().
// On kOk the reader is switched to the flexible encoding when the request uses
// header v2 (ApiVersions v3+), with the header's tagged fields skipped.
HeaderVerdict DecodeRequestHeader(Reader& r, RequestHeader* header);

// True when (api_key, api_version) uses request header v2 / flexible encoding here.
bool UsesFlexibleHeader(int16_t api_key, int16_t api_version);

}  // namespace sluice::broker
