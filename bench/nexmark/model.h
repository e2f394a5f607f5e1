// The Nexmark event model (persons, auctions, bids) and its deterministic generator.
//
// Follows the model of the Nexmark paper as refined by Apache Beam's and the
// nexmark/nexmark (Flink) generators: events come in epochs of 50 — 1 person,
// 3 auctions, 46 bids — so ids of persons and auctions grow with the event number;
// bids go to "hot" auctions and come from "hot" bidders with the reference skew
// (a hot auction with probability 1/2, a hot bidder with probability 3/4, hot ids
// being the last id rounded down to a multiple of 100); the others pick among the
// recent auctions / active people, a few ids ahead of the newest one. Event time
// advances at `events_per_second`. Sizes are padded with `extra` to the reference
// averages (person 200, auction 500, bid 100 bytes).
//
// Event n is a pure function of (config, n): any range of events can be generated
// independently and the output is the same for the same seed on every machine.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::nexmark {

struct GeneratorConfig {
  uint64_t seed = 1;
  // Event time advances at this rate (nexmark/nexmark's published runs: 10 M/s).
  double events_per_second = 10'000'000;
  int64_t base_time_ms = 1'700'000'000'000;  // event 0's time, fixed for reproducibility
  // Skew: a bid goes to a hot auction with probability 1 - 1/hot_auction_ratio, comes
  // from a hot bidder with probability 1 - 1/hot_bidder_ratio; an auction has a hot
  // seller with probability 1 - 1/hot_seller_ratio.
  int hot_auction_ratio = 2;
  int hot_bidder_ratio = 4;
  int hot_seller_ratio = 4;
  int64_t in_flight_auctions = 100;
  int64_t active_people = 1000;
  int avg_person_bytes = 200;
  int avg_auction_bytes = 500;
  int avg_bid_bytes = 100;
};

// Proportions of one epoch of 50 events.
constexpr int64_t kPersonProportion = 1;
constexpr int64_t kAuctionProportion = 3;
constexpr int64_t kBidProportion = 46;
constexpr int64_t kProportionDenominator = kPersonProportion + kAuctionProportion + kBidProportion;
constexpr int64_t kFirstPersonId = 1000;
constexpr int64_t kFirstAuctionId = 1000;
constexpr int64_t kFirstCategoryId = 10;
constexpr int64_t kCategories = 5;

enum class EventType { kPerson = 0, kAuction = 1, kBid = 2 };

struct Person {
  int64_t id = 0;
  std::string name, email_address, credit_card, city, state;
  int64_t date_time = 0;
  std::string extra;
};

struct Auction {
  int64_t id = 0;
  std::string item_name, description;
  int64_t initial_bid = 0, reserve = 0, date_time = 0, expires = 0, seller = 0, category = 0;
  std::string extra;
};

struct Bid {
  int64_t auction = 0, bidder = 0, price = 0;
  std::string channel, url;
  int64_t date_time = 0;
  std::string extra;
};

// One event; only the member named by `type` is meaningful.
struct Event {
  EventType type = EventType::kPerson;
  int64_t timestamp = 0;  // the event's dateTime (epoch ms)
  Person person;
  Auction auction;
  Bid bid;
};

// Fills `event` with event number `n` (0-based) of the stream `config` describes.
void GenerateEvent(const GeneratorConfig& config, uint64_t n, Event* event);

// The event as one JSON object, nested as the Flink Nexmark source's row is:
// {"event_type":2,"bid":{"auction":..,"bidder":..,"price":..,"channel":..,"url":..,
// "dateTime":..,"extra":..}} (persons under "person", auctions under "auction"; field
// names as in the Nexmark schema; dateTime and expires in epoch ms). Appends to `out`.
void AppendJson(const Event& event, std::string* out);

}  // namespace sluice::nexmark
