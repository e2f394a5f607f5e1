// Parsing and checking: a precedence-climbing parser over the tokens builds the
// node tree directly, resolving names and functions and reporting every
// problem it can find with its byte offset.
//
// Precedence, lowest first: ?: , ||, &&, == !=, < <= > >=, in, + -, * / %, unary ! -,
// then postfix .field [index] and calls.
#include <algorithm>
#include <map>

#include "operators/expr/expr.h"
#include "operators/expr/lexer.h"
#include "operators/expr/nodes.h"
#include "operators/expr/regex.h"
#include "operators/expr/string_functions.h"
#include "operators/expr/suggest.h"

namespace sluice::expr {
namespace {

const std::map<std::string, Root, std::less<>>& Roots() {
  static const std::map<std::string, Root, std::less<>> kRoots = {
      {"key", Root::kKey},     {"value", Root::kValue},         {"timestamp", Root::kTimestamp},
      {"headers", Root::kHeaders}, {"topic", Root::kTopic},     {"partition", Root::kPartition},
      {"offset", Root::kOffset}};
  return kRoots;
}

const std::vector<std::string>& AggregateNames() {
  static const std::vector<std::string> kNames = {"count", "sum", "min", "max", "avg", "first", "last",
                                                  "count_distinct", "percentile", "max_by", "min_by", "top_n"};
  return kNames;
}

std::string Suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  return DidYouMean(word, std::span<const std::string_view>(candidates));
}

class CompiledExpr final : public Expr {
 public:
  CompiledExpr(std::string source, NodePtr root) : source_(std::move(source)), root_(std::move(root)) {}
  Result<Value> Eval(const RecordView& record) const override { return root_->Eval(record); }
  const std::string& source() const override { return source_; }

 private:
  std::string source_;
  NodePtr root_;
};

class Parser {
 public:
  Parser(std::string_view source, const CompileOptions& options, std::vector<Diagnostic>* diagnostics)
      : source_(source), options_(options), diagnostics_(diagnostics), tokens_(Lex(source, diagnostics)) {}

  NodePtr ParseAll() {
    NodePtr n = Expression();
    if (Peek().kind != Tok::kEnd) SyntaxError(Peek().offset, "unexpected '" + Peek().text + "'");
    return n;
  }

  // `name(args)` at the top level, for aggregate calls.
  bool ParseAggregate(AggregateCall* out) {
    const Token& name = Peek();
    if (name.kind != Tok::kIdent || tokens_[pos_ + 1].text != "(") {
      Error(name.offset, "expected an aggregate call such as count() or avg(value.x)");
      return false;
    }
    ++pos_;
    std::vector<std::string_view> names(AggregateNames().begin(), AggregateNames().end());
    if (std::find(names.begin(), names.end(), name.text) == names.end()) {
      Error(name.offset, "unknown aggregate '" + name.text + "'" + Suggest(name.text, names));
      return false;
    }
    out->function = name.text;
    const size_t first_arg = tokens_[pos_ + 1].offset;  // the token after '(' (errors about n point at it)
    std::vector<NodePtr> args = Arguments();
    if (Peek().kind != Tok::kEnd) SyntaxError(Peek().offset, "unexpected '" + Peek().text + "' after the aggregate call");
    if (!CheckAggregateArity(name, args.size())) return false;
    if (name.text == "percentile") {
      const Value* q = args[1]->literal();
      if (!q || !q->is_number() || q->as_number() <= 0 || q->as_number() > 1) {
        Error(args[1]->offset(), "percentile() needs a constant rank in (0, 1], such as 0.99");
        return false;
      }
      out->constant_args.push_back(*q);
      args.pop_back();
    }
    if (name.text == "top_n") {
      const Value* n = args[0]->literal();
      if (!n || n->type() != Type::kInt || n->as_int() < 1 || n->as_int() > kMaxTopN) {
        Error(first_arg, "top_n() needs a constant n, a positive integer up to 10000, such as 3");
        return false;
      }
      out->constant_args.push_back(*n);
      args.erase(args.begin());
    }
    for (auto& a : args) out->args.push_back(std::make_shared<CompiledExpr>(source_, std::move(a)));
    return true;
  }

  bool failed() const { return failed_; }

