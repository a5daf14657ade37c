/**
 * The roofline cost model. Per layer: time = max(ops / (peak × efficiency), bytes / bandwidth)
 * + per-layer overhead (the roofline of Williams et al., CACM 2009, with an issue cost per
 * kernel as in nn-Meter's kernel-level predictors). Units are assigned from op/precision
 * support; partition boundaries pay a transfer; the Edge TPU streams weights that do not fit its
 * parameter cache over the host link every inference (coral.ai/docs/edgetpu/compiler, "parameter
 * data caching"), and after its first unsupported op the rest runs on the CPU (op-support.md §1.2).
 */
import { EdgeplanError } from '../errors/index.ts';
import { weightBytesAt } from '../graph/build.ts';
import type { Graph, Layer } from '../graph/types.ts';
import { DTYPE_BYTES } from '../graph/types.ts';
import type { ComputeUnit, HardwareProfile, OpClass, Precision, UnitRuntime } from '../hardware/types.ts';
import { CONV_ADD_FUSIONS, convAddFusions, type ConvAddFusion } from './fusion.ts';
import { EXP_ACTIVATION_OPS, ortNchwcLayout, POOL_TAPS_PER_OP, SCALAR_LOOP_OPS, type OrtLayoutPlan } from './ort.ts';
import { activationPeak } from './memory.ts';
import type { Bound, DataflowContext, ExtraCost, LayerResult, Partition, SimOptions, SimResult } from './types.ts';

export function opClassOf(l: Layer): OpClass {
  switch (l.op) {
    case 'conv2d':
    case 'conv_transpose2d':
      return 'conv2d';
    case 'depthwise_conv2d':
      return 'depthwise_conv2d';
    case 'linear':
    case 'matmul':
      return 'linear';
    case 'attention':
      return 'attention';
    default:
      return 'elementwise';
  }
}

/**
 * Ops of a layer: 2 per MAC; element-wise layers 1 per output element per operand, except
 * bilinear resize: each output blends 4 source pixels (4 multiply-adds, 8 ops; the 2×2 tap
 * formula of ONNX Resize linear mode / OpenCV INTER_LINEAR).
 */
export function layerOps(l: Layer): number {
  if (l.macs > 0) return 2 * l.macs;
  const elems = l.outputShape.reduce((a, b) => a * b, 1);
  if (l.op === 'resize' && l.attrs.mode === 'bilinear') return 8 * elems;
  return elems * Math.max(1, l.inputs.length);
}

/**
 * Ops of a layer as ONNX Runtime's MLAS kernels spend them (src/cost/ort.ts): pools read every input
 * element and visit every window tap (POOL_TAPS_PER_OP taps an op); Resize is a scalar loop costing
 * SCALAR_LOOP_OPS plus one per tap (4 bilinear, 1 nearest) per output element; exp-based
 * activations EXP_ACTIVATION_OPS more. Everything else as layerOps: a binary op costs per element
 * the same whether its second operand is a tensor or a broadcast constant (the importer's x listed
 * twice), ~0.18 ns per element in cache on the host for the probes' Adds and PP-OCR's x + 3 alike;
 * only its memory traffic drops (the constant is not streamed).
 */
export function mlasOps(l: Layer): number {
  const elems = l.outputShape.reduce((a, b) => a * b, 1);
  const k = l.attrs.kernel;
  switch (l.op) {
    // One op per input element read, and a window tap costs 1/POOL_TAPS_PER_OP op (vector max/add
    // across a channel block from L1).
    case 'max_pool': case 'avg_pool': return (l.inputShapes[0] ?? []).reduce((a, b) => a * b, 1) + (elems * (typeof k === 'number' ? k * k : k ? k[0] * k[1] : 1)) / POOL_TAPS_PER_OP;
    case 'global_pool': return (l.inputShapes[0] ?? []).reduce((a, b) => a * b, 1) * (1 + 1 / POOL_TAPS_PER_OP);
    case 'resize': return elems * (SCALAR_LOOP_OPS + (l.attrs.mode === 'bilinear' ? 4 : 1));
    case 'sigmoid': case 'silu': case 'gelu': return elems * (1 + EXP_ACTIVATION_OPS);
    default: return layerOps(l);
  }
}

const PRECISION_ORDER: readonly Precision[] = ['int4', 'int8', 'fp16', 'fp32'];

/** The peak for a precision, or the next wider precision the unit runs (int4 → int8, fp16 → fp32). */
export function peakFor(u: ComputeUnit, p: Precision): { peak: number; precision: Precision } | undefined {
  for (let i = PRECISION_ORDER.indexOf(p); i < PRECISION_ORDER.length; i++) {
    const q = PRECISION_ORDER[i];
    const v = u.peak_ops_per_s[q]?.value;
    if (v && u.precisions.includes(q)) return { peak: v, precision: q };
  }
  return undefined;
}

/** Why `unit` cannot run layer `l` at precision `p`, or undefined when it can. */
export function unsupportedReason(u: ComputeUnit, l: Layer, p: Precision): string | undefined {
  if (u.ops !== 'all' && !(u.ops as readonly string[]).includes(l.op)) return `${l.op} not supported`;
  if (!u.precisions.includes(p)) return `${p} not supported (runs ${u.precisions.join('/')})`;
  const c = u.constraints;
  if (!c) return undefined;
  const k = l.attrs.kernel;
  const kmax = typeof k === 'number' ? k : k ? Math.max(k[0], k[1]) : 0;
  if (c.max_kernel_size && kmax > c.max_kernel_size.value) return `kernel ${kmax} > ${c.max_kernel_size.value}`;
  const s = l.attrs.stride;
  const smax = typeof s === 'number' ? s : s ? Math.max(s[0], s[1]) : 0;
  if (c.max_stride && smax > c.max_stride.value && l.op !== 'max_pool' && l.op !== 'avg_pool') return `stride ${smax} > ${c.max_stride.value}`;
  if (c.max_channels && l.outputShape.length === 4 && l.outputShape[1] > c.max_channels.value) return `${l.outputShape[1]} channels > ${c.max_channels.value}`;
  if (c.max_spatial_dim && l.outputShape.slice(2).some((d) => d > c.max_spatial_dim!.value)) return `spatial size > ${c.max_spatial_dim.value}`;
  return undefined;
}

