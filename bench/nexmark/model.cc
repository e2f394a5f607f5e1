#include "bench/nexmark/model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace sluice::nexmark {
namespace {

// Hot ids are the newest id rounded down to a multiple of these.
constexpr int64_t kHotAuctionStep = 100;
constexpr int64_t kHotPersonStep = 100;
// Ids a little ahead of the newest one may be picked (they appear a few events later).
constexpr int64_t kPersonIdLead = 10;
constexpr int64_t kAuctionIdLead = 10;
constexpr int64_t kChannels = 10'000;

// Small vocabularies of the Nexmark model (q3 selects the states OR, ID and CA).
constexpr std::array<std::string_view, 11> kFirstNames = {"Peter", "Paul",  "Luke",   "John",   "Saul",  "Vicky",
                                                           "Kate",  "Julie", "Sarah",  "Deiter", "Walter"};
constexpr std::array<std::string_view, 9> kLastNames = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                                        "Walton", "Smith",  "Jones",   "Noris"};
constexpr std::array<std::string_view, 10> kCities = {"Phoenix",  "Los Angeles", "San Francisco", "Boise", "Portland",
                                                      "Bend",     "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
constexpr std::array<std::string_view, 6> kStates = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::array<std::string_view, 4> kHotChannels = {"Google", "Facebook", "Baidu", "Apple"};

// splitmix64: a tiny, well-mixed generator; one stream per (seed, event number, purpose).
class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) : state_(seed * 0x9E3779B97F4A7C15ULL ^ (stream + 0x632BE59BD9B4E019ULL)) {
    Next();
  }
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int64_t Below(int64_t bound) {  // uniform in [0, bound), bound > 0
    return static_cast<int64_t>(Next() % static_cast<uint64_t>(bound));
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// The newest person / auction id (0-based) at event n: the epoch's own if its
// slot has passed, else the previous epoch's.
int64_t LastBase0PersonId(uint64_t n) {
  const int64_t epoch = static_cast<int64_t>(n) / kProportionDenominator;
  const int64_t offset = std::min<int64_t>(static_cast<int64_t>(n) % kProportionDenominator, kPersonProportion - 1);
  return epoch * kPersonProportion + offset;
}

int64_t LastBase0AuctionId(uint64_t n) {
  int64_t epoch = static_cast<int64_t>(n) / kProportionDenominator;
  int64_t offset = static_cast<int64_t>(n) % kProportionDenominator;
  if (offset < kPersonProportion) {
    --epoch;
    offset = kAuctionProportion - 1;
  } else {
    offset = std::min(offset - kPersonProportion, kAuctionProportion - 1);
  }
  return std::max<int64_t>(0, epoch * kAuctionProportion + offset);
}

// A person among the active ones, possibly one a few ids ahead of the newest.
int64_t NextBase0PersonId(const GeneratorConfig& c, uint64_t n, Rng& rng) {
  const int64_t people = LastBase0PersonId(n) + 1;
  const int64_t active = std::min(people, c.active_people);
  return people - active + rng.Below(active + kPersonIdLead);
}

// An auction among those still in flight, possibly a few ids ahead of the newest.
int64_t NextBase0AuctionId(const GeneratorConfig& c, uint64_t n, Rng& rng) {
  const int64_t last = LastBase0AuctionId(n);
  const int64_t first = std::max<int64_t>(last - c.in_flight_auctions, 0);
  return first + rng.Below(last - first + 1 + kAuctionIdLead);
}

int64_t TimestampOf(const GeneratorConfig& c, uint64_t n) {
  return c.base_time_ms + static_cast<int64_t>(static_cast<double>(n) * 1000.0 / c.events_per_second);
}

// Prices in cents, log-uniform from $1 to $1,000,000.
int64_t NextPrice(Rng& rng) { return std::llround(std::pow(10.0, rng.Unit() * 6.0) * 100.0); }

void AppendLetters(Rng& rng, int64_t length, std::string* out) {
  for (int64_t i = 0; i < length; ++i) out->push_back(static_cast<char>('a' + rng.Below(26)));
}

// Lower-case words of 3..max_length characters in all.
std::string NextString(Rng& rng, int64_t max_length) {
  std::string s;
  AppendLetters(rng, 3 + rng.Below(max_length - 2), &s);
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (rng.Below(13) == 0) s[i] = ' ';
  }
  return s;
}

