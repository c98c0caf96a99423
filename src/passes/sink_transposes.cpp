// Moves Transposes later in the graph, through the elementwise ops after them, until they meet
// one that undoes them and both go. Models converted from channels-last frameworks wrap every
// Conv in a Transpose to channels-first and one back (Open-NSFW: 108 Transposes around 53 Convs),
// with the bias, the normalisation and the activation in between, in channels-last; moved past
// those, each Transpose back meets the next one forward.
//
// One move at a time, each with a fresh index: a Transpose T (perm P) of `a` goes past all its
// readers at once, where each reader is
//   - a Transpose: the two compose into one, or into nothing when they undo each other;
//   - an elementwise op of one input: it reads `a`, and a new Transpose P follows it;
//   - an elementwise op of two inputs, or a Concat, whose other inputs are constants (laid out
//     again to match `a`) or Transposes P of other values: it reads the untransposed values (a
//     Concat along the axis P maps its own to), and a new Transpose P follows it.
// A move is made only where it adds no Transpose (it removes T and adds one per elementwise
// reader, less those it makes unread). Moving through an op never changes its results: an
// elementwise op commutes with any transposition of all its operands.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

using Perm = std::vector<int64_t>;

bool is_one_of(const ir::Node& node, std::initializer_list<std::string_view> ops) {
  for (std::string_view op : ops)
    if (is_onnx(node, op)) return true;
  return false;
}

bool is_unary_elementwise(const ir::Node& node) {
  if (node.outputs.size() != 1 || node.inputs.empty()) return false;
  // Clip's min and max are scalars (inputs 1 and 2 from opset 11): they broadcast either way.
  if (is_onnx(node, "Clip")) return true;
  return node.inputs.size() == 1 &&
         is_one_of(node, {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "Celu", "HardSigmoid",
                          "HardSwish", "Softplus", "Softsign", "Mish", "Abs", "Neg", "Exp", "Log", "Sqrt",
                          "Reciprocal", "Floor", "Ceil", "Round", "Erf", "Sign", "Sin", "Cos", "Not",
                          "Cast", "Identity", "ThresholdedRelu"});
}

bool is_binary_elementwise(const ir::Node& node) {
  return node.inputs.size() == 2 && node.outputs.size() == 1 &&
         is_one_of(node, {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Equal", "Less", "Greater",
                          "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"});
}

// A Concat with its axis given, which passes like a binary elementwise op with its axis mapped.
bool is_concat(const ir::Node& node) {
  if (!is_onnx(node, "Concat") || node.outputs.size() != 1 || node.inputs.empty()) return false;
  const ir::Attribute* axis = node.find_attribute("axis");
  return axis && std::holds_alternative<int64_t>(*axis);
}

std::optional<Perm> perm_of(const ir::Node& node) {
  if (!is_onnx(node, "Transpose") || node.inputs.size() != 1 || node.outputs.size() != 1) return std::nullopt;
  const ir::Attribute* a = node.find_attribute("perm");
  const Perm* perm = a ? std::get_if<Perm>(a) : nullptr;
  if (!perm) return std::nullopt;  // reverses the axes: the rank is needed first
  Perm sorted = *perm;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != int64_t(i)) return std::nullopt;
  return *perm;
}

Perm inverse(const Perm& p) {
  Perm inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[size_t(p[i])] = int64_t(i);
  return inv;
}

bool is_identity(const Perm& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != int64_t(i)) return false;
  return true;
}

// `t` of rank <= perm.size(), taken to that rank with leading 1s as numpy broadcasting does, then
// transposed by `perm`: out.dims[i] = in.dims[perm[i]].
Tensor transposed(const Tensor& t, const Perm& perm) {
  const size_t rank = perm.size();
  Shape in(rank - t.rank(), 1);
  in.insert(in.end(), t.shape().begin(), t.shape().end());
  Shape out(rank), in_strides(rank, 1);
  for (size_t i = rank; i-- > 1;) in_strides[i - 1] = in_strides[i] * in[i];
  for (size_t i = 0; i < rank; ++i) out[i] = in[size_t(perm[i])];
  Tensor result(t.element_type(), out);
  const size_t bytes = element_size(t.element_type());
  const auto* from = static_cast<const std::byte*>(t.data());
  auto* to = static_cast<std::byte*>(result.data());
  std::vector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < result.size(); ++n) {
    int64_t source = 0;
    for (size_t i = 0; i < rank; ++i) source += index[i] * in_strides[size_t(perm[i])];
    std::copy_n(from + source * bytes, bytes, to + n * bytes);
    for (size_t i = rank; i-- > 0;)
      if (++index[i] < out[i]) break;
      else index[i] = 0;
  }
  return result;
}

class TransposeSinker {
 public:
  explicit TransposeSinker(ir::Model& model) : model_(model), graph_(*model.graph) {}

  // Makes one move; false when none is left.
  bool move_one() {
    const GraphIndex index(graph_);
    for (size_t t = 0; t < graph_.nodes.size(); ++t) {
      const std::optional<Perm> perm = perm_of(graph_.nodes[t]);
      if (perm && movable(index, int(t), *perm)) {
        move(index, int(t), *perm);
        return true;
      }
    }
    return false;
  }

