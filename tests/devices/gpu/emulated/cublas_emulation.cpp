// cuBLAS and cuBLASLt as the GPU plugin calls them, on the CPU, for the emulated tests
// (host_runtime.h): written from the libraries' documented semantics (cublas_v2.h, cublasLt.h),
// not from the plugin's use of them, so that a wrong transpose, leading dimension, batch stride
// or epilogue in the plugin gives wrong results here as it would on the GPU.
//
// Emulated: cublasGemmStridedBatchedEx and cublasLtMatmul in f32 compute over f32, f16 and bf16
// matrices, column-major, with their transposes, leading dimensions, strided batches, alpha and
// beta (host pointers), C read before D is written (so C may be D), and cuBLASLt's BIAS, RELU and
// GELU (tanh) epilogues; descriptors and preferences, with the attribute sizes checked as
// cuBLASLt checks them; an algorithm that asks for workspace (within the preference's limit) and
// assumes the preference's minimum alignments, whose run scribbles over that workspace and fails
// on operands aligned to less. Sums are in double, in no particular order: cuBLAS's own
// accumulation order and rounding are not emulated.
#include <cublasLt.h>
#include <cublas_v2.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "devices/gpu/emulated/host_runtime.h"

namespace tandem::gpu::emulation {
namespace {

struct CublasHandle {
  cudaStream_t stream = nullptr;
};

// An algorithm as the emulated heuristic describes it in cublasLtMatmulAlgo_t's opaque words.
constexpr uint64_t kAlgoMagic = 0x7a6e64656d41ull;
constexpr uint64_t kAlgoWorkspace = uint64_t(1) << 20;

struct Layout {
  cudaDataType type = CUDA_R_32F;
  uint64_t rows = 0, cols = 0;
  int64_t ld = 0;
  int32_t batch = 1;
  int64_t stride = 0;
};

struct MatmulDesc {
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  cudaDataType scale = CUDA_R_32F;
  int32_t trans_a = CUBLAS_OP_N, trans_b = CUBLAS_OP_N;
  uint32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  const void* bias = nullptr;
  int32_t bias_type = -1;  // -1: D's type
};

struct Preference {
  uint64_t max_workspace = 0;
  uint32_t alignment[4] = {256, 256, 256, 256};  // A, B, C, D
};

bool float_type(cudaDataType type) {
  return type == CUDA_R_32F || type == CUDA_R_16F || type == CUDA_R_16BF;
}

// Copies an attribute's value where its size is the attribute's, as cuBLASLt requires.
template <class T>
cublasStatus_t read_attribute(T& field, const void* buf, size_t bytes) {
  if (!buf || bytes != sizeof(T)) {
    std::fprintf(stderr, "cuBLASLt emulation: attribute of %zu bytes where %zu are stored\n", bytes,
                 sizeof(T));
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  std::memcpy(&field, buf, sizeof(T));
  return CUBLAS_STATUS_SUCCESS;
}

// One product's shapes, checked: op(A) is m x k, op(B) k x n, C and D m x n, every layout holding
// its rows within its leading dimension, the batches alike.
struct Problem {
  int64_t m = 0, n = 0, k = 0;
  int32_t batch = 1;
};

bool make_problem(const MatmulDesc& d, const Layout& a, const Layout& b, const Layout& c,
                  const Layout& y, Problem& p) {
  const bool ta = d.trans_a != CUBLAS_OP_N, tb = d.trans_b != CUBLAS_OP_N;
  p.m = int64_t(ta ? a.cols : a.rows);
  p.k = int64_t(ta ? a.rows : a.cols);
  p.n = int64_t(tb ? b.rows : b.cols);
  const int64_t bk = int64_t(tb ? b.cols : b.rows);
  p.batch = y.batch;
  const auto fits = [](const Layout& l) { return l.ld >= int64_t(l.rows) && l.ld >= 1; };
  return bk == p.k && int64_t(c.rows) == p.m && int64_t(c.cols) == p.n && int64_t(y.rows) == p.m &&
         int64_t(y.cols) == p.n && fits(a) && fits(b) && fits(c) && fits(y) && a.batch == y.batch &&
         b.batch == y.batch && c.batch == y.batch && a.type == b.type && c.type == y.type &&
         float_type(a.type) && float_type(y.type) &&
         (d.trans_a == CUBLAS_OP_N || d.trans_a == CUBLAS_OP_T) &&
         (d.trans_b == CUBLAS_OP_N || d.trans_b == CUBLAS_OP_T);
}

bool known_epilogue(uint32_t e) {
  switch (e) {
    case CUBLASLT_EPILOGUE_DEFAULT:
    case CUBLASLT_EPILOGUE_BIAS:
    case CUBLASLT_EPILOGUE_RELU:
    case CUBLASLT_EPILOGUE_RELU_BIAS:
    case CUBLASLT_EPILOGUE_GELU:
    case CUBLASLT_EPILOGUE_GELU_BIAS:
      return true;
    default:
      return false;
  }
}

float gelu_tanh(float x) {
  return 0.5f * x * (1.0f + std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
}

// op(X)'s rows as contiguous floats: row r of op(A) (m x k) or column c of op(B) (k x n), so that
// every dot product below reads both operands in order (whole models take seconds, not minutes).
std::vector<float> gather(const char* x, const Layout& l, bool transposed, int64_t lines,
                          int64_t depth, bool lines_are_columns) {
  std::vector<float> out(size_t(lines * depth));
  for (int64_t r = 0; r < lines; ++r)
    for (int64_t q = 0; q < depth; ++q) {
      // Element (r, q) of op(A), or (q, r) of op(B), in the stored column-major matrix.
      const int64_t row = lines_are_columns ? q : r, col = lines_are_columns ? r : q;
      const int64_t stored = transposed ? col + row * l.ld : row + col * l.ld;
      out[size_t(r * depth + q)] = load(x, l.type, size_t(stored));
    }
  return out;
}

// D = epilogue(alpha op(A) op(B) + beta C), per batch, column-major.
void multiply(const Problem& p, const MatmulDesc& d, float alpha, const void* a, const Layout& la,
              const void* b, const Layout& lb, float beta, const void* c, const Layout& lc, void* y,
              const Layout& ly) {
  const bool ta = d.trans_a != CUBLAS_OP_N, tb = d.trans_b != CUBLAS_OP_N;
  const bool bias = d.epilogue & CUBLASLT_EPILOGUE_BIAS;
  const cudaDataType bias_type = d.bias_type < 0 ? ly.type : cudaDataType(d.bias_type);
  std::vector<float> out(size_t(p.m * p.n));
  for (int64_t batch = 0; batch < p.batch; ++batch) {
    const char* ab =
        static_cast<const char*>(a) + batch * la.stride * int64_t(element_bytes(la.type));
    const char* bb =
        static_cast<const char*>(b) + batch * lb.stride * int64_t(element_bytes(lb.type));
    const char* cb =
        static_cast<const char*>(c) + batch * lc.stride * int64_t(element_bytes(lc.type));
    char* yb = static_cast<char*>(y) + batch * ly.stride * int64_t(element_bytes(ly.type));
    const std::vector<float> rows = gather(ab, la, ta, p.m, p.k, false),
                             cols = gather(bb, lb, tb, p.n, p.k, true);
    // Every element computed before any is written: C may be D.
    for (int64_t j = 0; j < p.n; ++j)
      for (int64_t i = 0; i < p.m; ++i) {
        const float* ar = rows.data() + i * p.k;
        const float* bc = cols.data() + j * p.k;
        double sum = 0;
        for (int64_t q = 0; q < p.k; ++q) sum += double(ar[q]) * bc[q];
        // beta 0 never reads C, which may hold NaN, as cuBLAS documents.
        double v = alpha * sum +
                   (beta != 0 ? beta * double(load(cb, lc.type, size_t(i + j * lc.ld))) : 0.0);
        if (bias) v += load(d.bias, bias_type, size_t(i));
        float f = float(v);
        if (d.epilogue & CUBLASLT_EPILOGUE_RELU) f = std::fmax(f, 0.0f);
        if (d.epilogue & CUBLASLT_EPILOGUE_GELU) f = gelu_tanh(f);
        out[size_t(i + j * p.m)] = f;
      }
    for (int64_t j = 0; j < p.n; ++j)
      for (int64_t i = 0; i < p.m; ++i)
        store(yb, ly.type, size_t(i + j * ly.ld), out[size_t(i + j * p.m)]);
  }
}

uint64_t address(const void* p) { return uint64_t(reinterpret_cast<uintptr_t>(p)); }

}  // namespace
}  // namespace tandem::gpu::emulation

namespace emulation = tandem::gpu::emulation;

// ---- cuBLAS ---------------------------------------------------------------------------------

const char* cublasGetStatusString(cublasStatus_t status) {
  return status == CUBLAS_STATUS_SUCCESS ? "success" : "failed in the CPU emulation of cuBLAS";
}
const char* cublasGetStatusName(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    default:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
  }
}
cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
  *handle = reinterpret_cast<cublasHandle_t>(new emulation::CublasHandle);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  delete reinterpret_cast<emulation::CublasHandle*>(handle);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
  reinterpret_cast<emulation::CublasHandle*>(handle)->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t* stream) {
  *stream = reinterpret_cast<emulation::CublasHandle*>(handle)->stream;
  return CUBLAS_STATUS_SUCCESS;
}
// cuBLAS documents 256-byte alignment for the workspace it is given.
cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t, void* workspace, size_t bytes) {
  if (bytes && reinterpret_cast<uintptr_t>(workspace) % 256 != 0)
    return CUBLAS_STATUS_INVALID_VALUE;
  return CUBLAS_STATUS_SUCCESS;
}

