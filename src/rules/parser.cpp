#include "rules/parser.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "rules/lexer.hpp"

namespace riskkit::rules {
namespace {

class Parser {
 public:
  Parser(std::string_view source, const Limits &limits) : tokens_(tokenize(source)), limits_(limits) {}

  NodePtr parse_all() {
    NodePtr root = parse_expression();
    if (peek().kind != TokenKind::end) {
      fail(ErrorCode::parse, peek().span.begin,
           fmt::format("unexpected {} after the end of the expression", describe(peek())));
    }
    return root;
  }

 private:
  /// Counts recursion on entry to a nested expression, so `((((...` and `- - - x` bombs
  /// stop at Limits::max_depth instead of exhausting the machine stack.
  class DepthGuard {
   public:
    DepthGuard(Parser &parser, const Token &at) : parser_(parser) {
      if (++parser_.depth_ > parser_.limits_.max_depth) parser_.too_deep(at.span.begin);
    }
    ~DepthGuard() { --parser_.depth_; }
    DepthGuard(const DepthGuard &) = delete;
    DepthGuard &operator=(const DepthGuard &) = delete;

   private:
    Parser &parser_;
  };

  [[noreturn]] void too_deep(SourcePos at) const {
    fail(ErrorCode::limit_exceeded, at, fmt::format("expression nested deeper than {} levels", limits_.max_depth));
  }

  const Token &peek(std::size_t ahead = 0) const { return tokens_[std::min(at_ + ahead, tokens_.size() - 1)]; }
  const Token &next() {
    const Token &token = peek();
    if (at_ + 1 < tokens_.size()) ++at_;
    return token;
  }
  bool is(TokenKind kind) const { return peek().kind == kind; }

  const Token &expect(TokenKind kind, const char *what) {
    if (!is(kind)) fail(ErrorCode::parse, peek().span.begin, fmt::format("expected {} but found {}", what, describe(peek())));
    return next();
  }

  /// A new node spanning `token`; counts towards Limits::max_nodes.
  NodePtr leaf(NodeKind kind, const Token &token) {
    if (++nodes_ > limits_.max_nodes) {
      fail(ErrorCode::limit_exceeded, token.span.begin,
           fmt::format("expression has more than {} nodes", limits_.max_nodes));
    }
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->span = token.span;
    node->op_pos = token.span.begin;
    return node;
  }

  /// Adopts `child`, widening the span to cover it and checking the tree height.
  void adopt(Node &node, NodePtr child) {
    const std::size_t end = std::max(node.span.offset + node.span.length, child->span.offset + child->span.length);
    if (child->span.offset < node.span.offset) {
      node.span.begin = child->span.begin;
      node.span.offset = child->span.offset;
    }
    node.span.length = end - node.span.offset;
    node.height = std::max(node.height, child->height + 1);
    if (node.height > limits_.max_depth) too_deep(node.op_pos);
    node.children.push_back(std::move(child));
  }

  NodePtr binary(Operator op, const Token &token, NodePtr left, NodePtr right) {
    NodePtr node = leaf(NodeKind::binary, token);
    node->op = op;
    adopt(*node, std::move(left));
    adopt(*node, std::move(right));
    return node;
  }

  // expression = or_expr ;
  NodePtr parse_expression() {
    const DepthGuard guard(*this, peek());
    return parse_or();
  }

  // or_expr = and_expr { "or" and_expr } ;
  NodePtr parse_or() {
    NodePtr left = parse_and();
    while (is(TokenKind::kw_or)) {
      const Token &op = next();
      left = binary(Operator::logical_or, op, std::move(left), parse_and());
    }
    return left;
  }

  // and_expr = not_expr { "and" not_expr } ;
  NodePtr parse_and() {
    NodePtr left = parse_not();
    while (is(TokenKind::kw_and)) {
      const Token &op = next();
      left = binary(Operator::logical_and, op, std::move(left), parse_not());
    }
    return left;
  }

