/**
 * The per-layer graph IR every later stage reads (cost model, planner, reports, importers).
 * Tensors are batch-1, layout NCHW for feature maps ([N, C, H, W]), [N, F] for vectors and
 * [N, L, D] for token sequences. Shapes, params and MACs are always computed from attributes
 * by `inferLayer` (ops.ts), never typed in.
 */

export const OPS = [
  'conv2d', 'depthwise_conv2d', 'conv_transpose2d', 'linear', 'matmul',
  'add', 'mul', 'concat', 'max_pool', 'avg_pool', 'global_pool', 'resize', 'softmax',
  'relu', 'relu6', 'hardswish', 'hardsigmoid', 'sigmoid', 'silu', 'gelu',
  'batchnorm', 'layernorm', 'reshape', 'transpose', 'flatten', 'attention',
  'slice', 'pad', 'opaque',
] as const;
export type OpName = (typeof OPS)[number];

export const ACTIVATIONS = ['relu', 'relu6', 'hardswish', 'hardsigmoid', 'sigmoid', 'silu', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const DTYPES = ['fp32', 'fp16', 'int8', 'int4'] as const;
export type DType = (typeof DTYPES)[number];

/** Bytes per element of each dtype (int4 packs two per byte). */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = { fp32: 4, fp16: 2, int8: 1, int4: 0.5 };

export type Shape = readonly number[];

/** Attributes of every op; each op reads the ones it needs (see ops.ts). */
export interface LayerAttrs {
  readonly outChannels?: number;
  readonly kernel?: number | readonly [number, number];
  readonly stride?: number | readonly [number, number];
  /** 'same' = PyTorch-style symmetric k//2·dilation; 'valid' = 0; number = all sides; [top, left, bottom, right]. */
  readonly padding?: 'same' | 'valid' | 'same_upper' | number | readonly [number, number, number, number];
  readonly dilation?: number;
  readonly groups?: number;
  readonly outputPadding?: number;
  readonly bias?: boolean;
  /** A batchnorm folded into this conv/linear (its γ/β counted as params the way frameworks count them). */
  readonly batchnorm?: boolean;
  /** Activation fused into this layer: it adds no tensor and no separate layer. */
  readonly activation?: Activation;
  readonly outFeatures?: number;
  readonly axis?: number;
  readonly ceilMode?: boolean;
  readonly mode?: 'avg' | 'max' | 'nearest' | 'bilinear';
  readonly scale?: number;
  readonly size?: readonly [number, number];
  readonly shape?: readonly number[];
  readonly perm?: readonly number[];
  readonly startDim?: number;
  readonly heads?: number;
  readonly start?: number;
  readonly end?: number;
  readonly pads?: readonly [number, number, number, number];
  /** Multiplier of depthwise conv (outChannels = in × multiplier). */
  readonly depthMultiplier?: number;
  /** opaque: declared output shape and cost (an op edgeplan does not model; kept, never dropped). */
  readonly outputShape?: readonly number[];
  readonly opaqueType?: string;
  readonly paramCount?: number;
}

export interface Layer {
  readonly name: string;
  readonly op: OpName;
  /** Producer layer names, or graph input names, in operand order. */
  readonly inputs: readonly string[];
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  readonly attrs: LayerAttrs;
  readonly dtype: DType;
  /** Trainable parameters as frameworks count them (folded BN contributes γ and β). */
  readonly params: number;
  /** Multiply-accumulates of conv, depthwise, transposed conv, linear, matmul and attention; 0 elsewhere. */
  readonly macs: number;
  /** Weight elements as deployed (BN folded into a per-channel bias). */
  readonly weightElements: number;
  readonly biasElements: number;
  /** Deployed weight bytes at `dtype` (biases stored as int32 for int8/int4, TFLite convention). */
  readonly weightBytes: number;
  /** Bytes of this layer's output tensor at `dtype` (0 for in-place reshapes). */
  readonly activationBytes: number;
}

export interface GraphInput {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface Graph {
  readonly name: string;
  readonly task: string;
  readonly layout: 'NCHW';
  readonly inputs: readonly GraphInput[];
  /** Layers in a topological order (the default execution order). */
  readonly layers: readonly Layer[];
  readonly outputs: readonly string[];
  /** Square input side, when the model has an image input. */
  readonly resolution?: number;
  readonly widthMultiplier?: number;
  /** Where the graph came from: zoo id, YAML file, ONNX/TFLite file. */
  readonly source: string;
  /**
   * Bytes of constant tensors the deployed model stores besides layer weights (e.g. an SSD's
   * anchor boxes, n_anchors × 4 float32), counted in a runtime's flash figure.
   */
  readonly constantBytes?: number;
  /**
   * True when the model file leaves input height/width open and the importer fixed them
   * (--resolution): a runtime that plans at load time sees symbolic shapes there, and ONNX
   * Runtime's Conv + residual Add fusions need shapes it can prove equal (src/cost/fusion.ts).
   */
  readonly openInputShape?: true;
}

export interface GraphTotals {
  readonly params: number;
  readonly macs: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
}
