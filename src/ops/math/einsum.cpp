// Einsum: any equation (explicit or implicit output, ellipsis, repeated labels for diagonals),
// evaluated as one strided loop over the output labels and, inside, the summed labels.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace tandem::ops {
namespace {

// Opset 28 added bfloat16.

// Labels: letters are 0..51; the dimensions covered by "..." get 52 + j, right-aligned, so an
// operand with fewer ellipsis dimensions maps onto the last ones (numpy broadcasting).
constexpr int kEllipsisBase = 52;
constexpr int kMaxLabels = 52 + 16;

struct Term {
  std::vector<int> labels;  // one per dimension of the operand
};

struct Equation {
  std::vector<Term> inputs;
  std::vector<int> output;
  std::vector<int64_t> sizes = std::vector<int64_t>(kMaxLabels, -1);
};

int letter_label(const NodeContext& ctx, char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return 26 + (c - 'A');
  throw ctx.error(ErrorKind::InvalidModel, "invalid character '{}' in the equation", c);
}

// Parses one term for an operand of `rank` dimensions (-1: unknown) into labels; `ellipsis_rank`
// receives the number of dimensions "..." stands for (-1 without ellipsis).
std::vector<int> parse_term(const NodeContext& ctx, const std::string& term, int64_t rank,
                            int64_t& ellipsis_rank) {
  std::vector<int> letters_before, letters_after;
  bool seen = false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '.') {
      if (seen || term.compare(i, 3, "...") != 0)
        throw ctx.error(ErrorKind::InvalidModel, "malformed ellipsis in term '{}'", term);
      seen = true;
      i += 2;
      continue;
    }
    (seen ? letters_after : letters_before).push_back(letter_label(ctx, term[i]));
  }
  const int64_t letters = int64_t(letters_before.size() + letters_after.size());
  ellipsis_rank = -1;
  if (seen) {
    ellipsis_rank = rank - letters;
    if (ellipsis_rank < 0 || ellipsis_rank > kMaxLabels - kEllipsisBase)
      throw ctx.error(ErrorKind::InvalidModel, "term '{}' does not fit an operand of rank {}", term,
                      rank);
  } else if (rank != letters) {
    throw ctx.error(ErrorKind::InvalidModel, "term '{}' has {} labels for an operand of rank {}",
                    term, letters, rank);
  }
  std::vector<int> labels = letters_before;
  return labels;  // ellipsis and trailing letters appended by the caller, which knows the width
}

Equation parse(const NodeContext& ctx, const std::vector<Shape>& shapes) {
  std::string eq;
  for (char c : ctx.attr<std::string>("equation"))
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != shapes.size())
    throw ctx.error(ErrorKind::InvalidModel, "equation '{}' has {} terms for {} inputs", eq,
                    terms.size(), shapes.size());
  Equation e;
  int64_t max_ellipsis = 0;
  for (size_t t = 0; t < terms.size(); ++t) {
    const Shape& shape = shapes[t];
    int64_t ellipsis_rank;
    std::vector<int> labels = parse_term(ctx, terms[t], int64_t(shape.size()), ellipsis_rank);
    if (ellipsis_rank >= 0) {
      max_ellipsis = std::max(max_ellipsis, ellipsis_rank);
      for (int64_t j = 0; j < ellipsis_rank; ++j)
        labels.push_back(kEllipsisBase + int(kMaxLabels - kEllipsisBase - ellipsis_rank + j));
      const size_t dots = terms[t].find("...");
      for (char c : terms[t].substr(dots + 3)) labels.push_back(letter_label(ctx, c));
    }
    for (size_t d = 0; d < labels.size(); ++d) {
      int64_t& size = e.sizes[size_t(labels[d])];
      const int64_t dim = shape[d];
      const bool ellipsis = labels[d] >= kEllipsisBase;
      if (size < 0 || (ellipsis && size == 1)) {
        size = dim;
      } else if (dim != size && !(ellipsis && dim == 1)) {
        throw ctx.error(ErrorKind::InvalidModel,
                        "label of dimension {} of input {} has size {}, "
                        "elsewhere {}",
                        d, t, dim, size);
      }
    }
    e.inputs.push_back({std::move(labels)});
  }
  std::vector<int> ellipsis_labels;
  for (int64_t j = 0; j < max_ellipsis; ++j)
    ellipsis_labels.push_back(kEllipsisBase + int(kMaxLabels - kEllipsisBase - max_ellipsis + j));
  if (arrow != std::string::npos) {
    const std::string rhs = eq.substr(arrow + 2);
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (rhs[i] == '.') {
        if (rhs.compare(i, 3, "...") != 0)
          throw ctx.error(ErrorKind::InvalidModel, "malformed ellipsis in output '{}'", rhs);
        e.output.insert(e.output.end(), ellipsis_labels.begin(), ellipsis_labels.end());
        i += 2;
        continue;
      }
      const int label = letter_label(ctx, rhs[i]);
      if (e.sizes[size_t(label)] < 0)
        throw ctx.error(ErrorKind::InvalidModel, "output label '{}' appears in no input", rhs[i]);
      if (std::find(e.output.begin(), e.output.end(), label) != e.output.end())
        throw ctx.error(ErrorKind::InvalidModel, "output label '{}' repeats", rhs[i]);
      e.output.push_back(label);
    }
    return e;
  }
  // Implicit output: the ellipsis dimensions, then the letters used once, alphabetically.
  e.output = ellipsis_labels;
  std::array<int, kEllipsisBase> count{};
  for (const Term& t : e.inputs)
    for (int l : t.labels)
      if (l < kEllipsisBase) ++count[size_t(l)];
  for (int l = 0; l < kEllipsisBase; ++l)
    if (count[size_t(l)] == 1) e.output.push_back(l);
  return e;
}

