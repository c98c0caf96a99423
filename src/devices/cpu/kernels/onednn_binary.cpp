// oneDNN binary kernels for ONNX Add, Sub, Mul and Div on f32 tensors of static shapes with numpy
// broadcasting, multithreaded where the reference walks the output on one thread. Max and Min stay
// on the reference: ONNX propagates NaN through them, oneDNN's max and min do not. oneDNN 2.6
// broadcasts only its second source, so the operand with the output's shape goes first; Sub and Div
// whose first operand is the broadcast one are left to the reference.
// The first source may arrive in a convolution's blocked layout (a squeeze-and-excitation block's
// x * s, a residual Add left unfused); the result is then computed, and offered, in that layout.
// The second source is read as it arrives where oneDNN has a fast kernel for the pair (channels
// last with a plain [N, C, 1, 1] scale), else reordered to the first's format (nChw16c wants its
// scale in nChw16c too: 4 bytes per channel to copy).
#include <algorithm>
#include <array>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "devices/cpu/kernels/onednn_layout.h"
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

using Sources = std::array<memory::desc, 2>;

class OnednnBinary final : public LayoutKernel {
 public:
  OnednnBinary(dnnl::algorithm algorithm, Shape a, Shape b, bool swapped, const Sources& plain,
               const memory::desc& plain_dst, ops::KernelFn reference)
      : algorithm_(algorithm),
        a_(std::move(a)),
        b_(std::move(b)),
        swapped_(swapped),
        plain_(plain),
        plain_dst_(plain_dst),
        arriving_(plain),
        reference_(reference) {
    use(create(plain_, plain_dst_));
  }

  std::string_view name() const override { return name_; }

  std::optional<memory::desc> output_layout(size_t i) const override {
    if (i != 0 || dst_md_ == plain_dst_) return std::nullopt;
    return dst_md_;
  }
  bool accepts_input(size_t i, const memory::desc& layout) const override {
    const size_t k = source_of(i);
    if (layout.dims() != plain_[k].dims()) return false;
    Sources arriving = arriving_;
    arriving[k] = layout;
    try {
      return !is_naive(primitive_desc(arriving));
    } catch (const dnnl::error&) {
      return false;
    }
  }
  void take_input(size_t i, const memory::desc& layout) override {
    arriving_[source_of(i)] = layout;
    use(primitive_desc(arriving_));
  }
  void give_output(size_t) override {
    dst_blocked_ = true;
    name_ += " (blocked out)";
  }
  size_t output_bytes(size_t) const override { return dst_blocked_ ? dst_md_.get_size() : 0; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor &a = ctx.input(0), &b = ctx.input(1);
    // The primitive is fixed to the shapes known at compile time; other shapes at run time (a
    // model whose declared shapes were wrong) go to the reference.
    if (a.element_type() != ElementType::F32 || b.element_type() != ElementType::F32 ||
        a.shape() != a_ || b.shape() != b_)
      return reference_(ctx);
    const std::array<const Tensor*, 2> sources = {swapped_ ? &b : &a, swapped_ ? &a : &b};
    Tensor& y = pooled_output(ctx, 0, output_bytes(0));
    const bool reorder_dst = dst_reorder_ && !dst_blocked_;
    // One workspace for the scratchpad, the sources reordered and dst before its reorder.
    size_t offsets[4] = {0}, end = align_up(scratchpad_md_.get_size());
    for (size_t k = 0; k < 2; ++k) {
      offsets[k] = end;
      if (src_reorder_[k]) end += align_up(src_md_[k].get_size());
    }
    offsets[2] = end;
    if (reorder_dst) end += dst_md_.get_size();
    std::byte* workspace = thread_workspace(end);

    Arg args[4] = {{DNNL_ARG_SCRATCHPAD, &scratchpad_md_, workspace}};  // then the sources and dst
    for (size_t k = 0; k < 2; ++k) {
      const void* source = sources[k]->data();
      if (src_reorder_[k]) {
        execute_memory_bound(*src_reorder_[k],
                             {{DNNL_ARG_FROM, &arriving_[k], source}, {DNNL_ARG_TO, &src_md_[k], workspace + offsets[k]}},
                             sources[k]->size());
        source = workspace + offsets[k];
      }
      args[k + 1] = {k == 0 ? DNNL_ARG_SRC_0 : DNNL_ARG_SRC_1, &src_md_[k], source};
    }
    void* dst = reorder_dst ? workspace + offsets[2] : y.data();
    args[3] = {DNNL_ARG_DST, &dst_md_, dst};
    // Counted as the concat's are: an element costs about four of a reorder's streaming copy
    // (two reads, one broadcast index). So EfficientNet-B0's squeeze-excitation Muls (0.3-0.4 M
    // elements) get both threads: 3.85 -> 3.72 ms per inference in A/B runs, the Muls 0.29 ->
    // 0.19 ms.
    execute_memory_bound(binary_, args, 4 * y.size());
    // The padded channels hold op(0, 0) (0 / 0 is NaN) or, where the second source broadcasts
    // over the channels, op(0, s): the readers need zeros.
    if (dst_blocked_ && has_padding(dst_md_)) zero_padding(dst_md_, y.data());
    if (reorder_dst)
      execute_memory_bound(*dst_reorder_,
                           {{DNNL_ARG_FROM, &dst_md_, dst}, {DNNL_ARG_TO, &plain_dst_, y.data()}},
                           y.size());
  }

