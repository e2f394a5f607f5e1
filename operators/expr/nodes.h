// The compiled form of an expression: a tree of immutable nodes, each
// evaluating itself against a record. Names and functions are resolved at
// compile time (a root is an enum, a call holds its function pointer).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operators/expr/expr.h"
#include "operators/expr/functions.h"

namespace sluice::expr {

class Node {
 public:
  explicit Node(size_t offset, std::optional<Type> type = std::nullopt) : offset_(offset), type_(type) {}
  virtual ~Node() = default;
  virtual Result<Value> Eval(const RecordView& r) const = 0;
  // The type every evaluation yields (besides null), when known at compile time.
  std::optional<Type> type() const { return type_; }
  size_t offset() const { return offset_; }
  // A literal's value (constant folding and literal-only arguments).
  virtual const Value* literal() const { return nullptr; }
  // The value Eval would return when it already exists in the record (a
  // root such as `value`, or a field path below one), else null: field
  // access reads through it without copying the object it reads from.
  virtual const Value* Ref(const RecordView& /*r*/) const { return nullptr; }
  // Levels of nodes from here to the deepest leaf (1 for a leaf); set by the
  // parser, which refuses trees deeper than kMaxExpressionDepth (Eval recurses).
  int height() const { return height_; }
  void set_height(int height) { height_ = height; }

 private:
  size_t offset_;
  int height_ = 1;
  std::optional<Type> type_;
};

using NodePtr = std::unique_ptr<Node>;

enum class Root { kKey, kValue, kTimestamp, kHeaders, kTopic, kPartition, kOffset };
enum class BinOp { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe, kAnd, kOr, kIn };

NodePtr MakeLiteral(size_t offset, Value v);
NodePtr MakeRoot(size_t offset, Root root);
NodePtr MakeField(size_t offset, NodePtr object, std::string name);
NodePtr MakeIndex(size_t offset, NodePtr container, NodePtr index);
NodePtr MakeNot(size_t offset, NodePtr operand);
NodePtr MakeNegate(size_t offset, NodePtr operand);
NodePtr MakeBinary(size_t offset, BinOp op, NodePtr lhs, NodePtr rhs);
NodePtr MakeTernary(size_t offset, NodePtr cond, NodePtr then_node, NodePtr else_node);
NodePtr MakeList(size_t offset, std::vector<NodePtr> items);
// `re`: a regex function's pattern compiled from its literal argument 1 (else null).
NodePtr MakeCall(size_t offset, const Builtin* fn, std::vector<NodePtr> args, std::shared_ptr<const Regex> re);

}  // namespace sluice::expr
