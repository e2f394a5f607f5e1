// Alertmanager alerts: the JSON of POST /api/v2/alerts and the bookkeeping
// that keeps an alert's startsAt stable while it fires.
// Contract: AlertTracker::Fire(labels, now) returns the alert to post with
// startsAt = the first Fire of this label set since it last resolved, and
// endsAt = now + resolve_after. Alertmanager resolves the alert when endsAt
// passes without a newer post, i.e. when the condition stops firing.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace sluice::sinks {

using LabelSet = std::vector<std::pair<std::string, std::string>>;

struct Alert {
  LabelSet labels;
  LabelSet annotations;
  int64_t starts_at_ms = 0;
  int64_t ends_at_ms = 0;
  std::string generator_url;
};

// One element of the /api/v2/alerts array (an object with labels,
// annotations, startsAt, endsAt and generatorURL).
std::string AlertJson(const Alert& alert);

// Milliseconds since the epoch as RFC 3339 UTC with milliseconds.
std::string FormatRfc3339(int64_t ms);

class AlertTracker {
 public:
  explicit AlertTracker(std::chrono::milliseconds resolve_after) : resolve_after_(resolve_after) {}
  Alert Fire(LabelSet labels, LabelSet annotations, int64_t now_ms, std::string generator_url);
  size_t active() const { return firing_.size(); }

 private:
  struct Firing {
    int64_t starts_at_ms;
    int64_t ends_at_ms;
  };
  void DropResolved(int64_t now_ms);

  std::chrono::milliseconds resolve_after_;
  std::map<LabelSet, Firing> firing_;
};

}  // namespace sluice::sinks