// Padding that brings a record of `current` bytes to `average` bytes on average (±20%).
std::string NextExtra(Rng& rng, int64_t current, int64_t average) {
  std::string s;
  if (current >= average) return s;
  const int64_t wanted = average - current;
  const int64_t delta = std::llround(static_cast<double>(wanted) * 0.2);
  AppendLetters(rng, wanted - delta + (delta > 0 ? rng.Below(2 * delta) : 0), &s);
  return s;
}

// "https://www.nexmark.com/<a>/<b>/<c>/item.htm?query=1" (3 to 5 letters per
// directory), the same for the same channel.
std::string BaseUrl(uint64_t seed, int64_t channel) {
  Rng rng(seed, 0xC0FFEE0000000000ULL + static_cast<uint64_t>(channel));
  std::string url = "https://www.nexmark.com/";
  for (int i = 0; i < 3; ++i) {
    AppendLetters(rng, 3 + rng.Below(3), &url);
    url.push_back('/');
  }
  return url + "item.htm?query=1";
}

void GeneratePerson(const GeneratorConfig& c, uint64_t n, Rng& rng, Person* p) {
  p->id = kFirstPersonId + LastBase0PersonId(n);
  p->name = std::string(kFirstNames[rng.Below(kFirstNames.size())]) + " " +
            std::string(kLastNames[rng.Below(kLastNames.size())]);
  p->email_address = NextString(rng, 7) + "@" + NextString(rng, 5) + ".com";
  char card[20];
  std::snprintf(card, sizeof card, "%04d %04d %04d %04d", static_cast<int>(rng.Below(10000)),
                static_cast<int>(rng.Below(10000)), static_cast<int>(rng.Below(10000)),
                static_cast<int>(rng.Below(10000)));
  p->credit_card = card;
  p->city = kCities[rng.Below(kCities.size())];
  p->state = kStates[rng.Below(kStates.size())];
  p->date_time = TimestampOf(c, n);
  const int64_t size = 16 + static_cast<int64_t>(p->name.size() + p->email_address.size() + p->credit_card.size() +
                                                 p->city.size() + p->state.size());
  p->extra = NextExtra(rng, size, c.avg_person_bytes);
}

void GenerateAuction(const GeneratorConfig& c, uint64_t n, Rng& rng, Auction* a) {
  a->id = kFirstAuctionId + LastBase0AuctionId(n);
  a->seller = kFirstPersonId + (rng.Below(c.hot_seller_ratio) > 0
                                    ? (LastBase0PersonId(n) / kHotPersonStep) * kHotPersonStep
                                    : NextBase0PersonId(c, n, rng));
  a->category = kFirstCategoryId + rng.Below(kCategories);
  a->item_name = NextString(rng, 20);
  a->description = NextString(rng, 100);
  a->initial_bid = NextPrice(rng);
  a->reserve = a->initial_bid + NextPrice(rng);
  a->date_time = TimestampOf(c, n);
  // Auctions last up to twice the time in which `in_flight_auctions` new ones start.
  const uint64_t ahead = static_cast<uint64_t>(c.in_flight_auctions * kProportionDenominator / kAuctionProportion);
  const int64_t horizon_ms = TimestampOf(c, n + ahead) - a->date_time;
  a->expires = a->date_time + 1 + rng.Below(std::max<int64_t>(horizon_ms * 2, 1));
  const int64_t size = 48 + static_cast<int64_t>(a->item_name.size() + a->description.size());
  a->extra = NextExtra(rng, size, c.avg_auction_bytes);
}

