// Inputs for `run` and `bench`: seeded random values of a port's type and shape, and ports by name.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tandem/tandem.h"

namespace tandem::cli {

// splitmix64: tiny, and the same numbers on every platform and standard library, so a seed
// names the same inputs everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t state_;
};

/// Fills a tensor with floats in [-1, 1) and integers in [0, 10); throws Unsupported for types
/// it cannot make (complex).
void fill_random(Tensor& tensor, Random& random);

/// A random value of the port's declared type: its shape with dynamic dimensions at 1, unless
/// `shapes` names the port. A sequence gets one tensor. Throws for maps and unknown ranks.
Value random_value(const Port& port, const std::map<std::string, Shape>& shapes, Random& random);

/// --shape NAME=1,3,224,224 (also 1x3x224x224) per input, checked against the ports.
std::map<std::string, Shape> parse_shapes(const std::vector<std::string>& texts, const std::vector<Port>& ports);

/// The port called name, or null.
const Port* find_port(const std::vector<Port>& ports, const std::string& name);
/// "'a', 'b'" for error messages; "none" for no ports.
std::string port_names(const std::vector<Port>& ports);

}  // namespace tandem::cli
