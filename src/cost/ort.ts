/**
 * What ONNX Runtime's CPU execution provider (MLAS kernels) runs for a graph, beyond one kernel per
 * layer: the costs `edgeplan measure` sees on the host that a plain per-layer roofline misses. Two
 * parts, each applied only where a unit declares it (nowhere but the host profile and what
 * `edgeplan calibrate` writes), so no other device's numbers move:
 *
 * `ort_mlas_kernels` (a `kernel_fusions` rule): how MLAS kernels spend their time —
 * - a Conv's fused activation other than ReLU is a second pass over the output. MLAS folds only ReLU
 *   into the convolution kernel (MLAS_CONV_KERNEL_FLAG_RELU_ACTIVATION); Clip (ReLU6), HardSigmoid,
 *   HardSwish, LeakyRelu and Sigmoid set MLAS_CONV_KERNEL_FLAG_OTHER_ACTIVATION and are applied by
 *   MlasActivation over each output row after the kernel (onnxruntime/core/mlas/lib/snchwc.cpp,
 *   MLAS_NCHWC_CONV_ALGORITHM::ComputeKernelFlags / DoActivation). Measured with ORT 1.30 on the
 *   host: a 16→96 1×1 conv at 257×257 takes 1.55 ms with ReLU and 2.58 ms with Clip or HardSwish,
 *   at 64×64 98 µs and 156 µs: ~0.15 ns per output element, an element-wise pass;
 * - pooling reads every input element and visits every window tap (MlasPool / MlasNchwcPool loop
 *   over the kernel window per output, vectorized across a channel block), not one op per output:
 *   an op per input element plus 1/POOL_TAPS_PER_OP op per tap (fit-set kernels on the host:
 *   Inception-v2's 3×3/1 average pools ~0.3 ns per output, YOLO11n's 5×5/1 max pools ~0.75,
 *   SqueezeNet's 3×3/2 max pools ~0.2 ns per input element);
 * - Resize is a scalar loop, one output element per iteration with its source index computed
 *   (onnxruntime/core/providers/cpu/tensor/upsample.cc): ~1.1 ns per output element for nearest
 *   2× upsampling of YOLO11n's necks on the host, ~9 element-wise vector ops; bilinear adds its
 *   4 taps (SCALAR_LOOP_OPS);
 * - ConvTranspose is a GEMM into a column buffer (C_out·k² × H_in·W_in) and a scalar Col2Im that
 *   adds it into the zeroed output (onnxruntime/core/providers/cpu/nn/conv_transpose.cc, math::Col2im):
 *   the buffer is written and read once and every element costs a scalar-loop step; ORT folds no
 *   BatchNormalization into a ConvTranspose and fuses no activation into it (ConvBNFusion and
 *   ConvActivationFusion match Conv only), so each is a separate element-wise kernel. PP-OCRv4 det's
 *   24→24 2×2/2 ConvTranspose at 160→320 takes ~4.7 ms on the host, 0.8 ms of it the GEMM;
 * - a Conv whose input has fewer channels than the NCHWc block reads NCHW directly and calls its
 *   kernel once per input channel, accumulating into the output (MLAS_NCHWC_CONV_NCHW_ALGORITHM in
 *   snchwc.cpp): its reduction per call is the k² taps of one channel, not C_in·k² — PP-OCRv4 det's
 *   12→96 1×1 conv at 160×160 runs at ~28 GFLOP/s where NCHWc 1×1 convs reach ~150;
 * - exp-based activations (Sigmoid, Tanh, SiLU/QuickGelu, GELU) cost EXP_ACTIVATION_OPS more per element;
 * - an element-wise op whose other operand is a broadcast constant (x + 3, x / 6, how exporters
 *   write HardSwish; the importer lists x twice) streams x once (its per-element work is that of
 *   a binary op: the probes' Adds and PP-OCR's x + 3 both take ~0.18 ns per element in cache).
 *
 * NCHWc layout (x86-64: `ort_nchwc_conv_sum` declared and the unit's `nchwc_block_channels`, 16
 * with AVX-512F, 8 with AVX2): onnxruntime/core/optimizer/nchwc_transformer.cc rewrites Conv,
 * pools and the element-wise ops between them to a blocked layout (channels in blocks of 16/8).
 * Tensors cross between that layout and plain NCHW through ReorderInput / ReorderOutput kernels,
 * each a full copy of the tensor that appears in ORT's profile as its own kernel; this module says
 * which tensors cross and where. Rules (NchwcTransformerImpl::Transform*, as ported with the
 * channel-alignment of 4 "the current implementation of ReorderInput requires" in
 * webmachinelearning/webnn-native src/webnn_native/mlas/GraphMLAS.cpp, and checked against ORT
 * 1.30 profiles on the host):
 * - Conv, group 1: C_in < block reads NCHW directly; otherwise C_in % 4 == 0 (input reordered if it
 *   is not NCHWc; ShuffleNetV2's 58-channel convs reading a Split stay plain); C_out is padded.
 *   Depthwise: C % 4 == 0. Other grouped convs: C_in/g and C_out/g multiples of the block;
 * - Max/AveragePool: C % 4 == 0 (input reordered if needed); GlobalAveragePool only on NCHWc input;
 * - Add/Sum/Mul of NCHWc tensors of one shape, channel Concat of block-aligned NCHWc inputs, Relu,
 *   Sigmoid, Tanh and the x·σ(x) pair (QuickGelu) on an NCHWc input stay NCHWc;
 * - BatchNormalization on an NCHWc input becomes a 1×1 depthwise NCHWc Conv (TransformBatchNormalization)
 *   and a Relu that is its only reader is fused into it (TransformActivation): DenseNet's
 *   pre-activation BN + ReLU is one kernel in ORT's profile (`<bn>_bn_nchwc`), no Relu kernel;
 * - anything else (Resize with sizes, Clip, HardSwish, Div, broadcast Mul of an SE block, Split,
 *   Slice, Reshape, Softmax, ...) reads NCHW: each NCHWc tensor it reads gets one ReorderOutput,
 *   shared by all its plain readers, and a graph output in NCHWc gets one too;
 * - a depthwise or grouped Conv that is not NCHWc runs ORT's generic grouped Conv: one im2col +
 *   SGEMM call per group (onnxruntime/core/providers/cpu/nn/conv.cc loops over groups); ShuffleNetV2's
 *   58-channel 3×3 depthwise convs take ~98 µs on the host where its 116-channel NCHWc ones take ~10.
 */
