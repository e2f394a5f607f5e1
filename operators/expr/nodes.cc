#include "operators/expr/nodes.h"

#include <limits>
#include <cmath>

namespace sluice::expr {
namespace {

class Literal final : public Node {
 public:
  Literal(size_t offset, Value v) : Node(offset, v.is_null() ? std::nullopt : std::optional(v.type())), v_(std::move(v)) {}
  Result<Value> Eval(const RecordView&) const override { return v_; }
  const Value* literal() const override { return &v_; }

 private:
  Value v_;
};

class RootNode final : public Node {
 public:
  RootNode(size_t offset, Root root) : Node(offset, TypeOf(root)), root_(root) {}
  Result<Value> Eval(const RecordView& r) const override {
    switch (root_) {
      case Root::kKey: return r.key ? *r.key : Value();
      case Root::kValue: return r.value ? *r.value : Value();
      case Root::kTimestamp: return Value(r.timestamp);
      case Root::kHeaders: return r.headers ? *r.headers : Value(Object{});
      case Root::kTopic: return Value(r.topic);
      case Root::kPartition: return Value(static_cast<int64_t>(r.partition));
      case Root::kOffset: return Value(r.offset);
    }
    return Value();
  }
  const Value* Ref(const RecordView& r) const override {
    switch (root_) {
      case Root::kKey: return r.key;
      case Root::kValue: return r.value;
      case Root::kHeaders: return r.headers;
      default: return nullptr;
    }
  }

 private:
  static std::optional<Type> TypeOf(Root root) {
    switch (root) {
      case Root::kTimestamp:
      case Root::kPartition:
      case Root::kOffset: return Type::kInt;
      case Root::kTopic: return Type::kString;
      default: return std::nullopt;
    }
  }
  Root root_;
};

class Field final : public Node {
 public:
  Field(size_t offset, NodePtr object, std::string name) : Node(offset), object_(std::move(object)), name_(std::move(name)) {}
  Result<Value> Eval(const RecordView& r) const override {
    if (const Value* o = object_->Ref(r)) return o->Get(name_);
    ASSIGN_OR_RETURN(Value o, object_->Eval(r));
    return o.Get(name_);
  }
  const Value* Ref(const RecordView& r) const override {
    const Value* o = object_->Ref(r);
    return o ? &o->Get(name_) : nullptr;
  }

 private:
  NodePtr object_;
  std::string name_;
};

class Index final : public Node {
 public:
  Index(size_t offset, NodePtr c, NodePtr i) : Node(offset), container_(std::move(c)), index_(std::move(i)) {}
  Result<Value> Eval(const RecordView& r) const override {
    ASSIGN_OR_RETURN(Value c, container_->Eval(r));
    ASSIGN_OR_RETURN(Value i, index_->Eval(r));
    if (i.type() == Type::kInt) return c.At(i.as_int());
    if (i.type() == Type::kString) return c.Get(i.as_string());
    return Value();
  }

 private:
  NodePtr container_, index_;
};

class Not final : public Node {
 public:
  Not(size_t offset, NodePtr operand) : Node(offset, Type::kBool), operand_(std::move(operand)) {}
  Result<Value> Eval(const RecordView& r) const override {
    ASSIGN_OR_RETURN(Value v, operand_->Eval(r));
    if (v.is_null()) return Value();
    return Value(!IsTrue(v));
  }

 private:
  NodePtr operand_;
};

class Negate final : public Node {
 public:
  Negate(size_t offset, NodePtr operand) : Node(offset, operand->type()), operand_(std::move(operand)) {}
  Result<Value> Eval(const RecordView& r) const override {
    ASSIGN_OR_RETURN(Value v, operand_->Eval(r));
    if (v.type() == Type::kInt) {
      // -INT64_MIN does not fit: it becomes a float, as an overflowing sum does.
      if (v.as_int() == std::numeric_limits<int64_t>::min()) return Value(-static_cast<double>(v.as_int()));
      return Value(-v.as_int());
    }
    if (v.type() == Type::kDouble) return Value(-v.as_double());
    if (v.is_null()) return Value();
    return InvalidArgument("cannot negate a " + std::string(TypeName(v.type())));
  }

