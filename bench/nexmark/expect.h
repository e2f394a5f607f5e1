// Expected output counts of the Nexmark queries in bench/nexmark/queries/, computed
// directly from the generated events (no runtime involved), for the runner's --check.
//
// Each count is what the query's SQL in nexmark/nexmark means on this event stream
// (for q3 and q20, a regular join; the YAML jobs use interval joins whose `within`
// covers every matching pair the generator can produce — see queries/README.md).
// Windows are aligned to epoch 0, as Sluice's are.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "bench/nexmark/model.h"

namespace sluice::nexmark {

class Expectations {
 public:
  // Events must be added in event-number order.
  void Add(const Event& event);
  // "qN COUNT FIELD SUM" per line for every query checked: the number of output records
  // and the sum of one integer field over them.
  void Print(std::FILE* out) const;

 private:
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return std::hash<int64_t>()(p.first * 1'000'003 + p.second);
    }
  };

  int64_t bids_ = 0, q2_ = 0, q14_ = 0, q11_sessions_ = 0, q21_ = 0, q21_channel_id_sum_ = 0;
  int64_t price_sum_ = 0, auction_sum_ = 0, q2_price_sum_ = 0, q14_c_sum_ = 0;
  std::unordered_set<int64_t> bidders_;                               // q15 (one day)
  std::unordered_map<int64_t, std::string> person_state_;             // q3
  std::unordered_map<int64_t, int64_t> person_window_;                // q8: id -> 10 s window
  std::vector<std::pair<int64_t, int64_t>> category10_sellers_;       // q3: (seller, auction)
  std::unordered_set<int64_t> category10_auctions_;                   // q20
  std::vector<std::pair<int64_t, int64_t>> auction_seller_window_;    // q8: (seller, window)
  std::unordered_map<int64_t, std::pair<int64_t, int64_t>> bids_per_auction_;  // q20: (bids, price sum)
  std::unordered_map<std::pair<int64_t, int64_t>, int64_t, PairHash> hop_counts_;  // q5: (end, auction)
  std::map<int64_t, std::pair<int64_t, int64_t>> max_price_;          // q7: window -> (max, bids at max)
  std::vector<std::pair<int64_t, int64_t>> boundary_bids_;            // q7: (time, price) at a window start
  std::unordered_map<int64_t, int64_t> last_bid_time_;                // q11: bidder -> time
  std::set<int64_t> days_;                                            // q15
  std::set<std::pair<std::string, int64_t>> channel_days_;            // q16
  std::unordered_set<std::pair<int64_t, int64_t>, PairHash> auction_days_;  // q17
};

}  // namespace sluice::nexmark
