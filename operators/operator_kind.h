// An operator kind of the job language defined by one row of the kind registry
// (operators/registry.cc): adding such a kind means one file pair
// operators/<kind>.{h,cc} plus one row, nothing else in the runtime.
//
// A kind's row says how the runtime treats it:
//  - parse: reads the operator's YAML map (it holds the kind's key; `input`
//    is read by the caller) with positions, reports problems through the
//    YamlReader, and stores the kind's configuration in OperatorSpec::config.
//    The configuration is immutable and shared by every subtask: expressions
//    are compiled here, once.
//  - check: what `sluice validate` reports beyond parsing (expression
//    diagnostics at their file positions).
//  - describe: the `sluice explain` text of the step and of its state.
//  - keyed_state: true when the operator keeps per-key state: the planner
//    then gives it a hash exchange by key after key_by, else a global one.
//  - min_inputs, max_inputs (0: no limit): checked by validate; a kind with
//    more than one input starts a chain fed by a hash exchange from each.
//  - make: one node per subtask (or partition task); the node holds the
//    subtask's mutable State, which its Snapshot/Restore checkpoint.
//
// The older kinds (filter, map, key_by, flat_map, window, join) are
// still dispatched on OperatorKind in runtime/ (runtime/README.md); they have
// no row here yet.
//
// Layering: kinds build on the runtime's node interface (runtime/nodes.h,
// record.h, yaml_reader.h); the engine reaches them only through
// operators/registry.h. Kind files are compiled into sluice_runtime.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/job_spec.h"

namespace sluice::runtime {
class Node;
class YamlReader;
struct NodeContext;
}  // namespace sluice::runtime

namespace sluice::operators {

// The parsed, immutable configuration of one operator of a registered kind.
class KindConfig {
 public:
  virtual ~KindConfig() = default;
};

struct KindDescription {
  std::string step;   // e.g. "dedup key value.id within 10m"
  std::string state;  // what a checkpoint of it holds
};

struct OperatorKindDef {
  const char* name;  // the YAML key that names the kind
  bool keyed_state;
  int min_inputs;
  int max_inputs;
  void (*parse)(runtime::YamlReader& reader, const YAML::Node& node, const std::string& path,
                runtime::OperatorSpec* op);
  void (*check)(const runtime::OperatorSpec& op, std::vector<runtime::Diagnostic>* out);
  KindDescription (*describe)(const runtime::OperatorSpec& op);
  Result<std::unique_ptr<runtime::Node>> (*make)(const runtime::OperatorSpec& op,
                                                 const runtime::NodeContext& context);
};

}  // namespace sluice::operators
