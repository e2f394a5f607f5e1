#include "operators/registry.h"

#include <array>

#include "operators/dedup.h"
#include "operators/lookup_join.h"
#include "operators/top_n.h"
#include "operators/union.h"

namespace sluice::operators {
namespace {

// One row per kind. Adding a kind: its operators/<kind>.{h,cc} and a row here.
constexpr std::array<const OperatorKindDef*, 4> kKinds = {
    &kUnionKind,
    &kDedupKind,
    &kLookupKind,
    &kTopNKind,
};

}  // namespace

std::span<const OperatorKindDef* const> RegisteredKinds() { return kKinds; }

const OperatorKindDef* FindKind(std::string_view name) {
  for (const OperatorKindDef* kind : kKinds) {
    if (name == kind->name) return kind;
  }
  return nullptr;
}

}  // namespace sluice::operators