// Column-major C = alpha op(A) op(B) + beta C per batch, alpha and beta f32 on the host, on the
// handle's stream.
cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t op_a,
                                          cublasOperation_t op_b, int m, int n, int k,
                                          const void* alpha, const void* a, cudaDataType type_a,
                                          int lda, long long stride_a, const void* b,
                                          cudaDataType type_b, int ldb, long long stride_b,
                                          const void* beta, void* c, cudaDataType type_c, int ldc,
                                          long long stride_c, int batches,
                                          cublasComputeType_t compute, cublasGemmAlgo_t) {
  if (compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_FAST_TF32)
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m < 0 || n < 0 || k < 0 || batches < 0) return CUBLAS_STATUS_INVALID_VALUE;
  const bool ta = op_a != CUBLAS_OP_N, tb = op_b != CUBLAS_OP_N;
  const emulation::MatmulDesc d{.trans_a = op_a, .trans_b = op_b};
  const emulation::Layout la{type_a,  uint64_t(ta ? k : m), uint64_t(ta ? m : k), lda, batches,
                             stride_a};
  const emulation::Layout lb{type_b,  uint64_t(tb ? n : k), uint64_t(tb ? k : n), ldb, batches,
                             stride_b};
  const emulation::Layout lc{type_c, uint64_t(m), uint64_t(n), ldc, batches, stride_c};
  emulation::Problem p;
  if (!emulation::make_problem(d, la, lb, lc, lc, p)) return CUBLAS_STATUS_INVALID_VALUE;
  const float al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
  const cudaStream_t stream = reinterpret_cast<emulation::CublasHandle*>(handle)->stream;
  emulation::enqueue(stream,
                     [=] { emulation::multiply(p, d, al, a, la, b, lb, be, c, lc, c, lc); });
  return CUBLAS_STATUS_SUCCESS;
}