  // not_expr = "not" not_expr | comparison ;
  NodePtr parse_not() {
    if (!is(TokenKind::kw_not)) return parse_comparison();
    const Token &op = next();
    const DepthGuard guard(*this, op);
    NodePtr node = leaf(NodeKind::unary, op);
    node->op = Operator::logical_not;
    adopt(*node, parse_not());
    return node;
  }

  // comparison = membership [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) membership ] ;
  // Non-associative: `a < b < c` is a syntax error.
  NodePtr parse_comparison() {
    NodePtr left = parse_membership();
    const auto op = comparison_operator(peek().kind);
    if (!op) return left;
    const Token &token = next();
    NodePtr node = binary(*op, token, std::move(left), parse_membership());
    if (comparison_operator(peek().kind)) {
      fail(ErrorCode::parse, peek().span.begin,
           fmt::format("comparisons do not chain: put 'and' between them (found {} after a comparison)",
                       describe(peek())));
    }
    return node;
  }

  static std::optional<Operator> comparison_operator(TokenKind kind) {
    switch (kind) {
      case TokenKind::eq: return Operator::eq;
      case TokenKind::ne: return Operator::ne;
      case TokenKind::lt: return Operator::lt;
      case TokenKind::le: return Operator::le;
      case TokenKind::gt: return Operator::gt;
      case TokenKind::ge: return Operator::ge;
      default: return std::nullopt;
    }
  }

  // membership = additive [ [ "not" ] ( "in" list | "between" additive "and" additive ) ] ;
  // list       = "[" [ literal { "," literal } ] "]" ;
  NodePtr parse_membership() {
    NodePtr operand = parse_additive();
    const bool negated = is(TokenKind::kw_not) && (peek(1).kind == TokenKind::kw_in || peek(1).kind == TokenKind::kw_between);
    if (!negated && !is(TokenKind::kw_in) && !is(TokenKind::kw_between)) return operand;
    const bool is_between = peek(negated ? 1 : 0).kind == TokenKind::kw_between;
    const Token &op = next();  // "in" / "between", or the "not" before them
    if (negated) next();
    if (is_between) return parse_between(op, negated, std::move(operand));
    NodePtr node = leaf(NodeKind::membership, op);
    node->negated = negated;
    adopt(*node, std::move(operand));
    expect(TokenKind::lbracket, "'[' to start the list");
    if (!is(TokenKind::rbracket)) {
      adopt(*node, parse_literal());
      while (is(TokenKind::comma)) {
        next();
        adopt(*node, parse_literal());
      }
    }
    const Token &close = expect(TokenKind::rbracket, "',' or ']' in the list");
    node->span.length = close.span.offset + close.span.length - node->span.offset;
    return node;
  }

  // The bounds are additive expressions, so the "and" between them cannot be read as
  // a logical and: `x between 1 and 2 and b` is `(x between 1 and 2) and b`.
  NodePtr parse_between(const Token &op, bool negated, NodePtr operand) {
    NodePtr node = leaf(NodeKind::between, op);
    node->negated = negated;
    adopt(*node, std::move(operand));
    adopt(*node, parse_additive());
    expect(TokenKind::kw_and, "'and' between the bounds of 'between'");
    adopt(*node, parse_additive());
    return node;
  }

  // literal = [ "-" ] number | string | "true" | "false" ;
  NodePtr parse_literal() {
    const Token &first = peek();
    const bool minus = is(TokenKind::minus);
    if (minus) next();
    const Token &token = next();
    NodePtr node = leaf(NodeKind::literal, token);
    switch (minus ? (token.kind == TokenKind::number ? TokenKind::number : TokenKind::end) : token.kind) {
      case TokenKind::number:
        node->type = Type::number;
        node->value = Value::number(minus ? -token.number : token.number);
        break;
      case TokenKind::string:
        node->type = Type::string;
        node->value = Value::string(token.string);
        break;
      case TokenKind::kw_true:
      case TokenKind::kw_false:
        node->type = Type::boolean;
        node->value = Value::boolean(token.kind == TokenKind::kw_true);
        break;
      default:
        fail(ErrorCode::parse, first.span.begin,
             fmt::format("list elements must be literals (a number, a string, true or false), found {}",
                         describe(first)));
    }
    node->span.begin = first.span.begin;
    node->span.offset = first.span.offset;
    node->span.length = token.span.offset + token.span.length - first.span.offset;
    return node;
  }

