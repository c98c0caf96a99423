// NonMaxSuppression (opsets 10, 11): per batch and class, greedily keeps the best-scoring boxes
// whose IoU with every box kept before is at most iou_threshold. Output [selected, 3] rows of
// (batch, class, box), in batch, class and selection order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/misc/misc_common.h"

namespace tandem::ops {
namespace {

constexpr int kBoxes = 0, kScores = 1, kMaxOutput = 2, kIouThreshold = 3, kScoreThreshold = 4;

struct Box {
  double x_min, y_min, x_max, y_max;
  double area() const { return (x_max - x_min) * (y_max - y_min); }
};

// center_point_box 0: [y1, x1, y2, x2], any two opposite corners; 1: [x_center, y_center, w, h].
Box box_at(const double* b, bool center_point) {
  if (center_point) return {b[0] - b[2] / 2, b[1] - b[3] / 2, b[0] + b[2] / 2, b[1] + b[3] / 2};
  return {std::min(b[1], b[3]), std::min(b[0], b[2]), std::max(b[1], b[3]), std::max(b[0], b[2])};
}

// Suppression is strict: a box whose IoU equals the threshold is kept.
bool overlaps_too_much(const Box& a, const Box& b, double iou_threshold) {
  const double w = std::min(a.x_max, b.x_max) - std::max(a.x_min, b.x_min);
  const double h = std::min(a.y_max, b.y_max) - std::max(a.y_min, b.y_min);
  if (w <= 0 || h <= 0) return false;
  const double intersection = w * h;
  const double area_a = a.area(), area_b = b.area();
  const double union_area = area_a + area_b - intersection;
  if (area_a <= 0 || area_b <= 0 || union_area <= 0) return false;
  return intersection / union_area > iou_threshold;
}

void check_shapes(const NodeContext& ctx, const PartialShape& boxes, const PartialShape& scores) {
  if (boxes.rank_known() && (boxes.rank() != 3 || (boxes[2].is_static() && boxes[2].value != 4)))
    throw ctx.error(ErrorKind::InvalidModel, "boxes must be [batches, boxes, 4], got {}",
                    to_string(boxes));
  if (scores.rank_known() && scores.rank() != 3)
    throw ctx.error(ErrorKind::InvalidModel, "scores must be [batches, classes, boxes], got {}",
                    to_string(scores));
  if (!boxes.rank_known() || !scores.rank_known()) return;
  for (auto [b, s] : {std::pair{0, 0}, std::pair{1, 2}})
    if (boxes[b].is_static() && scores[s].is_static() && boxes[b].value != scores[s].value)
      throw ctx.error(ErrorKind::InvalidModel, "boxes {} and scores {} disagree", to_string(boxes),
                      to_string(scores));
}

void infer(InferContext& ctx) {
  if (ctx.input_type(kBoxes) != ElementType::F32 || ctx.input_type(kScores) != ElementType::F32)
    throw ctx.error(ErrorKind::InvalidModel, "boxes and scores must be float");
  check_shapes(ctx, ctx.input_shape(kBoxes), ctx.input_shape(kScores));
  ctx.set_output(0, ElementType::I64, PartialShape({Dimension(), Dimension(3)}));
}

struct Candidate {
  float score;
  int64_t index;
};

void reference(KernelContext& ctx) {
  const Tensor& boxes_t = ctx.input(kBoxes);
  const Tensor& scores_t = ctx.input(kScores);
  check_shapes(ctx, PartialShape(boxes_t.shape()), PartialShape(scores_t.shape()));
  const int64_t batches = boxes_t.shape()[0], num_boxes = boxes_t.shape()[1];
  const int64_t classes = scores_t.shape()[1];
  // An empty tensor for an optional scalar counts as absent, as in ONNX Runtime.
  auto optional_input = [&](int i) -> const Tensor* {
    return ctx.has_input(i) && ctx.input(i).size() > 0 ? &ctx.input(i) : nullptr;
  };
  int64_t max_output = 0;
  double iou_threshold = 0;
  const Tensor* score_threshold_t = optional_input(kScoreThreshold);
  if (const Tensor* t = optional_input(kMaxOutput))
    max_output = std::max<int64_t>(0, scalar_int(ctx, *t, "max_output_boxes_per_class"));
  if (const Tensor* t = optional_input(kIouThreshold))
    iou_threshold = scalar_float(ctx, *t, "iou_threshold");
  const float score_threshold =
      score_threshold_t ? float(scalar_float(ctx, *score_threshold_t, "score_threshold")) : 0.0f;
  const bool center_point = ctx.attr<int64_t>("center_point_box", 0) != 0;

  const std::vector<double> coords = boxes_t.to_double();
  auto scores = scores_t.span<const float>();
  std::vector<int64_t> selected;  // flattened (batch, class, box) triples
  std::vector<Candidate> candidates;
  std::vector<Box> kept;
  for (int64_t b = 0; b < batches && max_output > 0; ++b) {
    for (int64_t c = 0; c < classes; ++c) {
      const float* s = &scores[(b * classes + c) * num_boxes];
      candidates.clear();
      for (int64_t i = 0; i < num_boxes; ++i)  // NaN scores rank nowhere, so they are dropped
        if (!std::isnan(s[i]) && (!score_threshold_t || s[i] > score_threshold))
          candidates.push_back({s[i], i});
      // Best score first; equal scores keep the lower index first.
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
      kept.clear();
      for (const Candidate& cand : candidates) {
        if (int64_t(kept.size()) >= max_output) break;
        const Box box = box_at(&coords[(b * num_boxes + cand.index) * 4], center_point);
        const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Box& k) {
          return overlaps_too_much(box, k, iou_threshold);
        });
        if (suppressed) continue;
        kept.push_back(box);
        selected.insert(selected.end(), {b, c, cand.index});
      }
    }
  }
  Tensor& y = ctx.allocate_output(0, ElementType::I64, {int64_t(selected.size() / 3), 3});
  std::copy(selected.begin(), selected.end(), y.span<int64_t>().begin());
}

}  // namespace

const OpDef& non_max_suppression_op() {
  static const OpDef def{
      .name = "NonMaxSuppression", .versions = {10, 11}, .infer = infer, .reference = reference};
  return def;
}

}  // namespace tandem::ops
