/*
 * SSD post-processing of an int8 detector on device: score threshold, anchor box decoding, NMS per class or over
 * all classes, top-k. The compiler precomputes 256-entry f32 tables (the score of each score code; ty/yScale,
 * tx/xScale, exp(th/hScale), exp(tw/wScale) of each box code) and the minimum score code, so the device runs a
 * fixed order of f32 multiplies and adds (no exp) that equals tinyedge's TypeScript reference bit for bit.
 * No malloc: the caller passes TE_SSD_INT8_SCRATCH_BYTES of 4-byte aligned scratch.
 */
#ifndef TINYEDGE_SSD_POSTPROCESS_H
#define TINYEDGE_SSD_POSTPROCESS_H

#include <stdint.h>

/** One detection: box (ymin, xmin, ymax, xmax) normalized to the image, score, class (background excluded), anchor. */
typedef struct {
  float box[4];
  float score;
  int32_t class_index;
  int32_t anchor;
} te_detection;

/** What the compiler emits for a detector; the tables are indexed by code + 128. */
typedef struct {
  const float *anchors; /* anchor_count × (y center, x center, height, width) */
  int32_t anchor_count;
  int32_t columns;     /* score columns per anchor, background included */
  int32_t first_class; /* 1 when column 0 is the background */
  const float *score;
  int32_t min_score_code; /* candidates have a score code ≥ this; 128: none */
  const float *ty;
  const float *tx;
  const float *eh;
  const float *ew;
  float iou_threshold;
  int32_t max_detections;
  int32_t class_agnostic;
} te_ssd_int8_params;

/** Scratch bytes for a detector of `anchors` anchors and `max_detections` detections. */
#define TE_SSD_INT8_SCRATCH_BYTES(anchors, max_detections) (4 * (256 + (anchors) + 2 * (max_detections)) + (int32_t)sizeof(te_detection) * (max_detections))

/**
 * Writes at most p->max_detections detections to `out`, best first (score code descending, then class, then
 * anchor), from raw int8 box encodings [anchors × 4] and score codes [anchors × columns]; returns their count.
 */
int32_t te_ssd_postprocess_int8(const te_ssd_int8_params *p, const int8_t *boxes, const int8_t *scores, void *scratch, te_detection *out);

#endif
