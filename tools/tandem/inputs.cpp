// Inputs for `run` and `bench`: seeded random values of a port's type and shape, and ports by name.
#include "inputs.h"

#include "commands.h"

#include <string>
#include <type_traits>

#include <fmt/core.h>

namespace tandem::cli {

namespace {

// Integers stay small and non-negative so that they are valid indices, token ids and counts.
constexpr int64_t kRandomIntLimit = 10;

template <class T>
void fill_random_as(Tensor& tensor, Random& random) {
  for (T& x : tensor.span<T>()) {
    if constexpr (std::is_same_v<T, bool>)
      x = random.next() & 1;
    else if constexpr (std::is_same_v<T, std::string>)
      x = std::to_string(random.next() % kRandomIntLimit);
    else if constexpr (std::is_integral_v<T>)
      x = T(random.next() % kRandomIntLimit);
    else
      x = T(float(2.0 * random.uniform() - 1.0));  // [-1, 1)
  }
}

// The shape of a random tensor: the declared one, dynamic dimensions at 1 unless --shape says.
Shape random_shape(const Port& port, const ValueType& type,
                   const std::map<std::string, Shape>& shapes) {
  if (auto it = shapes.find(port.name); it != shapes.end()) return it->second;
  if (!type.shape.rank_known())
    throw Error(
        ErrorKind::InvalidArgument,
        fmt::format("input '{}' has an unknown rank; give it with --input or --shape", port.name));
  Shape shape;
  for (const Dimension& d : type.shape.dims()) shape.push_back(d.is_static() ? d.value : 1);
  return shape;
}

}  // namespace

void fill_random(Tensor& tensor, Random& random) {
  switch (tensor.element_type()) {
    case ElementType::F32:
      return fill_random_as<float>(tensor, random);
    case ElementType::F64:
      return fill_random_as<double>(tensor, random);
    case ElementType::F16:
      return fill_random_as<float16>(tensor, random);
    case ElementType::BF16:
      return fill_random_as<bfloat16>(tensor, random);
    case ElementType::I8:
      return fill_random_as<int8_t>(tensor, random);
    case ElementType::I16:
      return fill_random_as<int16_t>(tensor, random);
    case ElementType::I32:
      return fill_random_as<int32_t>(tensor, random);
    case ElementType::I64:
      return fill_random_as<int64_t>(tensor, random);
    case ElementType::U8:
      return fill_random_as<uint8_t>(tensor, random);
    case ElementType::U16:
      return fill_random_as<uint16_t>(tensor, random);
    case ElementType::U32:
      return fill_random_as<uint32_t>(tensor, random);
    case ElementType::U64:
      return fill_random_as<uint64_t>(tensor, random);
    case ElementType::Bool:
      return fill_random_as<bool>(tensor, random);
    case ElementType::String:
      return fill_random_as<std::string>(tensor, random);
    default:
      throw Error(ErrorKind::Unsupported,
                  fmt::format("cannot make random {} values; give the input with --input",
                              to_string(tensor.element_type())));
  }
}

const Port* find_port(const std::vector<Port>& ports, const std::string& name) {
  for (const Port& port : ports)
    if (port.name == name) return &port;
  return nullptr;
}

std::string port_names(const std::vector<Port>& ports) {
  std::string names;
  for (const Port& port : ports) names += (names.empty() ? "'" : ", '") + port.name + "'";
  return names.empty() ? "none" : names;
}

Value random_value(const Port& port, const std::map<std::string, Shape>& shapes, Random& random) {
  const ValueType* type = &port.type;
  bool sequence = false;
  while (type->kind == ValueType::Kind::Optional || type->kind == ValueType::Kind::Sequence) {
    sequence = sequence || type->kind == ValueType::Kind::Sequence;
    if (!type->element) break;
    type = type->element.get();
  }
  if (type->kind != ValueType::Kind::Tensor)
    throw Error(ErrorKind::Unsupported,
                fmt::format("cannot make a random value for input '{}' of type {}; give it with "
                            "--input",
                            port.name, to_string(port.type)));
  Tensor tensor(type->element_type, random_shape(port, *type, shapes));
  fill_random(tensor, random);
  if (sequence) return Value::sequence({tensor}, type->element_type);
  return Value(tensor);
}

namespace {

std::vector<int64_t> parse_dims(const std::string& name, const std::string& text) {
  std::vector<int64_t> dims;
  std::string item;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != ',' && text[i] != 'x') {
      item += text[i];
      continue;
    }
    if (item.empty() && text.empty()) break;  // "NAME=" is a scalar
    try {
      size_t used = 0;
      long long value = std::stoll(item, &used);
      if (used != item.size() || value < 0) throw std::invalid_argument(item);
      dims.push_back(value);
    } catch (const std::exception&) {
      throw Error(ErrorKind::InvalidArgument,
                  fmt::format("--shape {}: '{}' is not a list of sizes such as 1,3,224,224", name,
                              text));
    }
    item.clear();
  }
  return dims;
}

}  // namespace

std::map<std::string, Shape> parse_shapes(const std::vector<std::string>& texts, const std::vector<Port>& ports) {
  std::map<std::string, Shape> shapes;
  for (const std::string& text : texts) {
    auto [name, dims] = split_assignment(text, "--shape");
    if (!find_port(ports, name))
      throw Error(ErrorKind::InvalidArgument, fmt::format("--shape {}: the model has no input '{}'; its inputs are {}",
                                                          text, name, port_names(ports)));
    shapes[name] = parse_dims(name, dims);
  }
  return shapes;
}

}  // namespace tandem::cli
