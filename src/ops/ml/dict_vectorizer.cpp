// DictVectorizer: a map becomes the row [1, V] of its values at the positions of their keys in the
// vocabulary (string_vocabulary or int64_vocabulary, matching the key type). Vocabulary entries
// the map lacks are zero (empty for strings); keys outside the vocabulary are ignored, as in ONNX
// Runtime.
#include <cstring>
#include <unordered_map>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
// The vocabulary, which fixes the key type: string or int64.
struct Vocabulary {
  bool strings = false;
  std::vector<std::string> texts;
  std::vector<int64_t> ints;
  int64_t size() const { return int64_t(strings ? texts.size() : ints.size()); }
};

Vocabulary vocabulary_of(const NodeContext& ctx) {
  Vocabulary v;
  v.strings = ctx.has_attr("string_vocabulary");
  if (v.strings == ctx.has_attr("int64_vocabulary"))
    throw ctx.error(ErrorKind::InvalidModel,
                    "exactly one of string_vocabulary and int64_vocabulary must be set");
  if (v.strings)
    v.texts = ctx.attr<std::vector<std::string>>("string_vocabulary");
  else
    v.ints = ctx.attr<std::vector<int64_t>>("int64_vocabulary");
  return v;
}

void check_value_type(const NodeContext& ctx, ElementType t) {
  if (t != ElementType::I64 && t != ElementType::F32 && t != ElementType::F64 &&
      t != ElementType::String && t != ElementType::Undefined)
    throw ctx.error(ErrorKind::InvalidModel,
                    "map values must be int64, float, double or string, got {}", to_string(t));
}

void infer(InferContext& ctx) {
  const Vocabulary v = vocabulary_of(ctx);
  const ValueType& x = ctx.input(0);
  if (x.kind != ValueType::Kind::Map && x.kind != ValueType::Kind::Unknown)
    throw ctx.error(ErrorKind::InvalidModel, "input must be a map, got {}", to_string(x));
  const ElementType key = v.strings ? ElementType::String : ElementType::I64;
  if (x.kind == ValueType::Kind::Map && x.key_type != key)
    throw ctx.error(ErrorKind::InvalidModel, "the map's keys are {}, the vocabulary's {}",
                    to_string(x.key_type), to_string(key));
  check_value_type(ctx, x.element_type);
  ctx.set_output(0, x.element_type, PartialShape({Dimension(1), Dimension(v.size())}));
}

// The output column of each map entry, -1 for keys outside the vocabulary.
template <class Key>
std::vector<int64_t> columns_of(std::span<const Key> keys, const std::vector<Key>& vocabulary) {
  std::unordered_map<Key, int64_t> index;
  for (size_t i = 0; i < vocabulary.size(); ++i) index.emplace(vocabulary[i], int64_t(i));
  std::vector<int64_t> columns;
  for (const Key& k : keys) {
    auto it = index.find(k);
    columns.push_back(it == index.end() ? -1 : it->second);
  }
  return columns;
}

void reference(KernelContext& ctx) {
  const Vocabulary v = vocabulary_of(ctx);
  const Value& x = ctx.value(0);
  const Tensor& keys = x.map_keys();
  const Tensor& values = x.map_values();
  check_value_type(ctx, values.element_type());
  if (keys.element_type() != (v.strings ? ElementType::String : ElementType::I64))
    throw ctx.error(ErrorKind::InvalidArgument, "the map's keys are {}, the vocabulary's {}",
                    to_string(keys.element_type()), v.strings ? "string" : "int64");
  const std::vector<int64_t> columns = v.strings
                                           ? columns_of(keys.span<const std::string>(), v.texts)
                                           : columns_of(keys.span<const int64_t>(), v.ints);
  Tensor& y = ctx.allocate_output(0, values.element_type(), {1, v.size()});
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] < 0) continue;
    if (values.element_type() == ElementType::String) {
      y.span<std::string>()[size_t(columns[i])] = values.span<const std::string>()[i];
      continue;
    }
    const size_t width = element_size(values.element_type());
    std::memcpy(static_cast<std::byte*>(y.data()) + size_t(columns[i]) * width,
                static_cast<const std::byte*>(values.data()) + i * width, width);
  }
}
}  // namespace

const OpDef& dict_vectorizer_op() {
  static const OpDef def{.name = "DictVectorizer",
                         .domain = kMlDomain,
                         .versions = {1},
                         .infer = infer,
                         .reference = reference};
  return def;
}
}  // namespace tandem::ops
