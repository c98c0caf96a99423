// ONNX Pad of an f32 tensor of static shape, with constant pads that only grow it: the input
// copied into its place in runs that are contiguous in both, on the run's threads, and the border
// filled with the constant (constant mode) or copied from the output's own slabs (edge, reflect,
// wrap), innermost dimension first. Written here because neither fits: the reference walks
// the output element by element and looks up where each comes from (a third of a millisecond for
// Open-NSFW's 224x224x3 input), and a oneDNN reorder into a strided view of the output ran
// 3-channel rows through its jit kernel slower still.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "devices/cpu/kernels/activation_pool.h"
#include "devices/cpu/kernels/kernels.h"
#include "devices/cpu/kernels/onednn_common.h"
#include "ops/registry.h"
#include "ops/tensor/pad.h"

namespace tandem::cpu {
namespace {

// Where the input goes in the output: `runs` runs of `run` elements, run i read from i * run and
// written from `offset` + the output offset of the outer index i.
struct Placement {
  int64_t run = 0, runs = 0, offset = 0;
  Shape outer, outer_strides;  // the dimensions before the run's, and their strides in the output
};

// The output's geometry, for the modes that copy the border from the output itself.
struct Border {
  std::string mode;
  Shape x, y, strides;          // input and output shapes, the output's row-major strides
  std::vector<int64_t> pads;    // begins, then ends, of every dimension
};

class Pad final : public Kernel {
 public:
  Pad(Shape x, std::vector<const void*> constants, float value, Placement placement, Border border,
      ops::KernelFn reference)
      : x_(std::move(x)),
        constants_(std::move(constants)),
        value_(value),
        placement_(std::move(placement)),
        border_(std::move(border)),
        reference_(reference),
        name_("cpu_pad_f32:" + border_.mode) {}

  std::string_view name() const override { return name_; }

  void run(ops::KernelContext& ctx) const override {
    if (!is_planned_run(ctx, x_, constants_)) return reference_(ctx);
    const Tensor& x = ctx.input(0);
    Tensor& y = pooled_output(ctx, 0);
    float* out = y.data<float>();
    const float* in = x.data<float>();
    const Placement& p = placement_;
    const int64_t total = y.size();
    const bool threaded = size_t(total) >= kElementsPerThread;
    const bool constant = border_.mode == "constant";
#pragma omp parallel for schedule(static) if (threaded && constant)
    for (int64_t i = 0; i < (constant ? total : 0); ++i) out[i] = value_;
#pragma omp parallel for schedule(static) if (threaded)
    for (int64_t r = 0; r < p.runs; ++r) {
      int64_t at = p.offset, rest = r;
      for (size_t d = p.outer.size(); d-- > 0;) {
        at += (rest % p.outer[d]) * p.outer_strides[d];
        rest /= p.outer[d];
      }
      std::memcpy(out + at, in + r * p.run, size_t(p.run) * sizeof(float));
    }
    if (!constant)
      for (size_t d = border_.x.size(); d-- > 0;) copy_border(out, d, threaded);
  }

 private:
  // The border of dimension `d`, for every index of the dimensions before it inside the input's
  // place (their borders come after, whole slabs that include this one's): each slab of the
  // border a copy of the slab the mode reads from.
  void copy_border(float* out, size_t d, bool threaded) const {
    const Border& b = border_;
    const size_t rank = b.x.size();
    const int64_t begin = b.pads[d], end = b.pads[rank + d];
    if (begin == 0 && end == 0) return;
    int64_t outer = 1;
    for (size_t k = 0; k < d; ++k) outer *= b.x[k];
    const size_t slab = size_t(b.strides[d]) * sizeof(float);
#pragma omp parallel for schedule(static) if (threaded)
    for (int64_t i = 0; i < outer; ++i) {
      int64_t base = 0, rest = i;
      for (size_t k = d; k-- > 0;) {
        base += (b.pads[k] + rest % b.x[k]) * b.strides[k];
        rest /= b.x[k];
      }
      for (int64_t o = 0; o < b.y[d]; ++o) {
        if (o == begin) o = begin + b.x[d];  // past the input's place
        if (o >= b.y[d]) break;
        const int64_t from = begin + ops::pad_source(b.mode, o, begin, 0, b.x[d]);
        std::memcpy(out + base + o * b.strides[d], out + base + from * b.strides[d], slab);
      }
    }
  }

  Shape x_;
  std::vector<const void*> constants_;
  float value_;
  Placement placement_;
  Border border_;
  ops::KernelFn reference_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Kernel> make_pad(const NodeInfo& info) {
  const ir::Node& node = info.node;
  // From opset 11 the pads are an input: a constant one fixes the output at compile time.
  if (!(node.domain.empty() || node.domain == "ai.onnx") || node.op_type != "Pad" || info.opset < 11 ||
      node.outputs.size() != 1 || info.input_types.empty() || !is_static_f32(info.input_types[0]))
    return nullptr;
  const Shape x = info.input_types[0]->shape.to_shape();
  if (x.empty() || shape_size(x) == 0) return nullptr;
  const bool has_value = node.inputs.size() > 2 && !node.inputs[2].empty();
  const bool has_axes = node.inputs.size() > 3 && !node.inputs[3].empty();
  const Tensor *pads = constant_tensor(info, 1), *value = has_value ? constant_tensor(info, 2) : nullptr;
  const Tensor* axes = has_axes ? constant_tensor(info, 3) : nullptr;
  if (!pads || (has_value && (!value || value->element_type() != ElementType::F32 || value->size() != 1)) ||
      (has_axes && !axes))
    return nullptr;
  std::vector<int64_t> full;
  std::string mode;
  try {
    const ops::NodeContext ctx(node, info.opset);
    mode = ops::pad_mode(ctx);
    std::optional<std::vector<int64_t>> axis_list;
    if (axes) axis_list = axes->to_int64();
    full = ops::full_pads(ctx, pads->to_int64(), axis_list, x.size());
  } catch (const Error&) {
    return nullptr;  // malformed: the reference reports it
  }
  if (std::any_of(full.begin(), full.end(), [](int64_t p) { return p < 0; })) return nullptr;  // crops

  // The innermost padded dimension ends the runs: the dimensions after it are whole in the output.
  const size_t rank = x.size();
  size_t last = 0;
  for (size_t d = 0; d < rank; ++d)
    if (full[d] || full[rank + d]) last = d;
  Shape y(rank), strides(rank, 1);
  for (size_t d = 0; d < rank; ++d) y[d] = x[d] + full[d] + full[rank + d];
  for (size_t d = rank - 1; d > 0; --d) strides[d - 1] = strides[d] * y[d];
  Placement placement;
  placement.run = x[last] * strides[last];
  placement.runs = shape_size(x) / placement.run;
  for (size_t d = 0; d < rank; ++d) placement.offset += full[d] * strides[d];
  placement.outer.assign(x.begin(), x.begin() + long(last));
  placement.outer_strides.assign(strides.begin(), strides.begin() + long(last));
  std::vector<const void*> constants(node.inputs.size(), nullptr);
  for (size_t i = 1; i < node.inputs.size(); ++i)
    if (const Tensor* t = constant_tensor(info, i)) constants[i] = t->data();
  const ops::OpDef* def = ops::Registry::global().find(node.domain, node.op_type);
  Border border{mode, x, y, strides, full};
  return std::make_unique<Pad>(x, std::move(constants), value ? value->data<float>()[0] : 0.0f, std::move(placement),
                               std::move(border), def->reference);
}

}  // namespace tandem::cpu
