// Tensor storage: aligned zeroed bytes for numbers, constructed std::string elements for text.
#include "tandem/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <set>

#include "tandem/shape.h"

namespace tandem {
namespace {
// 64 bytes: a cache line and the widest vector register, so kernels may use aligned loads.
constexpr size_t kAlignment = 64;

std::shared_ptr<void> allocate(ElementType type, int64_t count) {
  if (type == ElementType::String) return std::shared_ptr<std::string[]>(new std::string[size_t(count)]);
  size_t bytes = size_t(count) * element_size(type);
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded ? rounded : kAlignment);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  return std::shared_ptr<void>(p, std::free);
}

// Device names live as long as the program, so that a handle holds a view of one and copying it
// allocates nothing.
std::string_view interned(std::string_view name) {
  static std::mutex mutex;
  static std::set<std::string, std::less<>> names;
  std::lock_guard lock(mutex);
  if (const auto known = names.find(name); known != names.end()) return *known;
  return *names.emplace(name).first;
}

template <class T>
T convert_scalar(const Tensor& t, int64_t i) {
  const void* p = t.data();
  switch (t.element_type()) {
    case ElementType::F32: return T(static_cast<const float*>(p)[i]);
    case ElementType::F64: return T(static_cast<const double*>(p)[i]);
    case ElementType::F16: return T(float(static_cast<const float16*>(p)[i]));
    case ElementType::BF16: return T(float(static_cast<const bfloat16*>(p)[i]));
    case ElementType::I8: return T(static_cast<const int8_t*>(p)[i]);
    case ElementType::I16: return T(static_cast<const int16_t*>(p)[i]);
    case ElementType::I32: return T(static_cast<const int32_t*>(p)[i]);
    case ElementType::I64: return T(static_cast<const int64_t*>(p)[i]);
    case ElementType::U8: return T(static_cast<const uint8_t*>(p)[i]);
    case ElementType::U16: return T(static_cast<const uint16_t*>(p)[i]);
    case ElementType::U32: return T(static_cast<const uint32_t*>(p)[i]);
    case ElementType::U64: return T(static_cast<const uint64_t*>(p)[i]);
    case ElementType::Bool: return T(static_cast<const bool*>(p)[i]);
    case ElementType::F8E4M3FN: return T(float(static_cast<const float8_e4m3fn*>(p)[i]));
    case ElementType::F8E4M3FNUZ: return T(float(static_cast<const float8_e4m3fnuz*>(p)[i]));
    case ElementType::F8E5M2: return T(float(static_cast<const float8_e5m2*>(p)[i]));
    case ElementType::F8E5M2FNUZ: return T(float(static_cast<const float8_e5m2fnuz*>(p)[i]));
    case ElementType::F4E2M1: return T(float(static_cast<const float4_e2m1*>(p)[i]));
    case ElementType::F8E8M0: return T(float(static_cast<const float8_e8m0*>(p)[i]));
    case ElementType::F6E2M3: return T(float(static_cast<const float6_e2m3*>(p)[i]));
    case ElementType::F6E3M2: return T(float(static_cast<const float6_e3m2*>(p)[i]));
    case ElementType::I4: return T(int(static_cast<const int4*>(p)[i]));
    case ElementType::U4: return T(int(static_cast<const uint4*>(p)[i]));
    case ElementType::I2: return T(int(static_cast<const int2*>(p)[i]));
    case ElementType::U2: return T(int(static_cast<const uint2*>(p)[i]));
    default:
      throw Error(ErrorKind::InvalidArgument,
                  "cannot read a " + std::string(to_string(t.element_type())) + " tensor as a number");
  }
}
}  // namespace

int64_t shape_size(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(ErrorKind::InvalidArgument, "negative dimension in shape " + to_string(shape));
    n *= d;
  }
  return n;
}

std::shared_ptr<const Shape> Tensor::share(Shape shape) {
  return shape.empty() ? nullptr : std::make_shared<const Shape>(std::move(shape));
}

