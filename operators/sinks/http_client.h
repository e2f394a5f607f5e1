// A minimal blocking HTTP/1.1 client for the webhook and Alertmanager sinks.
// Contract: SendHttp opens one connection per request (Connection: close),
// applies one deadline to connect + write + read, and reports transport
// problems as a Status (kTimeout for the deadline, kCancelled when the
// request's `cancelled` callback said so, kIoError otherwise); any HTTP status
// code, including 4xx and 5xx, is a successful HttpResponse.
// Only plain `http://host[:port][/path]` URLs are accepted.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sluice::sinks {

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};

// InvalidArgument for anything but http://host[:port][/path].
Result<HttpUrl> ParseHttpUrl(std::string_view url);

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  HttpUrl url;
  HttpHeaders headers;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{5000};
  // Polled every kCancelPoll while the request waits; true abandons it.
  std::function<bool()> cancelled;
};

inline constexpr std::chrono::milliseconds kCancelPoll{20};

struct HttpResponse {
  int status = 0;
  std::string body;
};

Result<HttpResponse> SendHttp(const HttpRequest& request);

}  // namespace sluice::sinks