 private:
  NodePtr operand_;
};

Result<Value> Arithmetic(BinOp op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Value();
  if (op == BinOp::kAdd && a.type() == Type::kString && b.type() == Type::kString) {
    return Value(a.as_string() + b.as_string());
  }
  if (!a.is_number() || !b.is_number()) {
    return InvalidArgument("arithmetic on " + std::string(TypeName(a.type())) + " and " + std::string(TypeName(b.type())));
  }
  const bool ints = a.type() == Type::kInt && b.type() == Type::kInt;
  int64_t exact = 0;
  // Integer results that do not fit in int64 become floats (never wrap around).
  switch (op) {
    case BinOp::kAdd:
      if (ints && !__builtin_add_overflow(a.as_int(), b.as_int(), &exact)) return Value(exact);
      return Value(a.as_number() + b.as_number());
    case BinOp::kSub:
      if (ints && !__builtin_sub_overflow(a.as_int(), b.as_int(), &exact)) return Value(exact);
      return Value(a.as_number() - b.as_number());
    case BinOp::kMul:
      if (ints && !__builtin_mul_overflow(a.as_int(), b.as_int(), &exact)) return Value(exact);
      return Value(a.as_number() * b.as_number());
    case BinOp::kDiv:
      if (b.as_number() == 0) return InvalidArgument("division by zero");
      return Value(a.as_number() / b.as_number());
    case BinOp::kMod:
      if (b.as_number() == 0) return InvalidArgument("modulo by zero");
      if (ints && b.as_int() == -1) return Value(int64_t{0});  // INT64_MIN % -1 would trap
      return ints ? Value(a.as_int() % b.as_int()) : Value(std::fmod(a.as_number(), b.as_number()));
    default: return Internal("not an arithmetic operator");
  }
}

// Comparisons: numbers with numbers, strings with strings; anything with null is
// false except `== null` / `!= null`, which test for null.
Value Compare(BinOp op, const Value& a, const Value& b) {
  if (op == BinOp::kEq) return Value(a == b);
  if (op == BinOp::kNe) return Value(!(a == b));
  int cmp;
  if (a.is_number() && b.is_number()) {
    const double x = a.as_number(), y = b.as_number();
    cmp = x < y ? -1 : x > y ? 1 : 0;
  } else if (a.type() == Type::kString && b.type() == Type::kString) {
    cmp = a.as_string().compare(b.as_string());
  } else {
    return Value(false);
  }
  switch (op) {
    case BinOp::kLt: return Value(cmp < 0);
    case BinOp::kLe: return Value(cmp <= 0);
    case BinOp::kGt: return Value(cmp > 0);
    case BinOp::kGe: return Value(cmp >= 0);
    default: return Value(false);
  }
}

std::optional<Type> BinaryType(BinOp op, const Node& l, const Node& r) {
  switch (op) {
    case BinOp::kDiv: return Type::kDouble;
    case BinOp::kAdd:
    case BinOp::kSub:
    case BinOp::kMul:
    case BinOp::kMod:
      if (l.type() == Type::kInt && r.type() == Type::kInt) return Type::kInt;
      if (l.type() && r.type() && l.type() != Type::kString) return Type::kDouble;
      return std::nullopt;
    default: return Type::kBool;
  }
}

class Binary final : public Node {
 public:
  Binary(size_t offset, BinOp op, NodePtr l, NodePtr r)
      : Node(offset, BinaryType(op, *l, *r)), op_(op), lhs_(std::move(l)), rhs_(std::move(r)) {}
  Result<Value> Eval(const RecordView& r) const override {
    ASSIGN_OR_RETURN(Value a, lhs_->Eval(r));
    if (op_ == BinOp::kAnd && !IsTrue(a)) return Value(false);
    if (op_ == BinOp::kOr && IsTrue(a)) return Value(true);
    ASSIGN_OR_RETURN(Value b, rhs_->Eval(r));
    switch (op_) {
      case BinOp::kAnd:
      case BinOp::kOr: return Value(IsTrue(b));
      case BinOp::kIn: {
        if (b.type() != Type::kList) return Value(false);
        for (const auto& item : b.as_list()) {
          if (item == a) return Value(true);
        }
        return Value(false);
      }
      case BinOp::kEq:
      case BinOp::kNe:
      case BinOp::kLt:
      case BinOp::kLe:
      case BinOp::kGt:
      case BinOp::kGe: return Compare(op_, a, b);
      default: return Arithmetic(op_, a, b);
    }
  }

