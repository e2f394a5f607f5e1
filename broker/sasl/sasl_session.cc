#include "broker/sasl/sasl_session.h"

#include <algorithm>

#include "broker/api.h"

namespace sluice::broker::sasl {
namespace {

bool IsSaslApi(int16_t key) {
  return key == static_cast<int16_t>(ApiKey::kApiVersions) || key == static_cast<int16_t>(ApiKey::kSaslHandshake) ||
         key == static_cast<int16_t>(ApiKey::kSaslAuthenticate);
}

}  // namespace

SaslSession::SaslSession(bool sasl_listener, const CredentialStore& store, int64_t session_lifetime_ms)
    : sasl_listener_(sasl_listener), store_(store), lifetime_ms_(session_lifetime_ms) {}

bool SaslSession::Allows(int16_t api_key, Clock::time_point now) const {
  if (!sasl_listener_ || IsSaslApi(api_key)) return true;
  if (!authenticated_ || raw_mode_) return false;
  return lifetime_ms_ <= 0 || now < expires_;
}

SaslSession::Reply SaslSession::Handshake(int16_t version, Reader& r) {
  const std::string mechanism = r.String();
  Writer w;
  auto answer = [&](int16_t error, bool list) {
    w.I16(error);
    const auto& mechanisms = EnabledMechanisms();
    w.ArrayLength(list ? static_cast<int32_t>(mechanisms.size()) : 0);
    if (list) {
      for (const auto& m : mechanisms) w.String(m);
    }
  };
  if (!sasl_listener_ || server_ || raw_mode_) {
    answer(kIllegalSaslState, sasl_listener_);
    return {w.Take(), true};
  }
  if (authenticated_ && mechanism != mechanism_) {  // re-authentication keeps the mechanism
    answer(kIllegalSaslState, true);
    return {w.Take(), true};
  }
  server_ = SaslServer::Create(mechanism, store_);
  if (!server_) {
    answer(kUnsupportedSaslMechanism, true);
    return {w.Take(), true};
  }
  raw_mode_ = version == 0;
  answer(error::kNone, true);
  return {w.Take(), false};
}

std::string SaslSession::Step(std::string_view token, Clock::time_point now, int16_t* error, std::string* message,
                              bool* close) {
  *error = error::kNone;
  *close = false;
  if (!server_) {
    *error = kIllegalSaslState;
    *message = "SaslAuthenticate without a SaslHandshake";
    *close = true;
    return "";
  }
  auto step = server_->Evaluate(token);
  if (step.state == SaslServer::State::kFailed) {
    *error = kSaslAuthenticationFailed;
    *message = step.error;
    *close = true;
    server_.reset();
    raw_mode_ = false;
    return "";
  }
  if (step.state == SaslServer::State::kDone) {
    const std::string principal = "User:" + server_->user();
    if (authenticated_ && principal != principal_) {
      *error = kSaslAuthenticationFailed;
      *message = "Cannot change principals during re-authentication";
      *close = true;
      server_.reset();
      return "";
    }
    mechanism_ = server_->mechanism();
    principal_ = principal;
    authenticated_ = true;
    if (lifetime_ms_ > 0) expires_ = now + std::chrono::milliseconds(lifetime_ms_);
    server_.reset();
    raw_mode_ = false;
  }
  return step.response;
}

SaslSession::Reply SaslSession::Authenticate(int16_t version, Reader& r, Clock::time_point now) {
  const auto token = r.Bytes();
  int16_t error = error::kNone;
  std::string message;
  bool close = false;
  std::string response;
  if (!sasl_listener_ || raw_mode_) {
    error = kIllegalSaslState;
    message = "Unexpected SaslAuthenticate";
    close = true;
  } else {
    response = Step(std::string_view(reinterpret_cast<const char*>(token.data()), token.size()), now, &error,
                    &message, &close);
  }
  Writer w(version >= 2);
  w.I16(error);
  w.NullableString(error == error::kNone ? std::nullopt : std::optional<std::string>(message));
  w.Bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(response.data()), response.size()));
  if (version >= 1) {
    int64_t lifetime = 0;
    if (error == error::kNone && authenticated_ && lifetime_ms_ > 0) {
      lifetime = std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(expires_ - now).count());
    }
    w.I64(lifetime);
  }
  w.EmptyTags();
  return {w.Take(), close};
}

SaslSession::Reply SaslSession::RawToken(std::span<const uint8_t> token, Clock::time_point now) {
  int16_t error = error::kNone;
  std::string message;
  bool close = false;
  const std::string response =
      Step(std::string_view(reinterpret_cast<const char*>(token.data()), token.size()), now, &error, &message, &close);
  if (close) return {{}, true, false};  // raw SASL has no error frame: the connection closes
  return {std::vector<uint8_t>(response.begin(), response.end()), false, true};
}

}  // namespace sluice::broker::sasl
