// Recognises a layer normalisation written out in elementary ops, as exporters of opsets before
// 17 write it (torch's LayerNorm, BERT's and ViT's), and makes one LayerNormalization node of it
// (domain com.tandem, the ONNX op's definition): one pass over the row instead of nine kernels
// and eight intermediate tensors.
//
//   mean = ReduceMean(x, axes=[-1])       d = x - mean
//   var  = ReduceMean(Pow(d, 2) | d * d)  std = Sqrt(var + eps)
//   n    = d / std | d * Reciprocal(std) | d * (1 / std)
//   y    = n * gamma [+ beta]
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

bool is_floating(ElementType type) {
  return type == ElementType::F32 || type == ElementType::F16 || type == ElementType::BF16 ||
         type == ElementType::F64;
}

// What one LayerNormalization replaces, and what it reads.
struct Match {
  std::vector<int> nodes;
  std::string x, gamma, beta, y;  // beta "" without the Add
  float epsilon = 0;
};

class LayerNormFuser {
 public:
  explicit LayerNormFuser(ir::Model& model)
      : graph_(*model.graph),
        index_(graph_),
        types_(infer_value_types(model, index_)),
        opset_(model.opset("")),
        fusions_(graph_) {}

  bool run() {
    // Opset 7 brought numpy broadcasting to Sub, Div, Mul and Add, which the pattern relies on.
    if (opset_ < 7) return false;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      if (fusions_.is_taken(int(i))) continue;
      if (const std::optional<Match> m = match(int(i))) fusions_.add(m->nodes, fused_node(*m));
    }
    return fusions_.apply();
  }

 private:
  int next(const std::string& value) const { return fusions_.sole_free_reader(index_, value); }

  // The node reading `value` alone when it is the ONNX op `op` with one output; else -1.
  int next_op(const std::string& value, std::string_view op) const {
    const int n = next(value);
    return n >= 0 && is_onnx(graph_.nodes[n], op) && graph_.nodes[n].outputs.size() == 1 ? n : -1;
  }

  // x's type when it is a floating tensor whose last dimension is known: its rank and that
  // dimension, which the axes, gamma and beta are checked against.
  const ValueType* known_type(const std::string& x) const {
    auto it = types_.find(x);
    if (it == types_.end() || !it->second.is_tensor() || !is_floating(it->second.element_type))
      return nullptr;
    const PartialShape& shape = it->second.shape;
    if (!shape.rank_known() || shape.rank() == 0 || !shape[shape.rank() - 1].is_static())
      return nullptr;
    return &it->second;
  }

  // Whether `mean` is ReduceMean over the last axis only of a tensor of `rank`, keeping it.
  bool reduces_last_axis(const ir::Node& mean, size_t rank) const {
    if (!is_onnx(mean, "ReduceMean") || mean.outputs.size() != 1 || mean.inputs.empty()) return false;
    const ir::Attribute* keepdims = mean.find_attribute("keepdims");
    if (keepdims && std::get_if<int64_t>(keepdims) && *std::get_if<int64_t>(keepdims) != 1)
      return false;
    std::vector<int64_t> axes;
    if (opset_ < 18) {
      const ir::Attribute* a = mean.find_attribute("axes");
      if (!a || !std::get_if<std::vector<int64_t>>(a)) return false;
      axes = *std::get_if<std::vector<int64_t>>(a);
    } else {
      // Opset 18 moved the axes to an input.
      if (mean.inputs.size() < 2 || mean.inputs[1].empty()) return false;
      const Tensor* t = constant_of(graph_, index_, mean.inputs[1]);
      if (!t || (t->element_type() != ElementType::I64 && t->element_type() != ElementType::I32))
        return false;
      axes = t->to_int64();
    }
    return axes.size() == 1 && (axes[0] == -1 || axes[0] == int64_t(rank) - 1);
  }

  // A scalar constant that broadcasts into x's shape without growing it.
  std::optional<double> scalar_within(const std::string& name, size_t rank) const {
    const Tensor* t = constant_of(graph_, index_, name);
    if (!t || t->rank() > rank) return std::nullopt;
    return scalar_of(graph_, index_, name);
  }

  // gamma or beta: a constant of x's type holding one value per element of the last axis.
  bool is_parameter(const std::string& name, const ValueType& x) const {
    const Tensor* t = constant_of(graph_, index_, name);
    return t && t->element_type() == x.element_type && t->rank() == 1 &&
           t->shape()[0] == x.shape[x.shape.rank() - 1].value;
  }

  // Whether `node` starts the variance branch: Pow(d, 2) or Mul(d, d).
  bool squares(const ir::Node& node, const std::string& d, size_t rank) const {
    if (node.outputs.size() != 1 || node.inputs.size() != 2 || node.inputs[0] != d) return false;
    if (is_onnx(node, "Mul")) return node.inputs[1] == d;
    if (!is_onnx(node, "Pow")) return false;
    const std::optional<double> exponent = scalar_within(node.inputs[1], rank);
    return exponent && *exponent == 2.0;
  }

  std::optional<Match> match(int first) const {
    const ir::Node& mean = graph_.nodes[first];
    if (mean.inputs.empty()) return std::nullopt;
    Match m{{first}, mean.inputs[0]};
    const ValueType* x = known_type(m.x);
    if (!x) return std::nullopt;
    const size_t rank = x->shape.rank();
    if (!reduces_last_axis(mean, rank)) return std::nullopt;

    const int sub = next_op(mean.outputs[0], "Sub");
    if (sub < 0 || graph_.nodes[sub].inputs != std::vector<std::string>{m.x, mean.outputs[0]})
      return std::nullopt;
    m.nodes.push_back(sub);
    const std::string& d = graph_.nodes[sub].outputs[0];

    // d is read by the squaring (once, or twice as d * d) and the normalisation, nothing else.
    if (index_.is_observed(d)) return std::nullopt;
    int square = -1, normalise = -1;
    for (int r : index_.readers(d)) {
      if (fusions_.is_taken(r)) return std::nullopt;
      if (r == square || r == normalise) continue;
      if (square < 0 && squares(graph_.nodes[r], d, rank))
        square = r;
      else if (normalise < 0)
        normalise = r;
      else
        return std::nullopt;
    }
    if (square < 0 || normalise < 0) return std::nullopt;
    m.nodes.push_back(square);

    const int variance = next(graph_.nodes[square].outputs[0]);
    if (variance < 0 || !reduces_last_axis(graph_.nodes[variance], rank) ||
        graph_.nodes[variance].inputs[0] != graph_.nodes[square].outputs[0])
      return std::nullopt;
    m.nodes.push_back(variance);

    const int add = next_op(graph_.nodes[variance].outputs[0], "Add");
    if (add < 0) return std::nullopt;
    const std::optional<double> epsilon =
        scalar_within(other_input(graph_.nodes[add], graph_.nodes[variance].outputs[0]), rank);
    if (!epsilon || *epsilon < 0) return std::nullopt;
    m.epsilon = float(*epsilon);
    m.nodes.push_back(add);

    const int sqrt = next_op(graph_.nodes[add].outputs[0], "Sqrt");
    if (sqrt < 0 || !divides(normalise, d, sqrt, rank, m.nodes)) return std::nullopt;
    m.nodes.push_back(sqrt);
    m.nodes.push_back(normalise);

    const std::string& n = graph_.nodes[normalise].outputs[0];
    const int scale = next_op(n, "Mul");
    if (scale < 0) return std::nullopt;
    m.gamma = other_input(graph_.nodes[scale], n);
    if (m.gamma == n || !is_parameter(m.gamma, *x)) return std::nullopt;
    m.nodes.push_back(scale);
    m.y = graph_.nodes[scale].outputs[0];

    if (const int shift = next_op(m.y, "Add"); shift >= 0) {
      const std::string beta = other_input(graph_.nodes[shift], m.y);
      if (beta != m.y && is_parameter(beta, *x)) {
        m.beta = beta;
        m.nodes.push_back(shift);
        m.y = graph_.nodes[shift].outputs[0];
      }
    }
    return m;
  }

  // Whether `normalise` divides d by the Sqrt's output: Div(d, std), or Mul(d, r) where r is
  // Reciprocal(std) or Div(1, std), read by that Mul alone (added to `nodes`).
  bool divides(int normalise, const std::string& d, int sqrt, size_t rank,
               std::vector<int>& nodes) const {
    const ir::Node& node = graph_.nodes[normalise];
    const std::string& std_dev = graph_.nodes[sqrt].outputs[0];
    if (node.outputs.size() != 1 || node.inputs.size() != 2) return false;
    if (is_onnx(node, "Div"))
      return node.inputs[0] == d && node.inputs[1] == std_dev && next(std_dev) == normalise;
    if (!is_onnx(node, "Mul")) return false;
    const int r = next(std_dev);
    if (r < 0 || graph_.nodes[r].outputs.size() != 1 ||
        next(graph_.nodes[r].outputs[0]) != normalise ||
        other_input(node, d) != graph_.nodes[r].outputs[0])
      return false;
    const ir::Node& reciprocal = graph_.nodes[r];
    const bool is_reciprocal =
        (is_onnx(reciprocal, "Reciprocal") && reciprocal.inputs.size() == 1) ||
        (is_onnx(reciprocal, "Div") && reciprocal.inputs.size() == 2 &&
         reciprocal.inputs[1] == std_dev && scalar_within(reciprocal.inputs[0], rank) == 1.0);
    if (!is_reciprocal) return false;
    nodes.push_back(r);
    return true;
  }

  ir::Node fused_node(const Match& m) const {
    // Named after the first ReduceMean, as FusedConv is after its Conv: profiles and placement
    // reports list the others as fused into it.
    ir::Node node{graph_.nodes[m.nodes[0]].name,
                  "LayerNormalization",
                  std::string(ops::kTandemDomain),
                  {m.x, m.gamma},
                  {m.y},
                  {{"axis", int64_t(-1)}, {"epsilon", m.epsilon}}};
    if (!m.beta.empty()) node.inputs.push_back(m.beta);
    return node;
  }

  ir::Graph& graph_;
  const GraphIndex index_;
  const std::unordered_map<std::string, ValueType> types_;
  const int opset_;
  Fusions fusions_;
};

}  // namespace

void fuse_layer_norm(ir::Model& model) {
  if (!LayerNormFuser(model).run()) return;
  model.opsets[std::string(ops::kTandemDomain)] = ops::kTandemOpset;
}

}  // namespace tandem::passes
