#include "bench/nexmark/expect.h"

#include <algorithm>
#include <cinttypes>

namespace sluice::nexmark {
namespace {

constexpr int64_t kTenSeconds = 10'000;
constexpr int64_t kTwoSeconds = 2'000;
constexpr int64_t kDay = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

void Expectations::Add(const Event& e) {
  switch (e.type) {
    case EventType::kPerson:
      person_state_[e.person.id] = e.person.state;
      person_window_[e.person.id] = FloorDiv(e.timestamp, kTenSeconds);
      return;
    case EventType::kAuction:
      if (e.auction.category == 10) {
        category10_sellers_.push_back(e.auction.seller);
        category10_auctions_.insert(e.auction.id);
      }
      auction_seller_window_.emplace_back(e.auction.seller, FloorDiv(e.timestamp, kTenSeconds));
      return;
    case EventType::kBid:
      break;
  }
  const Bid& b = e.bid;
  const int64_t t = e.timestamp;
  ++bids_;
  if (b.auction % 123 == 0) ++q2_;
  const double euros = 0.908 * static_cast<double>(b.price);
  if (euros > 1'000'000 && euros < 50'000'000) ++q14_;
  ++bids_per_auction_[b.auction];
  // q5: hopping windows of 10 s sliding by 2 s: the five whose [start, start + 10 s) holds t.
  for (int64_t start = FloorDiv(t, kTwoSeconds) * kTwoSeconds; start > t - kTenSeconds; start -= kTwoSeconds) {
    ++hop_counts_[{start + kTenSeconds, b.auction}];
  }
  // q7: the highest price per 10 s window, and bids at a window's first millisecond (they
  // also match the previous window: Flink's q7 keeps B.dateTime BETWEEN end - 10 s AND end).
  auto [it, fresh] = max_price_.try_emplace(FloorDiv(t, kTenSeconds), b.price, 0);
  if (b.price > it->second.first) it->second = {b.price, 0};
  if (b.price == it->second.first) ++it->second.second;
  if (t % kTenSeconds == 0) boundary_bids_.emplace_back(t, b.price);
  // q11: a session [first, last + 10 s) per bidder; a bid at or after its end starts a new one.
  auto [last, is_new] = last_bid_time_.try_emplace(b.bidder, t);
  if (is_new || t >= last->second + kTenSeconds) ++q11_sessions_;
  last->second = t;
  days_.insert(FloorDiv(t, kDay));
  channel_days_.emplace(b.channel, FloorDiv(t, kDay));
  auction_days_.emplace(b.auction, FloorDiv(t, kDay));
}

void Expectations::Print(std::FILE* out) const {
  int64_t q3 = 0;
  for (int64_t seller : category10_sellers_) {
    auto p = person_state_.find(seller);
    if (p != person_state_.end() && (p->second == "OR" || p->second == "ID" || p->second == "CA")) ++q3;
  }
  std::map<int64_t, int64_t> hop_max;
  for (const auto& [key, count] : hop_counts_) hop_max[key.first] = std::max(hop_max[key.first], count);
  int64_t q5 = 0;
  for (const auto& [key, count] : hop_counts_) q5 += count >= hop_max[key.first] ? 1 : 0;
  int64_t q7 = 0;
  for (const auto& [window, max] : max_price_) q7 += max.second;
  for (const auto& [t, price] : boundary_bids_) {
    auto previous = max_price_.find(t / kTenSeconds - 1);
    if (previous != max_price_.end() && previous->second.first == price) ++q7;
  }
  std::set<std::pair<int64_t, int64_t>> q8;
  for (const auto& [seller, window] : auction_seller_window_) {
    auto p = person_window_.find(seller);
    if (p != person_window_.end() && p->second == window) q8.emplace(seller, window);
  }
  int64_t q20 = 0;
  for (const auto& [auction, bids] : bids_per_auction_) q20 += category10_auctions_.count(auction) ? bids : 0;
  std::fprintf(out, "q0 %" PRId64 "\nq1 %" PRId64 "\nq2 %" PRId64 "\nq3 %" PRId64 "\nq5 %" PRId64 "\nq7 %" PRId64
               "\nq8 %zu\nq11 %" PRId64 "\nq14 %" PRId64 "\nq15 %zu\nq16 %zu\nq17 %zu\nq20 %" PRId64 "\n",
               bids_, bids_, q2_, q3, q5, q7, q8.size(), q11_sessions_, q14_, days_.size(), channel_days_.size(),
               auction_days_.size(), q20);
}

}  // namespace sluice::nexmark
