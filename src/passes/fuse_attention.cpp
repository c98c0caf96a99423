// Recognises scaled dot-product attention written out as exporters write it (Hugging Face BERT,
// torch's nn.MultiheadAttention in ViT) and makes one MultiHeadAttention node (domain com.tandem,
// ops/attention/multi_head_attention.h) of it: one kernel that reads Q, K and V where the
// projections wrote them and writes its output where the output projection reads it, instead of
// four transposed copies, two matmuls, a scale, a mask add and a softmax.
//
//   q, k, v   [B, S, H, D], a Reshape of the projections' outputs ([S, H, D] without a batch)
//   Q = Transpose(q) [B, H, S, D]    K = Transpose(k) [B, H, D, S]    V = Transpose(v) [B, H, S, D]
//   P = Softmax(Q.K [* c | / c] [+ mask], last axis)
//   y = Transpose(P.V) [B, S, H, D]
//
// where each Transpose may be a chain of them whose permutations compose to the one shown, and
// the scale may be any number of Mul or Div by scalar constants, on the scores or on Q or K (ViT
// divides Q). The Reshapes before and after stay: they are views, which cost nothing, and their
// static shapes tell the pass the layout of q, k and v, where the projections' own shapes are
// known only once the plan folds the shape arithmetic (ViT slices one projection in three).
#include <cmath>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ops/tandem_domain.h"
#include "passes/fusion.h"
#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"
#include "passes/value_types.h"

namespace tandem::passes {
namespace {

using Perm = std::vector<int64_t>;

// The permutations from q's layout [B, S, H, D] (or [S, H, D]) to the matmuls' operands: heads
// first for Q and V, and for K also the head size before the sequence. The first is its own
// inverse, so it also takes P.V back to the output's layout.
Perm heads_first(size_t rank) { return rank == 4 ? Perm{0, 2, 1, 3} : Perm{1, 0, 2}; }
Perm keys_transposed(size_t rank) { return rank == 4 ? Perm{0, 2, 3, 1} : Perm{1, 2, 0}; }

// An operand of a matmul traced back to the tensor the fused node reads.
struct Operand {
  std::string value;
  std::vector<int> nodes;  // the Transposes and scalings between, which the fused node takes
  double scale = 1;
};

// What one MultiHeadAttention replaces.
struct Match {
  std::vector<int> nodes;
  std::string q, k, v, mask, y;  // mask "" without one
  double scale = 1;
};

class AttentionFuser {
 public:
  explicit AttentionFuser(ir::Model& model)
      : graph_(*model.graph),
        index_(graph_),
        types_(infer_value_types(model, index_)),
        opset_(model.opset("")),
        fusions_(graph_) {}

