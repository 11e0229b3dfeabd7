/*
 * SSD post-processing of an int8 detector (see tinyedge/ssd_postprocess.h): the same steps, in the same order, as
 * compiler/reference/detection/ssd-postprocess.ts. Every float result is rounded to f32 by one operation; a fused
 * multiply-add would round once for two and break bit-exactness, so contraction is off for this file.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <stddef.h>
#include "tinyedge/ssd_postprocess.h"

/* The scratch: code buckets, candidate order, and for the per-class path each class's kept boxes. */
typedef struct {
  int32_t *bucket;     /* 256 */
  int32_t *order;      /* anchor_count */
  int32_t *out_code;   /* max_detections: score code of each detection in `out` */
  int32_t *class_code; /* max_detections */
  te_detection *kept;  /* max_detections: one class's kept boxes */
} scratch_layout;

static scratch_layout layout_of(const te_ssd_int8_params *p, void *scratch) {
  scratch_layout s;
  s.bucket = (int32_t *)scratch;
  s.order = s.bucket + 256;
  s.out_code = s.order + p->anchor_count;
  s.class_code = s.out_code + p->max_detections;
  s.kept = (te_detection *)(void *)(s.class_code + p->max_detections);
  return s;
}

/* Score code of (anchor, class); class -1 means the anchor's best class (first on ties), written to *best. */
static int32_t code_of(const te_ssd_int8_params *p, const int8_t *scores, int32_t anchor, int32_t class_index, int32_t *best) {
  const int8_t *row = scores + (size_t)anchor * (size_t)p->columns + p->first_class;
  int32_t c, classes = p->columns - p->first_class, b = 0;
  if (class_index >= 0) return row[class_index];
  for (c = 1; c < classes; c++) if (row[c] > row[b]) b = c;
  if (best) *best = b;
  return row[b];
}

/* Candidates (code ≥ min) by code descending, anchor ascending: a counting sort over the 256 codes. Returns how many. */
static int32_t candidates(const te_ssd_int8_params *p, const int8_t *scores, int32_t class_index, scratch_layout *s) {
  int32_t a, i, total = 0;
  for (i = 0; i < 256; i++) s->bucket[i] = 0;
  for (a = 0; a < p->anchor_count; a++) {
    int32_t code = code_of(p, scores, a, class_index, NULL);
    if (code >= p->min_score_code) s->bucket[127 - code]++;
  }
  for (i = 0; i < 256; i++) {
    int32_t n = s->bucket[i];
    s->bucket[i] = total;
    total += n;
  }
  for (a = 0; a < p->anchor_count; a++) {
    int32_t code = code_of(p, scores, a, class_index, NULL);
    if (code >= p->min_score_code) s->order[s->bucket[127 - code]++] = a;
  }
  return total;
}

static void decode_box(const te_ssd_int8_params *p, const int8_t *boxes, int32_t anchor, float *box) {
  const float *an = p->anchors + 4 * (size_t)anchor;
  const int8_t *e = boxes + 4 * (size_t)anchor;
  float yc = p->ty[e[0] + 128] * an[2];
  float xc = p->tx[e[1] + 128] * an[3];
  float half_h = p->eh[e[2] + 128] * an[2];
  float half_w = p->ew[e[3] + 128] * an[3];
  yc = yc + an[0];
  xc = xc + an[1];
  half_h = half_h * 0.5f;
  half_w = half_w * 0.5f;
  box[0] = yc - half_h;
  box[1] = xc - half_w;
  box[2] = yc + half_h;
  box[3] = xc + half_w;
}

static float min_f(float a, float b) { return a < b ? a : b; }
static float max_f(float a, float b) { return a > b ? a : b; }

/* Intersection over union, TF's NMS formula: 0 when either box is empty. */
static float iou(const float *a, const float *b) {
  float area_a = (a[2] - a[0]) * (a[3] - a[1]);
  float area_b = (b[2] - b[0]) * (b[3] - b[1]);
  float h, w, inter, uni;
  if (area_a <= 0.0f || area_b <= 0.0f) return 0.0f;
  h = min_f(a[2], b[2]) - max_f(a[0], b[0]);
  w = min_f(a[3], b[3]) - max_f(a[1], b[1]);
  inter = max_f(h, 0.0f) * max_f(w, 0.0f);
  uni = area_a + area_b;
  uni = uni - inter;
  return inter / uni;
}

/* Greedy NMS over the ordered candidates into `kept` (codes into `codes`); class -1: agnostic. Returns how many were kept. */
static int32_t greedy_nms(const te_ssd_int8_params *p, const int8_t *boxes, const int8_t *scores, int32_t class_index, int32_t count, const scratch_layout *s, te_detection *kept, int32_t *codes) {
  int32_t i, j, n = 0;
  for (i = 0; i < count && n < p->max_detections; i++) {
    int32_t anchor = s->order[i], best = class_index, code;
    float box[4];
    decode_box(p, boxes, anchor, box);
    for (j = 0; j < n; j++) if (iou(kept[j].box, box) > p->iou_threshold) break;
    if (j < n) continue;
    code = code_of(p, scores, anchor, class_index, &best);
    for (j = 0; j < 4; j++) kept[n].box[j] = box[j];
    kept[n].score = p->score[code + 128];
    kept[n].class_index = best;
    kept[n].anchor = anchor;
    codes[n++] = code;
  }
  return n;
}

int32_t te_ssd_postprocess_int8(const te_ssd_int8_params *p, const int8_t *boxes, const int8_t *scores, void *scratch, te_detection *out) {
  scratch_layout s = layout_of(p, scratch);
  int32_t c, i, total = 0;
  if (p->class_agnostic) return greedy_nms(p, boxes, scores, -1, candidates(p, scores, -1, &s), &s, out, s.out_code);
  for (c = 0; c < p->columns - p->first_class; c++) {
    int32_t kept = greedy_nms(p, boxes, scores, c, candidates(p, scores, c, &s), &s, s.kept, s.class_code);
    /* Merge: after every detection of an equal code (earlier classes first), dropping what falls past the end. */
    for (i = 0; i < kept; i++) {
      int32_t at = total, j;
      while (at > 0 && s.out_code[at - 1] < s.class_code[i]) at--;
      if (at >= p->max_detections) break;
      if (total < p->max_detections) total++;
      for (j = total - 1; j > at; j--) {
        out[j] = out[j - 1];
        s.out_code[j] = s.out_code[j - 1];
      }
      out[at] = s.kept[i];
      s.out_code[at] = s.class_code[i];
    }
  }
  return total;
}
