// MultiHeadAttention's kernels. Where the fused kernel (fused_attention.cu) applies, f16 and bf16
// heads of 32, 64 or 128 whose rows of scores fit a block's shared memory, it runs alone;
// elsewhere cuBLAS does: per batch (or per head, whichever is fewer) one strided batched GEMM for
// the scores of every head (batch), the softmax, and one for the weighted sums of V. The heads of
// Q, K, V and Y are strided views (multi_head_attention.h): for a fixed batch b and head h, Q's
// rows lie H * D elements apart from b * S_q * H * D + h * D, so cuBLAS reads them in place with
// lda = H * D, and nothing is transposed or copied.
#include "devices/gpu/cuda/kernels/attention.h"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <string>
#include <utility>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
#include "devices/gpu/cuda/kernels/fused_attention.h"
#include "devices/gpu/cuda/kernels/library_data_types.h"
#include "ops/attention/multi_head_attention.h"
#include "ops/node_context.h"
#include "ops/tandem_domain.h"
#include "tandem/error.h"

namespace tandem::gpu {
namespace {

// A tensor's element steps from one loop iteration to the next, and between the matrices of one
// cuBLAS call.
struct Steps {
  int64_t loop = 0, call = 0;
};

// What both kernels read of the node: the sizes, the scale and the mask's broadcast, a constant
// mask uploaded once.
struct Problem {
  attention::SoftmaxShape shape;  // B, H, S_q, S_kv and the mask's strides
  int64_t head_size = 0, v_head_size = 0;
  float scale = 1.0f;
  bool has_mask = false;
  DeviceBuffer held_mask;  // a constant mask, uploaded

  // The mask a launch reads: the held one, the launch's input, or none.
  const void* mask(const Launch& launch) const {
    if (held_mask.get()) return held_mask.get();
    return has_mask ? launch.inputs[ops::kMultiHeadAttentionMaskInput] : nullptr;
  }
};

Problem read_problem(const GpuNode& node) {
  const ops::NodeContext ctx(node.node, node.opset);
  const Shape &q = node.input_shapes.at(0), &k = node.input_shapes.at(1),
              &v = node.input_shapes.at(2);
  const size_t rank = q.size();
  if ((rank != 3 && rank != 4) || k.size() != rank || v.size() != rank)
    throw ctx.error(ErrorKind::Unsupported, "GPU: Q {}, K {} and V {} must be 3-D or 4-D",
                    to_string(q), to_string(k), to_string(v));
  Problem problem;
  attention::SoftmaxShape& shape = problem.shape;
  shape.batch = rank == 4 ? q[0] : 1;
  shape.q_len = q[rank - 3];
  shape.heads = q[rank - 2];
  shape.kv_len = k[rank - 3];
  problem.head_size = q[rank - 1];
  problem.v_head_size = v[rank - 1];
  problem.scale = ctx.attr<float>("scale");
  // Whatever is too large for cuBLAS's int dimensions is declined by attention_support.
  const int64_t int_max = std::numeric_limits<int>::max();
  for (int64_t d : {shape.batch, shape.heads, shape.q_len, shape.kv_len,
                    shape.heads * problem.head_size, shape.heads * problem.v_head_size})
    if (d > int_max || d <= 0)
      throw ctx.error(ErrorKind::Unsupported,
                      "GPU: attention of Q {}, K {}, V {} is empty or "
                      "exceeds cuBLAS's dimensions",
                      to_string(q), to_string(k), to_string(v));

  const size_t mask = ops::kMultiHeadAttentionMaskInput;
  problem.has_mask = ctx.has_input(mask);
  if (!problem.has_mask) return problem;
  // Right-aligned to the scores [B, H, S_q, S_kv], a stride of 0 where it broadcasts.
  const Shape& m = node.input_shapes.at(mask);
  const std::array<int64_t, 4> scores{shape.batch, shape.heads, shape.q_len, shape.kv_len};
  if (m.size() > 4)
    throw ctx.error(ErrorKind::Unsupported, "GPU: Mask {} has more than 4 dimensions",
                    to_string(m));
  int64_t stride = 1;
  for (size_t a = 0; a < m.size(); ++a) {
    const int64_t dim = m[m.size() - 1 - a];
    if (dim != 1 && dim != scores[3 - a])
      throw ctx.error(ErrorKind::Unsupported, "GPU: Mask {} does not broadcast to the scores",
                      to_string(m));
    shape.mask_strides[3 - a] = dim == 1 ? 0 : stride;
    stride *= dim;
  }
  if (node.constants.size() > mask && node.constants[mask])
    problem.held_mask = upload(*node.constants[mask], node.compute);
  return problem;
}

class AttentionKernel final : public GpuKernel {
 public:
  AttentionKernel(ElementType type, Problem problem)
      : type_(type),
        data_type_(cuda_type(type, "GPU: attention over {} is not supported")),
        problem_(std::move(problem)) {
    const attention::SoftmaxShape& s = problem_.shape;
    // Loop over the fewer of batches and heads, each cuBLAS call batching the more.
    const bool by_batch = s.batch <= s.heads;
    loops_ = by_batch ? s.batch : s.heads;
    batched_ = by_batch ? s.heads : s.batch;
    const auto steps = [&](int64_t per_batch, int64_t per_head) {
      return by_batch ? Steps{per_batch, per_head} : Steps{per_head, per_batch};
    };
    q_ = steps(s.q_len * s.heads * problem_.head_size, problem_.head_size);
    k_ = steps(s.kv_len * s.heads * problem_.head_size, problem_.head_size);
    v_ = steps(s.kv_len * s.heads * problem_.v_head_size, problem_.v_head_size);
    scores_ = steps(s.heads * s.q_len * s.kv_len, s.q_len * s.kv_len);
    y_ = steps(s.q_len * s.heads * problem_.v_head_size, problem_.v_head_size);
    const size_t score_count = size_t(s.batch * s.heads * s.q_len * s.kv_len);
    scores_bytes_ = aligned(score_count * sizeof(float));
    probs_bytes_ = type_ == ElementType::F32 ? 0 : score_count * element_size(type_);
    name_ = fmt::format("cublas_attention_{}", to_string(type_));
  }

