#include "operators/sinks/alertmanager.h"

#include <algorithm>
#include <ctime>

#include "operators/expr/value.h"

namespace sluice::sinks {
namespace {

std::string Quote(const std::string& text) { return expr::Value(text).ToJson(); }

std::string LabelObject(const LabelSet& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += Quote(labels[i].first) + ":" + Quote(labels[i].second);
  }
  return out + "}";
}

}  // namespace

std::string FormatRfc3339(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int64_t millis = ms - static_cast<int64_t>(seconds) * 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", text, static_cast<int>(millis));
  return out;
}

std::string AlertJson(const Alert& alert) {
  std::string out = "{\"labels\":" + LabelObject(alert.labels);
  out += ",\"annotations\":" + LabelObject(alert.annotations);
  out += ",\"startsAt\":" + Quote(FormatRfc3339(alert.starts_at_ms));
  out += ",\"endsAt\":" + Quote(FormatRfc3339(alert.ends_at_ms));
  out += ",\"generatorURL\":" + Quote(alert.generator_url);
  return out + "}";
}

Alert AlertTracker::Fire(LabelSet labels, LabelSet annotations, int64_t now_ms, std::string generator_url) {
  DropResolved(now_ms);
  std::sort(labels.begin(), labels.end());
  const int64_t ends_at = now_ms + resolve_after_.count();
  auto [it, inserted] = firing_.try_emplace(labels, Firing{now_ms, ends_at});
  it->second.ends_at_ms = ends_at;
  return Alert{std::move(labels), std::move(annotations), it->second.starts_at_ms, ends_at, std::move(generator_url)};
}

void AlertTracker::DropResolved(int64_t now_ms) {
  std::erase_if(firing_, [now_ms](const auto& entry) { return entry.second.ends_at_ms <= now_ms; });
}

}  // namespace sluice::sinks
