// Content hashes: XXH64 of bytes, and of a model's graph, which the model cache keys on and a
// compiled-model blob records.
#pragma once

#include <cstdint>
#include <string_view>

#include "ir/graph.h"

namespace tandem::runtime {

/// XXH64 (xxhash.com's 64-bit hash) of `bytes` with `seed`.
uint64_t hash_bytes(std::string_view bytes, uint64_t seed = 0);

/// A hash built from parts: each is hashed with the running value as its seed, after its length,
/// so that parts never run into each other ("ab","c" and "a","bc" differ).
class Hasher {
 public:
  void add(std::string_view bytes);
  void add(uint64_t value);
  uint64_t value() const { return value_; }

 private:
  uint64_t value_ = 0;
};

/// The hash of what a model computes: its opset imports and its main graph (inputs and outputs
/// with their types, declared value types, initializers' bytes, nodes with every attribute, and
/// subgraphs). Not its path or producer: a model copied elsewhere hashes the same.
uint64_t model_hash(const ir::Model& model);

}  // namespace tandem::runtime
