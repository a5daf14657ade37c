/**
 * SSD / SSDLite with a MobileNetV2 backbone, as in the TF Object Detection API:
 * - research/object_detection/samples/configs/ssd_mobilenet_v2_coco.config (and ssdlite_mobilenet_v2_coco.config):
 *   300×300 fixed resizer, num_classes 90 (+1 background = 91 class logits), ssd_anchor_generator with
 *   num_layers 6 and aspect ratios {1, 2, 0.5, 3, 0.3333}, convolutional_box_predictor kernel_size 3,
 *   feature_extractor use_depthwise: true (both configs). The SSDLite config also sets the box predictor's
 *   use_depthwise: true.
 * - research/object_detection/models/ssd_mobilenet_v2_feature_extractor.py: feature maps from
 *   'layer_15/expansion_output' (19×19, 576 ch) and 'layer_19' (10×10, 1280 ch), then four extra
 *   maps with layer_depth 512/256/256/128, insert_1x1_conv=True.
 * - research/object_detection/models/feature_map_generators.py: each extra map = 1×1 conv (depth/2)
 *   + BN + ReLU6, then (use_depthwise) 3×3 depthwise stride 2 + BN + ReLU6 and 1×1 conv (depth) + BN + ReLU6.
 * - anchor_generators/multiple_grid_anchor_generator.py `create_ssd_anchors` (reduce_boxes_in_lowest_layer
 *   = true): 3 anchors per location on the first map, len(aspect_ratios) + 1 = 6 on the others.
 * - predictors/convolutional_box_predictor.py: box and class heads are k×k convs with bias, no BN
 *   (SSDLite: 3×3 depthwise + BN + ReLU6, then a 1×1 conv with bias).
 * Backbone = torchvision-style MobileNetV2 from mobilenet.ts (same layer table as TF-slim mobilenet_v2
 * V2_DEF; slim `layer_N` is `features.{N-1}` here). Post-processing (box decode + NMS) is not modelled:
 * the outputs are the concatenated box encodings [1, anchors, 4] and class scores [1, anchors, 91].
 * Check value (SSDLite only): MobileNetV2 paper (arXiv 1801.04381) Table 6, "MNet V2 + SSDLite":
 * 4.3 M params, 0.8 B MAdds at 300. No published count exists for the non-lite ssd_mobilenet_v2_coco.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { conv, dwconv, imageInput } from './blocks.ts';
import { mobileNetV2Features } from './mobilenet.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** ssd_mobilenet_v2_coco.config num_classes 90, plus the background class. */
const COCO_CLASSES_WITH_BACKGROUND = 91;
const BOX_CODE_SIZE = 4;
/** 'layer_15/expansion_output': slim layer_15 = features.14 (first block of the 160-ch stage). */
const LAYER_15_EXPANSION = 'features.14.expand';
/** feature_map_layout 'layer_depth' of the four extra maps. */
const EXTRA_LAYER_DEPTHS: readonly number[] = [512, 256, 256, 128];
/** ssd_anchor_generator: aspect_ratios 1, 2, 0.5, 3, 0.3333 (+1 interpolated scale); lowest layer: 3 boxes. */
const ASPECT_RATIO_COUNT = 5;
const ANCHORS_LOWEST_LAYER = 3;
/** feature_extractor min_depth. */
const MIN_DEPTH = 16;

interface SsdVariant {
  readonly id: string;
  /** Box predictor use_depthwise (true for SSDLite). */
  readonly depthwisePredictor: boolean;
}