  // additive = multiplicative { ( "+" | "-" ) multiplicative } ;
  NodePtr parse_additive() {
    NodePtr left = parse_multiplicative();
    while (is(TokenKind::plus) || is(TokenKind::minus)) {
      const Token &op = next();
      const Operator o = op.kind == TokenKind::plus ? Operator::add : Operator::subtract;
      left = binary(o, op, std::move(left), parse_multiplicative());
    }
    return left;
  }

  // multiplicative = unary { ( "*" | "/" | "%" ) unary } ;
  NodePtr parse_multiplicative() {
    NodePtr left = parse_unary();
    for (;;) {
      Operator o;
      switch (peek().kind) {
        case TokenKind::star: o = Operator::multiply; break;
        case TokenKind::slash: o = Operator::divide; break;
        case TokenKind::percent: o = Operator::modulo; break;
        default: return left;
      }
      const Token &op = next();
      left = binary(o, op, std::move(left), parse_unary());
    }
  }

  // unary = "-" unary | primary ;
  NodePtr parse_unary() {
    if (!is(TokenKind::minus)) return parse_primary();
    const Token &op = next();
    const DepthGuard guard(*this, op);
    NodePtr node = leaf(NodeKind::unary, op);
    node->op = Operator::negate;
    adopt(*node, parse_unary());
    return node;
  }

  // primary = number | string | "true" | "false" | "null"
  //         | identifier [ "(" [ expression { "," expression } ] ")" ]
  //         | "(" expression ")" ;
  NodePtr parse_primary() {
    switch (peek().kind) {
      case TokenKind::number:
      case TokenKind::string:
      case TokenKind::kw_true:
      case TokenKind::kw_false: return parse_literal();
      case TokenKind::kw_null: {
        NodePtr node = leaf(NodeKind::literal, next());
        node->is_null = true;  // Value() is missing; the checker gives it its context's type
        return node;
      }
      case TokenKind::identifier: return parse_name_or_call();
      case TokenKind::lparen: {
        const Token &open = next();
        NodePtr inner = parse_expression();
        const Token &close = expect(TokenKind::rparen, "')'");
        inner->span.begin = open.span.begin;
        inner->span.offset = open.span.offset;
        inner->span.length = close.span.offset + close.span.length - open.span.offset;
        return inner;
      }
      default:
        fail(ErrorCode::parse, peek().span.begin, fmt::format("expected an expression but found {}", describe(peek())));
    }
  }

  NodePtr parse_name_or_call() {
    const Token &id = next();
    if (!is(TokenKind::lparen)) {
      NodePtr node = leaf(NodeKind::name, id);
      node->name = std::string(id.text);
      return node;
    }
    NodePtr node = leaf(NodeKind::call, id);
    node->name = std::string(id.text);
    next();  // "("
    if (!is(TokenKind::rparen)) {
      adopt(*node, parse_expression());
      while (is(TokenKind::comma)) {
        next();
        adopt(*node, parse_expression());
      }
    }
    const Token &close = expect(TokenKind::rparen, "',' or ')' after a function argument");
    node->span.length = close.span.offset + close.span.length - node->span.offset;
    return node;
  }

  std::vector<Token> tokens_;
  const Limits &limits_;
  std::size_t at_ = 0;
  std::size_t depth_ = 0;
  std::size_t nodes_ = 0;
};

}  // namespace

NodePtr parse(std::string_view source, const Limits &limits) {
  if (source.size() > limits.max_length) {
    fail(ErrorCode::limit_exceeded, position_of(source, limits.max_length),
         fmt::format("expression longer than {} characters", limits.max_length));
  }
  return Parser(source, limits).parse_all();
}

}  // namespace riskkit::rules
