#include "operators/union.h"

#include <algorithm>
#include <utility>

#include "runtime/node_registry.h"
#include "runtime/nodes.h"
#include "runtime/yaml_reader.h"

namespace sluice::operators {
namespace {

using runtime::OperatorSpec;
using runtime::Text;

// `union: [a, b]` names the inputs; an `input:` list beside it may repeat them.
void Parse(runtime::YamlReader& r, const YAML::Node& node, const std::string& path, OperatorSpec* op) {
  r.CheckKeys(node, path, {"input", "union"}, {});
  for (auto& name : r.ReadNames(node["union"], path + ".union")) {
    bool seen = std::any_of(op->inputs.begin(), op->inputs.end(), [&](const Text& t) { return t.text == name.text; });
    if (!seen) op->inputs.push_back(std::move(name));
  }
}

void Check(const OperatorSpec&, std::vector<runtime::Diagnostic>*) {}

KindDescription Describe(const OperatorSpec&) { return {"union", "none"}; }

class UnionNode : public runtime::Node {
 public:
  Status Process(runtime::Record record) override { return Emit(std::move(record)); }
};

Result<std::unique_ptr<runtime::Node>> Make(const OperatorSpec&, const runtime::NodeContext&) {
  return std::unique_ptr<runtime::Node>(std::make_unique<UnionNode>());
}

}  // namespace

const OperatorKindDef kUnionKind = {"union", /*keyed_state=*/false, /*min_inputs=*/2, /*max_inputs=*/0,
                                    Parse, Check, Describe, Make};

}  // namespace sluice::operators
