// PartialShape and shape printing.
#include "tandem/shape.h"

#include "tandem/error.h"

namespace tandem {

PartialShape::PartialShape(const std::vector<int64_t>& dims) : dims_(std::vector<Dimension>()) {
  for (int64_t d : dims) dims_->push_back(Dimension(d));
}

bool PartialShape::is_static() const {
  if (!dims_) return false;
  for (const auto& d : *dims_)
    if (!d.is_static()) return false;
  return true;
}

const std::vector<Dimension>& PartialShape::dims() const {
  static const std::vector<Dimension> kNone;
  return dims_ ? *dims_ : kNone;
}

std::vector<int64_t> PartialShape::to_shape() const {
  if (!is_static())
    throw Error(ErrorKind::Runtime, "shape " + to_string(*this) + " is not static");
  std::vector<int64_t> out;
  for (const auto& d : *dims_) out.push_back(d.value);
  return out;
}

bool PartialShape::compatible(const std::vector<int64_t>& shape) const {
  if (!dims_) return true;
  if (dims_->size() != shape.size()) return false;
  for (size_t i = 0; i < shape.size(); ++i)
    if ((*dims_)[i].is_static() && (*dims_)[i].value != shape[i]) return false;
  return true;
}

std::string to_string(const PartialShape& shape) {
  if (!shape.rank_known()) return "[...]";
  std::string s = "[";
  for (size_t i = 0; i < shape.rank(); ++i) {
    if (i) s += ",";
    const Dimension& d = shape[i];
    s += d.is_static() ? std::to_string(d.value) : (d.symbol.empty() ? "?" : d.symbol);
  }
  return s + "]";
}

std::string to_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace tandem
