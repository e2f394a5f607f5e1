// A record flowing through a job: the fields expressions can read
// (JOB-SPEC.md "Records and expressions") plus its event time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "log/record_batch.h"
#include "operators/expr/expr.h"
#include "operators/expr/value.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {

struct Record {
  expr::Value key;
  expr::Value value;
  // Object of name -> string; null stands for no headers (an empty object to
  // expressions), so that a record without headers allocates nothing for them.
  expr::Value headers;
  int64_t timestamp = 0;
  int64_t event_time = 0;
  // The source's topic name: points into the job's SourceSpec (or a literal),
  // which outlives every record of the job; no per-record copy.
  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
  uint8_t port = 0;  // at a join: 0 = from the left input, 1 = from the right


  expr::RecordView View() const {
    return {&key, &value, timestamp, headers.is_null() ? &EmptyHeaders() : &headers, topic, partition, offset};
  }
  static const expr::Value& EmptyHeaders();
};

// Decodes a stored record: json parses the value, string and bytes keep it as
// a string, csv splits one line into a list of strings (RFC 4180 quoting).
// The key is kept as a string. `topic` must outlive the record. A json value that does not parse is an
// InvalidArgument naming the topic, partition and offset.
Result<Record> DecodeRecord(const log::Record& stored, Format format, std::string_view topic,
                            int32_t partition);

// The bytes a sink writes for `value`: JSON text for json; for the other
// formats a string is written as is, and anything else as JSON text.
std::string EncodeOutput(const expr::Value& value, Format format);

// Fields of one CSV line.
std::vector<std::string> SplitCsvLine(std::string_view line);

}  // namespace sluice::runtime