/**
 * Realized 2:4 structured-sparsity speed-up when a unit states none: NVIDIA measured 1.24–1.47× on
 * real networks on the Orin DLA, not the 2× of the sparse TOPS headline (shared/research/device-specs.md
 * §2 jetson_software_notes, [N1] Deep-Learning-Accelerator-SW README). 1.35 is the midpoint.
 */
export const REALIZED_SPARSE_SPEEDUP_2_4 = 1.35;

/** The speed-up a 2:4-sparse conv/linear layer gets on `u`: 1 without sparse hardware. */
export function sparseSpeedup24(u: ComputeUnit): number {
  const headline = u.sparse_speedup_2_4?.value;
  if (!headline || headline <= 1) return 1;
  return Math.min(headline, u.sparse_realized_speedup_2_4?.value ?? REALIZED_SPARSE_SPEEDUP_2_4);
}

/**
 * Weight bytes of a 2:4-compressed tensor: per group of four values two are kept (2·bits) plus a
 * 2-bit index for each (4 bits), i.e. (2·bits + 4) / (4·bits) = 0.5 + 1/bits of dense — 0.625 at
 * int8, 0.5625 at fp16 (NVIDIA's 2:4 format: non-zeros plus 2-bit position metadata, cuSPARSELt docs).
 * Biases stay dense.
 */
export function sparse24WeightBytes(weightElements: number, biasElements: number, p: Precision): number {
  const bits = DTYPE_BYTES[p] * 8;
  return Math.ceil(weightBytesAt(weightElements, 0, p) * (0.5 + 1 / bits)) + weightBytesAt(0, biasElements, p);
}

/** The runtime of `u` that `name` selects: an exact runtime id, else the first `match` (file order). */
export function runtimeFor(u: ComputeUnit, name: string | undefined): { id: string; runtime: UnitRuntime } | undefined {
  if (name === undefined || !u.runtimes) return undefined;
  const q = name.trim();
  const entries = Object.entries(u.runtimes);
  const exact = entries.find(([id]) => id === q.toLowerCase());
  if (exact) return { id: exact[0], runtime: exact[1] };
  const hit = entries.find(([, r]) => new RegExp(r.match, 'i').test(q));
  return hit ? { id: hit[0], runtime: hit[1] } : undefined;
}

/**
 * Share of a conv/linear layer's op-class efficiency its width allows: 1/(1 + h/C_out + h/K) with
 * h = the unit's channel_half_efficiency and K the GEMM reduction length (C_in/groups × kernel area).
 * Narrow layers under-fill vector lanes, register tiles or PE-array columns, a fixed cost per output
 * pixel that wide layers amortize (the "small channels" efficiency of the issue). 1 when h is absent.
 *
 * Two optional terms (absent on every profile that does not state them):
 * - row_half_width w: conv and depthwise layers also pay w/W_out. ONNX Runtime's MLAS NCHWc kernels
 *   are called once per output row and filter block (onnxruntime/core/mlas/lib/snchwc.cpp: work is
 *   split by output row; OutputCountLeftPad/OutputCountRightPad edge outputs take a separate,
 *   bounds-checked path), so a 7-wide map runs well below a 56-wide one at equal MACs. Measured with
 *   ORT 1.30 on the project host (per-kernel profiles of 26 models): 3×3 NCHWc convs reach ~110 GFLOP/s
 *   at W = 7 and ~170 at W ≥ 28, 1×1 convs ~120 and ~155.
 * - depthwise_half_taps t: depthwise layers pay t/(k_h·k_w): every output loads a window and stores
 *   once whatever the kernel size (same profiles: 3×3 ~38, 5×5 ~53, 7×7 ~60 GFLOP/s).
 */
export function channelUtilization(u: ComputeUnit, l: Layer, cls: OpClass, perInputChannel = false): number {
  const h = u.channel_half_efficiency?.value;
  const w = u.row_half_width?.value;
  const t = u.depthwise_half_taps?.value;
  if (l.macs === 0) return 1;
  const out = l.outputShape;
  const k = l.attrs.kernel;
  const area = typeof k === 'number' ? k * k : k ? k[0] * k[1] : 1;
  const spatial = (cls === 'conv2d' || cls === 'depthwise_conv2d') && out.length === 4;
  let d = 1;
  if (h && (cls === 'conv2d' || cls === 'linear')) {
    const inp = l.inputShapes[0];
    const cOut = out.length === 4 ? out[1] : out[out.length - 1];
    const cIn = inp.length === 4 ? inp[1] : inp[inp.length - 1];
    // A kernel called once per input channel (perInputChannel) reduces over that channel's taps only.
    const kLen = (perInputChannel ? 1 : cIn / (l.attrs.groups ?? 1)) * area;
    d = 1 + h / Math.max(1, cOut) + h / Math.max(1, kLen);
  }
  if (w && spatial) d += w / Math.max(1, out[3]);
  if (t && cls === 'depthwise_conv2d') d += t / area;
  return 1 / d;
}

