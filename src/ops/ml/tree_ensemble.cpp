// The tree ensembles: TreeEnsemble (opset 5) and the deprecated TreeEnsembleRegressor and
// TreeEnsembleClassifier (opsets 1, 3, 5; 3 added the double *_as_tensor twins of the float lists,
// 5 only deprecated them). Every tree sends a row from its root to one leaf; the leaves' weights
// add up per target (or class), then base values and the post transform follow ONNX Runtime.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "ops/ml/ml_common.h"

namespace tandem::ops {
namespace {
enum class Branch { Leq, Lt, Gte, Gt, Eq, Neq, Member, Leaf };
enum class Aggregate { Average, Sum, Min, Max };

struct TreeNode {
  Branch mode = Branch::Leaf;
  int64_t feature = 0;
  double split = 0;
  std::set<double> members;
  bool missing_true = false;
  int64_t next_true = -1, next_false = -1;          // node indices; leaves are ~leaf index
  std::vector<std::pair<int64_t, double>> weights;  // (target, weight), on leaves
};

struct Forest {
  std::vector<TreeNode> nodes;
  std::vector<int64_t> roots;  // encoded as next_*: >= 0 a node, < 0 ~leaf
  std::vector<std::vector<std::pair<int64_t, double>>> leaves;
  int64_t targets = 1;
  Aggregate aggregate = Aggregate::Sum;

  const std::vector<std::pair<int64_t, double>>& walk(const NodeContext& ctx, int64_t at,
                                                      const double* row, int64_t columns) const {
    for (size_t steps = 0; at >= 0; ++steps) {
      if (steps > nodes.size()) throw ctx.error(ErrorKind::InvalidModel, "a tree has a cycle");
      const TreeNode& n = nodes[size_t(at)];
      if (n.feature < 0 || n.feature >= columns)
        throw ctx.error(ErrorKind::InvalidArgument, "feature {} is outside the {} columns of X",
                        n.feature, columns);
      const double x = row[n.feature];
      bool go = false;
      if (std::isnan(x)) {
        go = n.missing_true;
      } else {
        switch (n.mode) {
          case Branch::Leq:
            go = x <= n.split;
            break;
          case Branch::Lt:
            go = x < n.split;
            break;
          case Branch::Gte:
            go = x >= n.split;
            break;
          case Branch::Gt:
            go = x > n.split;
            break;
          case Branch::Eq:
            go = x == n.split;
            break;
          case Branch::Neq:
            go = x != n.split;
            break;
          case Branch::Member:
            go = n.members.contains(x);
            break;
          case Branch::Leaf:
            break;
        }
      }
      at = go ? n.next_true : n.next_false;
    }
    return leaves[size_t(~at)];
  }