import type { Graph, Layer } from '../graph/types.ts';

/**
 * Cost of one element of a scalar (one element per iteration, index computed) loop, in the
 * element-wise class's vectorized ops: ORT's Resize (besides one op per tap) and ConvTranspose's
 * Col2Im. Measured on the host: nearest 2× Resize of YOLO11n's necks ~1.1 ns per output element
 * where the element-wise class runs ~0.085 ns per op (a vectorized Add ~0.18 ns per element),
 * ~13 ops; U-Net's and PP-OCRv4 det's ConvTranspose Col2Im ~1-1.8 ns per column element.
 */
export const SCALAR_LOOP_OPS = 12;
/** Window taps a pool kernel covers per element-wise op (see the module comment). */
export const POOL_TAPS_PER_OP = 3;
/**
 * Extra element-wise ops per element of an exp-based activation (Sigmoid, Tanh, the x·σ(x) pair ORT
 * runs as QuickGelu, SiLU, GELU): MLAS evaluates the logistic/tanh as a rational polynomial
 * (MlasComputeLogistic, MlasComputeTanh), ~2 more vector passes' worth than an Add. Measured on the
 * host: YOLO11n's in-cache QuickGelu kernels take ~0.35-0.45 ns per element where plain binary
 * ops take ~0.2.
 */
export const EXP_ACTIVATION_OPS = 2;
/** Channel alignment the NCHWc rewrite asks of plain tensors it reorders (see the module comment). */
export const NCHWC_CHANNEL_ALIGNMENT = 4;

/** One ReorderInput/ReorderOutput kernel: the tensor (a layer name or graph input) and its elements (NCHWc side padded). */
export interface OrtReorder {
  readonly kind: 'input' | 'output';
  readonly tensor: string;
  /** Elements of the plain NCHW tensor. */
  readonly elems: number;
  /** Elements of the blocked tensor (channels padded up to the block). */
  readonly blockedElems: number;
}

