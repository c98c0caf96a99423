// XXH64 as its specification (github.com/Cyan4973/xxHash, doc/xxhash_spec.md) gives it, and the
// walk over a model that feeds it. Weights are hashed in place, never serialised first: resnet50's
// 100 MB hash in about as long as reading them from the page cache.
#include "runtime/model_hash.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <variant>
#include <vector>

namespace tandem::runtime {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ull;
constexpr uint64_t kPrime4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t kPrime5 = 0x27D4EB2F165667C5ull;

uint64_t read64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

uint64_t lane_round(uint64_t acc, uint64_t input) {
  acc += input * kPrime2;
  return std::rotl(acc, 31) * kPrime1;
}

uint64_t merge(uint64_t acc, uint64_t lane) {
  acc ^= lane_round(0, lane);
  return acc * kPrime1 + kPrime4;
}

}  // namespace

uint64_t hash_bytes(std::string_view bytes, uint64_t seed) {
  static_assert(std::endian::native == std::endian::little, "XXH64 reads little-endian words");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  uint64_t h;
  if (bytes.size() >= 32) {
    uint64_t v1 = seed + kPrime1 + kPrime2, v2 = seed + kPrime2, v3 = seed, v4 = seed - kPrime1;
    for (; end - p >= 32; p += 32) {
      v1 = lane_round(v1, read64(p));
      v2 = lane_round(v2, read64(p + 8));
      v3 = lane_round(v3, read64(p + 16));
      v4 = lane_round(v4, read64(p + 24));
    }
    h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = seed + kPrime5;
  }
  h += bytes.size();
  for (; end - p >= 8; p += 8) h = std::rotl(h ^ lane_round(0, read64(p)), 27) * kPrime1 + kPrime4;
  if (end - p >= 4) {
    h = std::rotl(h ^ (uint64_t(read32(p)) * kPrime1), 23) * kPrime2 + kPrime3;
    p += 4;
  }
  for (; p < end; ++p) h = std::rotl(h ^ (uint64_t(*p) * kPrime5), 11) * kPrime1;
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  h *= kPrime3;
  return h ^ (h >> 32);
}

void Hasher::add(std::string_view bytes) {
  add(uint64_t(bytes.size()));
  value_ = hash_bytes(bytes, value_);
}

void Hasher::add(uint64_t value) {
  char b[8];
  std::memcpy(b, &value, 8);
  value_ = hash_bytes(std::string_view(b, 8), value_);
}

namespace {

void add_type(Hasher& h, const ValueType& type) {
  h.add(uint64_t(type.kind));
  h.add(uint64_t(type.element_type));
  h.add(uint64_t(type.key_type));
  h.add(uint64_t(type.shape.rank_known()));
  if (type.shape.rank_known())
    for (const Dimension& d : type.shape.dims()) {
      h.add(uint64_t(d.value));
      h.add(d.symbol);
    }
  h.add(uint64_t(type.element != nullptr));
  if (type.element) add_type(h, *type.element);
}

void add_tensor(Hasher& h, const Tensor& t) {
  h.add(uint64_t(t.element_type()));
  h.add(uint64_t(t.rank()));
  for (int64_t d : t.shape()) h.add(uint64_t(d));
  if (!t.is_valid()) return;
  if (t.element_type() == ElementType::String) {
    for (const std::string& s : t.span<std::string>()) h.add(s);
    return;
  }
  h.add(std::string_view(static_cast<const char*>(t.data()), t.byte_size()));
}

void add_graph(Hasher& h, const ir::Graph& graph);

void add_attribute(Hasher& h, const ir::Attribute& attribute) {
  h.add(uint64_t(attribute.index()));
  std::visit(
      [&]<class T>(const T& v) {
        if constexpr (std::is_same_v<T, float>) {
          h.add(uint64_t(std::bit_cast<uint32_t>(v)));
        } else if constexpr (std::is_same_v<T, int64_t>) {
          h.add(uint64_t(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          h.add(v);
        } else if constexpr (std::is_same_v<T, Tensor>) {
          add_tensor(h, v);
        } else if constexpr (std::is_same_v<T, ir::GraphPtr>) {
          h.add(uint64_t(v != nullptr));
          if (v) add_graph(h, *v);
        } else if constexpr (std::is_same_v<T, ValueType>) {
          add_type(h, v);
        } else {  // the lists
          h.add(uint64_t(v.size()));
          for (const auto& item : v) add_attribute(h, ir::Attribute(item));
        }
      },
      attribute);
}

template <class Map>
std::vector<const typename Map::value_type*> sorted(const Map& map) {
  std::vector<const typename Map::value_type*> entries;
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return entries;
}

void add_graph(Hasher& h, const ir::Graph& graph) {
  h.add(graph.name);
  for (const std::vector<Port>* ports : {&graph.inputs, &graph.outputs}) {
    h.add(uint64_t(ports->size()));
    for (const Port& port : *ports) {
      h.add(port.name);
      add_type(h, port.type);
    }
  }
  h.add(uint64_t(graph.initializers.size()));
  for (const auto* entry : sorted(graph.initializers)) {
    h.add(entry->first);
    add_tensor(h, entry->second);
  }
  h.add(uint64_t(graph.value_types.size()));
  for (const auto* entry : sorted(graph.value_types)) {
    h.add(entry->first);
    add_type(h, entry->second);
  }
  h.add(uint64_t(graph.nodes.size()));
  for (const ir::Node& node : graph.nodes) {
    h.add(node.name);
    h.add(node.op_type);
    h.add(node.domain);
    for (const std::vector<std::string>* names : {&node.inputs, &node.outputs}) {
      h.add(uint64_t(names->size()));
      for (const std::string& name : *names) h.add(name);
    }
    h.add(uint64_t(node.attributes.size()));
    for (const auto& [key, attribute] : node.attributes) {
      h.add(key);
      add_attribute(h, attribute);
    }
  }
}

}  // namespace

uint64_t model_hash(const ir::Model& model) {
  Hasher h;
  h.add(uint64_t(model.opsets.size()));
  for (const auto& [domain, version] : model.opsets) {
    h.add(domain);
    h.add(uint64_t(version));
  }
  h.add(uint64_t(model.graph != nullptr));
  if (model.graph) add_graph(h, *model.graph);
  return h.value();
}

}  // namespace tandem::runtime
