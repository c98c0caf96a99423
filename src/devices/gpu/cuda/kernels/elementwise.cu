// The pointwise kernels of elementwise.h: grid-stride loops, 16-byte vector loads where the
// operands are aligned and read flat, f32 arithmetic whatever the storage type.
#include <cstdint>
#include <string>
#include <type_traits>

#include "devices/gpu/cuda/cuda_check.h"
#include "devices/gpu/cuda/kernels/elementwise.h"
#include "devices/gpu/cuda/kernels/storage.cuh"
#include "tandem/error.h"

namespace tandem::gpu::elementwise {
namespace {

template <class F>
void with_cast_type(ElementType type, F&& f) {
  switch (type) {
    case ElementType::F32: return f(Tag<float>{});
    case ElementType::F16: return f(Tag<__half>{});
    case ElementType::BF16: return f(Tag<__nv_bfloat16>{});
    case ElementType::I32: return f(Tag<int32_t>{});
    case ElementType::I64: return f(Tag<int64_t>{});
    case ElementType::Bool: return f(Tag<bool>{});
    default:
      throw Error(ErrorKind::Unsupported,
                  "GPU Cast: element type " + std::string(to_string(type)) + " is not supported");
  }
}

template <class T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

// Elements per 16-byte vector.
template <class T>
constexpr int kVector = 16 / int(sizeof(T));

bool aligned(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

__device__ __forceinline__ float apply_unary(const UnaryParams& p, float x) {
  switch (p.op) {
    case UnaryOp::Relu: return x < 0.0f ? 0.0f : x;  // NaN passes, as in the reference
    case UnaryOp::LeakyRelu: return x < 0.0f ? p.alpha * x : x;
    case UnaryOp::Sigmoid: return 1.0f / (1.0f + expf(-x));
    case UnaryOp::Tanh: return tanhf(x);
    case UnaryOp::Erf: return erff(x);
    case UnaryOp::Gelu: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case UnaryOp::GeluTanh:
      return 0.5f * x * (1.0f + tanhf(0.79788456080286536f * (x + 0.044715f * x * x * x)));
    case UnaryOp::Exp: return expf(x);
    case UnaryOp::Log: return logf(x);
    case UnaryOp::Sqrt: return sqrtf(x);
    case UnaryOp::Neg: return -x;
    case UnaryOp::Abs: return fabsf(x);
    case UnaryOp::Reciprocal: return 1.0f / x;
    case UnaryOp::Clip: {  // NaN stays NaN; lo > hi gives hi, as numpy's clip
      const float y = x < p.alpha ? p.alpha : x;
      return y > p.beta ? p.beta : y;
    }
    case UnaryOp::HardSigmoid: return fminf(fmaxf(p.alpha * x + p.beta, 0.0f), 1.0f);
    case UnaryOp::HardSwish: return x * fminf(fmaxf(x / 6.0f + 0.5f, 0.0f), 1.0f);
    case UnaryOp::Softplus: return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
    case UnaryOp::Elu: return x < 0.0f ? p.alpha * expm1f(x) : x;
    case UnaryOp::Pow:
      if (p.alpha == 2.0f) return x * x;
      if (p.alpha == 0.5f) return sqrtf(x);
      if (p.alpha == 1.0f) return x;
      return powf(x, p.alpha);
  }
  return x;
}

__device__ __forceinline__ float apply_binary(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Pow: return powf(a, b);
  }
  return a;
}

template <class T, int V>
__global__ void unary_kernel(UnaryParams p, const Pack<T, V>* x, Pack<T, V>* y, int64_t packs) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < packs;
       i += int64_t(gridDim.x) * blockDim.x) {
    Pack<T, V> v = x[i];
#pragma unroll
    for (int k = 0; k < V; ++k) v.v[k] = from_float<T>(apply_unary(p, to_float(v.v[k])));
    y[i] = v;
  }
}

// Same-shape operands, or one of them a single element (read once).
template <class T, int V>
__global__ void binary_flat_kernel(BinaryOp op, const T* a, const T* b, T* y, int64_t packs,
                                   bool a_scalar, bool b_scalar) {
  using P = Pack<T, V>;
  const float sa = a_scalar ? to_float(a[0]) : 0.0f;
  const float sb = b_scalar ? to_float(b[0]) : 0.0f;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < packs;
       i += int64_t(gridDim.x) * blockDim.x) {
    P va, vb, vy;
    if (!a_scalar) va = reinterpret_cast<const P*>(a)[i];
    if (!b_scalar) vb = reinterpret_cast<const P*>(b)[i];
#pragma unroll
    for (int k = 0; k < V; ++k)
      vy.v[k] = from_float<T>(
          apply_binary(op, a_scalar ? sa : to_float(va.v[k]), b_scalar ? sb : to_float(vb.v[k])));
    reinterpret_cast<P*>(y)[i] = vy;
  }
}

