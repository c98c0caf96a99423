// Recognises GELU written out in elementary ops, as exporters of opsets before 20 write it, and
// makes one Gelu node of it (domain com.tandem, the ONNX op's definition): one kernel instead of
// five, and one that FusedMatMul can take in as its activation.
//
//   exact:  0.5 * x * (1 + Erf(x / sqrt(2)))                                x / 1.4142 or x * 0.7071
//   tanh:   0.5 * x * (1 + Tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))       x^3 as Pow(x, 3) or x * x * x
//
// with the product of x, (1 + …) and 0.5 in any of its exported orders: (x * p) * 0.5,
// x * (p * 0.5), (x * 0.5) * p, and / 2 for * 0.5.
#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ops/tandem_domain.h"
#include "passes/fusion.h"
#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"
#include "passes/value_types.h"

namespace tandem::passes {
namespace {

// Exporters write the constants in f32, some of them truncated (1.4142): 1e-4 relative takes
// those and nothing that would change the function by more than f32 rounding does.
constexpr double kConstantTolerance = 1e-4;

// What one Gelu replaces.
struct Match {
  std::vector<int> nodes;
  std::string x, y;
  bool tanh = false;
  int function = -1;  // the Erf or Tanh
};

class GeluFuser {
 public:
  explicit GeluFuser(ir::Model& model)
      : graph_(*model.graph),
        index_(graph_),
        types_(infer_value_types(model, index_)),
        opset_(model.opset("")),
        fusions_(graph_) {}

  bool run() {
    // Opset 7 brought numpy broadcasting to Mul, Div and Add, which the scalars rely on.
    if (opset_ < 7) return false;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      const ir::Node& node = graph_.nodes[i];
      if (fusions_.is_taken(int(i)) || node.inputs.size() != 1 || node.outputs.size() != 1)
        continue;
      std::optional<Match> m;
      if (is_onnx(node, "Erf")) m = match_erf(int(i));
      if (is_onnx(node, "Tanh")) m = match_tanh(int(i));
      if (m) fusions_.add(m->nodes, fused_node(*m));
    }
    return fusions_.apply();
  }

 private:
  int next(const std::string& value) const { return fusions_.sole_free_reader(index_, value); }

  // The producer of `value` when `value` is its one output and nothing but the pattern's next
  // node reads it (so it can disappear into the fused node); else -1.
  int private_producer(const std::string& value) const {
    const int p = index_.producer(value);
    if (p < 0 || fusions_.is_taken(p) || index_.sole_reader(value) < 0) return -1;
    return graph_.nodes[p].outputs.size() == 1 ? p : -1;
  }

  // Whether `name` is a scalar constant near `want` that broadcasts into x without growing it:
  // of rank 0, or no higher than x's where that is known.
  bool is_scalar(const std::string& name, const std::string& x, double want) const {
    const Tensor* t = constant_of(graph_, index_, name);
    if (!t) return false;
    auto type = types_.find(x);
    const bool known = type != types_.end() && type->second.is_tensor() &&
                       type->second.shape.rank_known();
    if (t->rank() > (known ? type->second.shape.rank() : 0)) return false;
    return is_scalar_near(graph_, index_, name, want, kConstantTolerance);
  }

  // x * c or c * x (op Mul) or x / c (op Div) with a scalar c near `want`: the other operand x.
  std::optional<std::string> scaled_operand(const ir::Node& node, double want_mul) const {
    if (node.inputs.size() != 2 || node.outputs.size() != 1) return std::nullopt;
    if (is_onnx(node, "Mul")) {
      for (int i : {0, 1})
        if (is_scalar(node.inputs[1 - i], node.inputs[i], want_mul)) return node.inputs[i];
      return std::nullopt;
    }
    if (is_onnx(node, "Div") && is_scalar(node.inputs[1], node.inputs[0], 1.0 / want_mul))
      return node.inputs[0];
    return std::nullopt;
  }

  // Erf(x / sqrt(2)) then the common tail.
  std::optional<Match> match_erf(int erf) const {
    const int scale = private_producer(graph_.nodes[erf].inputs[0]);
    if (scale < 0) return std::nullopt;
    const std::optional<std::string> x =
        scaled_operand(graph_.nodes[scale], 1.0 / std::numbers::sqrt2);
    if (!x) return std::nullopt;
    return tail(Match{{scale, erf}, *x, "", false, erf}, graph_.nodes[erf].outputs[0]);
  }

  // Tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)) then the common tail.
  std::optional<Match> match_tanh(int tanh) const {
    const int outer = private_producer(graph_.nodes[tanh].inputs[0]);
    if (outer < 0) return std::nullopt;
    const std::optional<std::string> sum =
        scaled_operand(graph_.nodes[outer], std::sqrt(2.0 / std::numbers::pi));
    const int add = sum ? private_producer(*sum) : -1;
    if (add < 0 || !is_onnx(graph_.nodes[add], "Add") || graph_.nodes[add].inputs.size() != 2)
      return std::nullopt;
    // One operand of the Add is x, the other 0.044715 * x^3: try both.
    for (int i : {0, 1}) {
      const std::string& x = graph_.nodes[add].inputs[i];
      const int cubic = private_producer(graph_.nodes[add].inputs[1 - i]);
      const std::optional<std::string> cube =
          cubic < 0 ? std::nullopt : scaled_operand(graph_.nodes[cubic], 0.044715);
      std::vector<int> nodes = cube ? cube_of(x, *cube) : std::vector<int>{};
      if (nodes.empty()) continue;
      nodes.insert(nodes.end(), {cubic, add, outer, tanh});
      return tail(Match{std::move(nodes), x, "", true, tanh}, graph_.nodes[tanh].outputs[0]);
    }
    return std::nullopt;
  }

  // The nodes computing `cube` as x^3: Pow(x, 3), or (x * x) * x in either order; none if not.
  std::vector<int> cube_of(const std::string& x, const std::string& cube) const {
    const int outer = private_producer(cube);
    if (outer < 0) return {};
    const ir::Node& node = graph_.nodes[outer];
    if (is_onnx(node, "Pow"))
      return node.inputs.size() == 2 && node.inputs[0] == x && is_scalar(node.inputs[1], x, 3.0)
                 ? std::vector<int>{outer}
                 : std::vector<int>{};
    if (!is_onnx(node, "Mul")) return {};
    const std::string square = other_input(node, x);
    const int inner = square.empty() ? -1 : private_producer(square);
    if (inner < 0 || !is_onnx(graph_.nodes[inner], "Mul") ||
        graph_.nodes[inner].inputs != std::vector<std::string>{x, x})
      return {};
    return {inner, outer};
  }

  // 0.5 * x * p where p = 1 + f (f the output of Erf or Tanh), in the exported orders.
  std::optional<Match> tail(Match m, const std::string& f) const {
    const int plus = next(f);
    if (plus < 0 || !is_onnx(graph_.nodes[plus], "Add") ||
        graph_.nodes[plus].outputs.size() != 1 ||
        !is_scalar(other_input(graph_.nodes[plus], f), m.x, 1.0))
      return std::nullopt;
    m.nodes.push_back(plus);
    const std::string& p = graph_.nodes[plus].outputs[0];
    const int first = next(p);
    if (first < 0) return std::nullopt;
    const ir::Node& node = graph_.nodes[first];
    m.nodes.push_back(first);
    m.y = node.outputs.empty() ? "" : node.outputs[0];
    const bool is_mul = is_onnx(node, "Mul") && node.inputs.size() == 2 && node.outputs.size() == 1;
    if (is_mul && other_input(node, p) == m.x) {
      // (x * p) * 0.5
      const int last = next(m.y);
      if (last < 0 || scaled_operand(graph_.nodes[last], 0.5) != m.y) return std::nullopt;
      m.nodes.push_back(last);
      m.y = graph_.nodes[last].outputs[0];
      return m;
    }
    if (scaled_operand(node, 0.5) == p) {
      // x * (p * 0.5)
      const int last = next(m.y);
      if (last < 0 || !is_onnx(graph_.nodes[last], "Mul") ||
          graph_.nodes[last].outputs.size() != 1 || other_input(graph_.nodes[last], m.y) != m.x)
        return std::nullopt;
      m.nodes.push_back(last);
      m.y = graph_.nodes[last].outputs[0];
      return m;
    }
    // (x * 0.5) * p
    if (!is_mul) return std::nullopt;
    const int half = private_producer(other_input(node, p));
    if (half < 0 || scaled_operand(graph_.nodes[half], 0.5) != m.x) return std::nullopt;
    m.nodes.push_back(half);
    return m;
  }

  ir::Node fused_node(const Match& m) const {
    // Named after the Erf or Tanh, the node that says which function this is.
    const ir::Node& named = graph_.nodes[m.function];
    return ir::Node{named.name,
                    "Gelu",
                    std::string(ops::kTandemDomain),
                    {m.x},
                    {m.y},
                    {{"approximate", std::string(m.tanh ? "tanh" : "none")}}};
  }

  ir::Graph& graph_;
  const GraphIndex index_;
  const std::unordered_map<std::string, ValueType> types_;
  const int opset_;
  Fusions fusions_;
};

}  // namespace

void fuse_gelu(ir::Model& model) {
  if (!GeluFuser(model).run()) return;
  model.opsets[std::string(ops::kTandemDomain)] = ops::kTandemOpset;
}

}  // namespace tandem::passes
