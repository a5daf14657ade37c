/**
 * SSD with a MobileNetV1 backbone, as in the TF Object Detection API:
 * - research/object_detection/samples/configs/ssd_mobilenet_v1_coco.config: 300×300 fixed_shape_resizer,
 *   num_classes 90 (+1 background = 91 class logits), ssd_anchor_generator num_layers 6 with aspect ratios
 *   {1, 2, 0.5, 3, 0.3333}, convolutional_box_predictor kernel_size 1 with num_layers_before_predictor 0,
 *   feature_extractor type 'ssd_mobilenet_v1', min_depth 16, depth_multiplier 1.0 (no use_depthwise), BN with
 *   scale and center (γ and β), RELU_6; score_converter SIGMOID.
 * - research/object_detection/models/ssd_mobilenet_v1_feature_extractor.py: feature_map_layout from_layer
 *   ['Conv2d_11_pointwise', 'Conv2d_13_pointwise', '', '', '', ''], layer_depth [-1, -1, 512, 256, 256, 128],
 *   insert_1x1_conv=True, use_depthwise False; the backbone is TF-slim nets/mobilenet_v1.py
 *   `mobilenet_v1_base(final_endpoint='Conv2d_13_pointwise')` (padding SAME).
 * - research/object_detection/models/feature_map_generators.py `multi_resolution_feature_maps`: each extra map =
 *   1×1 conv (depth/2) + BN + ReLU6, then a full 3×3 stride-2 conv (depth) + BN + ReLU6, SAME padding;
 *   depth_fn = max(int(depth × depth_multiplier), min_depth).
 * - anchor_generators/multiple_grid_anchor_generator.py `create_ssd_anchors` (reduce_boxes_in_lowest_layer
 *   = true): 3 anchors per location on the 19×19 map, len(aspect_ratios) + 1 = 6 on the others.
 * - predictors/convolutional_box_predictor.py: BoxEncodingPredictor / ClassPredictor are 1×1 convs with
 *   bias and no BN or activation.
 * Post-processing (box decode + NMS) is not modelled: the outputs are the concatenated box encodings
 * [1, anchors, 4] and class scores [1, anchors, 91] (1917 anchors at 300).
 * Check value: MobileNets paper (Howard et al. 2017, arXiv 1704.04861) Table 13, "SSD 300 / MobileNet":
 * 19.3 mAP, 1.2 B Mult-Adds, 6.8 M parameters.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { conv, dwconv, imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** ssd_mobilenet_v1_coco.config num_classes 90, plus the background class. */
const COCO_CLASSES_WITH_BACKGROUND = 91;
const BOX_CODE_SIZE = 4;
/** feature_extractor min_depth. */
const MIN_DEPTH = 16;
/** TF-slim mobilenet_v1.py MOBILENETV1_CONV_DEFS after Conv2d_0 (3×3/2, 32): [stride, depth] of each DepthSepConv. */
const V1_CONV_DEFS: readonly (readonly [number, number])[] = [
  [1, 64], [2, 128], [1, 128], [2, 256], [1, 256], [2, 512],
  [1, 512], [1, 512], [1, 512], [1, 512], [1, 512], [2, 1024], [1, 1024],
];
/** feature_map_layout from_layer: the two backbone maps. */
const FROM_LAYERS: readonly string[] = ['Conv2d_11_pointwise', 'Conv2d_13_pointwise'];
/** feature_map_layout layer_depth of the four extra maps. */
const EXTRA_LAYER_DEPTHS: readonly number[] = [512, 256, 256, 128];
/** ssd_anchor_generator: 5 aspect ratios (+1 interpolated scale); lowest layer: 3 boxes. */
const ASPECT_RATIO_COUNT = 5;
const ANCHORS_LOWEST_LAYER = 3;
/** TF 'SAME' padding (output = ceil(in / stride)); the slim backbone and the extra layers use it. */
const SAME = 'same_upper' as const;

/** One 1×1 box-predictor head reshaped to [1, H·W·A, n]. */
function predictorHead(b: GraphBuilder, x: string, name: string, perLocation: number, anchors: number): string {
  let h = b.add(name, 'conv2d', x, { outChannels: anchors * perLocation, kernel: 1, padding: SAME, bias: true });
  // TF graphs are NHWC: the predictor output reshapes with no transpose (which the Edge TPU would reject).
  return b.add(`${name}.reshape`, 'reshape', h, { shape: [1, -1, perLocation] });
}

export function buildSsdMobileNetV1(id: string, o: BuildOptions, classes = COCO_CLASSES_WITH_BACKGROUND): Graph {
  const b = new GraphBuilder({ name: id, task: 'detection', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: o.widthMultiplier, source: `zoo:${id}` });
  // mobilenet_v1 depth() and feature_map_generators get_depth_fn: max(int(d × multiplier), min_depth).
  const depth = (d: number) => Math.max(Math.floor(d * o.widthMultiplier), MIN_DEPTH);

  let x = conv(b, b.input, 'Conv2d_0', depth(32), 3, 2, { act: 'relu6', padding: SAME });
  V1_CONV_DEFS.forEach(([s, d], i) => {
    x = dwconv(b, x, `Conv2d_${i + 1}_depthwise`, 3, s, { act: 'relu6', padding: SAME });
    x = conv(b, x, `Conv2d_${i + 1}_pointwise`, depth(d), 1, 1, { act: 'relu6', padding: SAME });
  });
  FROM_LAYERS.forEach((n) => b.shapeOf(n)); // throws if the backbone naming ever changes

  const maps: string[] = [...FROM_LAYERS];
  EXTRA_LAYER_DEPTHS.forEach((d, i) => {
    const index = i + 2;
    x = conv(b, x, `Conv2d_13_pointwise_1_Conv2d_${index}_1x1_${depth(d / 2)}`, depth(d / 2), 1, 1, { act: 'relu6', padding: SAME });
    x = conv(b, x, `Conv2d_13_pointwise_2_Conv2d_${index}_3x3_s2_${depth(d)}`, depth(d), 3, 2, { act: 'relu6', padding: SAME });
    maps.push(x);
  });

  const boxes: string[] = [], scores: string[] = [];
  maps.forEach((m, i) => {
    const anchors = i === 0 ? ANCHORS_LOWEST_LAYER : ASPECT_RATIO_COUNT + 1;
    boxes.push(predictorHead(b, m, `BoxPredictor_${i}.BoxEncodingPredictor`, BOX_CODE_SIZE, anchors));
    scores.push(predictorHead(b, m, `BoxPredictor_${i}.ClassPredictor`, classes, anchors));
  });
  const boxEncodings = b.add('box_encodings', 'concat', boxes, { axis: 1 });
  const logits = b.add('class_predictions_with_background', 'concat', scores, { axis: 1 });
  const classScores = b.add('score_converter', 'sigmoid', logits);
  return b.build([boxEncodings, classScores]);
}

export const ssdV1Entries: readonly ZooEntry[] = [
  { id: 'ssd-mobilenet-v1', aliases: ['ssd_mobilenet_v1_coco', 'ssd-mobilenetv1'], task: 'detection', resolution: 300, resizable: true, reference: 'tensorflow/models research/object_detection/samples/configs/ssd_mobilenet_v1_coco.config + models/ssd_mobilenet_v1_feature_extractor.py; MobileNets paper Table 13', build: (o) => buildSsdMobileNetV1('ssd-mobilenet-v1', o) },
];