 private:
  // Whether Transpose `t` can go past every reader of its output, adding no Transpose.
  bool movable(const GraphIndex& index, int t, const Perm& perm) const {
    const std::string& b = graph_.nodes[t].outputs[0];
    const std::vector<int>& readers = index.readers(b);
    if (readers.empty() || index.is_observed(b) || graph_.nodes[t].inputs[0].empty()) return false;
    int added = -1;  // t itself goes
    for (size_t k = 0; k < readers.size(); ++k) {
      if (k > 0 && readers[k] == readers[k - 1]) continue;  // x op x: one reader
      const ir::Node& r = graph_.nodes[readers[k]];
      if (perm_of(r)) {
        if (index.is_observed(r.outputs[0]) && is_identity(compose(perm, *perm_of(r)))) return false;
        --added;  // composes with t into one Transpose, or none
        continue;
      }
      if (is_unary_elementwise(r)) {
        if (r.inputs[0] != b || std::count(r.inputs.begin(), r.inputs.end(), b) != 1) return false;
        ++added;
        continue;
      }
      const bool concat = is_concat(r);
      if (concat) {
        const int64_t k = std::get<int64_t>(*r.find_attribute("axis")), rank = int64_t(perm.size());
        if (k < -rank || k >= rank) return false;
      } else if (!is_binary_elementwise(r) || model_.opset("") < 7) {
        return false;
      }
      ++added;
      for (const std::string& operand : r.inputs) {
        if (operand == b) continue;
        if (const Tensor* c = constant_of(graph_, index, operand)) {
          // Concat does not broadcast: its constant operands have the full rank.
          if (c->rank() > perm.size() || (concat && c->rank() != perm.size())) return false;
          continue;
        }
        const int p = index.producer(operand);
        const std::optional<Perm> other = p >= 0 ? perm_of(graph_.nodes[p]) : std::nullopt;
        if (!other || *other != perm) return false;
        if (index.sole_reader(operand) == readers[k]) --added;  // that Transpose goes too
      }
    }
    return added <= 0;
  }

  // The perm of a Transpose `second` applied after `first`.
  static Perm compose(const Perm& first, const Perm& second) {
    Perm p(second.size());
    for (size_t i = 0; i < second.size(); ++i) p[i] = first[size_t(second[i])];
    return p;
  }

  void move(const GraphIndex& index, int t, const Perm& perm) {
    const std::string a = graph_.nodes[t].inputs[0], b = graph_.nodes[t].outputs[0];
    std::vector<int> readers = index.readers(b);
    readers.erase(std::unique(readers.begin(), readers.end()), readers.end());
    std::vector<bool> drop(graph_.nodes.size(), false);
    std::vector<std::pair<int, ir::Node>> inserted;  // after node, the new Transpose
    std::vector<std::pair<std::string, std::string>> renamed;  // value -> the value it now is
    drop[t] = true;
    for (int ri : readers) {
      ir::Node& r = graph_.nodes[ri];
      if (const std::optional<Perm> second = perm_of(r)) {
        const Perm both = compose(perm, *second);
        if (is_identity(both) && !index.is_observed(r.outputs[0])) {
          renamed.emplace_back(r.outputs[0], a);
          drop[ri] = true;
        } else {
          r.inputs[0] = a;
          r.attributes["perm"] = both;
        }
        continue;
      }
      for (std::string& operand : r.inputs) {
        if (operand == b) {
          operand = a;
        } else if (const Tensor* c = constant_of(graph_, index, operand)) {
          const std::string name = names_.value(operand + "_transposed");
          graph_.initializers[name] = transposed(*c, inverse(perm));
          operand = name;
        } else if (int p = index.producer(operand); p >= 0 && perm_of(graph_.nodes[p]) == perm) {
          if (index.sole_reader(operand) == ri) drop[p] = true;
          operand = graph_.nodes[p].inputs[0];
        }
      }
      // Concatenating along axis k of the transposed operands is concatenating along their axis
      // perm[k].
      if (is_concat(r)) {
        const ir::Attribute* axis = r.find_attribute("axis");
        const int64_t k = std::get<int64_t>(*axis);
        r.attributes["axis"] = perm[size_t(k < 0 ? k + int64_t(perm.size()) : k)];
      }
      const std::string out = r.outputs[0];
      r.outputs[0] = names_.value(out + "_untransposed");
      ir::Node follow{names_.node(r.name + "_transpose"), "Transpose", "", {r.outputs[0]}, {out}, {{"perm", perm}}};
      inserted.emplace_back(ri, std::move(follow));
    }
    std::vector<ir::Node> nodes;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      if (!drop[i]) nodes.push_back(std::move(graph_.nodes[i]));
      for (auto& [after, node] : inserted)
        if (after == int(i)) nodes.push_back(std::move(node));
    }
    for (ir::Node& node : nodes)
      for (std::string& input : node.inputs)
        for (const auto& [from, to] : renamed)
          if (input == from) input = to;
    graph_.nodes = std::move(nodes);
  }

  ir::Model& model_;
  ir::Graph& graph_;
  NameSource names_{graph_};
};

}  // namespace

void sink_transposes(ir::Model& model) {
  ir::Graph& graph = *model.graph;
  const size_t before = count_onnx(graph, "Transpose");
  if (before == 0) return;
  const ir::Graph original = graph;
  TransposeSinker sinker(model);
  // Each move takes a Transpose past a node, later in the graph: they run out.
  for (size_t moves = 0; moves < 4 * original.nodes.size() && sinker.move_one(); ++moves) {
  }
  // Every move adds no Transpose; should the graph still hold more than before, it goes back.
  if (count_onnx(graph, "Transpose") > before)
    graph = original;
  else
    drop_unread_initializers(graph);
}

}  // namespace tandem::passes
