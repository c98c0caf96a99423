// TfIdfVectorizer (opset 9): counts the pool's n-grams (with up to max_skip_count items skipped
// between consecutive items) in each row of a [C] or [B, C] int or string tensor, and weights
// the counts (TF, IDF or TFIDF). Output [max(ngram_indexes) + 1] or [B, that].
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

enum class Weighting { TF, IDF, TFIDF };

struct Config {
  Weighting weighting;
  int64_t min_gram, max_gram, max_skip;
  std::vector<int64_t> ngram_counts, ngram_indexes;
  std::vector<float> weights;
  bool string_pool;
  int64_t output_size;
};

Config config_of(const NodeContext& ctx) {
  Config c;
  const std::string mode = ctx.attr<std::string>("mode");
  if (mode == "TF")
    c.weighting = Weighting::TF;
  else if (mode == "IDF")
    c.weighting = Weighting::IDF;
  else if (mode == "TFIDF")
    c.weighting = Weighting::TFIDF;
  else
    throw ctx.error(ErrorKind::InvalidModel, "mode must be TF, IDF or TFIDF, got '{}'", mode);
  c.min_gram = ctx.attr<int64_t>("min_gram_length");
  c.max_gram = ctx.attr<int64_t>("max_gram_length");
  c.max_skip = ctx.attr<int64_t>("max_skip_count");
  if (c.min_gram < 1 || c.max_gram < c.min_gram || c.max_skip < 0)
    throw ctx.error(ErrorKind::InvalidModel,
                    "need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0, got {}, "
                    "{}, {}",
                    c.min_gram, c.max_gram, c.max_skip);
  c.ngram_counts = ctx.attr<std::vector<int64_t>>("ngram_counts");
  c.ngram_indexes = ctx.attr<std::vector<int64_t>>("ngram_indexes");
  c.weights = ctx.attr<std::vector<float>>("weights", {});
  const bool has_ints = ctx.has_attr("pool_int64s"), has_strings = ctx.has_attr("pool_strings");
  if (has_ints == has_strings)
    throw ctx.error(ErrorKind::InvalidModel,
                    "exactly one of pool_int64s and pool_strings must be set");
  c.string_pool = has_strings;
  if (c.ngram_indexes.empty())
    throw ctx.error(ErrorKind::InvalidModel, "ngram_indexes must not be empty");
  for (int64_t i : c.ngram_indexes)
    if (i < 0)
      throw ctx.error(ErrorKind::InvalidModel, "ngram_indexes holds a negative index {}", i);
  if (!c.weights.empty() && c.weights.size() != c.ngram_indexes.size())
    throw ctx.error(ErrorKind::InvalidModel, "weights has {} values for {} ngram_indexes",
                    c.weights.size(), c.ngram_indexes.size());
  c.output_size = *std::max_element(c.ngram_indexes.begin(), c.ngram_indexes.end()) + 1;
  return c;
}

void check_input(const NodeContext& ctx, const Config& c, ElementType type, const PartialShape& s) {
  const bool is_string = type == ElementType::String;
  if (!is_string && type != ElementType::I32 && type != ElementType::I64)
    throw ctx.error(ErrorKind::InvalidModel, "input must be string, int32 or int64, got {}",
                    to_string(type));
  if (is_string != c.string_pool)
    throw ctx.error(ErrorKind::InvalidModel, "a {} input needs {}", to_string(type),
                    is_string ? "pool_strings" : "pool_int64s");
  if (s.rank_known() && s.rank() > 2)
    throw ctx.error(ErrorKind::InvalidModel, "input must be [C] or [B, C], got {}", to_string(s));
}

void infer(InferContext& ctx) {
  const Config c = config_of(ctx);
  const PartialShape& s = ctx.input_shape(0);
  check_input(ctx, c, ctx.input_type(0), s);
  if (!s.rank_known()) {
    ctx.set_output(0, ElementType::F32, PartialShape());
    return;
  }
  ctx.set_output(0, ElementType::F32,
                 s.rank() == 2 ? PartialShape({s[0], Dimension(c.output_size)})
                               : PartialShape({Dimension(c.output_size)}));
}

// The pool as a trie: each node is an n-gram prefix; id is 1 + the n-gram's position in the pool
// (counting every n-gram, also those of sizes outside [min, max]), or 0 for no pool entry.
template <class K>
class NgramTrie {
 public:
  NgramTrie() : nodes_(1) {}

  void insert(const K* items, int64_t n, int64_t id) {
    size_t node = 0;
    for (int64_t i = 0; i < n; ++i) {
      auto [it, added] = nodes_[node].children.try_emplace(items[i], nodes_.size());
      if (added) nodes_.emplace_back();
      node = it->second;
    }
    nodes_[node].id = id;
  }

