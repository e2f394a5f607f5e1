#include "bench/nexmark/expect.h"

#include <algorithm>
#include <cctype>
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
        category10_sellers_.emplace_back(e.auction.seller, e.auction.id);
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
  price_sum_ += b.price;
  auction_sum_ += b.auction;
  bidders_.insert(b.bidder);
  if (b.auction % 123 == 0) {
    ++q2_;
    q2_price_sum_ += b.price;
  }
  const double euros = 0.908 * static_cast<double>(b.price);
  if (euros > 1'000'000 && euros < 50'000'000) {
    ++q14_;
    q14_c_sum_ += std::count(b.extra.begin(), b.extra.end(), 'c');
  }
  // q21: the four named channels get ids 0-3; other bids the channel_id parameter of their url.
  static const std::map<std::string, int64_t> kNamed = {{"apple", 0}, {"google", 1}, {"facebook", 2}, {"baidu", 3}};
  std::string channel = b.channel;
  for (char& c : channel) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto named = kNamed.find(channel); named != kNamed.end()) {
    ++q21_;
    q21_channel_id_sum_ += named->second;
  } else if (size_t at = b.url.find("channel_id="); at != std::string::npos && at > 0 && b.url[at - 1] == '&') {
    ++q21_;
    q21_channel_id_sum_ += std::stoll(b.url.substr(at + 11, b.url.find('&', at) - at - 11));
  }
  auto& per_auction = bids_per_auction_[b.auction];
  ++per_auction.first;
  per_auction.second += b.price;
  // q5: hopping windows of 10 s sliding by 2 s: the five whose [start, start + 10 s) holds t.
  for (int64_t start = FloorDiv(t, kTwoSeconds) * kTwoSeconds; start > t - kTenSeconds; start -= kTwoSeconds) {
    ++hop_counts_[{start + kTenSeconds, b.auction}];
  }
  // q7: the highest price per 10 s window, and bids at a window's first millisecond (they
  // also match the previous window: Flink's q7 keeps B.dateTime BETWEEN end - 10 s AND end).
  auto it = max_price_.try_emplace(FloorDiv(t, kTenSeconds), b.price, 0).first;
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
  int64_t q3 = 0, q3_ids = 0;
  for (const auto& [seller, auction] : category10_sellers_) {
    auto p = person_state_.find(seller);
    if (p != person_state_.end() && (p->second == "OR" || p->second == "ID" || p->second == "CA")) {
      ++q3;
      q3_ids += auction;
    }
  }
  std::map<int64_t, int64_t> hop_max;
  for (const auto& [key, count] : hop_counts_) hop_max[key.first] = std::max(hop_max[key.first], count);
  int64_t q5 = 0, q5_nums = 0;
  for (const auto& [key, count] : hop_counts_) {
    if (count >= hop_max[key.first]) {
      ++q5;
      q5_nums += count;
    }
  }
  int64_t q7 = 0, q7_prices = 0;
  for (const auto& [window, max] : max_price_) {
    q7 += max.second;
    q7_prices += max.first * max.second;
  }
  for (const auto& [t, price] : boundary_bids_) {
    auto previous = max_price_.find(t / kTenSeconds - 1);
    if (previous != max_price_.end() && previous->second.first == price) {
      ++q7;
      q7_prices += price;
    }
  }
  std::set<std::pair<int64_t, int64_t>> q8;
  for (const auto& [seller, window] : auction_seller_window_) {
    auto p = person_window_.find(seller);
    if (p != person_window_.end() && p->second == window) q8.emplace(seller, window);
  }
  int64_t q8_ids = 0;
  for (const auto& [id, window] : q8) q8_ids += id;
  int64_t q20 = 0, q20_prices = 0;
  for (const auto& [auction, bids] : bids_per_auction_) {
    if (category10_auctions_.count(auction) == 0) continue;
    q20 += bids.first;
    q20_prices += bids.second;
  }
  auto line = [out](const char* query, int64_t count, const char* field, int64_t sum) {
    std::fprintf(out, "%s %" PRId64 " %s %" PRId64 "\n", query, count, field, sum);
  };
  line("q0", bids_, "price", price_sum_);
  line("q1", bids_, "auction", auction_sum_);
  line("q2", q2_, "price", q2_price_sum_);
  line("q3", q3, "id", q3_ids);
  line("q5", q5, "num", q5_nums);
  line("q7", q7, "price", q7_prices);
  line("q8", static_cast<int64_t>(q8.size()), "id", q8_ids);
  line("q11", q11_sessions_, "bid_count", bids_);
  line("q14", q14_, "c_counts", q14_c_sum_);
  // One day of events: q15's single row counts every bidder.
  line("q15", static_cast<int64_t>(days_.size()), "total_bidders",
       days_.size() == 1 ? static_cast<int64_t>(bidders_.size()) : -1);
  line("q16", static_cast<int64_t>(channel_days_.size()), "total_bids", bids_);
  line("q17", static_cast<int64_t>(auction_days_.size()), "sum_price", price_sum_);
  line("q20", q20, "price", q20_prices);
  line("q21", q21_, "channel_id", q21_channel_id_sum_);
  line("q22", bids_, "auction", auction_sum_);
}

}  // namespace sluice::nexmark