/** Reduction length of a layer: MACs per output element (C_in/groups × kernel area for a conv, 9 for a depthwise 3×3, input features for linear). */
function reductionLength(l: Layer): number {
  const outputs = l.outputShape.reduce((a, b) => a * b, 1);
  return outputs > 0 ? l.macs / outputs : 0;
}

/**
 * Share of a conv/linear/depthwise layer's op-class efficiency left by a fixed cost per output
 * element: 1/(1 + r/K) with r = the unit's reduction_half_length (that cost in MACs) and K the
 * reduction length (MACs per output). On in-order MCU cores each int8 output pays requantization,
 * bias, clamp and store after its K MACs, so short-K layers (1×1 convs over few channels,
 * depthwise 3×3, Cin=1 stems) run at a lower MAC rate than wide 3×3 convs. 1 when r is absent.
 */
export function reductionUtilization(u: ComputeUnit, l: Layer, cls: OpClass): number {
  const r = u.reduction_half_length?.value;
  if (!r || (cls !== 'conv2d' && cls !== 'linear' && cls !== 'depthwise_conv2d') || l.macs === 0) return 1;
  return 1 / (1 + r / Math.max(1, reductionLength(l)));
}

/** Layout-only ops a dataflow compiler folds into addressing; they take no context resources. */
const LAYOUT_ONLY_OPS: ReadonlySet<string> = new Set(['reshape', 'flatten', 'transpose']);

function isRemote(profile: HardwareProfile, unitId: string): boolean {
  // Accelerator units reached over a host link (Coral USB, the Dev Board's on-board PCIe Edge TPU,
  // Hailo M.2) sit behind that link; CPUs are the host.
  return profile.default_link !== undefined && profile.units[unitId].kind !== 'cpu';
}

function bandwidth(profile: HardwareProfile, level: string): number {
  return profile.memory[level]?.bandwidth_bytes_per_s.value ?? Number.POSITIVE_INFINITY;
}

/**
 * SiLU/Swish exported as two nodes, y = x · Sigmoid(x) (PyTorch's SiLU before opset 22, Paddle's
 * swish): runtimes run the pair as one element-wise kernel reading x once (ONNX Runtime's
 * QuickGelu fusion, onnxruntime/core/optimizer/quick_gelu_fusion.cc; TensorRT and XNNPACK fuse it
 * likewise), so the Sigmoid is costed inside the Mul. Only when the Sigmoid's one consumer is
 * that Mul. Returns the fused Sigmoids and, per Mul, the index of the input it still reads (x).
 */