export interface OrtLayoutPlan {
  /** Layer outputs ORT keeps in NCHWc layout. */
  readonly nchwc: ReadonlySet<string>;
  /** Reorder kernels, keyed by the layer they are charged to (the reader that needs them; for a graph output, its producer). */
  readonly reorders: ReadonlyMap<string, readonly OrtReorder[]>;
  /** Relu layers fused into the NCHWc Conv ORT makes of the BatchNormalization before them → that BatchNormalization. */
  readonly fusedInto: ReadonlyMap<string, string>;
  /** Depthwise/grouped convs ORT runs as one SGEMM per group (not NCHWc). */
  readonly perGroupConvs: ReadonlySet<string>;
  /** NCHWc convs that read a plain NCHW input channel by channel (C_in below the block). */
  readonly nchwInput: ReadonlySet<string>;
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The NCHWc layout ORT gives `g` on a CPU with NCHWc `block`, for the layers `eligible` says run
 * there (fp32, on a unit that declares it). See the module comment for the rules. An x·σ(x) pair
 * (one QuickGelu kernel in ORT) is a Sigmoid and a same-shape Mul here: NCHWc in, NCHWc out.
 */
export function ortNchwcLayout(g: Graph, block: number, eligible: (l: Layer) => boolean): OrtLayoutPlan {
  const nchwc = new Set<string>();
  const reorders = new Map<string, OrtReorder[]>();
  const fusedInto = new Map<string, string>();
  const perGroupConvs = new Set<string>();
  const readsPlain = new Set<string>();
  if (block <= 1) return { nchwc, reorders, fusedInto, perGroupConvs, nchwInput: readsPlain };
  const shapeOf = new Map<string, readonly number[]>();
  for (const i of g.inputs) shapeOf.set(i.name, i.shape);
  for (const l of g.layers) shapeOf.set(l.name, l.outputShape);
  const readers = new Map<string, Layer[]>();
  for (const l of g.layers) for (const i of new Set(l.inputs)) readers.set(i, [...(readers.get(i) ?? []), l]);
  const isOutput = new Set(g.outputs);
  const blocked = (s: readonly number[]) => (s.length === 4 ? s[0] * Math.ceil(s[1] / block) * block * s[2] * s[3] : numel(s));
  const reorderedIn = new Set<string>();
  const addReorder = (at: string, r: OrtReorder) => reorders.set(at, [...(reorders.get(at) ?? []), r]);
  const needReorderInput = (l: Layer, t: string) => {
    if (nchwc.has(t) || reorderedIn.has(t)) return;
    reorderedIn.add(t);
    const s = shapeOf.get(t)!;
    addReorder(l.name, { kind: 'input', tensor: t, elems: numel(s), blockedElems: blocked(s) });
  };
  const aligned = (c: number) => c % NCHWC_CHANNEL_ALIGNMENT === 0;
  for (const l of g.layers) {
    if (!eligible(l)) continue;
    const ins = l.inputs;
    const in0 = l.inputShapes[0] ?? [];
    const rank4 = l.outputShape.length === 4 && in0.length === 4;
    let v = false;
    if (l.op === 'conv2d' && rank4) {
      const groups = l.attrs.groups ?? 1;
      const cin = in0[1], cout = l.outputShape[1];
      if (groups === 1) {
        if (cin < block) { v = true; readsPlain.add(l.name); } // NCHW input read directly (MLAS_NCHWC_CONV_NCHW_ALGORITHM)
        else if (aligned(cin)) { v = true; needReorderInput(l, ins[0]); }
      } else if ((cin / groups) % block === 0 && (cout / groups) % block === 0 && aligned(cout)) { v = true; needReorderInput(l, ins[0]); }
      else perGroupConvs.add(l.name);
    } else if (l.op === 'depthwise_conv2d' && rank4) {
      const c = l.outputShape[1];
      if (c === in0[1] && aligned(c)) { v = true; needReorderInput(l, ins[0]); }
      else perGroupConvs.add(l.name);
    } else if ((l.op === 'max_pool' || l.op === 'avg_pool') && rank4) {
      if (aligned(in0[1])) { v = true; needReorderInput(l, ins[0]); }
    } else if (l.op === 'global_pool') v = rank4 && nchwc.has(ins[0]);
    // An operand listed twice is how the importer writes x op broadcast-constant (x + 3 of an
    // exported HardSwish): ORT sees a constant operand, not an NCHWc tensor, and keeps the op plain.
    else if (l.op === 'add' || l.op === 'mul') v = rank4 && new Set(ins).size === ins.length && ins.every((i) => nchwc.has(i)) && l.inputShapes.every((s) => sameShape(s, l.outputShape));
    else if (l.op === 'concat') v = rank4 && (l.attrs.axis ?? 1) === 1 && ins.every((i) => nchwc.has(i)) && l.inputShapes.every((s) => s[1] % block === 0);
    else if (l.op === 'relu' || l.op === 'sigmoid' || l.op === 'silu' || l.op === 'batchnorm' || (l.op === 'opaque' && l.attrs.opaqueType === 'Tanh')) v = nchwc.has(ins[0]);
    if (v) nchwc.add(l.name);
    if (l.op === 'batchnorm' && v) {
      // TransformActivation: the Relu that is the BN-conv's only reader runs inside it.
      const r = readers.get(l.name) ?? [];
      if (r.length === 1 && r[0].op === 'relu' && !isOutput.has(l.name) && eligible(r[0])) fusedInto.set(r[0].name, l.name);
    }
  }
  // ReorderOutput: one per NCHWc tensor that a plain layer (or the graph's caller) reads, charged to
  // its first plain reader in run order, or to the producer when only the caller reads it plain.
  // A transpose to NHWC is itself the reorder (TransformTranspose emits a channels-last
  // ReorderOutput in its place). Convs and pools left plain read NCHW like any other plain layer.
  const nhwc = (l: Layer) => l.op === 'transpose' && sameShape(l.attrs.perm ?? [], [0, 2, 3, 1]);
  for (const t of nchwc) {
    const plain = (readers.get(t) ?? []).filter((r) => (!nchwc.has(r.name) || readsPlain.has(r.name)) && !fusedInto.has(r.name) && !(eligible(r) && nhwc(r)));
    if (!plain.length && !isOutput.has(t)) continue;
    const s = shapeOf.get(t)!;
    addReorder(plain[0]?.name ?? t, { kind: 'output', tensor: t, elems: numel(s), blockedElems: blocked(s) });
  }
  return { nchwc, reorders, fusedInto, perGroupConvs, nchwInput: readsPlain };
}