 private:
  // Reports a call with the wrong number of arguments at the function's name.
  bool CheckAggregateArity(const Token& name, size_t got) {
    const std::string& f = name.text;
    size_t want = 1;
    std::string expected = "1 argument";
    if (f == "count") {
      want = 0;
      expected = "0 arguments";
    } else if (f == "percentile" || f == "max_by" || f == "min_by") {
      want = 2;
      expected = f == "percentile" ? "2 arguments" : "2 arguments (value, order)";
    } else if (f == "top_n") {
      if (got == 2 || got == 3) return true;
      expected = "2 or 3 arguments (n, order[, value])";
    }
    if (got == want && f != "top_n") return true;
    Error(name.offset, f + "() takes " + expected + ", got " + std::to_string(got));
    return false;
  }

  const Token& Peek() const { return tokens_[pos_]; }
  bool Accept(std::string_view op) {
    if (Peek().kind == Tok::kOp && Peek().text == op) {
      ++pos_;
      return true;
    }
    return false;
  }
  void Expect(std::string_view op) {
    if (!Accept(op)) SyntaxError(Peek().offset, "expected '" + std::string(op) + "'" + Found());
  }
  std::string Found() const {
    return Peek().kind == Tok::kEnd ? " at the end" : ", found '" + Peek().text + "'";
  }
  // Only the first syntax error of an expression is reported: what follows it
  // is parsed from a guess and would only add noise.
  void SyntaxError(size_t offset, std::string message) {
    if (syntax_error_) return;
    syntax_error_ = true;
    Error(offset, std::move(message));
  }

  void Error(size_t offset, std::string message) {
    failed_ = true;
    diagnostics_->push_back({offset, std::move(message)});
  }

  // Counts one level of parser recursion; false (after reporting it) past kMaxExpressionDepth.
  class Level {
   public:
    explicit Level(Parser& p) : p_(p) { ++p_.depth_; }
    ~Level() { --p_.depth_; }
    bool ok() {
      if (p_.depth_ <= kMaxExpressionDepth) return true;
      // At the token that opened the level too deep (a parenthesis, bracket, '!' or '-').
      p_.TooDeep(p_.pos_ > 0 ? p_.tokens_[p_.pos_ - 1].offset : p_.Peek().offset);
      p_.pos_ = p_.tokens_.size() - 1;  // the end token: parse nothing more
      return false;
    }

   private:
    Parser& p_;
  };

  void TooDeep(size_t offset) {
    SyntaxError(offset, "expression nested deeper than " + std::to_string(kMaxExpressionDepth) + " levels");
  }

  // Records `n`'s height (one more than its deepest child) and refuses trees too deep to evaluate.
  NodePtr Sized(NodePtr n, std::initializer_list<int> child_heights) {
    int height = 1;
    for (int h : child_heights) height = std::max(height, h + 1);
    n->set_height(height);
    if (height > kMaxExpressionDepth) TooDeep(n->offset());
    return n;
  }
  static int MaxHeight(const std::vector<NodePtr>& nodes) {
    int h = 0;
    for (const auto& n : nodes) h = std::max(h, n->height());
    return h;
  }

  NodePtr Expression() {
    Level level(*this);
    if (!level.ok()) return MakeLiteral(Peek().offset, Value());
    NodePtr cond = Binary(0);
    if (!Accept("?")) return cond;
    const size_t at = cond->offset();
    NodePtr then_node = Expression();
    Expect(":");
    NodePtr else_node = Expression();
    const auto heights = {cond->height(), then_node->height(), else_node->height()};
    return Sized(MakeTernary(at, std::move(cond), std::move(then_node), std::move(else_node)), heights);
  }

  struct OpInfo {
    int level;
    BinOp op;
  };
  std::optional<OpInfo> BinaryOp() const {
    const Token& t = Peek();
    if (t.kind == Tok::kIdent && t.text == "in") return OpInfo{4, BinOp::kIn};
    if (t.kind != Tok::kOp) return std::nullopt;
    static const std::map<std::string, OpInfo, std::less<>> kOps = {
        {"||", {0, BinOp::kOr}}, {"&&", {1, BinOp::kAnd}}, {"==", {2, BinOp::kEq}}, {"!=", {2, BinOp::kNe}},
        {"<", {3, BinOp::kLt}},  {"<=", {3, BinOp::kLe}},  {">", {3, BinOp::kGt}},  {">=", {3, BinOp::kGe}},
        {"+", {5, BinOp::kAdd}}, {"-", {5, BinOp::kSub}},  {"*", {6, BinOp::kMul}}, {"/", {6, BinOp::kDiv}},
        {"%", {6, BinOp::kMod}}};
    auto it = kOps.find(t.text);
    if (it == kOps.end()) return std::nullopt;
    return it->second;
  }

