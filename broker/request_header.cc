#include "broker/request_header.h"

namespace sluice::broker {

bool UsesFlexibleHeader(int16_t api_key, int16_t api_version) {
  const ApiInfo* api = FindApiInfo(api_key);
  return api && api_version >= api->first_flexible;
}

HeaderVerdict DecodeRequestHeader(Reader& r, RequestHeader* h) {
  h->api_key = r.I16();
  h->api_version = r.I16();
  h->correlation_id = r.I32();
  h->client_id = r.NullableString().value_or("");
  if (!r.ok()) return HeaderVerdict::kMalformed;
  const auto api = FindApi(h->api_key);
  if (h->api_key == static_cast<int16_t>(ApiKey::kApiVersions) && api && h->api_version > api->max) {
    return HeaderVerdict::kApiVersionsTooNew;
  }
  if (!api || h->api_version < api->min || h->api_version > api->max) return HeaderVerdict::kUnsupported;
  if (UsesFlexibleHeader(h->api_key, h->api_version)) {
    r.set_flexible(true);
    r.SkipTags();
  }
  return HeaderVerdict::kOk;
}

}  // namespace sluice::broker