 private:
  // Which oneDNN source ONNX input i is.
  size_t source_of(size_t i) const { return swapped_ ? 1 - i : i; }

  dnnl::binary::primitive_desc create(const Sources& sources, const memory::desc& dst) const {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // per-thread, see run()
    return dnnl::binary::primitive_desc(
        dnnl::binary::desc(algorithm_, sources[0], sources[1], dst), attr, cpu_engine());
  }

  // The primitive for sources arriving in `arriving`: all plain while the first source is (as
  // the tensors are); else dst in the first source's layout and the second read as it arrives or,
  // where oneDNN has only its reference loops for that pair, in the first's format. Throws
  // dnnl::error where oneDNN has none.
  dnnl::binary::primitive_desc primitive_desc(const Sources& arriving) const {
    if (arriving[0] == plain_[0]) return create(arriving, plain_dst_);
    // dst in the first source's element type too: bf16 between bf16 convolutions.
    const memory::desc dst(plain_dst_.dims(), arriving[0].data_type(), memory::format_tag::any);
    const dnnl::binary::primitive_desc as_arriving = create(arriving, dst);
    if (!is_naive(as_arriving) || arriving[1] != plain_[1]) return as_arriving;
    const std::optional<memory::desc> matching = same_format(arriving[0], plain_[1].dims());
    if (!matching) return as_arriving;
    const dnnl::binary::primitive_desc reordered = create({arriving[0], *matching}, dst);
    return is_naive(reordered) ? as_arriving : reordered;
  }

  void use(const dnnl::binary::primitive_desc& pd) {
    binary_ = dnnl::binary(pd);
    scratchpad_md_ = pd.scratchpad_desc();
    for (size_t k = 0; k < 2; ++k) {
      src_md_[k] = pd.src_desc(int(k));
      src_reorder_[k] = reorder_between(arriving_[k], src_md_[k]);
    }
    dst_md_ = pd.dst_desc();
    dst_reorder_ = reorder_between(dst_md_, plain_dst_);
    name_ = std::string("onednn_binary_f32:") + pd.impl_info_str();
    if (arriving_ != plain_) name_ += " (blocked in)";
  }

  dnnl::algorithm algorithm_;
  Shape a_, b_;
  bool swapped_;  // src0 is B: A is the broadcast operand of a commutative op
  Sources plain_;
  memory::desc plain_dst_;
  Sources arriving_;  // the layouts the sources arrive in: plain unless their producers' blocked
  Sources src_md_;    // the layouts the primitive reads
  memory::desc dst_md_, scratchpad_md_;
  dnnl::binary binary_;
  // Where a source arrives in another layout than the primitive reads, or the primitive writes
  // dst blocked for a reader that wants it plain.
  std::array<std::optional<dnnl::reorder>, 2> src_reorder_;
  std::optional<dnnl::reorder> dst_reorder_;
  bool dst_blocked_ = false;  // set at compile time by assign_layouts
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
    const Sources plain = {plain_desc(swapped ? b_padded : a_padded),
                           plain_desc(swapped ? a_padded : b_padded)};
    const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
    return std::make_unique<OnednnBinary>(op->algorithm, a, b, swapped, plain, plain_desc(y),
                                          def->reference);
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace tandem::cpu