// ---- cuBLASLt -------------------------------------------------------------------------------

cublasStatus_t cublasLtCreate(cublasLtHandle_t* handle) {
  static char the_handle;
  *handle = reinterpret_cast<cublasLtHandle_t>(&the_handle);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtDestroy(cublasLtHandle_t) { return CUBLAS_STATUS_SUCCESS; }

cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* layout, cudaDataType type,
                                          uint64_t rows, uint64_t cols, int64_t ld) {
  *layout = reinterpret_cast<cublasLtMatrixLayout_t>(new emulation::Layout{type, rows, cols, ld});
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  delete reinterpret_cast<emulation::Layout*>(layout);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t layout,
                                                cublasLtMatrixLayoutAttribute_t attribute,
                                                const void* buf, size_t bytes) {
  auto& l = *reinterpret_cast<emulation::Layout*>(layout);
  switch (attribute) {
    case CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT:
      return emulation::read_attribute(l.batch, buf, bytes);
    case CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET:
      return emulation::read_attribute(l.stride, buf, bytes);
    default:
      return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}

cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* desc, cublasComputeType_t compute,
                                        cudaDataType scale) {
  *desc = reinterpret_cast<cublasLtMatmulDesc_t>(
      new emulation::MatmulDesc{.compute = compute, .scale = scale});
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
  delete reinterpret_cast<emulation::MatmulDesc*>(desc);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc,
                                              cublasLtMatmulDescAttributes_t attribute,
                                              const void* buf, size_t bytes) {
  auto& d = *reinterpret_cast<emulation::MatmulDesc*>(desc);
  switch (attribute) {
    case CUBLASLT_MATMUL_DESC_TRANSA:
      return emulation::read_attribute(d.trans_a, buf, bytes);
    case CUBLASLT_MATMUL_DESC_TRANSB:
      return emulation::read_attribute(d.trans_b, buf, bytes);
    case CUBLASLT_MATMUL_DESC_EPILOGUE:
      return emulation::read_attribute(d.epilogue, buf, bytes);
    case CUBLASLT_MATMUL_DESC_BIAS_POINTER:
      return emulation::read_attribute(d.bias, buf, bytes);
    case CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE:
      return emulation::read_attribute(d.bias_type, buf, bytes);
    default:
      return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}

cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* preference) {
  *preference = reinterpret_cast<cublasLtMatmulPreference_t>(new emulation::Preference);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t preference) {
  delete reinterpret_cast<emulation::Preference*>(preference);
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t preference,
                                                    cublasLtMatmulPreferenceAttributes_t attribute,
                                                    const void* buf, size_t bytes) {
  auto& p = *reinterpret_cast<emulation::Preference*>(preference);
  switch (attribute) {
    case CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES:
      return emulation::read_attribute(p.max_workspace, buf, bytes);
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES:
      return emulation::read_attribute(p.alignment[0], buf, bytes);
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES:
      return emulation::read_attribute(p.alignment[1], buf, bytes);
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES:
      return emulation::read_attribute(p.alignment[2], buf, bytes);
    case CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES:
      return emulation::read_attribute(p.alignment[3], buf, bytes);
    default:
      return CUBLAS_STATUS_NOT_SUPPORTED;
  }
}