export function swishPairs(g: Graph): { sigmoids: Set<string>; muls: Map<string, number> } {
  const byName = new Map(g.layers.map((l) => [l.name, l]));
  const uses = new Map<string, number>();
  for (const l of g.layers) for (const i of l.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of g.outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  const sigmoids = new Set<string>();
  const muls = new Map<string, number>();
  for (const l of g.layers) {
    if (l.op !== 'mul' || l.inputs.length !== 2) continue;
    for (const k of [0, 1]) {
      const sg = byName.get(l.inputs[k]);
      if (sg?.op === 'sigmoid' && sg.inputs[0] === l.inputs[1 - k] && uses.get(sg.name) === 1 && !sigmoids.has(sg.name)) {
        sigmoids.add(sg.name);
        muls.set(l.name, 1 - k);
        break;
      }
    }
  }
  return { sigmoids, muls };
}

/**
 * The Conv + residual Add (+ activation) groups the runtimes of `profile` fuse (src/cost/fusion.ts):
 * a unit's named runtime, when `runtime` selects one, performs its own `kernel_fusions` only;
 * otherwise the unit's reference runtime performs the unit's. A group fuses only when all its
 * layers run on one such unit at fp32 (ONNX Runtime's fusions are float-only).
 */
export function runtimeFusions(g: Graph, profile: HardwareProfile, runtime: string | undefined, placement: (name: string) => { unit: string; precision: Precision }): { byConv: Map<string, ConvAddFusion>; fusedInto: Map<string, string> } {
  const byConv = new Map<string, ConvAddFusion>();
  const fusedInto = new Map<string, string>();
  const declared = new Map(Object.entries(profile.units).map(([id, u]) => {
    const rt = runtimeFor(u, runtime);
    return [id, new Set(Object.keys((rt ? rt.runtime.kernel_fusions : u.kernel_fusions) ?? {}))];
  }));
  for (const rule of CONV_ADD_FUSIONS) {
    if (![...declared.values()].some((d) => d.has(rule))) continue;
    const eligible = (l: Layer) => {
      const a = placement(l.name);
      return declared.get(a.unit)!.has(rule) && a.precision === 'fp32' && !fusedInto.has(l.name) && !byConv.has(l.name);
    };
    const f = convAddFusions(g, rule, eligible);
    for (const [conv, grp] of f.byConv) {
      const unit = placement(conv).unit;
      if ([grp.add, grp.activation].some((n) => n !== undefined && placement(n).unit !== unit)) continue;
      byConv.set(conv, grp);
      fusedInto.set(grp.add, conv);
      if (grp.activation) fusedInto.set(grp.activation, conv);
    }
  }
  return { byConv, fusedInto };
}

export function simulate(g: Graph, profile: HardwareProfile, opts: SimOptions): SimResult {
  const startUnit = opts.unit ?? profile.default_unit;
  const first = profile.units[startUnit];
  if (!first) {
    throw new EdgeplanError('bad_value', `device ${profile.id} has no unit '${startUnit}'`, { fix: `use --unit ${Object.keys(profile.units).join(' | ')}` });
  }
  if (!peakFor(first, opts.precision)) {
    throw new EdgeplanError('bad_value', `unit '${startUnit}' of ${profile.id} cannot run ${opts.precision}`, { fix: `use --precision ${first.precisions.join(' | ')}` });
  }
  if (!Number.isInteger(opts.batch) || opts.batch < 1) throw new EdgeplanError('bad_value', `batch must be a positive integer, got ${opts.batch}`, { fix: 'pass --batch 1' });
  const linkId = opts.link ?? profile.default_link;
  const link = linkId ? profile.links?.[linkId] : undefined;
  if (opts.link && !link) throw new EdgeplanError('bad_value', `device ${profile.id} has no link '${opts.link}'`, { fix: `use --link ${Object.keys(profile.links ?? {}).join(' | ') || '(none: this device has no host link)'}` });
  const batch = opts.batch;
  const runtimes = new Map(Object.entries(profile.units).map(([id, u]) => [id, runtimeFor(u, opts.runtime)?.runtime]));
  const sparseOn = (l: Layer) => opts.layerSparse24?.has(l.name) === true && l.weightElements > 0;
  /** Weight bytes as the unit reads them: compressed for 2:4 layers on sparse hardware. */
  const weightBytesOn = (l: Layer, unitId: string, p: Precision) =>
    sparseOn(l) && sparseSpeedup24(profile.units[unitId]) > 1 ? sparse24WeightBytes(l.weightElements, l.biasElements, p) : weightBytesAt(l.weightElements, l.biasElements, p);

  // 1. Unit assignment: the requested unit, falling back along the chain for what it cannot run.
  const precisionOf = (name: string) => opts.layerPrecision?.get(name) ?? opts.precision;
  const assign = new Map<string, { unit: string; precision: Precision; reason?: string }>();
  let rest: string | undefined; // set once a first_unsupported rule has sent the rest of the graph away
  for (const l of g.layers) {
    let unitId = rest ?? startUnit;
    let p = precisionOf(l.name);
    let reason: string | undefined;
    for (let hops = 0; hops < 8; hops++) {
      const u = profile.units[unitId];
      const why = unsupportedReason(u, l, p);
      if (!why) break;
      reason ??= `${unitId}: ${why}`;
      if (!u.fallback) {
        // The last resort runs everything, at the nearest precision it has.
        p = u.precisions.includes(p) ? p : peakFor(u, p)?.precision ?? u.precisions[u.precisions.length - 1];
        break;
      }
      if (u.partition_rule === 'first_unsupported_rest_on_fallback' && unitId === startUnit) rest = u.fallback;
      unitId = u.fallback;
      if (!profile.units[unitId].precisions.includes(p)) p = peakFor(profile.units[unitId], p)?.precision ?? 'fp32';
    }
    assign.set(l.name, { unit: unitId, precision: p, reason });
  }

  // 2. Edge TPU style parameter cache: weights of the remote unit's layers fill it in order; what
  //    does not fit stays in host memory and is streamed over the link on every inference.
  const extras: ExtraCost[] = [];
  const weightLevel = profile.memory[profile.weights_in];
  let cachedWeightsBytes: number | undefined, streamedWeightsBytes: number | undefined;
  if (weightLevel?.kind === 'param_cache') {
    let used = 0;
    cachedWeightsBytes = 0; streamedWeightsBytes = 0;
    for (const l of g.layers) {
      const a = assign.get(l.name)!;
      if (!isRemote(profile, a.unit) || l.weightElements === 0) continue;
      const w = weightBytesOn(l, a.unit, a.precision);
      const cached = Math.min(w, Math.max(0, weightLevel.size_bytes.value - used));
      used += cached; cachedWeightsBytes += cached; streamedWeightsBytes += w - cached;
    }
  }
  // Streaming overlaps execution: the host pushes the uncached parameters while the TPU computes,
  // so the segment takes the larger of its compute and the link time, not their sum. The Coral page
  // shows both limits (published-latency.csv, USB 3): VGG16 streams 131 MB and takes 296 ms, the
  // link alone at ~440 MB/s of USB 3's 500 MB/s payload; ResNet-50 (299) and Inception-v4 stream 18
  // and 35 MB yet take 49 and 85 ms, about their compute alone (compute plus stream would be ~1.8x).
  const streamBw = link?.bandwidth_bytes_per_s.value ?? bandwidth(profile, profile.activations_in);

  // Weights-only quantization needs a unit that dequantizes stored weights (profile weight_only).
  for (const l of g.layers) {
    const wanted = opts.layerStoredWeightPrecision?.get(l.name);
    if (!wanted || l.weightElements === 0) continue;
    const unitId = assign.get(l.name)!.unit;
    const offered = profile.units[unitId].weight_only?.precisions ?? [];
    if (!offered.includes(wanted)) throw new EdgeplanError('bad_value', `layer '${l.name}': unit ${unitId} of ${profile.id} does not take weights-only ${wanted}`, { layer: l.name, fix: offered.length ? `use weights: ${offered.join(' or ')}` : 'remove "weights" from the plan (this unit has no weights-only quantization)' });
  }

  // 3. Per-layer roofline.
  const swish = swishPairs(g);
  const fused = runtimeFusions(g, profile, opts.runtime, (n) => assign.get(n)!);
  // ONNX Runtime's MLAS kernel costs and, on x86-64, its NCHWc layout (src/cost/ort.ts): only on
  // units whose runtime declares `ort_mlas_kernels`, at fp32.
  const mlas = new Map(Object.entries(profile.units).map(([id, u]) => {
    const rt = runtimeFor(u, opts.runtime);
    const rules = (rt ? rt.runtime.kernel_fusions : u.kernel_fusions) ?? {};
    const on = 'ort_mlas_kernels' in rules;
    return [id, { on, block: on && 'ort_nchwc_conv_sum' in rules ? u.nchwc_block_channels?.value ?? 1 : 1 }];
  }));
  const mlasOn = (name: string) => { const a = assign.get(name)!; return a.precision === 'fp32' && mlas.get(a.unit)!.on; };
  const block = Math.max(1, ...[...mlas.values()].map((m) => m.block));
  const layout: OrtLayoutPlan = ortNchwcLayout(g, block, (l) => mlasOn(l.name) && mlas.get(assign.get(l.name)!.unit)!.block === block);
  const byName = new Map(g.layers.map((l) => [l.name, l]));
  const layers: LayerResult[] = [];
  const unitBusyMs = new Map<string, number>();
  /** Per dataflow unit: summed stage work (roofline time without pipeline fill), for the streaming rate. */
  const stageWorkMs = new Map<string, number>();
  for (const l of g.layers) {
    const a = assign.get(l.name)!;
    const u = profile.units[a.unit];
    const pk = peakFor(u, a.precision)!;
    const threadsAvail = u.threads?.value ?? u.cores?.value ?? 1;
    const threadScale = u.kind === 'cpu' && opts.threads ? Math.min(opts.threads, threadsAvail) / threadsAvail : 1;
    const rt = runtimes.get(a.unit);
    // A BatchNormalization on an NCHWc tensor runs as ORT's 1×1 depthwise NCHWc Conv (src/cost/ort.ts):
    // costed as that conv, one multiply-add per element, with the depthwise class and its terms.
    const bnConv = l.op === 'batchnorm' && layout.nchwc.has(l.name);
    const cls = bnConv ? 'depthwise_conv2d' : opClassOf(l);
    const util = bnConv ? 1 / (1 + (u.depthwise_half_taps?.value ?? 0) + (u.row_half_width?.value ?? 0) / Math.max(1, l.outputShape[3] ?? 1)) : channelUtilization(u, l, cls, layout.nchwInput.has(l.name)) * reductionUtilization(u, l, cls);
    const eff = Math.min(1, u.efficiency[cls].value * (rt?.efficiency_scale?.value ?? 1) * (u.precision_efficiency?.[a.precision]?.value ?? 1)) * util;
    // 2:4 sparsity skips half the MACs of conv/linear on sparse tensor hardware; the realized gain is far below 2×.
    const speedup = sparseOn(l) && (cls === 'conv2d' || cls === 'linear') ? sparseSpeedup24(u) : 1;
    const onMlas = mlasOn(l.name);
    // Under MLAS the Mul of an x·σ(x) pair is ORT's QuickGelu: it evaluates the logistic too.
    const ops = (bnConv ? 2 * l.outputShape.reduce((x, y) => x * y, 1) : onMlas ? mlasOps(l) + (swish.muls.has(l.name) || (l.op === 'opaque' && l.attrs.opaqueType === 'Tanh') ? EXP_ACTIVATION_OPS * l.outputShape.reduce((x, y) => x * y, 1) : 0) : layerOps(l)) * batch;
    // The sigmoid of an x·σ(x) pair runs inside the Mul's kernel (see swishPairs); a residual Add
    // and its activation fused into a Conv run inside the Conv's kernel (see runtimeFusions); a Relu
    // after a BatchNormalization ORT turned into an NCHWc Conv runs inside it (src/cost/ort.ts).
    const fusedInto = fused.fusedInto.get(l.name) ?? layout.fusedInto.get(l.name);
    const inPlace = (l.activationBytes === 0 && l.macs === 0) || swish.sigmoids.has(l.name) || fusedInto !== undefined;
    const computeMs = inPlace ? 0 : (ops / (pk.peak * threadScale * eff * speedup)) * 1e3;
    const bytesPer = DTYPE_BYTES[a.precision];
    const outElems = l.outputShape.reduce((x, y) => x * y, 1) * batch;
    const outBytes = outElems * bytesPer;
    // A Conv that absorbed a residual Add also reads the Add's other operand (its Sum input). Under
    // MLAS an operand listed twice (x op broadcast-constant, as imported) is read once.
    const sum = fused.byConv.get(l.name);
    const readShapes = swish.muls.has(l.name) ? [l.inputShapes[swish.muls.get(l.name)!]] : sum ? [...l.inputShapes, byName.get(sum.add)!.inputShapes[sum.otherInput]] : onMlas ? l.inputShapes.filter((_, k) => l.inputs.indexOf(l.inputs[k]) === k) : l.inputShapes;
    const inBytes = readShapes.reduce((s, sh) => s + sh.reduce((x, y) => x * y, 1), 0) * bytesPer * batch;
    const wBytes = weightBytesOn(l, a.unit, a.precision);
    // Activations live in the unit's memory, or its on-chip level when the layer's tensors fit there.
    const onchip = u.onchip_memory ? profile.memory[u.onchip_memory] : undefined;
    const actLevel = onchip && inBytes + outBytes + wBytes <= onchip.size_bytes.value ? u.onchip_memory! : isRemote(profile, a.unit) || profile.class === 'mcu' ? profile.activations_in : u.memory;
    const remoteCache = weightLevel?.kind === 'param_cache' && isRemote(profile, a.unit);
    // Cached Edge TPU weights are read from on-chip SRAM (not a bound); streamed ones at the link's rate.
    const wLevel = remoteCache ? undefined : profile.class === 'mcu' ? profile.weights_in : actLevel;
    const weightMs = wLevel ? wBytes / bandwidth(profile, wLevel) : 0;
    // A CPU cache (unlike a managed scratchpad) still serves the part of a layer's traffic that
    // fits it when the whole does not: that part streams at the cache's rate, the excess at the
    // memory's (a two-level mix, not an all-or-nothing switch at the cache size). Measured with
    // ONNX Runtime on the host: a 2.8 MB element-wise layer over a 2 MB L2 runs at ~60 GB/s, between
    // the L2 and memory rates (edgeplan calibrate's kernel times). CPUs only: that is where it was measured.
    const spill = u.kind === 'cpu' && onchip?.kind === 'cache' && actLevel === u.memory && !isRemote(profile, a.unit) && profile.class !== 'mcu';
    // Seconds for bytes streamed through that cache: the part that fits at its rate, the excess at the memory's.
    const cacheMixS = (b: number) => onchip ? Math.min(b, onchip.size_bytes.value) / onchip.bandwidth_bytes_per_s.value + Math.max(0, b - onchip.size_bytes.value) / bandwidth(profile, u.memory) : b / bandwidth(profile, u.memory);
    // Under ORT on a CPU (ort_mlas_kernels) a layer's weights come from memory on every call: the
    // other layers' traffic evicts them from the private cache between inferences, so they are not
    // on-chip just because the layer's bytes would fit it. SE blocks' 1×1 convs (~10 µs each for a
    // few hundred KB of weights) and classifier Gemms stream weights at memory rate on the host.
    const weightsFromMemory = onMlas && u.kind === 'cpu' && onchip?.kind === 'cache' && wBytes > 0;
    const actS = (b: number) => onchip && b <= onchip.size_bytes.value ? b / onchip.bandwidth_bytes_per_s.value : spill || weightsFromMemory ? cacheMixS(b) : b / bandwidth(profile, actLevel);
    const memoryMs = inPlace ? 0 : (weightsFromMemory ? actS(inBytes + outBytes) + wBytes / bandwidth(profile, u.memory) : spill ? cacheMixS(inBytes + outBytes + wBytes) : (inBytes + outBytes) / bandwidth(profile, actLevel) + weightMs) * 1e3;
    // On a dataflow unit this is pipeline fill: it adds to a call's latency, not to the streaming rate.
    const overheadMs = inPlace ? 0 : (u.overhead_us_per_layer.value * (rt?.overhead_scale?.value ?? 1)) / 1e3;
    // MLAS extras (src/cost/ort.ts): a non-ReLU fused activation is a pass over the output at the
    // element-wise rate (SiLU/GELU are not fused by ORT: their own kernel, reading and writing the
    // tensor); a grouped conv left out of NCHWc is one SGEMM call per group; layout reorders charged
    // here are copies of their tensor, each its own kernel.
    let extraMs = 0, layoutMs = 0, extraBytes = 0;
    if (onMlas && !inPlace) {
      const ewMs = (elems: number) => (elems / (pk.peak * threadScale * Math.min(1, u.efficiency.elementwise.value * (rt?.efficiency_scale?.value ?? 1)))) * 1e3;
      // A copy's bytes, placed like a layer's: on-chip when they fit, else the cache/memory mix.
      const memMs = (b: number) => cacheMixS(b) * 1e3;
      const act = l.attrs.activation;
      if (l.op === 'conv_transpose2d') {
        // GEMM into a column buffer, then a scalar Col2Im into the zeroed output; the folded BN and
        // the activation are kernels of their own (src/cost/ort.ts).
        const colElems = (l.macs / Math.max(1, l.inputShapes[0][1] / (l.attrs.groups ?? 1))) * batch;
        extraMs += Math.max(ewMs(colElems * SCALAR_LOOP_OPS), memMs(2 * colElems * bytesPer + outBytes));
        extraBytes += 2 * colElems * bytesPer + outBytes;
        for (const on of [l.attrs.batchnorm, act]) if (on) { extraMs += Math.max(ewMs(outElems), memMs(2 * outBytes)) + overheadMs; extraBytes += 2 * outBytes; }
      } else if (l.macs > 0 && act && act !== 'relu') {
        const exp = act === 'sigmoid' || act === 'silu' || act === 'gelu' ? EXP_ACTIVATION_OPS : 0;
        if (act === 'silu' || act === 'gelu') { extraMs += Math.max(ewMs(outElems * (1 + exp)), memMs(2 * outBytes)) + overheadMs; extraBytes += 2 * outBytes; }
        else extraMs += ewMs(outElems * (1 + exp));
      }
      if (layout.perGroupConvs.has(l.name)) extraMs += Math.max(0, (l.op === 'depthwise_conv2d' ? l.inputShapes[0][1] : l.attrs.groups ?? 1) - 1) * overheadMs;
      for (const r of layout.reorders.get(l.name) ?? []) {
        const b = (r.elems + r.blockedElems) * bytesPer * batch;
        layoutMs += Math.max(ewMs(r.elems * batch), memMs(b)) + overheadMs;
        extraBytes += b;
      }
    }
    const core = Math.max(computeMs, memoryMs);
    const latencyMs = core + overheadMs + extraMs + layoutMs;
    const bound: Bound = overheadMs > core ? 'overhead' : computeMs >= memoryMs ? 'compute' : 'memory';
    const bytes = inPlace ? 0 : inBytes + outBytes + wBytes + extraBytes;
    layers.push({
      name: l.name, op: l.op, unit: a.unit, precision: a.precision, macs: l.macs * batch, bytes, latencyMs, computeMs, memoryMs, bound,
      fallback: a.unit !== startUnit, fallbackReason: a.unit !== startUnit ? a.reason : undefined, ...(fusedInto !== undefined ? { fusedInto } : {}),
      ...(layoutMs > 0 ? { layoutMs } : {}),
      opsPerByte: bytes > 0 ? ops / bytes : 0, attainedOpsPerS: latencyMs > 0 ? ops / (latencyMs / 1e3) : 0,
    });
    unitBusyMs.set(a.unit, (unitBusyMs.get(a.unit) ?? 0) + latencyMs);
    if (u.dataflow) stageWorkMs.set(a.unit, (stageWorkMs.get(a.unit) ?? 0) + core);
  }

  // 4. Transfers: the part of the weight streaming that compute does not hide, partition boundaries,
  //    and the remote unit's input/output.
  if (streamedWeightsBytes) {
    const streamMs = (streamedWeightsBytes / streamBw) * 1e3;
    const hiddenMs = layers.filter((x) => isRemote(profile, x.unit)).reduce((t, x) => t + x.latencyMs, 0);
    if (streamMs > hiddenMs) extras.push({ name: `stream uncached weights over ${linkId ?? profile.activations_in} (beyond compute)`, kind: 'transfer', unit: startUnit, latencyMs: streamMs - hiddenMs, bytes: streamedWeightsBytes });
  }
  const producerUnit = (name: string) => assign.get(name)?.unit ?? 'host';
  const boundaryBytes = new Map<string, { bytes: number; remote: boolean; from: string; to: string }>();
  const addBoundary = (from: string, to: string, bytes: number) => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const remote = (from === 'host' ? false : isRemote(profile, from)) || (to === 'host' ? false : isRemote(profile, to));
    const e = boundaryBytes.get(key) ?? { bytes: 0, remote, from, to };
    e.bytes += bytes;
    boundaryBytes.set(key, e);
  };
  const seenEdge = new Set<string>();
  for (const l of g.layers) {
    const to = assign.get(l.name)!.unit;
    l.inputs.forEach((src, k) => {
      const from = producerUnit(src);
      const key = `${src}->${to}`;
      if (seenEdge.has(key)) return;
      seenEdge.add(key);
      const b = l.inputShapes[k].reduce((x, y) => x * y, 1) * DTYPE_BYTES[assign.get(l.name)!.precision] * batch;
      // Graph inputs arrive in host memory; only a remote unit pays to receive them.
      if (from === 'host') { if (isRemote(profile, to)) addBoundary('host', to, b); return; }
      addBoundary(from, to, b);
    });
  }
  for (const o of g.outputs) {
    const from = producerUnit(o);
    if (isRemote(profile, from)) {
      const l = g.layers.find((x) => x.name === o)!;
      addBoundary(from, 'host', l.outputShape.reduce((x, y) => x * y, 1) * DTYPE_BYTES[assign.get(o)!.precision] * batch);
    }
  }
  // Time the host link is busy per call (streamed weights and remote boundaries), for the streaming rate.
  let linkBusyMs = ((streamedWeightsBytes ?? 0) / streamBw) * 1e3;
  for (const [key, e] of [...boundaryBytes].sort(([a], [b]) => a.localeCompare(b))) {
    let ms: number;
    if (e.remote && link) {
      ms = (e.bytes / link.bandwidth_bytes_per_s.value) * 1e3 + link.latency_us.value / 1e3;
      linkBusyMs += ms;
    } else {
      // Shared memory hand-off: written by one unit and read by the other, plus a sync.
      const dst = e.to === 'host' ? undefined : profile.units[e.to];
      ms = ((2 * e.bytes) / bandwidth(profile, profile.activations_in)) * 1e3 + (dst ? dst.overhead_us_per_layer.value / 1e3 : 0);
    }
    extras.push({ name: `transfer ${key}`, kind: 'transfer', unit: e.to === 'host' ? e.from : e.to, latencyMs: ms, bytes: e.bytes });
  }
  // Dataflow contexts (Hailo-8, op-support.md §5): a unit's layers, in order, fill a context until its
  // layer or weight capacity is reached. A model needing several contexts switches between them on
  // every call, reloading each context's weights over the host link (hailo_model_zoo FPS at batch 1
  // vs batch 8; whisper.cpp#1557 "performance is then limited by PCIe bandwidth").
  const contexts: DataflowContext[] = [];
  const contextCount = new Map<string, number>();
  for (const unitId of [...unitBusyMs.keys()].sort()) {
    const u = profile.units[unitId];
    const df = u.dataflow;
    if (!df) continue;
    const cap = df.weight_bytes_per_context?.value ?? profile.memory[u.memory].size_bytes.value;
    const mine: DataflowContext[] = [];
    let cur: { firstLayer: string; lastLayer: string; layers: number; weightsBytes: number } | undefined;
    for (const l of g.layers) {
      const a = assign.get(l.name)!;
      if (a.unit !== unitId) continue;
      const mapped = LAYOUT_ONLY_OPS.has(l.op) || (l.activationBytes === 0 && l.macs === 0) ? 0 : 1;
      const w = weightBytesOn(l, unitId, a.precision);
      if (cur && (cur.layers + mapped > df.layers_per_context.value || cur.weightsBytes + w > cap)) { mine.push({ unit: unitId, ...cur }); cur = undefined; }
      cur ??= { firstLayer: l.name, lastLayer: l.name, layers: 0, weightsBytes: 0 };
      cur.lastLayer = l.name; cur.layers += mapped; cur.weightsBytes += w;
    }
    if (cur) mine.push({ unit: unitId, ...cur });
    contextCount.set(unitId, mine.length);
    contexts.push(...mine);
    if (mine.length < 2) continue; // one context stays resident between calls
    const reloadBw = link?.bandwidth_bytes_per_s.value ?? bandwidth(profile, profile.activations_in);
    mine.forEach((c, k) => {
      const ms = df.context_switch_us.value / 1e3 + (c.weightsBytes / reloadBw) * 1e3;
      extras.push({ name: `context switch ${unitId} ${k + 1}/${mine.length}`, kind: 'transfer', unit: unitId, latencyMs: ms, bytes: c.weightsBytes });
    });
  }
  // The caller's binding copies every graph output out of the runtime once per call
  // (onnxruntime-node: OrtValueToNapiValue allocates a new ArrayBuffer and memcpys each output,
  // js/node/src/tensor_helper.cc): a per-byte cost where the unit states its rate.
  const copyRate = first.output_copy_bytes_per_s?.value;
  if (copyRate) {
    const outBytes = g.outputs.reduce((s, o) => { const l = byName.get(o); return s + (l ? l.outputShape.reduce((x, y) => x * y, 1) * DTYPE_BYTES[assign.get(o)!.precision] * batch : 0); }, 0);
    if (outBytes > 0) extras.push({ name: 'copy outputs to the caller', kind: 'overhead', unit: startUnit, latencyMs: (outBytes / copyRate) * 1e3, bytes: outBytes });
  }
  for (const unitId of [...unitBusyMs.keys()].sort()) {
    const extra = runtimes.get(unitId)?.fixed_overhead_us?.value ?? 0;
    const fixed = (profile.units[unitId].fixed_overhead_us.value + extra) / 1e3;
    if (fixed > 0) extras.push({ name: `invoke ${unitId}`, kind: 'overhead', unit: unitId, latencyMs: fixed, bytes: 0 });
  }

  const latencyMs = layers.reduce((s, l) => s + l.latencyMs, 0) + extras.reduce((s, e) => s + e.latencyMs, 0);
  // Streaming rate. A dataflow unit whose model fits one context overlaps frames: the next frame
  // enters while this one drains, so the slowest resource sets the rate — the unit's summed stage
  // work (a balanced pipeline: the compiler gives each layer resources in proportion to its work),
  // the host link, or another unit — not the sum of everything. Otherwise calls run back to back.
  let frameMs = latencyMs / batch;
  if (contextCount.size && [...contextCount.values()].every((n) => n === 1)) {
    const busy = [...unitBusyMs].map(([id, ms]) => stageWorkMs.get(id) ?? ms);
    frameMs = Math.max(linkBusyMs, ...busy) / batch;
  }

  // 5. Partitions: maximal runs of consecutive layers on one unit.
  const partitions: Partition[] = [];
  for (const l of layers) {
    const last = partitions[partitions.length - 1];
    if (last && last.unit === l.unit) partitions[partitions.length - 1] = { ...last, layers: last.layers + 1, latencyMs: last.latencyMs + l.latencyMs };
    else partitions.push({ unit: l.unit, layers: 1, latencyMs: l.latencyMs });
  }

  // 6. Memory and fits.
  const peak = activationPeak(g, batch, (n) => assign.get(n)?.precision ?? opts.precision);
  const weightsBytes = g.layers.reduce((s, l) => {
    const a = assign.get(l.name)!;
    // Weights-only quantization stores the weights narrower; the unit dequantizes them at load.
    const stored = l.weightElements > 0 ? opts.layerStoredWeightPrecision?.get(l.name) : undefined;
    if (sparseOn(l) && opts.sparse24CompressedStorage) return s + sparse24WeightBytes(l.weightElements, l.biasElements, stored ?? a.precision);
    return s + (stored ? weightBytesAt(l.weightElements, l.biasElements, stored) : weightBytesOn(l, a.unit, a.precision));
  }, 0);
  const fits: Record<string, boolean> = {};
  for (const [id, level] of Object.entries(profile.memory).sort(([a], [b]) => a.localeCompare(b))) {
    const size = level.size_bytes.value;
    if (id === profile.weights_in && id === profile.activations_in) fits[id] = weightsBytes + peak.peakBytes <= size;
    else if (id === profile.weights_in) fits[id] = weightsBytes <= size;
    else if (id === profile.activations_in) fits[id] = peak.peakBytes <= size;
    else if (level.kind === 'dram') fits[id] = weightsBytes + peak.peakBytes <= size;
    else fits[id] = peak.peakBytes <= size;
  }

  // 7. Energy: each unit's active power over its busy time, transfers at the link owner's power,
  //    plus the device's idle power over the whole inference (Σ P·t, as in the definition).
  let energyMj = 0;
  for (const [unitId, ms] of unitBusyMs) energyMj += profile.units[unitId].power_w.active.value * ms;
  for (const e of extras) energyMj += profile.units[e.unit].power_w.active.value * e.latencyMs;
  energyMj += profile.power.idle_w.value * latencyMs;
  const pj = first.energy_pj_per_byte?.value;
  if (pj) energyMj += (layers.reduce((s, l) => s + l.bytes, 0) * pj) / 1e9;

  return {
    device: profile.id, model: g.name, unit: startUnit, ...(runtimeFor(first, opts.runtime) ? { runtime: runtimeFor(first, opts.runtime)!.id } : {}), precision: opts.precision, batch,
    latencyMs, throughputFps: 1000 / frameMs, energyMj, powerW: energyMj / latencyMs,
    macs: layers.reduce((s, l) => s + l.macs, 0), params: g.layers.reduce((s, l) => s + l.params, 0),
    memory: { weightsBytes, peakActivationBytes: peak.peakBytes, peakStep: peak.peakStep, fits, cachedWeightsBytes, streamedWeightsBytes },
    partitions, ...(contexts.length ? { contexts } : {}), layers, extras,
  };
}
