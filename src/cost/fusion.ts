/**
 * Runtime kernel fusions that change what a layer costs: a residual Add (and the activation after
 * it) that ONNX Runtime's CPU execution provider folds into the Conv producing one of its inputs.
 * The fused kernel accumulates the Add's other input into the convolution's output tile (the
 * "Sum" input of the NCHWc Conv, the 4th input of FusedConv), so the Add and the activation add
 * no kernel, no dispatch and no write/read of the intermediate: the Conv reads one more tensor.
 *
 * A unit says which fusions its runtime performs (`kernel_fusions`, of the reference runtime or of
 * a named one); nothing is fused elsewhere. Two rule sets, from ONNX Runtime's optimizer sources
 * (github.com/microsoft/onnxruntime, as of the 1.30 line that onnxruntime-node 1.30.0 ships), both
 * enabled by graph optimisation level 'all' (ORT_ENABLE_ALL, Level 3), the level `edgeplan measure`
 * uses, and only for nodes assigned to the CPU EP on float tensors:
 *
 * - `ort_nchwc_conv_sum`: x86-64 with AVX2/AVX-512, where NchwcTransformer runs first
 *   (onnxruntime/core/optimizer/graph_transformer_utils.cc registers it before
 *   ConvAddActivationFusion when MlasNchwcGetBlockSize() > 1). In
 *   onnxruntime/core/optimizer/nchwc_transformer.cc, TransformBinary fuses an Add/Sum into an
 *   NCHWc Conv when every input of the Add is already an NCHWc tensor of the same shape and the
 *   Conv's output has one use and no fused activation (inputs tried in operand order); then
 *   TransformActivation fuses a following Relu, Sigmoid or Tanh that is the Add's only reader.
 *   A Clip (ReLU6) or HardSigmoid after the Add stays a separate kernel; an Add whose other input
 *   is not NCHWc (a graph input, a Split/Slice/Reshape/Resize output, a broadcast Mul) is not fused.
 * - `ort_conv_add_activation`: elsewhere (no NCHWc layout, e.g. Arm), ConvAddActivationFusion
 *   (onnxruntime/core/optimizer/conv_add_act_fusion.cc): a Conv with a bias, no fused activation
 *   and one consumer, an Add of two 4-D tensors of equal shape, and optionally a Relu, Sigmoid,
 *   Tanh, LeakyRelu, Clip or HardSigmoid that is the Add's only reader, become one FusedConv.
 *
 * Checked on this project's host with onnxruntime-node 1.30.0 (per-kernel profiler, x86-64 with
 * AVX-512): on zoo exports (static shapes) the Adds these rules fuse are exactly the ones that leave
 * no kernel of their own, in ResNet-8/18/50, MobileNetV2, MobileNetV3-Small/Large, EfficientNet-B0,
 * EfficientNet-Lite4, MobileNet-EdgeTPU, MCUNet-in2, SSDLite, DeepLabV3, U-Net, YOLOv8n and YOLO11n
 * (the YOLO bottleneck Adds read a Split and a SiLU Mul: not fused), and the Conv that absorbed
 * one (e.g. "stack2.shortcut_nchwc") is the first qualifying Add operand.
 */
import type { Graph, Layer } from '../graph/types.ts';

/** The Conv + residual Add rule sets (this module). */
export const CONV_ADD_FUSIONS = ['ort_nchwc_conv_sum', 'ort_conv_add_activation'] as const;
export type ConvAddRule = (typeof CONV_ADD_FUSIONS)[number];
/** Every rule id a unit or runtime can declare in `kernel_fusions`: the Conv + Add rules and ONNX Runtime's MLAS kernel costs (src/cost/ort.ts). */
export const KERNEL_FUSIONS = [...CONV_ADD_FUSIONS, 'ort_mlas_kernels'] as const;
export type KernelFusion = (typeof KERNEL_FUSIONS)[number];

/** One Conv that absorbed a residual Add (and maybe the activation after it). */
export interface ConvAddFusion {
  readonly conv: string;
  readonly add: string;
  /** Index, among the Add's inputs, of the tensor the fused Conv reads in addition to its own input. */
  readonly otherInput: number;
  /** The activation layer after the Add that runs inside the Conv too. */
  readonly activation?: string;
}

export interface ConvAddFusions {
  /** Per fused Conv. */
  readonly byConv: ReadonlyMap<string, ConvAddFusion>;
  /** Every Add and activation layer that runs inside a Conv → that Conv. */
  readonly fusedInto: ReadonlyMap<string, string>;
}

const CONV_OPS: ReadonlySet<string> = new Set(['conv2d', 'depthwise_conv2d']);
/**
 * Activations ORT fuses into a Conv before the NCHWc rewrite (ConvActivationFusion, Level 2), so the
 * Conv's output stays NCHWc. HardSwish: no HardSwish kernel is left in ORT 1.30's profile of
 * MobileNetV3-Large on the host, and the Add reading the stem's Conv+HardSwish output is fused.
 */
