// Parsing of `kafka: {...}` sources and sinks (docs/scaling.md).
//
// A source is `name: {kafka: {bootstrap, topic, properties}, format, start,
// event_time, watermark}` (the options of a log source beside `kafka:`); a
// sink is `name: {input, kafka: {bootstrap, topic, key, format, properties}}`.
// `format` goes beside `kafka:` or inside it, for sources and sinks alike
// (ReadFormatEither).
// Properties are librdkafka settings passed through unchanged (TLS, SASL,
// timeouts), values as strings. `${NAME}` in bootstrap and property values is
// replaced by the environment variable NAME; an unset variable is an error
// with its position. Expanded values are never printed in diagnostics.
// Under a restricted JobPolicy (jobs submitted to a server) only allowed
// properties and allowed variables pass; the others are positioned errors.
#pragma once

#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/status.h"

#include "runtime/job_spec.h"
#include "runtime/yaml_reader.h"

namespace sluice::runtime {

// `node` is the source's `kafka:` map; fills source->topic and source->kafka.
void ParseKafkaSource(YamlReader& r, const YAML::Node& node, const std::string& path, SourceSpec* source);
// `node` is the sink's map (with `input` and `kafka`).
void ParseKafkaSink(YamlReader& r, const YAML::Node& node, const std::string& path, SinkSpec* sink);

// The `format` of a source or sink, which may be given beside its kind's key
// (`outer`, the node's map) or inside the kind's options map (`inner`, e.g.
// `kafka: {format: ...}`, `stdout: {format: ...}`; not a map: not looked
// at). Both places with different values is an error at the inner one;
// `fallback` when neither gives one.
Format ReadFormatEither(YamlReader& r, const YAML::Node& outer, const std::string& outer_path, const YAML::Node& inner,
                        const std::string& inner_path, Format fallback = Format::kJson);

// Replaces every ${NAME} in `text` with the environment variable NAME.
// Returns the name of the first unset variable as an error, and the first
// variable not in `allowed` when that is given (jobs submitted to a server).
Result<std::string> ExpandEnv(const std::string& text, const std::set<std::string>* allowed = nullptr);

}  // namespace sluice::runtime