std::vector<Shape> static_shapes(const InferContext& ctx, bool& known) {
  std::vector<Shape> shapes;
  known = true;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const PartialShape& s = ctx.input_shape(i);
    if (!s.is_static()) {
      known = false;
      return {};
    }
    shapes.push_back(s.to_shape());
  }
  return shapes;
}

void infer(InferContext& ctx) {
  ElementType type = ctx.input_type(0);
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    const ElementType t = ctx.input_type(i);
    if (type != ElementType::Undefined && t != ElementType::Undefined && t != type)
      throw ctx.error(ErrorKind::InvalidModel,
                      "input {} is {}, expected {} like the inputs before it", i, to_string(t),
                      to_string(type));
    if (type == ElementType::Undefined) type = t;
  }
  bool known;
  std::vector<Shape> shapes = static_shapes(ctx, known);
  if (!known) {
    ctx.set_output(0, type, PartialShape());
    return;
  }
  const Equation e = parse(ctx, shapes);
  Shape out;
  for (int l : e.output) out.push_back(e.sizes[size_t(l)]);
  ctx.set_output(0, type, PartialShape(out));
}

template <class T>
void evaluate(const Equation& e, const std::vector<const T*>& inputs,
              const std::vector<Shape>& shapes, T* y) {
  using C = compute_t<T>;
  const size_t ops = inputs.size();
  std::vector<int> summed;
  for (const Term& t : e.inputs)
    for (int l : t.labels)
      if (std::find(e.output.begin(), e.output.end(), l) == e.output.end() &&
          std::find(summed.begin(), summed.end(), l) == summed.end())
        summed.push_back(l);
  // stride[op][label]: repeated labels add their strides (a diagonal); broadcast dims stride 0.
  std::vector<std::vector<int64_t>> stride(ops, std::vector<int64_t>(kMaxLabels, 0));
  for (size_t o = 0; o < ops; ++o) {
    int64_t s = 1;
    for (size_t d = shapes[o].size(); d-- > 0;) {
      if (shapes[o][d] != 1) stride[o][size_t(e.inputs[o].labels[d])] += s;
      s *= shapes[o][d];
    }
  }
  auto loop_of = [&](const std::vector<int>& labels) {
    std::vector<int64_t> sizes;
    std::vector<std::vector<int64_t>> steps(ops);
    for (int l : labels) {
      sizes.push_back(e.sizes[size_t(l)]);
      for (size_t o = 0; o < ops; ++o) steps[o].push_back(stride[o][size_t(l)]);
    }
    return std::make_pair(sizes, steps);
  };
  auto [out_sizes, out_steps] = loop_of(e.output);
  auto [sum_sizes, sum_steps] = loop_of(summed);
  int64_t out_count = 1, sum_count = 1;
  for (int64_t s : out_sizes) out_count *= s;
  for (int64_t s : sum_sizes) sum_count *= s;
  // Advances a multi-index (last label fastest), moving every operand's offset along.
  auto advance = [&](std::vector<int64_t>& idx, const std::vector<int64_t>& sizes,
                     const std::vector<std::vector<int64_t>>& steps, std::vector<int64_t>& off) {
    for (size_t d = sizes.size(); d-- > 0;) {
      ++idx[d];
      for (size_t o = 0; o < ops; ++o) off[o] += steps[o][d];
      if (idx[d] < sizes[d]) return;
      for (size_t o = 0; o < ops; ++o) off[o] -= steps[o][d] * idx[d];
      idx[d] = 0;
    }
  };
  std::vector<int64_t> out_idx(out_sizes.size(), 0), base(ops, 0);
  std::vector<int64_t> sum_idx(sum_sizes.size(), 0), off(ops, 0);
  for (int64_t i = 0; i < out_count; ++i) {
    C acc = C(0);
    off = base;
    std::fill(sum_idx.begin(), sum_idx.end(), 0);
    for (int64_t s = 0; s < sum_count; ++s) {
      C p = C(inputs[0][off[0]]);
      for (size_t o = 1; o < ops; ++o) p *= C(inputs[o][off[o]]);
      acc += p;
      advance(sum_idx, sum_sizes, sum_steps, off);
    }
    y[i] = T(acc);
    advance(out_idx, out_sizes, out_steps, base);
  }
}

void reference(KernelContext& ctx) {
  std::vector<Shape> shapes;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(ctx.input(i).shape());
  if (shapes.empty()) throw ctx.error(ErrorKind::InvalidModel, "Einsum needs at least one input");
  const Equation e = parse(ctx, shapes);
  Tensor& y = ctx.output(0);
  visit_numeric(ctx.input(0).element_type(), [&]<class T>() {
    std::vector<const T*> inputs;
    for (size_t i = 0; i < shapes.size(); ++i) inputs.push_back(ctx.input(i).data<T>());
    evaluate<T>(e, inputs, shapes, y.data<T>());
  });
}

}  // namespace

const OpDef& einsum_op() {
  static const OpDef def{
      .name = "Einsum", .domain = "", .versions = {12, 28}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
