// The GEMM every matrix op shares (MatMul, Gemm, Conv, ConvTranspose, the integer and quantized
// variants): a cache-blocked, register-tiled loop nest in plain C++ that the compiler vectorises.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tandem::ops {

/// C = alpha * op(A) * op(B) + beta * C, row-major, op(X) = X or X^T.
/// op(A) is m x k, op(B) is k x n, C is m x n with row stride ldc. A is read at a[i*lda + p]
/// (a[p*lda + i] when trans_a), B at b[p*ldb + j] (b[j*ldb + p] when trans_b). With beta == 0, C is
/// only written (NaNs in it do not leak). T: float, double, int32_t, int64_t, uint32_t, uint64_t.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

extern template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*,
                                 int64_t, const float*, int64_t, float, float*, int64_t);
extern template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*,
                                  int64_t, const double*, int64_t, double, double*, int64_t);
extern template void gemm<int32_t>(bool, bool, int64_t, int64_t, int64_t, int32_t, const int32_t*,
                                   int64_t, const int32_t*, int64_t, int32_t, int32_t*, int64_t);
extern template void gemm<int64_t>(bool, bool, int64_t, int64_t, int64_t, int64_t, const int64_t*,
                                   int64_t, const int64_t*, int64_t, int64_t, int64_t*, int64_t);
extern template void gemm<uint32_t>(bool, bool, int64_t, int64_t, int64_t, uint32_t,
                                    const uint32_t*, int64_t, const uint32_t*, int64_t, uint32_t,
                                    uint32_t*, int64_t);
extern template void gemm<uint64_t>(bool, bool, int64_t, int64_t, int64_t, uint64_t,
                                    const uint64_t*, int64_t, const uint64_t*, int64_t, uint64_t,
                                    uint64_t*, int64_t);

/// Half-precision operands go through the float GEMM: widen before, narrow the result after.
template <class T>
std::vector<float> widen(std::span<const T> values) {
  return std::vector<float>(values.begin(), values.end());
}
template <class T>
void narrow(const std::vector<float>& values, std::span<T> out) {
  for (size_t i = 0; i < out.size(); ++i) out[i] = T(values[i]);
}

}  // namespace tandem::ops