Tensor::Tensor(ElementType type, Shape shape) : type_(type) {
  if (element_size(type) == 0)
    throw Error(ErrorKind::Unsupported, "cannot allocate a tensor of element type " +
                                            std::string(to_string(type)));
  size_ = shape_size(shape);
  if (size_ > std::numeric_limits<int64_t>::max() / 16)
    throw Error(ErrorKind::InvalidArgument, "tensor shape " + to_string(shape) + " is too large");
  shape_ = share(std::move(shape));
  auto memory = allocate(type, size_);
  data_ = memory.get();
  owner_ = std::move(memory);
}

Tensor Tensor::wrap(ElementType type, Shape shape, void* data, std::shared_ptr<const void> owner) {
  Tensor t;
  t.type_ = type;
  t.size_ = shape_size(shape);
  t.shape_ = share(std::move(shape));
  t.data_ = data;
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::in_memory_of(std::string_view device) const {
  Tensor t = *this;
  t.device_ = device == "CPU" ? std::string_view() : interned(device);
  return t;
}

void Tensor::check_on_host(const char* what) const {
  if (!on_host())
    throw Error(ErrorKind::InvalidArgument,
                std::string(what) + ": the tensor is in " + std::string(device()) +
                    " memory; copy it to the host first (Core::copy_tensor(tensor, \"CPU\"))");
}

void Tensor::check_access(ElementType expected) const {
  check_on_host("reading a tensor's elements");
  if (expected != type_)
    throw Error(ErrorKind::InvalidArgument, "tensor of type " + std::string(to_string(type_)) +
                                                " accessed as " + std::string(to_string(expected)));
}

template <class T>
T Tensor::scalar() const {
  check_on_host("Tensor::scalar");
  if (size_ != 1)
    throw Error(ErrorKind::InvalidArgument, "expected a single value, got shape " + to_string(shape()));
  return convert_scalar<T>(*this, 0);
}
template float Tensor::scalar<float>() const;
template double Tensor::scalar<double>() const;
template int8_t Tensor::scalar<int8_t>() const;
template int16_t Tensor::scalar<int16_t>() const;
template int32_t Tensor::scalar<int32_t>() const;
template int64_t Tensor::scalar<int64_t>() const;
template uint8_t Tensor::scalar<uint8_t>() const;
template uint16_t Tensor::scalar<uint16_t>() const;
template uint32_t Tensor::scalar<uint32_t>() const;
template uint64_t Tensor::scalar<uint64_t>() const;
template bool Tensor::scalar<bool>() const;

std::vector<int64_t> Tensor::to_int64() const {
  check_on_host("Tensor::to_int64");
  if (is_floating_type(type_) || type_ == ElementType::String)
    throw Error(ErrorKind::InvalidArgument,
                "expected an integer tensor, got " + std::string(to_string(type_)));
  std::vector<int64_t> out(static_cast<size_t>(size_));
  for (int64_t i = 0; i < size_; ++i) out[i] = convert_scalar<int64_t>(*this, i);
  return out;
}

std::vector<double> Tensor::to_double() const {
  check_on_host("Tensor::to_double");
  std::vector<double> out(static_cast<size_t>(size_));
  for (int64_t i = 0; i < size_; ++i) out[i] = convert_scalar<double>(*this, i);
  return out;
}

Tensor Tensor::clone() const {
  if (!is_valid()) return {};
  check_on_host("Tensor::clone");
  Tensor t(type_, shape());
  if (type_ == ElementType::String) {
    auto src = span<std::string>();
    auto dst = t.span<std::string>();
    for (size_t i = 0; i < src.size(); ++i) dst[i] = src[i];
  } else if (size_ > 0) {
    std::memcpy(t.data_, data_, byte_size());
  }
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_size(shape) != size_)
    throw Error(ErrorKind::InvalidArgument,
                "cannot reshape " + to_string(this->shape()) + " to " + to_string(shape));
  Tensor t = *this;
  t.shape_ = share(std::move(shape));
  return t;
}

std::string describe(const Tensor& tensor) {
  std::string s = std::string(to_string(tensor.element_type())) + to_string(tensor.shape());
  if (!tensor.on_host()) s += " in " + std::string(tensor.device()) + " memory";
  return s;
}

}  // namespace tandem