/** One convolutional box predictor head (box encodings or class logits) reshaped to [1, H·W·A, n]. */
function predictorHead(b: GraphBuilder, x: string, name: string, perLocation: number, anchors: number, depthwise: boolean): string {
  let h = x;
  if (depthwise) h = dwconv(b, h, `${name}_depthwise`, 3, 1, { act: 'relu6' });
  h = b.add(name, 'conv2d', h, { outChannels: anchors * perLocation, kernel: 1, padding: 'same', bias: true });
  // ssd_mobilenet_v2_coco.config: convolutional_box_predictor { kernel_size: 1 } (the Coral-compiled
  // model is 6.6 MB int8, which a 3×3 head could not be). The TF graph is NHWC, so its predictor output reshapes to [1, H·W·A, n] with no transpose
  // (a transpose here would also wrongly send the rest of the graph off the Edge TPU).
  return b.add(`${name}.reshape`, 'reshape', h, { shape: [1, -1, perLocation] });
}

export function buildSsdMobileNetV2(v: SsdVariant, o: BuildOptions, classes = COCO_CLASSES_WITH_BACKGROUND): Graph {
  const b = new GraphBuilder({ name: v.id, task: 'detection', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${v.id}` });
  const layer19 = mobileNetV2Features(b, o.widthMultiplier);
  b.shapeOf(LAYER_15_EXPANSION); // throws if the backbone naming ever changes
  // feature_map_generators.get_depth_fn: max(int(depth × multiplier), min_depth).
  const depth = (d: number) => Math.max(Math.floor(d * o.widthMultiplier), MIN_DEPTH);

  const maps: string[] = [LAYER_15_EXPANSION, layer19];
  let x = layer19;
  EXTRA_LAYER_DEPTHS.forEach((d, i) => {
    const index = i + 2;
    x = conv(b, x, `layer_19_1_Conv2d_${index}_1x1_${depth(d / 2)}`, depth(d / 2), 1, 1, { act: 'relu6' });
    const name = `layer_19_2_Conv2d_${index}_3x3_s2_${depth(d)}`;
    x = dwconv(b, x, `${name}_depthwise`, 3, 2, { act: 'relu6' });
    x = conv(b, x, name, depth(d), 1, 1, { act: 'relu6' });
    maps.push(x);
  });

  const boxes: string[] = [], scores: string[] = [];
  maps.forEach((m, i) => {
    const anchors = i === 0 ? ANCHORS_LOWEST_LAYER : ASPECT_RATIO_COUNT + 1;
    boxes.push(predictorHead(b, m, `BoxPredictor_${i}.BoxEncodingPredictor`, BOX_CODE_SIZE, anchors, v.depthwisePredictor));
    scores.push(predictorHead(b, m, `BoxPredictor_${i}.ClassPredictor`, classes, anchors, v.depthwisePredictor));
  });
  const boxEncodings = b.add('box_encodings', 'concat', boxes, { axis: 1 });
  const logits = b.add('class_predictions_with_background', 'concat', scores, { axis: 1 });
  // post_processing score_converter: SIGMOID.
  const classScores = b.add('score_converter', 'sigmoid', logits);
  return b.build([boxEncodings, classScores]);
}

const SSD: SsdVariant = { id: 'ssd-mobilenet-v2', depthwisePredictor: false };
const SSDLITE: SsdVariant = { id: 'ssdlite-mobilenet-v2', depthwisePredictor: true };

export const ssdEntries: readonly ZooEntry[] = [
  { id: SSD.id, aliases: ['ssd_mobilenet_v2_coco', 'ssd-mobilenetv2'], task: 'detection', resolution: 300, resizable: true, reference: 'tensorflow/models research/object_detection/samples/configs/ssd_mobilenet_v2_coco.config + models/ssd_mobilenet_v2_feature_extractor.py', build: (o) => buildSsdMobileNetV2(SSD, o) },
  { id: SSDLITE.id, aliases: ['ssdlite_mobilenet_v2_coco', 'ssdlite-mobilenetv2'], task: 'detection', resolution: 300, resizable: true, reference: 'tensorflow/models research/object_detection/samples/configs/ssdlite_mobilenet_v2_coco.config; MobileNetV2 paper Table 6', build: (o) => buildSsdMobileNetV2(SSDLITE, o) },
];