  bool run() {
    // Opset 7 brought numpy broadcasting to Mul, Div and Add, which the scale and mask rely on.
    if (opset_ < 7) return false;
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      if (fusions_.is_taken(int(i)) || !is_onnx(graph_.nodes[i], "Softmax")) continue;
      if (const std::optional<Match> m = match(int(i)))
        fusions_.add(m->nodes, fused_node(*m, int(i)));
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

  // The shape of `value` when it is an f32 tensor of static shape; the kernel needs no less.
  const PartialShape* f32_shape(const std::string& value) const {
    auto it = types_.find(value);
    if (it == types_.end() || !it->second.is_tensor() ||
        it->second.element_type != ElementType::F32 || !it->second.shape.is_static())
      return nullptr;
    return &it->second.shape;
  }

  // Whether the node keeps `value`'s shape: the scale and the mask must not broadcast it wider.
  bool keeps_shape(const ir::Node& node, const std::string& value) const {
    const PartialShape* in = f32_shape(value);
    const PartialShape* out = f32_shape(node.outputs[0]);
    return in && out && *in == *out;
  }

  // For x * c, c * x or x / c with a scalar constant c: x and the factor; else nullopt.
  std::optional<std::pair<std::string, double>> scaling(const ir::Node& node) const {
    if (node.inputs.size() != 2 || node.outputs.size() != 1) return std::nullopt;
    const bool mul = is_onnx(node, "Mul");
    if (!mul && !is_onnx(node, "Div")) return std::nullopt;
    for (int i : {0, 1}) {
      if (!mul && i == 1) break;  // c / x is no scaling
      const std::optional<double> c = scalar_of(graph_, index_, node.inputs[1 - i]);
      if (c && *c != 0 && keeps_shape(node, node.inputs[i]))
        return std::pair(node.inputs[i], mul ? *c : 1 / *c);
    }
    return std::nullopt;
  }

  // A Transpose's permutation (reversed axes without the attribute); nullopt if it is not one
  // of `rank` axes.
  static std::optional<Perm> permutation(const ir::Node& node, size_t rank) {
    Perm perm(rank);
    for (size_t i = 0; i < rank; ++i) perm[i] = int64_t(rank - 1 - i);
    if (const ir::Attribute* a = node.find_attribute("perm")) {
      const auto* p = std::get_if<std::vector<int64_t>>(a);
      if (!p || p->size() != rank) return std::nullopt;
      perm = *p;
    }
    std::vector<bool> seen(rank);
    for (int64_t axis : perm) {
      if (axis < 0 || axis >= int64_t(rank) || seen[axis]) return std::nullopt;
      seen[axis] = true;
    }
    return perm;
  }

  // Traces a matmul operand back through the Transposes (and, where `scalable`, scalings) that
  // only the pattern reads, to the farthest tensor from which they compose to `want`.
  std::optional<Operand> operand(const std::string& value, const Perm& want, bool scalable) const {
    const size_t rank = want.size();
    Operand walk{value};
    Perm perm(rank);  // walked-to value's axis that each axis of `value` is
    for (size_t i = 0; i < rank; ++i) perm[i] = int64_t(i);
    std::optional<Operand> found;
    for (;;) {
      if (perm == want) found = walk;
      const int p = private_producer(walk.value);
      if (p < 0) return found;
      const ir::Node& node = graph_.nodes[p];
      if (is_onnx(node, "Transpose") && node.inputs.size() == 1) {
        const std::optional<Perm> step = permutation(node, rank);
        if (!step) return found;
        for (int64_t& axis : perm) axis = (*step)[axis];
        walk.value = node.inputs[0];
      } else if (const auto s = scalable ? scaling(node) : std::nullopt) {
        walk.value = s->first;
        walk.scale *= s->second;
      } else {
        return found;
      }
      walk.nodes.push_back(p);
    }
  }

  // Whether Softmax normalises over the last of `rank` axes. Before opset 13 it normalises the
  // axes from `axis` on flattened, the same thing for the last axis.
  bool on_last_axis(const ir::Node& softmax, size_t rank) const {
    int64_t axis = opset_ < 13 ? 1 : -1;
    if (const ir::Attribute* a = softmax.find_attribute("axis")) {
      const auto* value = std::get_if<int64_t>(a);
      if (!value) return false;
      axis = *value;
    }
    return axis == -1 || axis == int64_t(rank) - 1;
  }

  std::optional<Match> match(int s) const {
    const ir::Node& softmax = graph_.nodes[s];
    if (softmax.inputs.size() != 1 || softmax.outputs.size() != 1) return std::nullopt;
    const PartialShape* scores = f32_shape(softmax.inputs[0]);
    if (!scores || (scores->rank() != 3 && scores->rank() != 4) ||
        !on_last_axis(softmax, scores->rank()))
      return std::nullopt;
    // The mask is either operand of the Add; the scores are the other.
    if (const int add = private_producer(softmax.inputs[0]); add >= 0) {
      const ir::Node& node = graph_.nodes[add];
      if (is_onnx(node, "Add") && node.inputs.size() == 2)
        for (int i : {0, 1}) {
          const PartialShape* mask = f32_shape(node.inputs[1 - i]);
          if (!mask || mask->rank() > scores->rank() || !keeps_shape(node, node.inputs[i]))
            continue;
          if (auto m =
                  match_scores(s, node.inputs[i], Match{{s, add}, "", "", "", node.inputs[1 - i]}))
            return m;
        }
    }
    return match_scores(s, softmax.inputs[0], Match{{s}});
  }

  // From the scores `value` (after the scalings) on: the matmuls and their operands.
  std::optional<Match> match_scores(int s, std::string value, Match m) const {
    const size_t rank = f32_shape(value)->rank();
    int qk = private_producer(value);
    // Scalings of the scores, before the mask: the mask itself is not scaled.
    for (; qk >= 0; qk = private_producer(value)) {
      const auto scaled = scaling(graph_.nodes[qk]);
      if (!scaled) break;
      m.nodes.push_back(qk);
      value = scaled->first;
      m.scale *= scaled->second;
    }
    if (qk < 0 || !is_onnx(graph_.nodes[qk], "MatMul") || graph_.nodes[qk].inputs.size() != 2)
      return std::nullopt;
    const int pv = next(graph_.nodes[s].outputs[0]);
    if (pv < 0 || !is_onnx(graph_.nodes[pv], "MatMul") || graph_.nodes[pv].inputs.size() != 2 ||
        graph_.nodes[pv].outputs.size() != 1 ||
        graph_.nodes[pv].inputs[0] != graph_.nodes[s].outputs[0])
      return std::nullopt;
    const std::optional<Operand> q = operand(graph_.nodes[qk].inputs[0], heads_first(rank), true);
    const std::optional<Operand> k =
        operand(graph_.nodes[qk].inputs[1], keys_transposed(rank), true);
    const std::optional<Operand> v = operand(graph_.nodes[pv].inputs[1], heads_first(rank), false);
    std::vector<int> out;
    const std::optional<std::string> y = output(graph_.nodes[pv].outputs[0], rank, out);
    if (!q || !k || !v || !y || !fit(q->value, k->value, v->value, rank)) return std::nullopt;
    m.q = q->value;
    m.k = k->value;
    m.v = v->value;
    m.y = *y;
    m.scale *= q->scale * k->scale;
    if (!std::isfinite(float(m.scale))) return std::nullopt;
    const auto take = [&](const std::vector<int>& nodes) {
      m.nodes.insert(m.nodes.end(), nodes.begin(), nodes.end());
    };
    take(q->nodes);
    take(k->nodes);
    take(v->nodes);
    take(out);
    m.nodes.push_back(qk);
    m.nodes.push_back(pv);
    return m;
  }

  // The Transposes after P.V that only the pattern reads, up to the first value in the layout
  // of q ([B, S, H, D]): that value, and the Transposes in `nodes`.
  std::optional<std::string> output(std::string value, size_t rank, std::vector<int>& nodes) const {
    Perm perm(rank);  // axis of P.V that each axis of `value` is
    for (size_t i = 0; i < rank; ++i) perm[i] = int64_t(i);
    for (int t = next(value); t >= 0; t = next(value)) {
      const ir::Node& node = graph_.nodes[t];
      const std::optional<Perm> step = is_onnx(node, "Transpose") && node.outputs.size() == 1
                                           ? permutation(node, rank)
                                           : std::nullopt;
      if (!step) return std::nullopt;
      Perm composed(rank);
      for (size_t i = 0; i < rank; ++i) composed[i] = perm[(*step)[i]];
      perm = composed;
      nodes.push_back(t);
      value = node.outputs[0];
      if (perm == heads_first(rank)) return value;
    }
    return std::nullopt;
  }

  // Whether q, k and v are f32 tensors of `rank` whose batch, heads, head size and key length
  // agree as one attention's do: [B, S_q, H, D], [B, S_kv, H, D], [B, S_kv, H, D_v].
  bool fit(const std::string& q, const std::string& k, const std::string& v, size_t rank) const {
    const PartialShape *qs = f32_shape(q), *ks = f32_shape(k), *vs = f32_shape(v);
    if (!qs || !ks || !vs || qs->rank() != rank || ks->rank() != rank || vs->rank() != rank)
      return false;
    const auto at = [&](const PartialShape* s, size_t from_end) {
      return (*s)[rank - 1 - from_end].value;
    };
    if (at(qs, 1) != at(ks, 1) || at(qs, 1) != at(vs, 1) || at(qs, 0) != at(ks, 0) ||
        at(ks, 2) != at(vs, 2))
      return false;
    return rank == 3 || (at(qs, 3) == at(ks, 3) && at(qs, 3) == at(vs, 3));
  }

  ir::Node fused_node(const Match& m, int softmax) const {
    // Named after the Softmax, the node that says this is attention.
    ir::Node node{graph_.nodes[softmax].name,
                  "MultiHeadAttention",
                  std::string(ops::kTandemDomain),
                  {m.q, m.k, m.v},
                  {m.y},
                  {{"scale", float(m.scale)}}};
    if (!m.mask.empty()) node.inputs.push_back(m.mask);
    return node;
  }

  ir::Graph& graph_;
  const GraphIndex index_;
  const std::unordered_map<std::string, ValueType> types_;
  const int opset_;
  Fusions fusions_;
};

}  // namespace

void fuse_attention(ir::Model& model) {
  if (!AttentionFuser(model).run()) return;
  model.opsets[std::string(ops::kTandemDomain)] = ops::kTandemOpset;
}

}  // namespace tandem::passes
