// Folds constant per-channel arithmetic after a Conv into its weights and bias:
//   conv(x, W) + b then + c, - c, * s or / s (c, s constant, one value per output channel or one
//   for all) = conv(x, W') + b'
// Converted models write bias and BatchNorm out this way (Open-NSFW: Add, Sub, Mul, Add after
// each of its 53 Convs), four passes over memory that the fold makes none.
#include <string>
#include <vector>

#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

enum class Arithmetic { Add, Sub, Mul, Div };

// `c` as one value per channel of a conv output of rank `rank` with `channels` channels: its
// shape broadcasts as [C,1,...] against [N,C,...] (a scalar, [1], [C,1,1], [1,C,1,1]) and its
// element type is f32. Empty when it is not.
std::vector<double> per_channel(const Tensor* c, size_t rank, int64_t channels) {
  if (!c || c->element_type() != ElementType::F32 || c->rank() > rank) return {};
  const Shape& s = c->shape();
  const size_t lead = rank - s.size();  // dimensions broadcast in front
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != 1 && !(lead + i == 1 && s[i] == channels)) return {};
  std::vector<double> values(static_cast<size_t>(channels));
  const float* data = c->data<float>();
  for (int64_t k = 0; k < channels; ++k) values[size_t(k)] = data[c->size() == 1 ? 0 : k];
  return values;
}

class AffineFolder {
 public:
  explicit AffineFolder(ir::Model& model) : model_(model), graph_(*model.graph), index_(graph_) {}

  // Folds each Conv's chain of arithmetic; returns whether anything was folded.
  bool run() {
    std::vector<bool> folded(graph_.nodes.size());
    bool any = false;
    for (size_t c = 0; c < graph_.nodes.size(); ++c) {
      if (folded[c] || !is_onnx(graph_.nodes[c], "Conv")) continue;
      for (int a = next(int(c)); a >= 0 && fold(int(c), a); a = next(int(c))) any = folded[a] = true;
    }
    if (!any) return false;
    std::vector<ir::Node> kept;
    for (size_t i = 0; i < graph_.nodes.size(); ++i)
      if (!folded[i]) kept.push_back(std::move(graph_.nodes[i]));
    graph_.nodes = std::move(kept);
    drop_unread_initializers(graph_);
    return true;
  }

 private:
  // The node that alone reads Conv `c`'s output (the index predates the folds, which move the
  // Conv's output name forward to each folded node's).
  int next(int c) const {
    const ir::Node& conv = graph_.nodes[c];
    return conv.outputs.size() == 1 ? index_.sole_reader(conv.outputs[0]) : -1;
  }

  // Folds node `a` into Conv `c` where it is constant per-channel arithmetic on the Conv's output.
  bool fold(int c, int a) {
    ir::Node& conv = graph_.nodes[c];
    const ir::Node& node = graph_.nodes[a];
    if (model_.opset("") < 7 || node.inputs.size() != 2 || node.outputs.size() != 1) return false;
    Arithmetic op;
    if (is_onnx(node, "Add")) op = Arithmetic::Add;
    else if (is_onnx(node, "Sub")) op = Arithmetic::Sub;
    else if (is_onnx(node, "Mul")) op = Arithmetic::Mul;
    else if (is_onnx(node, "Div")) op = Arithmetic::Div;
    else return false;
    const std::string& y = conv.outputs[0];
    // The Conv's output on the left; Add and Mul commute.
    const bool conv_first = node.inputs[0] == y;
    if ((!conv_first && node.inputs[1] != y) || node.inputs[0] == node.inputs[1]) return false;
    if (!conv_first && (op == Arithmetic::Sub || op == Arithmetic::Div)) return false;
    const Tensor* w = conv_constant(conv, 1);
    if (!w || w->rank() < 3) return false;
    const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
    const Tensor* bias = has_bias ? conv_constant(conv, 2) : nullptr;
    const int64_t m = w->shape()[0];
    if (has_bias && (!bias || bias->shape() != Shape{m})) return false;
    const std::vector<double> c_values =
        per_channel(constant_of(graph_, index_, node.inputs[conv_first ? 1 : 0]), w->rank(), m);
    if (c_values.empty()) return false;

    const bool scales = op == Arithmetic::Mul || op == Arithmetic::Div;
    if (op == Arithmetic::Div)
      for (double v : c_values)
        if (v == 0) return false;  // x / 0 is inf or NaN by x's sign, which no scaled weight gives
    // In double, so that the folded values round once.
    std::vector<double> scale(size_t(m), 1.0);
    Tensor new_b(ElementType::F32, Shape{m});
    for (int64_t k = 0; k < m; ++k) {
      const double v = c_values[size_t(k)], b = bias ? bias->data<float>()[k] : 0.0;
      if (scales) scale[size_t(k)] = op == Arithmetic::Mul ? v : 1.0 / v;
      const double shift = op == Arithmetic::Add ? v : op == Arithmetic::Sub ? -v : 0.0;
      new_b.data<float>()[k] = float(b * scale[size_t(k)] + shift);
    }
    if (scales) {
      Tensor new_w(ElementType::F32, w->shape());
      const int64_t per_filter = w->size() / m;
      for (int64_t i = 0; i < w->size(); ++i)
        new_w.data<float>()[i] = float(w->data<float>()[i] * scale[size_t(i / per_filter)]);
      const std::string w_name = names_.value(conv.inputs[1] + "_scaled");
      graph_.initializers[w_name] = new_w;
      conv.inputs[1] = w_name;
    }
    const std::string b_name = names_.value(conv.name + "_folded_bias");
    graph_.initializers[b_name] = new_b;
    conv.inputs.resize(3);
    conv.inputs[2] = b_name;
    conv.outputs[0] = node.outputs[0];
    return true;
  }

  // The Conv's input i as an f32 constant: an initializer, or one the folds wrote (not indexed).
  const Tensor* conv_constant(const ir::Node& conv, size_t i) const {
    if (auto it = graph_.initializers.find(conv.inputs[i]); it != graph_.initializers.end())
      return it->second.element_type() == ElementType::F32 && !is_graph_input(conv.inputs[i]) ? &it->second : nullptr;
    const Tensor* t = constant_of(graph_, index_, conv.inputs[i]);
    return t && t->element_type() == ElementType::F32 ? t : nullptr;
  }

  bool is_graph_input(const std::string& name) const {
    for (const Port& input : graph_.inputs)
      if (input.name == name) return true;
    return false;
  }

  ir::Model& model_;
  ir::Graph& graph_;
  const GraphIndex index_;
  NameSource names_{graph_};
};

}  // namespace

void fold_conv_affine(ir::Model& model) { AffineFolder(model).run(); }

}  // namespace tandem::passes
