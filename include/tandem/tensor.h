// Tensor: an element type, a shape and shared memory (the host's, or a device's); copies are cheap
// handles.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tandem/element_type.h"
#include "tandem/error.h"

namespace tandem {

using Shape = std::vector<int64_t>;

/// Number of elements of a shape (1 for a scalar).
int64_t shape_size(const Shape& shape);

/// A tensor handle. Copying a Tensor shares its memory (like a shared_ptr); use clone() for a
/// deep copy. Strings are stored as std::string elements. Not thread-safe for concurrent writes.
/// Its bytes are in host memory unless it is a device tensor (Core::create_tensor, or an output
/// InferRequest::set_output_device keeps on its device): then data() is a device address, and
/// element access (data<T>, span, scalar, the conversions, clone) throws InvalidArgument.
class Tensor {
 public:
  /// An empty handle: no type, no memory.
  Tensor() = default;
  /// Allocates zero-initialised memory for shape (strings are empty).
  Tensor(ElementType type, Shape shape);
  /// A view of memory the caller keeps alive through owner (may be null if the caller guarantees
  /// the memory outlives every copy of the handle). No bytes are copied.
  static Tensor wrap(ElementType type, Shape shape, void* data, std::shared_ptr<const void> owner);
  /// A tensor holding values (shape defaults to 1-D of values.size()).
  template <class T>
  static Tensor from(std::vector<T> values, Shape shape = {});
  template <class T>
  static Tensor scalar(T value) {
    return from<T>({value}, Shape{});
  }

  bool is_valid() const { return type_ != ElementType::Undefined; }
  ElementType element_type() const { return type_; }
  const Shape& shape() const { return shape_ ? *shape_ : kNoDims; }
  size_t rank() const { return shape().size(); }
  int64_t size() const { return size_; }
  size_t byte_size() const { return size_t(size_) * element_size(type_); }

  /// Whose memory the bytes are in: "CPU" for host memory, else the device's ("GPU").
  std::string_view device() const { return device_.empty() ? std::string_view("CPU") : device_; }
  bool on_host() const { return device_.empty(); }
  /// The same bytes, marked as being in `device`'s memory ("CPU": host memory); nothing is
  /// copied. For device memory another library allocated: wrap() it, then mark it.
  Tensor in_memory_of(std::string_view device) const;

  /// The first byte: a host address, or for a device tensor a device address.
  void* data() { return data_; }
  const void* data() const { return data_; }
  template <class T>
  T* data() {
    check_access(element_type_of<T>());
    return static_cast<T*>(data_);
  }
  template <class T>
  const T* data() const {
    check_access(element_type_of<std::remove_const_t<T>>());
    return static_cast<const T*>(data_);
  }
  template <class T>
  std::span<T> span() {
    return {data<std::remove_const_t<T>>(), size_t(size_)};
  }
  template <class T>
  std::span<const T> span() const {
    return {data<std::remove_const_t<T>>(), size_t(size_)};
  }
  /// The single element of a one-element tensor, converted to T (float, double, the integer
  /// types and bool).
  template <class T>
  T scalar() const;
  /// Every element converted to int64 (integer and bool tensors only); for axes, shapes, indices.
  std::vector<int64_t> to_int64() const;
  /// Every element converted to double (numeric tensors only).
  std::vector<double> to_double() const;

  /// A deep copy with its own memory.
  Tensor clone() const;
  /// The same memory with another shape of equal size.
  Tensor reshaped(Shape shape) const;

 private:
  void check_access(ElementType expected) const;
  void check_on_host(const char* what) const;

  static inline const Shape kNoDims{};
  // Shared, never changed: copying a handle (each run passes values from stage to stage and back
  // to the caller) then allocates nothing. Null for a scalar.
  static std::shared_ptr<const Shape> share(Shape shape);

  ElementType type_ = ElementType::Undefined;
  std::shared_ptr<const Shape> shape_;
  int64_t size_ = 0;
  void* data_ = nullptr;
  std::shared_ptr<const void> owner_;
  std::string_view device_;  // empty for host memory; else an interned device name
};

/// "f32[1,3,224,224]", with " in GPU memory" for a device tensor.
std::string describe(const Tensor& tensor);

template <class T>
Tensor Tensor::from(std::vector<T> values, Shape shape) {
  if (shape.empty() && values.size() != 1) shape = {int64_t(values.size())};
  Tensor t(element_type_of<T>(), shape);
  if (size_t(t.size()) != values.size())
    throw Error(ErrorKind::InvalidArgument, "Tensor::from: " + std::to_string(values.size()) +
                                                " values do not fill the shape");
  auto out = t.span<T>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return t;
}

}  // namespace tandem
