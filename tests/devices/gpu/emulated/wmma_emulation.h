// nvcuda::wmma's 16x16x16 tiles on the CPU, for fused_attention.cu under emulation, following
// the CUDA C++ Programming Guide's documented semantics: a row_major tile is p[r * ldm + c], a
// col_major one p[c * ldm + r]; pointers 256-bit aligned; ldm a multiple of 16 bytes. A
// misaligned pointer or a bad ldm aborts, as it would fault or go wrong on the GPU.
//
// A fragment's element-to-lane layout is unspecified, so here each lane owns 8 of the
// accumulator's 256 elements (row lane / 2, columns 8 * (lane % 2) on) and loads the row of A and
// the columns of B they need: mma_sync computes and store_matrix_sync writes only a lane's own,
// so that a lane reading another's results before a __syncwarp reads poison. Products are summed in f32 in k order;
// tensor cores' rounding and their fragment layouts are not emulated.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

namespace nvcuda::wmma {

struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

namespace detail {

constexpr int kTile = 16;
constexpr int kOwned = kTile * kTile / 32;  // accumulator elements per lane

inline int lane() {
  const auto& i = ::tandem::gpu::emulation::current_index;
  return int((i.thread.x + i.block_dim.x * (i.thread.y + i.block_dim.y * i.thread.z)) % 32);
}

inline void check_pointer(const void* p, unsigned ldm, unsigned element_bytes, const char* what) {
  if (reinterpret_cast<uintptr_t>(p) % 32 != 0)
    ::tandem::gpu::emulation::fatal(what);  // WMMA's pointers must be 256-bit aligned
  if (ldm * element_bytes % 16 != 0) ::tandem::gpu::emulation::fatal(what);
}

inline float to_float(float v) { return v; }
inline float to_float(__half v) { return __half2float(v); }
inline float to_float(__nv_bfloat16 v) { return __bfloat162float(v); }

}  // namespace detail

template <class Use, int M, int N, int K, class T, class Layout = void>
struct fragment {
  static_assert(M == 16 && N == 16 && K == 16, "only 16x16x16 tiles are emulated");
  float tile[16][16];  // of A or B the part a lane loads, of the accumulator the part it owns
};

// A lane loads the part of A (its row) or of B (its 8 columns) that its own accumulator elements
// need; the warp's lanes together read the whole tile, as the real load does.
template <class Use, class T, class Layout>
void load_matrix_sync(fragment<Use, 16, 16, 16, T, Layout>& f, const T* p, unsigned ldm) {
  static_assert(std::is_same_v<Use, matrix_a> || std::is_same_v<Use, matrix_b>);
  static_assert(std::is_same_v<Layout, row_major> || std::is_same_v<Layout, col_major>);
  detail::check_pointer(p, ldm, sizeof(T), "wmma::load_matrix_sync: misaligned pointer or ldm");
  const int first = detail::lane() * detail::kOwned;
  const int rows_from = std::is_same_v<Use, matrix_a> ? first / 16 : 0;
  const int rows_to = std::is_same_v<Use, matrix_a> ? rows_from + 1 : 16;
  const int columns_from = std::is_same_v<Use, matrix_a> ? 0 : first % 16;
  const int columns_to = std::is_same_v<Use, matrix_a> ? 16 : columns_from + detail::kOwned;
  for (int r = rows_from; r < rows_to; ++r)
    for (int c = columns_from; c < columns_to; ++c)
      f.tile[r][c] = detail::to_float(std::is_same_v<Layout, row_major> ? p[r * ldm + c]
                                                                        : p[c * ldm + r]);
}

inline void load_matrix_sync(fragment<accumulator, 16, 16, 16, float>& f, const float* p,
                             unsigned ldm, layout_t layout) {
  detail::check_pointer(p, ldm, sizeof(float), "wmma::load_matrix_sync: misaligned pointer or ldm");
  const int first = detail::lane() * detail::kOwned;
  for (int e = first; e < first + detail::kOwned; ++e) {
    const int r = e / 16, c = e % 16;
    f.tile[r][c] = layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r];
  }
}

template <class Use, class T, class Layout>
void fill_fragment(fragment<Use, 16, 16, 16, T, Layout>& f, float value) {
  for (auto& row : f.tile)
    for (float& e : row) e = value;
}

template <class TA, class LA, class TB, class LB>
void mma_sync(fragment<accumulator, 16, 16, 16, float>& d,
              const fragment<matrix_a, 16, 16, 16, TA, LA>& a,
              const fragment<matrix_b, 16, 16, 16, TB, LB>& b,
              const fragment<accumulator, 16, 16, 16, float>& c) {
  const int first = detail::lane() * detail::kOwned;
  for (int e = first; e < first + detail::kOwned; ++e) {
    const int r = e / 16, n = e % 16;
    float sum = c.tile[r][n];
    for (int k = 0; k < 16; ++k) sum += a.tile[r][k] * b.tile[k][n];
    d.tile[r][n] = sum;
  }
}

inline void store_matrix_sync(float* p, const fragment<accumulator, 16, 16, 16, float>& f,
                              unsigned ldm, layout_t layout) {
  detail::check_pointer(p, ldm, sizeof(float), "wmma::store_matrix_sync: misaligned pointer or ldm");
  const int first = detail::lane() * detail::kOwned;
  for (int e = first; e < first + detail::kOwned; ++e) {
    const int r = e / 16, c = e % 16;
    (layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r]) = f.tile[r][c];
  }
}

}  // namespace nvcuda::wmma