void GenerateBid(const GeneratorConfig& c, uint64_t n, Rng& rng, Bid* b) {
  b->auction = kFirstAuctionId + (rng.Below(c.hot_auction_ratio) > 0
                                      ? (LastBase0AuctionId(n) / kHotAuctionStep) * kHotAuctionStep
                                      : NextBase0AuctionId(c, n, rng));
  b->bidder = kFirstPersonId + (rng.Below(c.hot_bidder_ratio) > 0
                                    ? (LastBase0PersonId(n) / kHotPersonStep) * kHotPersonStep + 1
                                    : NextBase0PersonId(c, n, rng));
  b->price = NextPrice(rng);
  // Half of the bids come through one of four hot channels, the rest through one of
  // 10,000 others whose url carries a channel_id parameter.
  if (rng.Below(2) == 0) {
    const int64_t i = rng.Below(kHotChannels.size());
    b->channel = kHotChannels[i];
    b->url = BaseUrl(c.seed, -1 - i);
  } else {
    const int64_t k = rng.Below(kChannels);
    b->channel = "channel-" + std::to_string(k);
    b->url = BaseUrl(c.seed, k) + "&channel_id=" + std::to_string(k * 7919 % kChannels);
  }
  b->date_time = TimestampOf(c, n);
  const int64_t size = 32 + static_cast<int64_t>(b->channel.size() + b->url.size());
  b->extra = NextExtra(rng, size, c.avg_bid_bytes);
}

// Values are generated from letters, digits and " @.:/?=&-_": nothing needs escaping.
void Field(std::string* out, std::string_view name, std::string_view value, bool first = false) {
  if (!first) out->push_back(',');
  out->push_back('"');
  out->append(name);
  out->append("\":\"");
  out->append(value);
  out->push_back('"');
}

void Field(std::string* out, std::string_view name, int64_t value, bool first = false) {
  if (!first) out->push_back(',');
  out->push_back('"');
  out->append(name);
  out->append("\":");
  out->append(std::to_string(value));
}

}  // namespace

void GenerateEvent(const GeneratorConfig& config, uint64_t n, Event* event) {
  Rng rng(config.seed, n);
  const int64_t offset = static_cast<int64_t>(n % kProportionDenominator);
  event->timestamp = TimestampOf(config, n);
  if (offset < kPersonProportion) {
    event->type = EventType::kPerson;
    GeneratePerson(config, n, rng, &event->person);
  } else if (offset < kPersonProportion + kAuctionProportion) {
    event->type = EventType::kAuction;
    GenerateAuction(config, n, rng, &event->auction);
  } else {
    event->type = EventType::kBid;
    GenerateBid(config, n, rng, &event->bid);
  }
}

void AppendJson(const Event& e, std::string* out) {
  switch (e.type) {
    case EventType::kPerson: {
      const Person& p = e.person;
      out->append("{\"event_type\":0,\"person\":{");
      Field(out, "id", p.id, true);
      Field(out, "name", p.name);
      Field(out, "emailAddress", p.email_address);
      Field(out, "creditCard", p.credit_card);
      Field(out, "city", p.city);
      Field(out, "state", p.state);
      Field(out, "dateTime", p.date_time);
      Field(out, "extra", p.extra);
      break;
    }
    case EventType::kAuction: {
      const Auction& a = e.auction;
      out->append("{\"event_type\":1,\"auction\":{");
      Field(out, "id", a.id, true);
      Field(out, "itemName", a.item_name);
      Field(out, "description", a.description);
      Field(out, "initialBid", a.initial_bid);
      Field(out, "reserve", a.reserve);
      Field(out, "dateTime", a.date_time);
      Field(out, "expires", a.expires);
      Field(out, "seller", a.seller);
      Field(out, "category", a.category);
      Field(out, "extra", a.extra);
      break;
    }
    case EventType::kBid: {
      const Bid& b = e.bid;
      out->append("{\"event_type\":2,\"bid\":{");
      Field(out, "auction", b.auction, true);
      Field(out, "bidder", b.bidder);
      Field(out, "price", b.price);
      Field(out, "channel", b.channel);
      Field(out, "url", b.url);
      Field(out, "dateTime", b.date_time);
      Field(out, "extra", b.extra);
      break;
    }
  }
  out->append("}}");
}

}  // namespace sluice::nexmark
