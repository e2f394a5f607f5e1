// A RestApi over ServerFixture's log and job manager, with an admin and a
// viewer token, and requests sent to it as a loopback client sends them.
#pragma once

#include <memory>
#include <string>

#include "server/auth.h"
#include "server/metrics.h"
#include "server/rest_api.h"
#include "tests/unit/server/test_util.h"

namespace sluice::server::testing {

class RestFixture : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    StartJobs();
    metrics_ = std::make_unique<Metrics>(*log_, nullptr, jobs_.get());
    tokens_.Add(Role::kAdmin, "root", kAdmin);
    tokens_.Add(Role::kViewer, "watcher", kViewer);
    ApiSecurity security;
    security.tokens = &tokens_;
    api_ = std::make_unique<RestApi>(*log_, nullptr, *jobs_, *metrics_, security);
  }
  // One request; an empty token sends no Authorization header, an empty origin no Origin.
  HttpResponse Request(const std::string& method, const std::string& target, const std::string& body,
                       const std::string& token, const std::string& content_type, const std::string& origin = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.content_type = content_type;
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.origin = origin;
    r.host = "127.0.0.1:8080";
    return api_->Handle(r);
  }

  static constexpr const char* kAdmin = "admin-token-0123456789";
  static constexpr const char* kViewer = "viewer-token-0123456789";
  TokenStore tokens_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<RestApi> api_;
};

}  // namespace sluice::server::testing
