// Shapes with static and symbolic dimensions, as a model declares them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace tandem {

/// A dimension: a known size, a named symbol ("batch"), or unknown (neither).
struct Dimension {
  int64_t value = -1;
  std::string symbol;

  Dimension() = default;
  Dimension(int64_t v) : value(v) {}  // NOLINT: sizes convert naturally
  static Dimension named(std::string name) {
    Dimension d;
    d.symbol = std::move(name);
    return d;
  }
  bool is_static() const { return value >= 0; }
  bool operator==(const Dimension&) const = default;
};

/// A shape whose rank or dimensions may be unknown until inputs arrive.
class PartialShape {
 public:
  /// Unknown rank.
  PartialShape() = default;
  PartialShape(std::vector<Dimension> dims) : dims_(std::move(dims)) {}  // NOLINT
  PartialShape(const std::vector<int64_t>& dims);                          // NOLINT
  PartialShape(std::initializer_list<int64_t> dims) : PartialShape(std::vector<int64_t>(dims)) {}
  static PartialShape of_rank(size_t rank) { return PartialShape(std::vector<Dimension>(rank)); }

  bool rank_known() const { return dims_.has_value(); }
  size_t rank() const { return dims_ ? dims_->size() : 0; }
  bool is_static() const;
  const std::vector<Dimension>& dims() const;
  const Dimension& operator[](size_t i) const { return dims()[i]; }
  /// The sizes; throws unless is_static().
  std::vector<int64_t> to_shape() const;
  /// Whether a concrete shape fits: same rank and equal static dimensions.
  bool compatible(const std::vector<int64_t>& shape) const;
  bool operator==(const PartialShape&) const = default;

 private:
  std::optional<std::vector<Dimension>> dims_;
};

/// "[1,3,224,224]", "[batch,3,?,?]", "[...]" for unknown rank.
std::string to_string(const PartialShape& shape);
std::string to_string(const std::vector<int64_t>& shape);

}  // namespace tandem