  NodePtr Binary(int min_level) {
    NodePtr lhs = Unary();
    for (;;) {
      auto info = BinaryOp();
      if (!info || info->level < min_level) return lhs;
      const Token op_token = Peek();
      ++pos_;
      NodePtr rhs = Binary(info->level + 1);
      CheckOperands(op_token, info->op, *lhs, *rhs);
      const size_t at = lhs->offset();
      const auto heights = {lhs->height(), rhs->height()};
      lhs = Sized(MakeBinary(at, info->op, std::move(lhs), std::move(rhs)), heights);
    }
  }

  // Type errors that are certain: both operand types known and incompatible.
  void CheckOperands(const Token& op, BinOp kind, const Node& l, const Node& r) {
    const bool arithmetic = kind == BinOp::kAdd || kind == BinOp::kSub || kind == BinOp::kMul ||
                            kind == BinOp::kDiv || kind == BinOp::kMod;
    if (!arithmetic || !l.type() || !r.type()) return;
    const bool numbers = (*l.type() == Type::kInt || *l.type() == Type::kDouble) &&
                         (*r.type() == Type::kInt || *r.type() == Type::kDouble);
    const bool strings = kind == BinOp::kAdd && *l.type() == Type::kString && *r.type() == Type::kString;
    if (!numbers && !strings) {
      Error(op.offset, "cannot apply '" + op.text + "' to " + std::string(TypeName(*l.type())) + " and " +
                           std::string(TypeName(*r.type())));
    }
  }

  NodePtr Unary() {
    const size_t at = Peek().offset;
    if (Accept("!")) {
      Level level(*this);
      if (!level.ok()) return MakeLiteral(at, Value());
      NodePtr operand = Unary();
      const int h = operand->height();
      return Sized(MakeNot(at, std::move(operand)), {h});
    }
    if (Accept("-")) {
      Level level(*this);
      if (!level.ok()) return MakeLiteral(at, Value());
      NodePtr operand = Unary();
      if (const Value* v = operand->literal(); v && v->type() == Type::kInt) return MakeLiteral(at, Value(-v->as_int()));
      if (const Value* v = operand->literal(); v && v->type() == Type::kDouble) {
        return MakeLiteral(at, Value(-v->as_double()));
      }
      const int h = operand->height();
      return Sized(MakeNegate(at, std::move(operand)), {h});
    }
    return Postfix(Primary());
  }

  NodePtr Postfix(NodePtr n) {
    for (;;) {
      const size_t at = Peek().offset;
      if (Accept(".")) {
        if (Peek().kind != Tok::kIdent) {
          SyntaxError(Peek().offset, "expected a field name after '.'" + Found());
          return n;
        }
        const int h = n->height();
        n = Sized(MakeField(at, std::move(n), Peek().text), {h});
        ++pos_;
      } else if (Accept("[")) {
        NodePtr index = Expression();
        Expect("]");
        const auto heights = {n->height(), index->height()};
        n = Sized(MakeIndex(at, std::move(n), std::move(index)), heights);
      } else {
        return n;
      }
    }
  }

  std::vector<NodePtr> Arguments() {
    std::vector<NodePtr> args;
    Expect("(");
    if (Accept(")")) return args;
    do {
      args.push_back(Expression());
    } while (Accept(","));
    Expect(")");
    return args;
  }