  // Aggregated scores [rows, targets] before base values; `hit` says which targets got a vote.
  void predict(const NodeContext& ctx, const Tensor& x, std::vector<float>& scores,
               std::vector<bool>& hit, ml::Matrix& m) const {
    m = ml::matrix_of(ctx, x.shape());
    const std::vector<double> in = x.to_double();
    scores.assign(size_t(m.rows * targets), 0.0f);
    hit.assign(scores.size(), false);
    for (int64_t r = 0; r < m.rows; ++r) {
      float* s = &scores[size_t(r * targets)];
      for (int64_t root : roots)
        for (const auto& [t, w] : walk(ctx, root, &in[size_t(r * m.columns)], m.columns)) {
          if (t < 0 || t >= targets)
            throw ctx.error(ErrorKind::InvalidModel, "target id {} is outside [0, {})", t, targets);
          const size_t i = size_t(r * targets + t);
          const float v = float(w);
          if (aggregate == Aggregate::Min)
            s[t] = hit[i] ? std::min(s[t], v) : v;
          else if (aggregate == Aggregate::Max)
            s[t] = hit[i] ? std::max(s[t], v) : v;
          else
            s[t] += v;
          hit[i] = true;
        }
      if (aggregate == Aggregate::Average)
        for (int64_t t = 0; t < targets; ++t) s[t] /= float(roots.size());
    }
  }
};

// --- TreeEnsemble (opset 5) ---

std::vector<double> tensor_doubles(const NodeContext& ctx, const std::string& name, bool required) {
  if (!ctx.has_attr(name)) {
    if (required) throw ctx.error(ErrorKind::InvalidModel, "missing required attribute '{}'", name);
    return {};
  }
  return ctx.attr<Tensor>(name).to_double();
}

Forest forest5(const NodeContext& ctx) {
  Forest f;
  const auto features = ctx.attr<std::vector<int64_t>>("nodes_featureids");
  const auto true_ids = ctx.attr<std::vector<int64_t>>("nodes_truenodeids");
  const auto false_ids = ctx.attr<std::vector<int64_t>>("nodes_falsenodeids");
  const auto true_leafs = ctx.attr<std::vector<int64_t>>("nodes_trueleafs");
  const auto false_leafs = ctx.attr<std::vector<int64_t>>("nodes_falseleafs");
  const auto missing = ctx.attr<std::vector<int64_t>>("nodes_missing_value_tracks_true", {});
  const std::vector<int64_t> modes = ctx.attr<Tensor>("nodes_modes").to_int64();
  const std::vector<double> splits = tensor_doubles(ctx, "nodes_splits", true);
  const std::vector<double> members = tensor_doubles(ctx, "membership_values", false);
  const size_t n = features.size();
  for (size_t size : {true_ids.size(), false_ids.size(), true_leafs.size(), false_leafs.size(),
                      modes.size(), splits.size()})
    if (size != n)
      throw ctx.error(ErrorKind::InvalidModel, "the nodes_* attributes differ in length");
  if (!missing.empty() && missing.size() != n)
    throw ctx.error(ErrorKind::InvalidModel,
                    "nodes_missing_value_tracks_true has the wrong length");
  const auto leaf_targets = ctx.attr<std::vector<int64_t>>("leaf_targetids");
  const std::vector<double> leaf_weights = tensor_doubles(ctx, "leaf_weights", true);
  if (leaf_targets.size() != leaf_weights.size())
    throw ctx.error(ErrorKind::InvalidModel, "leaf_targetids and leaf_weights differ in length");
  for (size_t i = 0; i < leaf_targets.size(); ++i)
    f.leaves.push_back({{leaf_targets[i], leaf_weights[i]}});
  auto next = [&](int64_t id, bool leaf) {
    const size_t limit = leaf ? f.leaves.size() : n;
    if (id < 0 || size_t(id) >= limit)
      throw ctx.error(ErrorKind::InvalidModel, "{} id {} is outside [0, {})",
                      leaf ? "leaf" : "node", id, limit);
    return leaf ? ~id : id;
  };
  size_t member_at = 0;
  for (size_t i = 0; i < n; ++i) {
    TreeNode node;
    if (modes[i] < 0 || modes[i] > 6)
      throw ctx.error(ErrorKind::InvalidModel, "nodes_modes holds {}, not in [0, 6]", modes[i]);
    node.mode = Branch(modes[i]);
    node.feature = features[i];
    node.split = splits[i];
    node.missing_true = !missing.empty() && missing[i] != 0;
    if (node.mode == Branch::Member) {  // the next NaN-terminated run of membership_values
      while (member_at < members.size() && !std::isnan(members[member_at]))
        node.members.insert(members[member_at++]);
      if (member_at++ >= members.size())
        throw ctx.error(ErrorKind::InvalidModel, "membership_values lacks a set for node {}", i);
    }
    node.next_true = next(true_ids[i], true_leafs[i] != 0);
    node.next_false = next(false_ids[i], false_leafs[i] != 0);
    f.nodes.push_back(std::move(node));
  }
  for (int64_t root : ctx.attr<std::vector<int64_t>>("tree_roots")) {
    if (root < 0 || size_t(root) >= n)
      throw ctx.error(ErrorKind::InvalidModel, "tree root {} is outside [0, {})", root, n);
    const TreeNode& r = f.nodes[size_t(root)];
    // A tree that is a single leaf: both branches name the same leaf.
    f.roots.push_back(r.next_true < 0 && r.next_true == r.next_false ? r.next_true : root);
  }
  f.targets = ctx.attr<int64_t>("n_targets");
  const int64_t aggregate = ctx.attr<int64_t>("aggregate_function", 1);
  if (aggregate < 0 || aggregate > 3)
    throw ctx.error(ErrorKind::InvalidModel, "aggregate_function must be in [0, 3], got {}",
                    aggregate);
  f.aggregate = Aggregate(aggregate);
  return f;
}

ml::PostTransform post_transform5(const NodeContext& ctx) {
  const int64_t t = ctx.attr<int64_t>("post_transform", 0);
  if (t < 0 || t > 4)
    throw ctx.error(ErrorKind::InvalidModel, "post_transform must be in [0, 4], got {}", t);
  return ml::PostTransform(t);
}

void infer5(InferContext& ctx) {
  const ElementType type = ctx.input_type(0);
  if (type != ElementType::F32 && type != ElementType::F64 && type != ElementType::F16 &&
      type != ElementType::Undefined)
    throw ctx.error(ErrorKind::InvalidModel, "X must be float16, float or double, got {}",
                    to_string(type));
  post_transform5(ctx);
  const PartialShape& x = ctx.input_shape(0);
  const Dimension rows = !x.rank_known() ? Dimension() : x.rank() == 1 ? Dimension(1) : x[0];
  ctx.set_output(0, type, PartialShape({rows, Dimension(ctx.attr<int64_t>("n_targets"))}));
}

void write_rows(const NodeContext& ctx, ml::PostTransform t, std::vector<float>& scores,
                int64_t rows, int64_t targets, Tensor& y) {
  (void)ctx;
  std::vector<double> out(scores.size());
  std::vector<float> row(static_cast<size_t>(targets));
  for (int64_t r = 0; r < rows; ++r) {
    std::copy_n(&scores[size_t(r * targets)], targets, row.begin());
    ml::apply_post_transform(t, row);
    for (int64_t k = 0; k < targets; ++k) out[size_t(r * targets + k)] = row[size_t(k)];
  }
  visit_float(y.element_type(), [&]<class T>() {
    auto dst = y.span<T>();
    for (size_t i = 0; i < out.size(); ++i) dst[i] = T(compute_t<T>(out[i]));
  });
}

void reference5(KernelContext& ctx) {
  const Forest f = forest5(ctx);
  std::vector<float> scores;
  std::vector<bool> hit;
  ml::Matrix m;
  f.predict(ctx, ctx.input(0), scores, hit, m);
  Tensor& y = ctx.allocate_output(0, ctx.input(0).element_type(), {m.rows, f.targets});
  write_rows(ctx, post_transform5(ctx), scores, m.rows, f.targets, y);
}

// --- TreeEnsembleRegressor and TreeEnsembleClassifier (opsets 1, 3, 5) ---

Branch branch_of(const NodeContext& ctx, const std::string& mode) {
  static const std::map<std::string, Branch> kModes{
      {"BRANCH_LEQ", Branch::Leq}, {"BRANCH_LT", Branch::Lt}, {"BRANCH_GTE", Branch::Gte},
      {"BRANCH_GT", Branch::Gt},   {"BRANCH_EQ", Branch::Eq}, {"BRANCH_NEQ", Branch::Neq},
      {"LEAF", Branch::Leaf}};
  auto it = kModes.find(mode);
  if (it == kModes.end()) throw ctx.error(ErrorKind::InvalidModel, "unknown node mode '{}'", mode);
  return it->second;
}

// `prefix` is "target" (regressor) or "class" (classifier).
Forest forest_legacy(const NodeContext& ctx, const std::string& prefix) {
  Forest f;
  const auto tree_ids = ctx.attr<std::vector<int64_t>>("nodes_treeids");
  const auto node_ids = ctx.attr<std::vector<int64_t>>("nodes_nodeids");
  const auto features = ctx.attr<std::vector<int64_t>>("nodes_featureids");
  const auto modes = ctx.attr<std::vector<std::string>>("nodes_modes");
  const auto true_ids = ctx.attr<std::vector<int64_t>>("nodes_truenodeids");
  const auto false_ids = ctx.attr<std::vector<int64_t>>("nodes_falsenodeids");
  const auto missing = ctx.attr<std::vector<int64_t>>("nodes_missing_value_tracks_true", {});
  const std::vector<double> values = ml::doubles_attr(ctx, "nodes_values", 3);
  const size_t n = tree_ids.size();
  for (size_t size :
       {node_ids.size(), features.size(), modes.size(), true_ids.size(), false_ids.size()})
    if (size != n)
      throw ctx.error(ErrorKind::InvalidModel, "the nodes_* attributes differ in length");
  if ((!missing.empty() && missing.size() != n) || (!values.empty() && values.size() != n))
    throw ctx.error(ErrorKind::InvalidModel, "the nodes_* attributes differ in length");
  std::map<std::pair<int64_t, int64_t>, int64_t> index;  // (tree, node id) -> position
  std::map<int64_t, int64_t> roots;                      // tree -> its first node
  for (size_t i = 0; i < n; ++i) {
    if (!index.emplace(std::pair(tree_ids[i], node_ids[i]), int64_t(i)).second)
      throw ctx.error(ErrorKind::InvalidModel, "tree {} has node {} twice", tree_ids[i],
                      node_ids[i]);
    roots.emplace(tree_ids[i], int64_t(i));
  }
  f.leaves.resize(n);
  for (size_t i = 0; i < n; ++i) {
    TreeNode node;
    node.mode = branch_of(ctx, modes[i]);
    node.feature = features[i];
    node.split = values.empty() ? 0.0 : double(float(values[i]));
    node.missing_true = !missing.empty() && missing[i] != 0;
    if (node.mode == Branch::Leaf) {
      node.next_true = node.next_false = ~int64_t(i);
    } else {
      for (auto [id, next] :
           {std::pair(true_ids[i], &node.next_true), std::pair(false_ids[i], &node.next_false)}) {
        auto it = index.find({tree_ids[i], id});
        if (it == index.end())
          throw ctx.error(ErrorKind::InvalidModel, "tree {} has no node {}", tree_ids[i], id);
        *next = it->second;
      }
    }
    f.nodes.push_back(std::move(node));
  }
  const auto w_tree = ctx.attr<std::vector<int64_t>>(prefix + "_treeids", {});
  const auto w_node = ctx.attr<std::vector<int64_t>>(prefix + "_nodeids", {});
  const auto w_id = ctx.attr<std::vector<int64_t>>(prefix + "_ids", {});
  const std::vector<double> w = ml::doubles_attr(ctx, prefix + "_weights", 3);
  if (w_node.size() != w_tree.size() || w_id.size() != w_tree.size() || w.size() != w_tree.size())
    throw ctx.error(ErrorKind::InvalidModel, "the {}_* attributes differ in length", prefix);
  for (size_t k = 0; k < w_tree.size(); ++k) {
    auto it = index.find({w_tree[k], w_node[k]});
    if (it == index.end())
      throw ctx.error(ErrorKind::InvalidModel, "{} weight {} names a missing node", prefix, k);
    f.leaves[size_t(it->second)].push_back({w_id[k], w[k]});
  }
  for (const auto& [tree, root] : roots)
    f.roots.push_back(f.nodes[size_t(root)].mode == Branch::Leaf ? ~root : root);
  return f;
}

Aggregate aggregate_of(const NodeContext& ctx) {
  const std::string a = ctx.attr<std::string>("aggregate_function", "SUM");
  if (a == "AVERAGE") return Aggregate::Average;
  if (a == "SUM") return Aggregate::Sum;
  if (a == "MIN") return Aggregate::Min;
  if (a == "MAX") return Aggregate::Max;
  throw ctx.error(ErrorKind::InvalidModel,
                  "aggregate_function must be AVERAGE, SUM, MIN or MAX, got '{}'", a);
}

Dimension rows_of(const InferContext& ctx) {
  const PartialShape& x = ctx.input_shape(0);
  return !x.rank_known() ? Dimension() : x.rank() == 1 ? Dimension(1) : x[0];
}

void regressor_infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ml::post_transform_of(ctx);
  aggregate_of(ctx);
  ctx.set_output(0, ElementType::F32,
                 PartialShape({rows_of(ctx), Dimension(ctx.attr<int64_t>("n_targets", 1))}));
}

void regressor_reference(KernelContext& ctx) {
  Forest f = forest_legacy(ctx, "target");
  f.targets = ctx.attr<int64_t>("n_targets", 1);
  f.aggregate = aggregate_of(ctx);
  std::vector<float> scores;
  std::vector<bool> hit;
  ml::Matrix m;
  f.predict(ctx, ctx.input(0), scores, hit, m);
  const std::vector<double> base = ml::doubles_attr(ctx, "base_values", 3);
  if (!base.empty() && int64_t(base.size()) != f.targets)
    throw ctx.error(ErrorKind::InvalidModel, "{} base_values for {} targets", base.size(),
                    f.targets);
  for (size_t i = 0; i < scores.size() && !base.empty(); ++i)
    scores[i] += float(base[i % base.size()]);
  Tensor& y = ctx.allocate_output(0, ElementType::F32, {m.rows, f.targets});
  write_rows(ctx, ml::post_transform_of(ctx), scores, m.rows, f.targets, y);
}

bool string_labels(const NodeContext& ctx) {
  const bool strings = ctx.has_attr("classlabels_strings");
  if (strings == ctx.has_attr("classlabels_int64s"))
    throw ctx.error(ErrorKind::InvalidModel,
                    "exactly one of classlabels_int64s and classlabels_strings must be set");
  return strings;
}

void classifier_infer(InferContext& ctx) {
  ml::check_numeric_input(ctx, ctx.input_type(0));
  ml::post_transform_of(ctx);
  const bool strings = string_labels(ctx);
  const int64_t classes =
      strings ? int64_t(ctx.attr<std::vector<std::string>>("classlabels_strings").size())
              : int64_t(ctx.attr<std::vector<int64_t>>("classlabels_int64s").size());
  ctx.set_output(0, strings ? ElementType::String : ElementType::I64, PartialShape({rows_of(ctx)}));
  ctx.set_output(1, ElementType::F32,
                 PartialShape({rows_of(ctx), Dimension(std::max<int64_t>(classes, 2))}));
}

// Two classes that both get votes, as ONNX Runtime 1.30 finishes them (its quirks kept): base
// values go only to a class the row voted for, and with two of them a class-1 vote makes the pair
// [-(base1 + v0), base1 + v0] (0 first without a class-0 vote). The label is the second class
// when the second score (the first when the second got no vote) is > 0. Without a class-1 vote
// and with fewer than two base values, the single score v left is written as [-v, v]
// ([logistic(-v), logistic(v)] for LOGISTIC) without base values, as [v, 0] with one (ONNX Runtime
// leaves the second column unwritten there).
void two_classes(ml::PostTransform t, const std::vector<double>& base, bool hit0, bool hit1,
                 std::vector<float>& s, size_t& label) {
  if (hit0 && !base.empty()) s[0] += float(base[0]);
  if (base.size() == 2 && hit1) {
    s[1] = float(base[1]) + s[0] - (hit0 ? float(base[0]) : 0.0f);
    s[0] = hit0 ? -s[1] : 0.0f;
  }
  const float positive = hit1 ? s[1] : hit0 ? s[0] : 0.0f;
  label = positive > 0 ? 1 : 0;
  if (hit1 || base.size() == 2) {  // both columns are written as a pair
    ml::apply_post_transform(t, s);
    return;
  }
  const float v = s[0];
  if (t == ml::PostTransform::Probit) {
    s = {ml::probit(v), 0.0f};
  } else if (!base.empty()) {
    s = {v, 0.0f};
  } else if (t == ml::PostTransform::Logistic) {
    s = {ml::logistic(-v), ml::logistic(v)};
  } else {
    s = {-v, v};
  }
}

// ONNX Runtime's classifier: more than two classes take the best score (base values added);
// two classes whose weights all vote for one class are "binary": the label comes from that score
// (> 0.5 when every weight is positive, else > 0) and the other column is derived from it.
void classifier_reference(KernelContext& ctx) {
  const bool strings = string_labels(ctx);
  const auto int_labels = ctx.attr<std::vector<int64_t>>("classlabels_int64s", {});
  const auto str_labels = ctx.attr<std::vector<std::string>>("classlabels_strings", {});
  const int64_t classes = strings ? int64_t(str_labels.size()) : int64_t(int_labels.size());
  if (classes < 2)
    throw ctx.error(ErrorKind::Unsupported, "a classifier with {} class labels", classes);
  Forest f = forest_legacy(ctx, "class");
  f.targets = classes;
  f.aggregate = Aggregate::Sum;
  std::vector<float> scores;
  std::vector<bool> hit;
  ml::Matrix m;
  f.predict(ctx, ctx.input(0), scores, hit, m);
  const std::vector<double> base = ml::doubles_attr(ctx, "base_values", 3);
  const auto ids = ctx.attr<std::vector<int64_t>>("class_ids", {});
  const std::set<int64_t> voted(ids.begin(), ids.end());
  const std::vector<double> weights = ml::doubles_attr(ctx, "class_weights", 3);
  const bool binary = classes == 2 && voted.size() == 1;
  const bool all_positive =
      std::all_of(weights.begin(), weights.end(), [](double w) { return w >= 0; });
  const ml::PostTransform t = ml::post_transform_of(ctx);
  Tensor& y = ctx.allocate_output(0, strings ? ElementType::String : ElementType::I64, {m.rows});
  Tensor& z = ctx.allocate_output(1, ElementType::F32, {m.rows, classes});
  auto z_out = z.span<float>();
  for (int64_t r = 0; r < m.rows; ++r) {
    std::vector<float> s(&scores[size_t(r * classes)], &scores[size_t((r + 1) * classes)]);
    size_t label = 0;
    if (classes == 2 && !binary) {
      two_classes(t, base, hit[size_t(r * 2)], hit[size_t(r * 2 + 1)], s, label);
    } else if (!binary) {
      if (!base.empty() && int64_t(base.size()) != classes)
        throw ctx.error(ErrorKind::InvalidModel, "{} base_values for {} classes", base.size(),
                        classes);
      for (int64_t k = 0; k < classes && !base.empty(); ++k) s[size_t(k)] += float(base[size_t(k)]);
      label = size_t(std::max_element(s.begin(), s.end()) - s.begin());
      ml::apply_post_transform(t, s);
    } else {
      // Every vote went to one class. For class 1 both columns transform as usual; for class 0
      // its score v alone decides and the other column is derived from it.
      const int64_t c = *voted.begin();
      if (base.size() == 2)
        for (size_t k = 0; k < 2; ++k) s[k] += float(base[k]);
      if (base.size() == 1) s[0] += float(base[0]);
      const float v = s[size_t(c)];
      label = (all_positive ? v > 0.5f : v > 0) ? 1 : 0;
      if (c == 1) {
        ml::apply_post_transform(t, s);
      } else if (t == ml::PostTransform::Probit) {
        s = {ml::probit(1 - v), ml::probit(v)};
      } else if (all_positive) {
        s = {1 - v, v};
      } else if (t == ml::PostTransform::Logistic) {
        s = {ml::logistic(-v), ml::logistic(v)};
      } else {
        s = {-v, v};
      }
    }
    if (strings)
      y.span<std::string>()[r] = str_labels[label];
    else
      y.span<int64_t>()[r] = int_labels[label];
    std::copy(s.begin(), s.end(), &z_out[size_t(r * classes)]);
  }
}
}  // namespace

const OpDef& tree_ensemble_op() {
  static const OpDef def{.name = "TreeEnsemble",
                         .domain = kMlDomain,
                         .versions = {5},
                         .infer = infer5,
                         .reference = reference5};
  return def;
}

const OpDef& tree_ensemble_regressor_op() {
  static const OpDef def{.name = "TreeEnsembleRegressor",
                         .domain = kMlDomain,
                         .versions = {1, 3, 5},
                         .infer = regressor_infer,
                         .reference = regressor_reference};
  return def;
}

const OpDef& tree_ensemble_classifier_op() {
  static const OpDef def{.name = "TreeEnsembleClassifier",
                         .domain = kMlDomain,
                         .versions = {1, 3, 5},
                         .infer = classifier_infer,
                         .reference = classifier_reference};
  return def;
}
}  // namespace tandem::ops
