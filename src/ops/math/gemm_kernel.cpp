// Blocked GEMM in the style of BLIS: B is packed into k x kNr column panels, A into kMr x k row
// panels, and a kMr x kNr tile of C is accumulated in locals that the compiler keeps in vector
// registers. Single-threaded, plain C++: -O3 vectorises the kNr-wide inner loop.
#include "ops/math/gemm_kernel.h"

#include <algorithm>
#include <vector>

namespace tandem::ops {
namespace {

// The tile is sized so that the accumulators plus one row of B fit the 16 vector registers of
// baseline x86-64 (6 x 8 floats = 12 SSE registers); measured ~25 GFLOP/s in the micro-kernel.
template <class T>
struct Tile {
  static constexpr int kMr = 6;
  static constexpr int kNr = 8;
};
template <>
struct Tile<double> {
  static constexpr int kMr = 4;
  static constexpr int kNr = 4;
};

// Cache blocks: a kKc x kNr panel of B stays in L1, a kMc x kKc block of A in L2.
constexpr int64_t kKc = 256;
constexpr int64_t kMc = 72;
constexpr int64_t kNc = 4096;

template <class T, int Mr>
void pack_a(bool trans, const T* a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc,
            T* out) {
  for (int64_t ir = 0; ir < mc; ir += Mr) {
    const int64_t rows = std::min<int64_t>(Mr, mc - ir);
    for (int64_t p = 0; p < kc; ++p) {
      T* dst = out + (ir / Mr) * kc * Mr + p * Mr;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = i0 + ir + r, q = p0 + p;
        dst[r] = trans ? a[q * lda + i] : a[i * lda + q];
      }
      for (int64_t r = rows; r < Mr; ++r) dst[r] = T(0);
    }
  }
}

template <class T, int Nr>
void pack_b(bool trans, const T* b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc,
            T* out) {
  for (int64_t jr = 0; jr < nc; jr += Nr) {
    const int64_t cols = std::min<int64_t>(Nr, nc - jr);
    T* panel = out + (jr / Nr) * kc * Nr;
    for (int64_t p = 0; p < kc; ++p) {
      T* dst = panel + p * Nr;
      const int64_t q = p0 + p;
      if (!trans) {
        const T* src = b + q * ldb + j0 + jr;
        for (int64_t j = 0; j < cols; ++j) dst[j] = src[j];
      } else {
        for (int64_t j = 0; j < cols; ++j) dst[j] = b[(j0 + jr + j) * ldb + q];
      }
      for (int64_t j = cols; j < Nr; ++j) dst[j] = T(0);
    }
  }
}

// acc = sum over p of ap[p][0..Mr) (outer) bp[p][0..Nr).
template <class T, int Mr, int Nr>
inline void micro_kernel(int64_t kc, const T* __restrict ap, const T* __restrict bp,
                         T* __restrict out) {
  T acc[Mr][Nr] = {};
  for (int64_t p = 0; p < kc; ++p) {
    // Copying the row of B into a local first is what lets GCC vectorise along j and keep acc in
    // registers; reading bk directly makes it vectorise along i with shuffles (5x slower).
    T bk[Nr];
    for (int j = 0; j < Nr; ++j) bk[j] = bp[p * Nr + j];
    const T* __restrict ak = ap + p * Mr;
    for (int i = 0; i < Mr; ++i) {
      const T av = ak[i];
      for (int j = 0; j < Nr; ++j) acc[i][j] += av * bk[j];
    }
  }
  for (int i = 0; i < Mr; ++i)
    for (int j = 0; j < Nr; ++j) out[i * Nr + j] = acc[i][j];
}

template <class T>
void scale_c(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0))
      std::fill(row, row + n, T(0));
    else if (beta != T(1))
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
}

}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  constexpr int Mr = Tile<T>::kMr, Nr = Tile<T>::kNr;
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == T(0)) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  const int64_t nc_max = std::min(kNc, (n + Nr - 1) / Nr * Nr);
  const int64_t kc_max = std::min(kKc, k);
  const int64_t mc_max = std::min(kMc, (m + Mr - 1) / Mr * Mr);
  std::vector<T> b_pack(size_t(kc_max * nc_max)), a_pack(size_t(kc_max * mc_max));
  alignas(64) T tile[Mr * Nr];

  for (int64_t j0 = 0; j0 < n; j0 += kNc) {
    const int64_t nc = std::min(kNc, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKc) {
      const int64_t kc = std::min(kKc, k - p0);
      const T beta_here = p0 == 0 ? beta : T(1);
      pack_b<T, Nr>(trans_b, b, ldb, p0, kc, j0, nc, b_pack.data());
      for (int64_t i0 = 0; i0 < m; i0 += kMc) {
        const int64_t mc = std::min(kMc, m - i0);
        pack_a<T, Mr>(trans_a, a, lda, i0, mc, p0, kc, a_pack.data());
        for (int64_t jr = 0; jr < nc; jr += Nr) {
          const int64_t cols = std::min<int64_t>(Nr, nc - jr);
          const T* bp = b_pack.data() + (jr / Nr) * kc * Nr;
          for (int64_t ir = 0; ir < mc; ir += Mr) {
            const int64_t rows = std::min<int64_t>(Mr, mc - ir);
            micro_kernel<T, Mr, Nr>(kc, a_pack.data() + (ir / Mr) * kc * Mr, bp, tile);
            T* cblock = c + (i0 + ir) * ldc + j0 + jr;
            for (int64_t i = 0; i < rows; ++i) {
              T* crow = cblock + i * ldc;
              const T* trow = tile + i * Nr;
              if (beta_here == T(0))
                for (int64_t j = 0; j < cols; ++j) crow[j] = alpha * trow[j];
              else if (beta_here == T(1))
                for (int64_t j = 0; j < cols; ++j) crow[j] += alpha * trow[j];
              else
                for (int64_t j = 0; j < cols; ++j) crow[j] = alpha * trow[j] + beta_here * crow[j];
            }
          }
        }
      }
    }
  }
}

template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                          const float*, int64_t, float, float*, int64_t);
template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                           const double*, int64_t, double, double*, int64_t);
template void gemm<int32_t>(bool, bool, int64_t, int64_t, int64_t, int32_t, const int32_t*, int64_t,
                            const int32_t*, int64_t, int32_t, int32_t*, int64_t);
template void gemm<int64_t>(bool, bool, int64_t, int64_t, int64_t, int64_t, const int64_t*, int64_t,
                            const int64_t*, int64_t, int64_t, int64_t*, int64_t);
template void gemm<uint32_t>(bool, bool, int64_t, int64_t, int64_t, uint32_t, const uint32_t*,
                             int64_t, const uint32_t*, int64_t, uint32_t, uint32_t*, int64_t);
template void gemm<uint64_t>(bool, bool, int64_t, int64_t, int64_t, uint64_t, const uint64_t*,
                             int64_t, const uint64_t*, int64_t, uint64_t, uint64_t*, int64_t);

}  // namespace tandem::ops
