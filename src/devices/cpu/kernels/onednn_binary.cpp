// oneDNN binary kernels for ONNX Add, Sub, Mul and Div on f32 tensors of static shapes with numpy
// broadcasting, multithreaded where the reference walks the output on one thread. Max and Min stay
// on the reference: ONNX propagates NaN through them, oneDNN's max and min do not. oneDNN 2.6
// broadcasts only its second source, so the operand with the output's shape goes first; Sub and Div
// whose first operand is the broadcast one are left to the reference.
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "ops/registry.h"

namespace tandem::cpu {
namespace {

using dnnl::memory;

struct BinaryOp {
  std::string_view op_type;
  dnnl::algorithm algorithm;
  bool commutative;
};

constexpr BinaryOp kBinaryOps[] = {
    {"Add", dnnl::algorithm::binary_add, true},
    {"Sub", dnnl::algorithm::binary_sub, false},
    {"Mul", dnnl::algorithm::binary_mul, true},
    {"Div", dnnl::algorithm::binary_div, false},
};

// A plain row-major descriptor; a scalar is viewed as one element.
memory::desc plain_desc(const Shape& shape) {
  memory::dims dims = shape.empty() ? memory::dims{1} : memory::dims(shape.begin(), shape.end());
  memory::dims strides(dims.size());
  memory::dim stride = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<memory::dim>(dims[i], 1);
  }
  return memory::desc(dims, memory::data_type::f32, strides);
}

// `shape` with leading ones up to `rank`, numpy's alignment from the right.
Shape left_padded(const Shape& shape, size_t rank) {
  Shape padded(rank - shape.size(), 1);
  padded.insert(padded.end(), shape.begin(), shape.end());
  return padded;
}

class OnednnBinary final : public Kernel {
 public:
  OnednnBinary(Shape a, Shape b, bool swapped, const dnnl::binary::primitive_desc& pd,
               ops::KernelFn reference)
      : a_(std::move(a)),
        b_(std::move(b)),
        swapped_(swapped),
        src0_md_(pd.src_desc(0)),
        src1_md_(pd.src_desc(1)),
        dst_md_(pd.dst_desc()),
        scratchpad_md_(pd.scratchpad_desc()),
        binary_(pd),
        reference_(reference),
        name_(std::string("onednn_binary_f32:") + pd.impl_info_str()) {}

  std::string_view name() const override { return name_; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor &a = ctx.input(0), &b = ctx.input(1);
    // The primitive is fixed to the shapes known at compile time; other shapes at run time (a
    // model whose declared shapes were wrong) go to the reference.
    if (a.element_type() != ElementType::F32 || b.element_type() != ElementType::F32 ||
        a.shape() != a_ || b.shape() != b_)
      return reference_(ctx);
    const Tensor& src0 = swapped_ ? b : a;
    const Tensor& src1 = swapped_ ? a : b;
    const dnnl::engine& engine = cpu_engine();
    Tensor& y = ctx.output(0);
    execute_memory_bound(
        binary_,
        {{DNNL_ARG_SRC_0, memory(src0_md_, engine, const_cast<void*>(src0.data()))},
         {DNNL_ARG_SRC_1, memory(src1_md_, engine, const_cast<void*>(src1.data()))},
         {DNNL_ARG_DST, memory(dst_md_, engine, y.data())},
         {DNNL_ARG_SCRATCHPAD,
          memory(scratchpad_md_, engine, thread_workspace(scratchpad_md_.get_size()))}},
        y.size());
  }

 private:
  Shape a_, b_;
  bool swapped_;  // src0 is B: A is the broadcast operand of a commutative op
  memory::desc src0_md_, src1_md_, dst_md_, scratchpad_md_;
  dnnl::binary binary_;
  ops::KernelFn reference_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> make_onednn_binary(const NodeInfo& info) {
  const ir::Node& node = info.node;
  if (!(node.domain.empty() || node.domain == "ai.onnx")) return nullptr;
  const auto op = std::find_if(std::begin(kBinaryOps), std::end(kBinaryOps),
                               [&](const BinaryOp& o) { return o.op_type == node.op_type; });
  if (op == std::end(kBinaryOps)) return nullptr;
  // Before opset 7 broadcasting takes the `broadcast` attribute and an `axis`, which the reference
  // handles.
  if (node.inputs.size() != 2 || node.outputs.size() != 1 || info.opset < 7) return nullptr;
  if (info.input_types.size() != 2 || !is_static_f32(info.input_types[0]) ||
      !is_static_f32(info.input_types[1]) || info.output_types.size() != 1 ||
      !is_static_f32(&info.output_types[0]))
    return nullptr;
  const Shape a = info.input_types[0]->shape.to_shape(), b = info.input_types[1]->shape.to_shape();
  const Shape y = info.output_types[0].shape.to_shape();
  if (y.size() > DNNL_MAX_NDIMS || shape_size(y) == 0) return nullptr;
  const Shape a_padded = left_padded(a, y.size()), b_padded = left_padded(b, y.size());
  bool swapped = false;
  if (a_padded != y) {
    if (b_padded != y || !op->commutative) return nullptr;
    swapped = true;
  }
  try {
    const memory::desc src0 = plain_desc(swapped ? b_padded : a_padded),
                       src1 = plain_desc(swapped ? a_padded : b_padded), dst = plain_desc(y);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
    const dnnl::binary::primitive_desc pd(dnnl::binary::desc(op->algorithm, src0, src1, dst), attr,
                                          cpu_engine());
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnBinary>(a, b, swapped, pd, def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