  NodePtr Call(const Token& name) {
    const Builtin* fn = FindBuiltin(name.text);
    std::vector<NodePtr> args = Arguments();
    auto names = BuiltinNames();
    if (!fn) {
      const bool aggregate = std::find(AggregateNames().begin(), AggregateNames().end(), name.text) != AggregateNames().end();
      Error(name.offset, aggregate ? name.text + "() is an aggregate: use it in a window's aggregate: block"
                                   : "unknown function '" + name.text + "'" + Suggest(name.text, names));
      return MakeLiteral(name.offset, Value());
    }
    const int n = static_cast<int>(args.size());
    if (n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
      const std::string want = fn->min_args == fn->max_args ? std::to_string(fn->min_args)
                               : fn->max_args < 0           ? "at least " + std::to_string(fn->min_args)
                                                            : std::to_string(fn->min_args) + " to " + std::to_string(fn->max_args);
      const bool one = fn->max_args == 1 || (fn->max_args < 0 && fn->min_args == 1);
      Error(name.offset, name.text + "() takes " + want + " argument" + (one ? "" : "s") + ", got " +
                             std::to_string(n));
      return MakeLiteral(name.offset, Value());
    }
    CheckArgumentTypes(name, args);
    std::shared_ptr<const Regex> re = CheckLiteralArguments(*fn, args);
    const int h = MaxHeight(args);
    return Sized(MakeCall(name.offset, fn, std::move(args), std::move(re)), {h});
  }

  // What a literal argument can be checked for before any record: a regex
  // function's pattern (compiled here once; the Call keeps it), a
  // regex_extract group, a regex_replace rewrite, count_char's character.
  // Returns the compiled pattern when argument 1 is a literal one.
  std::shared_ptr<const Regex> CheckLiteralArguments(const Builtin& fn, const std::vector<NodePtr>& args) {
    if (fn.name == "count_char" && args[1]->literal()) {
      if (auto problem = CheckOneCharacter(*args[1]->literal()); !problem.empty()) Error(args[1]->offset(), problem);
    }
    if (!fn.regex_fn || !args[1]->literal() || args[1]->literal()->type() != Type::kString) return nullptr;
    if (CheckPatternEscapes(*args[1]) || (fn.name == "regex_replace" && CheckPatternEscapes(*args[2]))) return nullptr;
    auto re = CompileRegex(args[1]->literal()->as_string());
    if (!re.ok()) {
      Error(args[1]->offset(), "invalid regular expression: " + std::string(re.status().message()));
      return nullptr;
    }
    if (args.size() > 2 && args[2]->literal()) {
      const std::string problem = fn.name == "regex_extract"   ? CheckExtractGroup(*args[2]->literal(), **re)
                                  : fn.name == "regex_replace" ? CheckRewrite(*args[2]->literal(), **re)
                                                               : "";
      if (!problem.empty()) Error(args[2]->offset(), problem);
    }
    return *re;
  }

  // A string literal's `\d` is the letter d (the lexer keeps only \n, \t and the
  // escaped character), which in a pattern or rewrite silently means something
  // else than was written: an error at the backslash, with the fix. True if found.
  bool CheckPatternEscapes(const Node& literal) {
    if (!literal.literal() || literal.literal()->type() != Type::kString) return false;
    const size_t start = literal.offset();
    if (start >= source_.size() || (source_[start] != '"' && source_[start] != '\'')) return false;
    const char quote = source_[start];
    for (size_t i = start + 1; i + 1 < source_.size() && source_[i] != quote; ++i) {
      if (source_[i] != '\\') continue;
      const char next = source_[i + 1];
      if (next == 'n' || next == 't' || next == '\\' || next == '"' || next == '\'') {
        ++i;
        continue;
      }
      Error(i, std::string("'\\") + next + "' in a string is just '" + next + "': write '\\\\" + next +
                   "' for a backslash in the pattern");
      return true;
    }
    return false;
  }

