// Fuses a linear layer, MatMul by a constant 2-D weight then Add of a constant bias of one value
// per output column, with the activation after it into one FusedMatMul node: oneDNN adds the bias
// and applies the activation while each tile of the product is still in cache, instead of two
// more passes over the output.
#include <optional>
#include <string>
#include <vector>

#include "ops/nn/fused_conv.h"
#include "passes/fusion.h"
#include "passes/graph_index.h"
#include "passes/node_match.h"
#include "passes/passes.h"

namespace tandem::passes {
namespace {

class MatMulFuser {
 public:
  explicit MatMulFuser(ir::Model& model)
      : graph_(*model.graph), index_(graph_), opset_(model.opset("")), fusions_(graph_) {}

  bool run() {
    // Opset 7 brought numpy broadcasting to Add: before it, a bias Add needed attributes.
    if (opset_ < 7) return false;
    for (size_t i = 0; i < graph_.nodes.size(); ++i)
      if (!fusions_.is_taken(int(i))) fuse(int(i));
    return fusions_.apply();
  }

 private:
  int next(const std::string& value) const { return fusions_.sole_free_reader(index_, value); }

  void fuse(int m) {
    const ir::Node& matmul = graph_.nodes[m];
    if (!is_onnx(matmul, "MatMul") || matmul.inputs.size() != 2 || matmul.outputs.size() != 1)
      return;
    const Tensor* weights = constant_of(graph_, index_, matmul.inputs[1]);
    if (!weights || weights->rank() != 2) return;
    const int a = next(matmul.outputs[0]);
    if (a < 0) return;
    const ir::Node& add = graph_.nodes[a];
    if (!is_onnx(add, "Add") || add.outputs.size() != 1) return;
    const std::string bias = other_input(add, matmul.outputs[0]);
    const Tensor* b = bias.empty() ? nullptr : constant_of(graph_, index_, bias);
    // A bias of more dimensions would broadcast the product into a larger shape.
    if (!b || b->rank() != 1 || b->shape()[0] != weights->shape()[1] ||
        b->element_type() != weights->element_type())
      return;
    std::vector<int> nodes{m, a};
    ir::Node fused{matmul.name, "FusedMatMul", std::string(ops::kTandemDomain),
                   {matmul.inputs[0], matmul.inputs[1], bias}, add.outputs, {}};
    if (const int act = next(add.outputs[0]); act >= 0) {
      const ir::Node& node = graph_.nodes[act];
      const std::optional<ops::Activation> activation =
          node.outputs.size() == 1 && !node.inputs.empty() && node.inputs[0] == add.outputs[0]
              ? activation_of(node, opset_, index_)
              : std::nullopt;
      if (activation) {
        ops::write_activation(*activation, fused);
        fused.outputs = node.outputs;
        nodes.push_back(act);
      }
    }
    fusions_.add(nodes, std::move(fused));
  }

  ir::Graph& graph_;
  const GraphIndex index_;
  const int opset_;
  Fusions fusions_;
};

}  // namespace

void fuse_matmul(ir::Model& model) {
  if (!MatMulFuser(model).run()) return;
  model.opsets[std::string(ops::kTandemDomain)] = ops::kTandemOpset;
}

}  // namespace tandem::passes