const CONV_FUSED_ACTIVATIONS: ReadonlySet<string> = new Set(['relu', 'relu6', 'sigmoid', 'hardsigmoid', 'hardswish']);
/** The Add's activation that each rule set fuses (our IR's names; Tanh and LeakyRelu import as opaque). */
const ADD_ACTIVATIONS: Readonly<Record<ConvAddRule, { readonly ops: ReadonlySet<string>; readonly opaque: ReadonlySet<string> }>> = {
  ort_nchwc_conv_sum: { ops: new Set(['relu', 'sigmoid']), opaque: new Set(['Tanh']) },
  ort_conv_add_activation: { ops: new Set(['relu', 'relu6', 'sigmoid', 'hardsigmoid']), opaque: new Set(['Tanh', 'LeakyRelu']) },
};

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The Conv + Add (+ activation) groups ORT fuses in `g` under `rule`. `eligible(layer)` says
 * whether a layer runs where the rule applies (the unit/runtime declares it, fp32); every layer of
 * a group must be eligible.
 */
export function convAddFusions(g: Graph, rule: ConvAddRule, eligible: (l: Layer) => boolean): ConvAddFusions {
  const byName = new Map(g.layers.map((l) => [l.name, l]));
  const readers = new Map<string, Layer[]>();
  for (const l of g.layers) for (const i of new Set(l.inputs)) readers.set(i, [...(readers.get(i) ?? []), l]);
  const isOutput = new Set(g.outputs);
  const soleReader = (name: string): Layer | undefined => {
    const r = readers.get(name) ?? [];
    return r.length === 1 && !isOutput.has(name) && r[0].inputs.filter((i) => i === name).length === 1 ? r[0] : undefined;
  };
  const byConv = new Map<string, ConvAddFusion>();
  const fusedInto = new Map<string, string>();
  // Both rules need the two Add operands to be provably the same shape when the session is built.
  // With open input height/width, ONNX shape inference leaves the conv outputs' spatial dims
  // unknown (no dim_value, no shared dim_param), so ConvAddActivationFusion's shape test fails and
  // NchwcTransformer falls back to Reshape + Add unless its own symbolic tracking proves equality
  // (it loses track at every conv that reads a plain NCHW input). Modelled as: no fusion. Seen on the
  // host: ORT 1.30 fuses none of the ~200 Adds of the three PP-OCR files (open H/W) it runs.
  if (g.openInputShape) return { byConv, fusedInto };

  // NCHWc layout of each tensor (nchwc_transformer.cc): convs and pools produce it, element-wise
  // ops and channel concats keep it when all their inputs have it; anything else (graph inputs,
  // reshape/transpose/slice, resize by sizes, broadcast mul) is plain NCHW. Channel-block alignment
  // (8 or 16 channels) is not modelled.
  const nchwc = new Map<string, boolean>();
  const isNchwc = (name: string) => nchwc.get(name) ?? false;
  for (const l of g.layers) {
    const ins = l.inputs;
    const rank4 = l.outputShape.length === 4;
    let v = false;
    if (CONV_OPS.has(l.op)) v = rank4 && (!l.attrs.activation || CONV_FUSED_ACTIVATIONS.has(l.attrs.activation) || l.attrs.activation === 'silu');
    else if (l.op === 'max_pool' || l.op === 'avg_pool') v = rank4;
    else if (l.op === 'global_pool') v = rank4 && isNchwc(ins[0]);
    else if (l.op === 'add') v = ins.every(isNchwc) && ins.every((_, k) => l.inputShapes[k][1] === l.outputShape[1]) && (!l.attrs.activation || l.attrs.activation === 'relu' || l.attrs.activation === 'sigmoid');
    else if (l.op === 'mul') v = ins.every(isNchwc) && l.inputShapes.every((s) => sameShape(s, l.outputShape));
    else if (l.op === 'relu' || l.op === 'sigmoid' || l.op === 'batchnorm') v = isNchwc(ins[0]);
    else if (l.op === 'opaque' && l.attrs.opaqueType === 'Tanh') v = isNchwc(ins[0]);
    else if (l.op === 'concat') v = rank4 && (l.attrs.axis ?? 1) === 1 && ins.every(isNchwc);
    nchwc.set(l.name, v);
  }

  const acts = ADD_ACTIVATIONS[rule];
  for (const add of g.layers) {
    if (add.op !== 'add' || add.inputs.length !== 2 || !eligible(add)) continue;
    if (add.outputShape.length !== 4 || !add.inputShapes.every((s) => sameShape(s, add.outputShape))) continue;
    // An activation kept on the Add itself (zoo graphs) must be one this rule fuses too.
    if (add.attrs.activation && !acts.ops.has(add.attrs.activation)) continue;
    if (rule === 'ort_nchwc_conv_sum' && !add.inputs.every(isNchwc)) continue;
    let hit: number | undefined;
    for (let k = 0; k < 2 && hit === undefined; k++) {
      const c = byName.get(add.inputs[k]);
      if (!c || !CONV_OPS.has(c.op) || c.attrs.activation || byConv.has(c.name) || !eligible(c)) continue;
      if (soleReader(c.name) !== add) continue;
      if (rule === 'ort_conv_add_activation' && c.biasElements === 0) continue;
      hit = k;
    }
    if (hit === undefined) continue;
    const conv = add.inputs[hit];
    let activation: string | undefined;
    const next = add.attrs.activation ? undefined : soleReader(add.name);
    if (next && eligible(next) && next.inputs.length === 1 && (acts.ops.has(next.op) || (next.op === 'opaque' && acts.opaque.has(next.attrs.opaqueType ?? '')))) activation = next.name;
    byConv.set(conv, { conv, add: add.name, otherInput: 1 - hit, ...(activation ? { activation } : {}) });
    fusedInto.set(add.name, conv);
    if (activation) fusedInto.set(activation, conv);
  }
  return { byConv, fusedInto };
}
