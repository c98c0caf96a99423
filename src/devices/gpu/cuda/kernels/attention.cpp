// MultiHeadAttention's kernel: per batch (or per head, whichever is fewer) one strided batched
// GEMM for the scores of every head (batch), the softmax, and one for the weighted sums of V. The
// heads of Q, K, V and Y are strided views (multi_head_attention.h): for a fixed batch b and
// head h, Q's rows lie H * D elements apart from b * S_q * H * D + h * D, so cuBLAS reads them in
// place with lda = H * D, and nothing is transposed or copied.
#include "devices/gpu/cuda/kernels/attention.h"

#include <fmt/format.h>

#include <limits>
#include <string>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/device_memory.h"
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

class AttentionKernel final : public GpuKernel {
 public:
  explicit AttentionKernel(const GpuNode& node)
      : type_(node.compute),
        data_type_(cuda_type(node.compute, "GPU: attention over {} is not supported")) {
    const ops::NodeContext ctx(node.node, node.opset);
    const Shape &q = node.input_shapes.at(0), &k = node.input_shapes.at(1),
                &v = node.input_shapes.at(2);
    const size_t rank = q.size();
    if ((rank != 3 && rank != 4) || k.size() != rank || v.size() != rank)
      throw ctx.error(ErrorKind::Unsupported, "GPU: Q {}, K {} and V {} must be 3-D or 4-D",
                      to_string(q), to_string(k), to_string(v));
    const int64_t batch = rank == 4 ? q[0] : 1;
    q_len_ = q[rank - 3];
    heads_ = q[rank - 2];
    head_size_ = q[rank - 1];
    kv_len_ = k[rank - 3];
    v_head_size_ = v[rank - 1];
    scale_ = ctx.attr<float>("scale");
    // Whatever is too large for cuBLAS's int dimensions is declined by attention_support.
    const int64_t int_max = std::numeric_limits<int>::max();
    for (int64_t d : {batch, heads_, q_len_, kv_len_, heads_ * head_size_, heads_ * v_head_size_})
      if (d > int_max || d <= 0)
        throw ctx.error(ErrorKind::Unsupported,
                        "GPU: attention of Q {}, K {}, V {} is empty or "
                        "exceeds cuBLAS's dimensions",
                        to_string(q), to_string(k), to_string(v));

    softmax_.batch = batch;
    softmax_.heads = heads_;
    softmax_.q_len = q_len_;
    softmax_.kv_len = kv_len_;
    const size_t mask = ops::kMultiHeadAttentionMaskInput;
    has_mask_ = ctx.has_input(mask);
    if (has_mask_) {
      // Right-aligned to the scores [B, H, S_q, S_kv], a stride of 0 where it broadcasts.
      const Shape& m = node.input_shapes.at(mask);
      const std::array<int64_t, 4> scores{batch, heads_, q_len_, kv_len_};
      if (m.size() > 4)
        throw ctx.error(ErrorKind::Unsupported, "GPU: Mask {} has more than 4 dimensions",
                        to_string(m));
      int64_t stride = 1;
      for (size_t a = 0; a < m.size(); ++a) {
        const int64_t dim = m[m.size() - 1 - a];
        if (dim != 1 && dim != scores[3 - a])
          throw ctx.error(ErrorKind::Unsupported, "GPU: Mask {} does not broadcast to the scores",
                          to_string(m));
        softmax_.mask_strides[3 - a] = dim == 1 ? 0 : stride;
        stride *= dim;
      }
      if (node.constants.size() > mask && node.constants[mask])
        held_mask_ = upload(*node.constants[mask], type_);
    }

    // Loop over the fewer of batches and heads, each cuBLAS call batching the more.
    const bool by_batch = batch <= heads_;
    loops_ = by_batch ? batch : heads_;
    batched_ = by_batch ? heads_ : batch;
    const auto steps = [&](int64_t per_batch, int64_t per_head) {
      return by_batch ? Steps{per_batch, per_head} : Steps{per_head, per_batch};
    };
    q_ = steps(q_len_ * heads_ * head_size_, head_size_);
    k_ = steps(kv_len_ * heads_ * head_size_, head_size_);
    v_ = steps(kv_len_ * heads_ * v_head_size_, v_head_size_);
    scores_ = steps(heads_ * q_len_ * kv_len_, q_len_ * kv_len_);
    y_ = steps(q_len_ * heads_ * v_head_size_, v_head_size_);
    const size_t score_count = size_t(batch * heads_ * q_len_ * kv_len_);
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
    const void* mask = held_mask_.get() ? held_mask_.get()
                       : has_mask_      ? launch.inputs[ops::kMultiHeadAttentionMaskInput]
                                        : nullptr;
    const float zero = 0.0f, one = 1.0f;
    const int hd = int(heads_ * head_size_), hdv = int(heads_ * v_head_size_);
    // Column-major, the scores^T [S_kv, S_q] of one (b, h) are K_bh [D, S_kv]^T Q_bh [D, S_q].
    for (int64_t l = 0; l < loops_; ++l)
      check(cublasGemmStridedBatchedEx(
                handle, CUBLAS_OP_T, CUBLAS_OP_N, int(kv_len_), int(q_len_), int(head_size_),
                &scale_, k + l * k_.loop * size, data_type_, hd, k_.call, q + l * q_.loop * size,
                data_type_, hd, q_.call, &zero, scores + l * scores_.loop, CUDA_R_32F, int(kv_len_),
                scores_.call, int(batched_), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmStridedBatchedEx (attention scores)");
    attention::softmax(type_, softmax_, scores, mask, probs, launch.stream);
    // Y_bh^T [D_v, S_q] = V_bh^T [D_v, S_kv] P_bh^T [S_kv, S_q].
    for (int64_t l = 0; l < loops_; ++l)
      check(cublasGemmStridedBatchedEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, int(v_head_size_),
                                       int(q_len_), int(kv_len_), &one, v + l * v_.loop * size,
                                       data_type_, hdv, v_.call, probs + l * scores_.loop * size,
                                       data_type_, int(kv_len_), scores_.call, &zero,
                                       y + l * y_.loop * size, data_type_, hdv, y_.call,
                                       int(batched_), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmStridedBatchedEx (attention output)");
  }

 private:
  std::string name_;
  ElementType type_;
  cudaDataType_t data_type_;
  int64_t q_len_ = 0, heads_ = 0, head_size_ = 0, kv_len_ = 0, v_head_size_ = 0;
  float scale_ = 1.0f;
  bool has_mask_ = false;
  DeviceBuffer held_mask_;  // a constant mask, uploaded
  attention::SoftmaxShape softmax_;
  // The loop runs over batches and each call over heads, or the other way round.
  int64_t loops_ = 0, batched_ = 0;
  Steps q_, k_, v_, scores_, y_;
  size_t scores_bytes_ = 0, probs_bytes_ = 0;
};

}  // namespace

std::unique_ptr<GpuKernel> make_attention_kernel(const GpuNode& node) {
  if (node.node.domain != ops::kTandemDomain || node.node.op_type != "MultiHeadAttention")
    return nullptr;
  return std::make_unique<AttentionKernel>(node);
}

}  // namespace tandem::gpu