  // Calls f(id) for every pool n-gram of size in [min, max] starting at row[start], taking every
  // `step`-th item.
  template <class F>
  void match(const K* row, int64_t length, int64_t start, int64_t step, int64_t min, int64_t max,
             F&& f) const {
    size_t node = 0;
    for (int64_t size = 1, i = start; size <= max && i < length; ++size, i += step) {
      auto it = nodes_[node].children.find(row[i]);
      if (it == nodes_[node].children.end()) return;
      node = it->second;
      if (size >= min && nodes_[node].id != 0) f(nodes_[node].id);
    }
  }

 private:
  struct Node {
    int64_t id = 0;
    std::map<K, size_t> children;
  };
  std::vector<Node> nodes_;
};

template <class K>
NgramTrie<K> build_trie(const NodeContext& ctx, const Config& c, const std::vector<K>& pool) {
  NgramTrie<K> trie;
  int64_t id = 1;
  const int64_t total = int64_t(pool.size());
  for (size_t g = 0; g < c.ngram_counts.size(); ++g) {
    const int64_t size = int64_t(g) + 1;
    const int64_t begin = c.ngram_counts[g];
    const int64_t end = g + 1 < c.ngram_counts.size() ? c.ngram_counts[g + 1] : total;
    if (begin < 0 || end < begin || end > total)
      throw ctx.error(ErrorKind::InvalidModel, "ngram_counts {} does not fit a pool of {} items",
                      fmt::join(c.ngram_counts, ","), total);
    const int64_t count = (end - begin) / size;
    for (int64_t k = 0; k < count; ++k, ++id) {
      if (size < c.min_gram || size > c.max_gram) continue;
      if (id > int64_t(c.ngram_indexes.size()))
        throw ctx.error(ErrorKind::InvalidModel,
                        "the pool has more n-grams than ngram_indexes ({})",
                        c.ngram_indexes.size());
      trie.insert(&pool[begin + k * size], size, id);
    }
  }
  return trie;
}

template <class K>
void count_ngrams(const NodeContext& ctx, const Config& c, const std::vector<K>& pool,
                  const std::vector<K>& x, int64_t rows, int64_t length,
                  std::vector<int64_t>& counts /* rows x pool n-grams */) {
  const NgramTrie<K> trie = build_trie(ctx, c, pool);
  const int64_t ngrams = int64_t(c.ngram_indexes.size());
  for (int64_t r = 0; r < rows; ++r) {
    const K* row = x.data() + r * length;
    int64_t min = c.min_gram;
    for (int64_t step = 1; step <= c.max_skip + 1; ++step) {
      for (int64_t start = 0; start < length; ++start) {
        if (start + step * (min - 1) >= length) break;
        trie.match(row, length, start, step, min, c.max_gram,
                   [&](int64_t id) { ++counts[r * ngrams + id - 1]; });
      }
      // Unigrams do not depend on the skip, so only the first pass counts them.
      if (min == 1 && ++min > c.max_gram) break;
    }
  }
}

void reference(KernelContext& ctx) {
  const Config c = config_of(ctx);
  const Tensor& x = ctx.input(0);
  check_input(ctx, c, x.element_type(), PartialShape(x.shape()));
  const int64_t rows = x.rank() == 2 ? x.shape()[0] : 1;
  const int64_t length = x.rank() == 0 ? 1 : x.shape().back();
  const int64_t ngrams = int64_t(c.ngram_indexes.size());
  std::vector<int64_t> counts(size_t(rows * ngrams), 0);
  if (c.string_pool) {
    const auto strings = x.span<const std::string>();
    count_ngrams(ctx, c, ctx.attr<std::vector<std::string>>("pool_strings"),
                 std::vector<std::string>(strings.begin(), strings.end()), rows, length, counts);
  } else {
    count_ngrams(ctx, c, ctx.attr<std::vector<int64_t>>("pool_int64s"), x.to_int64(), rows, length,
                 counts);
  }
  // Weights belong to pool n-grams (the spec's reading); several n-grams may share an output.
  std::vector<double> y(size_t(rows * c.output_size), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < ngrams; ++k) {
      const int64_t n = counts[r * ngrams + k];
      if (n == 0) continue;
      const double w = c.weights.empty() ? 1.0 : double(c.weights[k]);
      double v = double(n);
      if (c.weighting == Weighting::IDF) v = w;
      if (c.weighting == Weighting::TFIDF) v = w * double(n);
      y[r * c.output_size + c.ngram_indexes[k]] += v;
    }
  }
  store_doubles(ctx.output(0), y);
}

}  // namespace

const OpDef& tfidf_vectorizer_op() {
  static const OpDef def{
      .name = "TfIdfVectorizer", .versions = {9}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
