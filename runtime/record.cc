#include "runtime/record.h"

#include "operators/expr/json.h"

namespace sluice::runtime {

const expr::Value& Record::EmptyHeaders() {
  static const expr::Value empty{expr::Object{}};
  return empty;
}

std::vector<std::string> SplitCsvLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

Result<Record> DecodeRecord(const log::Record& stored, Format format, std::string_view topic,
                            int32_t partition) {
  Record r;
  r.topic = topic;
  r.partition = partition;
  r.offset = stored.offset;
  r.timestamp = stored.timestamp;
  r.event_time = stored.timestamp;
  if (stored.key) r.key = expr::Value(*stored.key);
  if (!stored.headers.empty()) {
    expr::Object headers;
    headers.reserve(stored.headers.size());
    for (const auto& h : stored.headers) {
      headers.emplace_back(h.key, h.value ? expr::Value(*h.value) : expr::Value());
    }
    r.headers = expr::Value(std::move(headers));
  }
  if (!stored.value) return r;
  switch (format) {
    case Format::kJson: {
      auto parsed = expr::ParseJson(*stored.value);
      if (!parsed.ok()) {
        return InvalidArgument(std::string(topic) + "/" + std::to_string(partition) + "@" + std::to_string(stored.offset) +
                               ": value is not JSON: " + parsed.status().message());
      }
      r.value = std::move(*parsed);
      break;
    }
    case Format::kString:
    case Format::kBytes:
      r.value = expr::Value(*stored.value);
      break;
    case Format::kCsv: {
      expr::List fields;
      for (auto& f : SplitCsvLine(*stored.value)) fields.emplace_back(std::move(f));
      r.value = expr::Value(std::move(fields));
      break;
    }
  }
  return r;
}

std::string EncodeOutput(const expr::Value& value, Format format) {
  if (format != Format::kJson && value.type() == expr::Type::kString) return value.as_string();
  return value.ToJson();
}

}  // namespace sluice::runtime