// One algorithm for every valid problem: it takes a workspace where the preference allows one
// and assumes the preference's alignments (data[3..6]), which cublasLtMatmul then checks.
cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t, cublasLtMatmulDesc_t desc,
                                              cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                              cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t y,
                                              cublasLtMatmulPreference_t preference, int requested,
                                              cublasLtMatmulHeuristicResult_t* results,
                                              int* count) {
  const auto& d = *reinterpret_cast<const emulation::MatmulDesc*>(desc);
  const auto& pref = *reinterpret_cast<const emulation::Preference*>(preference);
  emulation::Problem p;
  if (requested < 1) return CUBLAS_STATUS_INVALID_VALUE;
  if (!emulation::make_problem(d, *reinterpret_cast<const emulation::Layout*>(a),
                               *reinterpret_cast<const emulation::Layout*>(b),
                               *reinterpret_cast<const emulation::Layout*>(c),
                               *reinterpret_cast<const emulation::Layout*>(y), p))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (d.compute != CUBLAS_COMPUTE_32F || d.scale != CUDA_R_32F ||
      !emulation::known_epilogue(d.epilogue))
    return CUBLAS_STATUS_NOT_SUPPORTED;
  *count = 0;
  cublasLtMatmulHeuristicResult_t& r = results[0];
  r = {};
  r.algo.data[0] = emulation::kAlgoMagic;
  r.workspaceSize = std::min<uint64_t>(pref.max_workspace, emulation::kAlgoWorkspace);
  r.algo.data[1] = r.workspaceSize;
  for (int i = 0; i < 4; ++i) r.algo.data[3 + i] = pref.alignment[i];
  r.state = CUBLAS_STATUS_SUCCESS;
  r.wavesCount = 1.0f;
  *count = 1;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t, cublasLtMatmulDesc_t desc, const void* alpha,
                              const void* a, cublasLtMatrixLayout_t a_layout, const void* b,
                              cublasLtMatrixLayout_t b_layout, const void* beta, const void* c,
                              cublasLtMatrixLayout_t c_layout, void* y,
                              cublasLtMatrixLayout_t y_layout, const cublasLtMatmulAlgo_t* algo,
                              void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  const auto& d = *reinterpret_cast<const emulation::MatmulDesc*>(desc);
  const auto& la = *reinterpret_cast<const emulation::Layout*>(a_layout);
  const auto& lb = *reinterpret_cast<const emulation::Layout*>(b_layout);
  const auto& lc = *reinterpret_cast<const emulation::Layout*>(c_layout);
  const auto& ly = *reinterpret_cast<const emulation::Layout*>(y_layout);
  emulation::Problem p;
  if (!emulation::make_problem(d, la, lb, lc, ly, p) || !emulation::known_epilogue(d.epilogue))
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!algo || algo->data[0] != emulation::kAlgoMagic) {
    std::fprintf(stderr,
                 "cuBLASLt emulation: cublasLtMatmul without an algorithm from the heuristic\n");
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  if (workspace_bytes < algo->data[1] || (algo->data[1] && !workspace)) {
    std::fprintf(stderr,
                 "cuBLASLt emulation: the algorithm needs %llu bytes of workspace, %zu given\n",
                 static_cast<unsigned long long>(algo->data[1]), workspace_bytes);
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  if ((d.epilogue & CUBLASLT_EPILOGUE_BIAS) && !d.bias) return CUBLAS_STATUS_INVALID_VALUE;
  // The operands and their batch strides aligned as the algorithm was chosen for.
  const void* operands[4] = {a, b, c, y};
  const emulation::Layout* layouts[4] = {&la, &lb, &lc, &ly};
  for (int i = 0; i < 4; ++i) {
    const uint64_t bits =
        emulation::address(operands[i]) |
        uint64_t(layouts[i]->stride * int64_t(emulation::element_bytes(layouts[i]->type)));
    if (bits % algo->data[3 + i] != 0) {
      std::fprintf(
          stderr,
          "cuBLASLt emulation: operand %c at %p (batch stride %lld) is not aligned to the %llu "
          "bytes its algorithm was chosen for\n",
          "ABCD"[i], operands[i], static_cast<long long>(layouts[i]->stride),
          static_cast<unsigned long long>(algo->data[3 + i]));
      return CUBLAS_STATUS_INVALID_VALUE;
    }
  }
  const float al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
  const size_t scratch = algo->data[1];
  emulation::enqueue(stream, [=] {
    emulation::scribble(workspace, scratch);
    emulation::multiply(p, d, al, a, la, b, lb, be, c, lc, y, ly);
  });
  return CUBLAS_STATUS_SUCCESS;
}