template <class T>
__global__ void binary_broadcast_kernel(BinaryOp op, BroadcastPlan p, const T* a, const T* b,
                                        T* y) {
  // The index in 64 bits: n < 2^31, but adding the grid's stride to it may not be.
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < p.n;
       i += int64_t(gridDim.x) * blockDim.x) {
    int32_t rest = int32_t(i), oa = 0, ob = 0;
#pragma unroll
    for (int d = kMaxRank - 1; d >= 0; --d) {
      if (d >= p.rank) continue;
      const int32_t q = rest / p.dims[d];
      const int32_t r = rest - q * p.dims[d];
      oa += r * p.a_strides[d];
      ob += r * p.b_strides[d];
      rest = q;
    }
    y[i] = from_float<T>(apply_binary(op, to_float(a[oa]), to_float(b[ob])));
  }
}

// Cast's conversions: floats through f32; integers directly; bool as zero or not.
template <class From>
__device__ __forceinline__ float cast_to_float(From x) {
  if constexpr (std::is_same_v<From, float> || std::is_same_v<From, __half> ||
                std::is_same_v<From, __nv_bfloat16>)
    return to_float(x);
  else
    return float(x);
}

template <class From, class To>
__device__ __forceinline__ To convert(From x, bool truncate_bf16) {
  constexpr bool float_source = std::is_same_v<From, float> || std::is_same_v<From, __half> ||
                                std::is_same_v<From, __nv_bfloat16>;
  if constexpr (std::is_same_v<To, bool>) {
    if constexpr (float_source)
      return to_float(x) != 0.0f;
    else
      return x != From(0);
  } else if constexpr (std::is_same_v<To, int32_t> || std::is_same_v<To, int64_t>) {
    if constexpr (float_source)
      return To(to_float(x));  // truncation toward zero
    else
      return To(x);
  } else if constexpr (std::is_same_v<To, __nv_bfloat16>) {
    const float f = cast_to_float(x);
    if (truncate_bf16) return __ushort_as_bfloat16(uint16_t(__float_as_uint(f) >> 16));
    return __float2bfloat16_rn(f);
  } else {
    return from_float<To>(cast_to_float(x));
  }
}

template <class From, class To>
__global__ void cast_kernel(const From* x, To* y, int64_t n, bool truncate_bf16) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = convert<From, To>(x[i], truncate_bf16);
}

}  // namespace

void unary(ElementType type, const UnaryParams& params, const void* x, void* y, int64_t n,
           cudaStream_t stream) {
  if (n == 0) return;
  with_float_type(type, "GPU elementwise", [&](auto tag) {
    using T = typename decltype(tag)::type;
    constexpr int V = kVector<T>;
    if (n % V == 0 && aligned(x, sizeof(T) * V) && aligned(y, sizeof(T) * V)) {
      const int64_t packs = n / V;
      unary_kernel<T, V><<<blocks_for(packs), kThreads, 0, stream>>>(
          params, static_cast<const Pack<T, V>*>(x), static_cast<Pack<T, V>*>(y), packs);
    } else {
      unary_kernel<T, 1><<<blocks_for(n), kThreads, 0, stream>>>(
          params, static_cast<const Pack<T, 1>*>(x), static_cast<Pack<T, 1>*>(y), n);
    }
    check_launch("elementwise unary_kernel");
  });
}

void binary(ElementType type, BinaryOp op, const BroadcastPlan& plan, const void* a,
            const void* b, void* y, cudaStream_t stream) {
  if (plan.n == 0) return;
  with_float_type(type, "GPU elementwise", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* ta = static_cast<const T*>(a);
    const T* tb = static_cast<const T*>(b);
    T* ty = static_cast<T*>(y);
    if (plan.rank > 0) {
      binary_broadcast_kernel<T><<<blocks_for(plan.n), kThreads, 0, stream>>>(op, plan, ta, tb, ty);
      check_launch("elementwise binary_broadcast_kernel");
      return;
    }
    constexpr int V = kVector<T>;
    const size_t bytes = sizeof(T) * V;
    if (plan.n % V == 0 && aligned(y, bytes) && (plan.a_scalar || aligned(a, bytes)) &&
        (plan.b_scalar || aligned(b, bytes))) {
      binary_flat_kernel<T, V><<<blocks_for(plan.n / V), kThreads, 0, stream>>>(
          op, ta, tb, ty, plan.n / V, plan.a_scalar, plan.b_scalar);
    } else {
      binary_flat_kernel<T, 1><<<blocks_for(plan.n), kThreads, 0, stream>>>(
          op, ta, tb, ty, plan.n, plan.a_scalar, plan.b_scalar);
    }
    check_launch("elementwise binary_flat_kernel");
  });
}

bool castable(ElementType from, ElementType to) {
  auto ok = [](ElementType t) {
    switch (t) {
      case ElementType::F32:
      case ElementType::F16:
      case ElementType::BF16:
      case ElementType::I32:
      case ElementType::I64:
      case ElementType::Bool:
        return true;
      default:
        return false;
    }
  };
  return ok(from) && ok(to);
}

void cast(ElementType from, ElementType to, bool truncate_bf16, const void* x, void* y, int64_t n,
          cudaStream_t stream) {
  if (n == 0) return;
  with_cast_type(from, [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    with_cast_type(to, [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      cast_kernel<From, To><<<blocks_for(n), kThreads, 0, stream>>>(
          static_cast<const From*>(x), static_cast<To*>(y), n, truncate_bf16);
      check_launch("elementwise cast_kernel");
    });
  });
}

}  // namespace tandem::gpu::elementwise