  std::string_view name() const override { return name_; }
  size_t workspace_bytes() const override { return scores_bytes_ + probs_bytes_; }

  void launch(const Launch& launch) const override {
    const cublasHandle_t handle = launch.handles->cublas;
    // cuBLAS enqueues on its handle's stream, which the executor binds to the launch's.
    cudaStream_t bound = nullptr;
    check(cublasGetStream(handle, &bound), "cublasGetStream");
    if (bound != launch.stream)
      throw Error(ErrorKind::Runtime, "GPU: the cuBLAS handle is not bound to the launch's stream");
    const size_t size = element_size(type_);
    const auto* q = static_cast<const char*>(launch.inputs[0]);
    const auto* k = static_cast<const char*>(launch.inputs[1]);
    const auto* v = static_cast<const char*>(launch.inputs[2]);
    auto* y = static_cast<char*>(launch.outputs[0]);
    auto* scores = static_cast<float*>(launch.workspace);
    // f32 probabilities overwrite their scores; others go beside them, in the storage type.
    char* probs = type_ == ElementType::F32 ? reinterpret_cast<char*>(scores)
                                            : static_cast<char*>(launch.workspace) + scores_bytes_;
    const float zero = 0.0f, one = 1.0f;
    const int q_len = int(problem_.shape.q_len), kv_len = int(problem_.shape.kv_len);
    const int d = int(problem_.head_size), dv = int(problem_.v_head_size);
    const int hd = int(problem_.shape.heads * d), hdv = int(problem_.shape.heads * dv);
    // Column-major, the scores^T [S_kv, S_q] of one (b, h) are K_bh [D, S_kv]^T Q_bh [D, S_q].
    for (int64_t l = 0; l < loops_; ++l)
      check(cublasGemmStridedBatchedEx(
                handle, CUBLAS_OP_T, CUBLAS_OP_N, kv_len, q_len, d, &problem_.scale,
                k + l * k_.loop * size, data_type_, hd, k_.call, q + l * q_.loop * size, data_type_,
                hd, q_.call, &zero, scores + l * scores_.loop, CUDA_R_32F, kv_len, scores_.call,
                int(batched_), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmStridedBatchedEx (attention scores)");
    attention::softmax(type_, problem_.shape, scores, problem_.mask(launch), probs, launch.stream);
    // Y_bh^T [D_v, S_q] = V_bh^T [D_v, S_kv] P_bh^T [S_kv, S_q].
    for (int64_t l = 0; l < loops_; ++l)
      check(cublasGemmStridedBatchedEx(
                handle, CUBLAS_OP_N, CUBLAS_OP_N, dv, q_len, kv_len, &one, v + l * v_.loop * size,
                data_type_, hdv, v_.call, probs + l * scores_.loop * size, data_type_, kv_len,
                scores_.call, &zero, y + l * y_.loop * size, data_type_, hdv, y_.call,
                int(batched_), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmStridedBatchedEx (attention output)");
  }

 private:
  std::string name_;
  ElementType type_;
  cudaDataType_t data_type_;
  Problem problem_;
  // The loop runs over batches and each call over heads, or the other way round.
  int64_t loops_ = 0, batched_ = 0;
  Steps q_, k_, v_, scores_, y_;
  size_t scores_bytes_ = 0, probs_bytes_ = 0;
};

// One kernel for the whole node (fused_attention.cu), no workspace and no library handle.
class FusedAttentionKernel final : public GpuKernel {
 public:
  FusedAttentionKernel(ElementType type, Problem problem)
      : name_(fmt::format("fused_attention_{}", to_string(type))),
        type_(type),
        problem_(std::move(problem)) {}

  std::string_view name() const override { return name_; }

  void launch(const Launch& launch) const override {
    attention::fused_attention(type_, int(problem_.head_size), problem_.shape, problem_.scale,
                               launch.inputs[0], launch.inputs[1], launch.inputs[2],
                               problem_.mask(launch), launch.outputs[0], launch.stream);
  }

 private:
  std::string name_;
  ElementType type_;
  Problem problem_;
};

// The opt-in shared memory per block of the current device: the most the fused kernel may ask.
size_t shared_memory_limit() {
  int device = 0, bytes = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&bytes, cudaDevAttrMaxSharedMemoryPerBlockOptin, device),
        "cudaDeviceGetAttribute (opt-in shared memory per block)");
  return size_t(bytes);
}

// The fused kernel's templates cover f16 and bf16 heads of 32, 64 and 128 (D_v alike); its grid
// runs over heads in y and batches in z (at most 65535 each); a block holds the whole rows of
// scores of 64 queries in shared memory, which bounds the keys.
bool fused_applies(ElementType type, const Problem& problem, size_t shared_limit) {
  if (type != ElementType::F16 && type != ElementType::BF16) return false;
  if (problem.head_size != problem.v_head_size) return false;
  if (problem.head_size != 32 && problem.head_size != 64 && problem.head_size != 128) return false;
  if (problem.shape.heads > 65535 || problem.shape.batch > 65535) return false;
  return attention::fused_shared_bytes(int(problem.head_size), problem.shape.kv_len) <=
         shared_limit;
}

}  // namespace

std::unique_ptr<GpuKernel> make_attention_kernel(const GpuNode& node) {
  if (node.node.domain != ops::kTandemDomain || node.node.op_type != "MultiHeadAttention")
    return nullptr;
  Problem problem = read_problem(node);
  const size_t shared_limit = shared_memory_limit();
  if (!fused_applies(node.compute, problem, shared_limit))
    return std::make_unique<AttentionKernel>(node.compute, std::move(problem));
  // The limit belongs to the kernel, not to a launch: raised to the device's, so that a node with
  // fewer keys made later cannot lower it under an earlier one's.
  attention::allow_fused_shared_bytes(node.compute, int(problem.head_size), shared_limit);
  return std::make_unique<FusedAttentionKernel>(node.compute, std::move(problem));
}

}  // namespace tandem::gpu