 private:
  BinOp op_;
  NodePtr lhs_, rhs_;
};

class Ternary final : public Node {
 public:
  Ternary(size_t offset, NodePtr c, NodePtr t, NodePtr e)
      : Node(offset, t->type() == e->type() ? t->type() : std::nullopt),
        cond_(std::move(c)),
        then_(std::move(t)),
        else_(std::move(e)) {}
  Result<Value> Eval(const RecordView& r) const override {
    ASSIGN_OR_RETURN(Value c, cond_->Eval(r));
    return IsTrue(c) ? then_->Eval(r) : else_->Eval(r);
  }

 private:
  NodePtr cond_, then_, else_;
};

class ListNode final : public Node {
 public:
  ListNode(size_t offset, std::vector<NodePtr> items) : Node(offset, Type::kList), items_(std::move(items)) {}
  Result<Value> Eval(const RecordView& r) const override {
    List l;
    l.reserve(items_.size());
    for (const auto& item : items_) {
      ASSIGN_OR_RETURN(Value v, item->Eval(r));
      l.push_back(std::move(v));
    }
    return Value(std::move(l));
  }

 private:
  std::vector<NodePtr> items_;
};

class Call final : public Node {
 public:
  Call(size_t offset, const Builtin* fn, std::vector<NodePtr> args, std::shared_ptr<const Regex> re)
      : Node(offset, fn->result), fn_(fn), args_(std::move(args)), re_(std::move(re)) {}
  Result<Value> Eval(const RecordView& r) const override {
    std::vector<Value> values(args_.size());
    for (size_t i = 0; i < args_.size(); ++i) {
      if (i == 1 && re_) continue;  // the literal pattern, compiled already
      ASSIGN_OR_RETURN(values[i], args_[i]->Eval(r));
    }
    return CallBuiltin(*fn_, values, re_.get());
  }

 private:
  const Builtin* fn_;
  std::vector<NodePtr> args_;
  std::shared_ptr<const Regex> re_;
};

}  // namespace

NodePtr MakeLiteral(size_t offset, Value v) { return std::make_unique<Literal>(offset, std::move(v)); }
NodePtr MakeRoot(size_t offset, Root root) { return std::make_unique<RootNode>(offset, root); }
NodePtr MakeField(size_t offset, NodePtr object, std::string name) {
  return std::make_unique<Field>(offset, std::move(object), std::move(name));
}
NodePtr MakeIndex(size_t offset, NodePtr c, NodePtr i) { return std::make_unique<Index>(offset, std::move(c), std::move(i)); }
NodePtr MakeNot(size_t offset, NodePtr operand) { return std::make_unique<Not>(offset, std::move(operand)); }
NodePtr MakeNegate(size_t offset, NodePtr operand) { return std::make_unique<Negate>(offset, std::move(operand)); }
NodePtr MakeBinary(size_t offset, BinOp op, NodePtr l, NodePtr r) {
  return std::make_unique<Binary>(offset, op, std::move(l), std::move(r));
}
NodePtr MakeTernary(size_t offset, NodePtr c, NodePtr t, NodePtr e) {
  return std::make_unique<Ternary>(offset, std::move(c), std::move(t), std::move(e));
}
NodePtr MakeList(size_t offset, std::vector<NodePtr> items) { return std::make_unique<ListNode>(offset, std::move(items)); }
NodePtr MakeCall(size_t offset, const Builtin* fn, std::vector<NodePtr> args, std::shared_ptr<const Regex> re) {
  return std::make_unique<Call>(offset, fn, std::move(args), std::move(re));
}

}  // namespace sluice::expr