  // Certain type errors of arguments: a literal (or otherwise typed) argument of
  // the wrong type. One letter per argument: s string, n number, i int, . any.
  void CheckArgumentTypes(const Token& name, const std::vector<NodePtr>& args) {
    static const std::map<std::string, std::string, std::less<>> kKinds = {
        {"lower", "s"},        {"upper", "s"},          {"starts_with", "s"},   {"ends_with", "s"},
        {"substr", "s"},       {"parse_time", "s"},     {"matches", "ss"},      {"abs", "n"},
        {"round", "n"},        {"floor", "n"},          {"ceil", "n"},          {"format_time", "n"},
        {"split", "ss"},       {"split_index", "ssi"},  {"index_of", "ss"},     {"replace", "sss"},
        {"url_param", "ss"},   {"count_char", "ss"},    {"regex_match", "ss"},  {"regex_extract", "ssi"},
        {"regex_replace", "sss"}};
    static const std::map<char, std::string> kWanted = {{'s', "a string"}, {'n', "a number"}, {'i', "an int"}};
    if (!args.empty() && name.text == "len" && args[0]->type() &&
        (*args[0]->type() == Type::kInt || *args[0]->type() == Type::kDouble || *args[0]->type() == Type::kBool)) {
      Error(args[0]->offset(), "len() expects a string, list or object, got " + std::string(TypeName(*args[0]->type())));
    }
    auto kinds = kKinds.find(name.text);
    if (kinds == kKinds.end()) return;
    for (size_t i = 0; i < args.size() && i < kinds->second.size(); ++i) {
      const auto& t = args[i]->type();
      const char kind = kinds->second[i];
      if (!t || kind == '.') continue;
      const bool ok = kind == 's'   ? *t == Type::kString
                      : kind == 'i' ? *t == Type::kInt
                                    : *t == Type::kInt || *t == Type::kDouble;
      if (!ok) Error(args[i]->offset(), name.text + "() expects " + kWanted.at(kind) + ", got " + std::string(TypeName(*t)));
    }
  }

  NodePtr Primary() {
    const Token t = Peek();
    switch (t.kind) {
      case Tok::kInt: ++pos_; return MakeLiteral(t.offset, Value(t.int_value));
      case Tok::kFloat: ++pos_; return MakeLiteral(t.offset, Value(t.float_value));
      case Tok::kString: ++pos_; return MakeLiteral(t.offset, Value(t.text));
      case Tok::kIdent: {
        ++pos_;
        if (t.text == "true" || t.text == "false") return MakeLiteral(t.offset, Value(t.text == "true"));
        if (t.text == "null") return MakeLiteral(t.offset, Value());
        if (Peek().kind == Tok::kOp && Peek().text == "(") return Call(t);
        auto root = Roots().find(t.text);
        const bool allowed = std::find(options_.roots.begin(), options_.roots.end(), t.text) != options_.roots.end();
        if (root == Roots().end() || !allowed) {
          std::vector<std::string_view> names(options_.roots.begin(), options_.roots.end());
          Error(t.offset, "unknown name '" + t.text + "'" + Suggest(t.text, names));
          return MakeLiteral(t.offset, Value());
        }
        return MakeRoot(t.offset, root->second);
      }
      case Tok::kOp:
        if (t.text == "(") {
          ++pos_;
          NodePtr inner = Expression();
          Expect(")");
          return inner;
        }
        if (t.text == "[") {
          ++pos_;
          std::vector<NodePtr> items;
          if (!Accept("]")) {
            do {
              items.push_back(Expression());
            } while (Accept(","));
            Expect("]");
          }
          const int h = MaxHeight(items);
          return Sized(MakeList(t.offset, std::move(items)), {h});
        }
        break;
      case Tok::kError: ++pos_; failed_ = true; return MakeLiteral(t.offset, Value());
      case Tok::kEnd: break;
    }
    SyntaxError(t.offset, t.kind == Tok::kEnd ? "expected an expression at the end" : "unexpected '" + t.text + "'");
    if (t.kind != Tok::kEnd) ++pos_;
    return MakeLiteral(t.offset, Value());
  }

  std::string source_;
  const CompileOptions& options_;
  std::vector<Diagnostic>* diagnostics_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool syntax_error_ = false;
  bool failed_ = false;
};

}  // namespace

std::shared_ptr<const Expr> Compile(std::string_view source, const CompileOptions& options,
                                    std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  auto* sink = diagnostics ? diagnostics : &local;
  const size_t before = sink->size();
  Parser parser(source, options, sink);
  NodePtr root = parser.ParseAll();
  if (parser.failed() || sink->size() > before) return nullptr;
  return std::make_shared<CompiledExpr>(std::string(source), std::move(root));
}

bool ParseAggregateCall(std::string_view source, const CompileOptions& options, AggregateCall* out,
                        std::vector<Diagnostic>* diagnostics) {
  std::vector<Diagnostic> local;
  auto* sink = diagnostics ? diagnostics : &local;
  const size_t before = sink->size();
  Parser parser(source, options, sink);
  const bool ok = parser.ParseAggregate(out);
  return ok && !parser.failed() && sink->size() == before;
}

}  // namespace sluice::expr
