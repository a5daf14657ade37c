/**
 * What each deployment runtime keeps in RAM and flash, as data plus small rules. Every rule
 * cites where it comes from; numbers nobody publishes are marked `estimate`.
 *
 * Shared vocabulary: the *core* tensors (liveness.ts) are planned into an arena; a runtime may
 * add kernel scratch buffers (one step long), overwrite an input in place, keep I/O outside
 * the arena, or cascade layers; beside the arena sits *persistent* RAM (structs, per-channel
 * quantization data). Flash holds the weights in the runtime's own format.
 */
import type { Graph, Layer } from '../graph/types.ts';
import { isSlidingWindow } from './overlap.ts';
import type { RuntimeId } from './types.ts';

export interface Sourced {
  readonly value: number;
  readonly source: string;
  readonly estimate?: true;
}

export interface RuntimeSpec {
  readonly id: RuntimeId;
  readonly description: string;
  /** Arena alignment: every buffer's size is rounded up to it before planning. */
  readonly alignmentBytes: Sourced;
  /** Graph inputs/outputs are planned inside the arena (else supplied by the application, counted apart). */
  readonly ioInArena: boolean;
  readonly ioSource: string;
  /** Depthwise output overwrites its input when that input dies there (+ a one-channel temp buffer). */
  readonly inPlaceDepthwise?: { readonly tempChannelBuffer: boolean; readonly source: string; readonly estimate?: true };
  /**
   * A layer for which `eligible` holds writes its output over its input when that input dies there,
   * shifted by the row-streaming offset (overlap.ts): the pair needs max(out, offset + in) bytes.
   */
  readonly overlapOutput?: { readonly eligible: (l: Layer) => boolean; readonly source: string };
  /**
   * How buffers are placed in the activation buffer. Default: TF-Lite Micro's greedy-by-size planner
   * (arena.ts), whose fragmentation can exceed the live-bytes peak. `live-bytes`: a planner that
   * reaches the peak of live bytes (with the runtime's overlaps and scratch), i.e. no fragmentation.
   */
  readonly planner?: { readonly kind: 'live-bytes'; readonly source: string };
  /** Kernel workspace per layer, bytes (0 = none). */
  readonly scratchBytes: (l: Layer, elemBytes: number) => number;
  readonly scratchSource: string;
  /** Cascading: expansion intermediates kept as rolling stripes (Arm Vela). */
  readonly cascade?: { readonly source: string };
  /** Persistent RAM beside the arena. */
  readonly persistentBytes: (g: Graph) => number;
  readonly persistentSource: string;
  /** Flash figure from the bare weights. */
  readonly flashBytes: (g: Graph, bareWeightsBytes: number, int8WeightBytes: number) => number;
  readonly flashSource: string;
}

function kernelHW(l: Layer): [number, number] {
  const k = l.attrs.kernel;
  if (typeof k === 'number') return [k, k];
  return k ? [k[0], k[1]] : [1, 1];
}

function inChannels(l: Layer): number {
  const s = l.inputShapes[0];
  return s && s.length === 4 ? s[1] : 0;
}

/** Output channels of every layer that has weights (conv, depthwise, linear). */
export function weightedChannels(g: Graph): number {
  return g.layers.filter((l) => l.weightElements > 0).reduce((s, l) => s + (l.outputShape.length === 4 ? l.outputShape[1] : l.outputShape[l.outputShape.length - 1]), 0);
}

/** Tensors a .tflite holds: activations plus a weight and a bias tensor per weighted layer. */
export function tensorCount(g: Graph): number {
  return g.inputs.length + g.layers.length + g.layers.reduce((s, l) => s + (l.weightElements > 0 ? 1 : 0) + (l.biasElements > 0 ? 1 : 0), 0);
}

/**
 * CMSIS-NN s8 kernel workspaces as TFLM's cmsis_nn kernels request them (CMSIS-NN
 * Source/ConvolutionFunctions: `arm_convolve_s8_get_buffer_size` = 2 · C_in · K_h · K_w ·
 * sizeof(int16) for the im2col of a non-1×1 conv; `arm_depthwise_conv_s8_opt_get_buffer_size`
 * = C_in · K_h · K_w · sizeof(int16) for depthwise other than 3×3; 1×1 convs and 3×3 depthwise
 * need none).
 */
function cmsisNnScratch(l: Layer): number {
  const [kh, kw] = kernelHW(l);
  if (l.op === 'conv2d' && kh * kw > 1) return 2 * inChannels(l) * kh * kw * 2;
  if (l.op === 'depthwise_conv2d' && !(kh === 3 && kw === 3)) return inChannels(l) * kh * kw * 2;
  return 0;
}

const TFLM_PER_CHANNEL_BYTES = 16;
const TFLM_EVAL_TENSOR_BYTES = 12;
const TFLM_PER_OP_BYTES = 64;

export const RUNTIMES: Readonly<Record<RuntimeId, RuntimeSpec>> = {
  generic: {
    id: 'generic',
    description: 'the core peak only: no alignment, scratch, persistent data or flash format',
    alignmentBytes: { value: 1, source: 'no runtime: bytes as counted' },
    ioInArena: true,
    ioSource: 'core convention: the graph input is live from step 0 and outputs to the end',
    scratchBytes: () => 0,
    scratchSource: 'none',
    persistentBytes: () => 0,
    persistentSource: 'none',
    flashBytes: (_g, bare) => bare,
    flashSource: 'bare weights: n_weights × bytes + n_biases × 4 (int8) (shared/data/mcu-memory.md, Weights)',
  },
  tflm: {
    id: 'tflm',
    description: 'TF-Lite Micro with CMSIS-NN kernels: greedy arena over tensor lifetimes, no in-place ops',
    alignmentBytes: { value: 16, source: 'tflite-micro micro_arena_constants.h MicroArenaBufferAlignment() = 16, applied by micro_allocator.cc CreatePlan (AlignSizeUp)' },
    ioInArena: true,
    ioSource: 'tflite-micro micro_allocation_info.cc: subgraph inputs and outputs are planned in the arena like every other tensor',
    scratchBytes: (l) => cmsisNnScratch(l),
    scratchSource: 'CMSIS-NN arm_convolve_s8_get_buffer_size / arm_depthwise_conv_s8_opt_get_buffer_size, requested per node via RequestScratchBufferInArena and planned with the node\'s lifetime (micro_allocation_info.cc)',
    // Persistent tail: per output channel the conv/depthwise OpData keeps int32 multiplier and shift
    // (tflite-micro kernels/conv_common.cc, depthwise_conv_common.cc: AllocatePersistentBuffer(num_channels
    // * sizeof(int32_t)) twice) and the allocator copies the weight and bias zero-point arrays into
    // TfLiteIntArrays (micro_allocator.cc InitializeTfLiteTensorFromFlatbuffer): 16 B per channel.
    // Plus a TfLiteEvalTensor (12 B on 32-bit) per tensor and ~64 B of node, registration and op-data
    // struct per op (estimate; memory_arena_threshold_test.cc gives tails of 1.7–14 KB for its test models).
    persistentBytes: (g) => TFLM_PER_CHANNEL_BYTES * weightedChannels(g) + TFLM_EVAL_TENSOR_BYTES * tensorCount(g) + TFLM_PER_OP_BYTES * g.layers.filter((l) => l.activationBytes > 0).length,
    persistentSource: '16 B per output channel (per-channel multiplier/shift, weight and bias zero points) + 12 B per TfLiteEvalTensor + 64 B per op (estimate); tflite-micro kernels/conv_common.cc, micro_allocator.cc',
    // The whole .tflite: weights, int32 biases, per-channel scale (float32) and zero point (int64)
    // for the weight and the bias tensor (schema.fbs QuantizationParameters: 24 B per channel), and
    // flatbuffer tables per tensor (shape, name, buffer entry) and per operator (estimates).
    flashBytes: (g, bare) => bare + 24 * weightedChannels(g) + 96 * tensorCount(g) + 48 * g.layers.length + 1024,
    flashSource: '.tflite file: bare weights + 24 B per channel (scale f32 + zero point i64, weights and bias) + ~96 B per tensor + ~48 B per operator + ~1 KiB header (estimate; tensorflow/lite/schema/schema.fbs)',
  },
  'x-cube-ai': {
    id: 'x-cube-ai',
    description: 'STM32Cube.AI / X-CUBE-AI: one activations buffer with I/O allocated inside, conv/pool outputs overlapping their dying inputs, runtime RAM apart',
    alignmentBytes: { value: 4, source: 'estimate: 32-bit word alignment of the activations buffer (ST does not document its planner)', estimate: true },
    ioInArena: true,
    ioSource: 'ST Edge AI Core CLI --allocate-inputs / --allocate-outputs (https://stm32ai-cs.st.com/assets/embedded-docs/command_line_interface.html); the stm32ai-modelzoo tables are generated with both on (shared/data/mcu-memory.md)',
    // ST's allocator places a layer's output inside an "elementary memory area" that also holds its
    // input, overlapping it for some layer types, so the pair needs between max(in, out) and in + out
    // bytes (US 11,354,238 B2, STMicroelectronics, Folliot & Demaj, claims 1-3: "at least a part of the
    // output data is stored in the elementary memory area in place of at least a part of the input
    // data"; US 11,500,767 B2: two candidate output locations per layer, chosen by layer type). The
    // generated code shows the placement: X-CUBE-AI 10 network.c of j0shmillar/uNPU-Bench @6bf01c2
    // (npu/stm32h7a3/stm32h_yolo/yolo_stm32h/X-CUBE-AI/App/network.c) puts the RGB 3×3 conv's
    // 36,864 B output 10,780 B before its 27,649 B input (expanding, overlapped; row-streaming minimum
    // 10,080 B) and the next 3×3 conv's output 800 B before its input, and its activations size (44,448 B)
    // is exactly the live bytes at that step. Pointwise (1×1) convolutions that widen the tensor are
    // taken as not overlapped (an observation, not documented): in the generated files we could read no
    // widening 1×1 output overlaps its input, and the stm32ai-modelzoo MobileNet v1 1.0 figure (1,331 KiB)
    // exceeds depthwise output + pointwise output (1,176 KiB), which such an overlap would nearly halve.
    overlapOutput: {
      eligible: (l) => isSlidingWindow(l) && !(l.op === 'conv2d' && kernelHW(l)[0] * kernelHW(l)[1] === 1 && l.outputShape.reduce((a, b) => a * b, 1) > l.inputShapes[0].reduce((a, b) => a * b, 1)),
      source: 'ST patents US 11,354,238 B2 / US 11,500,767 B2 (output stored in place of part of the input, per layer type) and X-CUBE-AI generated network.c offsets (j0shmillar/uNPU-Bench @6bf01c2): conv, depthwise and pooling outputs overlap their dying input at the row-streaming offset; widening 1×1 convs do not',
    },
    // X-CUBE-AI's activations size is the live bytes of its worst step, not a fragmented arena: in the
    // generated code above the buffer (44,448 B) ends where the peak step's live buffers (input, the
    // overlapped output and two scratch buffers) end. ST's allocator searches placement sequences to
    // minimise the area (US 11,609,851 B2, STMicroelectronics, "Device and method for allocating
    // intermediate data from an artificial neural network"); TFLM's greedy-by-size plan is not used.
    planner: { kind: 'live-bytes', source: 'ST allocator: placement-sequence search (US 11,609,851 B2); generated activations size = live bytes at the peak step (j0shmillar/uNPU-Bench @6bf01c2 network.c)' },
    scratchBytes: () => 0,
    scratchSource: 'none modelled (X-CUBE-AI kernels use small per-layer scratch inside the activations buffer, a few KiB for 3×3 convs; not published)',
    // stm32ai-modelzoo READMEs list "Runtime RAM" apart: 7.21 KiB for ResNet-8 (16 layers),
    // 16.4 KiB for MobileNetV1 (30), 30.2 KiB for MobileNetV2 (65): ~470 B per layer.
    persistentBytes: (g) => 470 * g.layers.filter((l) => l.activationBytes > 0).length,
    persistentSource: 'runtime RAM ≈ 470 B per layer (estimate fitted to the stm32ai-modelzoo Runtime RAM column: ResNet-8, MobileNetV1, MobileNetV2)',
    // The stm32ai-modelzoo "Weights Flash" figures equal n_weights + 4·n_biases within 4 bytes for
    // nine MobileNet V1/V2 int8 models: scales and zero points are not in that figure.
    flashBytes: (_g, bare) => bare,
    flashSource: 'weights + int32 biases; the per-channel metadata is not in ST\'s "Weights Flash" figure (equal to the bare weights within 4 B on nine stm32ai-modelzoo MobileNets)',
  },
  tinyengine: {
    id: 'tinyengine',
    description: 'MIT TinyEngine (MCUNet): code-generated, in-place depthwise, im2col kernel buffer, patch-based first stages on request',
    alignmentBytes: { value: 4, source: 'estimate: word alignment of the statically planned buffer (TinyEngine code_generator)', estimate: true },
    ioInArena: true,
    ioSource: 'TinyEngine plans the input image in its static buffer (MCUNet paper, §3.2); MCUNet\'s analytic tables exclude it (mcunet issue #9)',
    inPlaceDepthwise: {
      tempChannelBuffer: true,
      source: 'MCUNet (Lin et al., NeurIPS 2020) §3.2 "in-place depth-wise convolution": each channel is copied to a temp buffer and its output written over the input; tinyengine TinyEngine/src/kernels/int_forward_op/patchpadding_depthwise_kernel3x3_stride1_inplace_CHW.c',
    },
    // TinyEngine's convolutions take a `kbuf` im2col buffer of 2 · K_h · K_w · C_in int16
    // (tinyengine convolve_s8_kernel3_stride1_pad1.c: `q15_t *kbuf`), like CMSIS-NN's.
    scratchBytes: (l) => (l.op === 'conv2d' && kernelHW(l)[0] * kernelHW(l)[1] > 1 ? 2 * inChannels(l) * kernelHW(l)[0] * kernelHW(l)[1] * 2 : 0),
    scratchSource: 'kbuf im2col of 2 · K_h · K_w · C_in int16 for non-1×1 convolutions (tinyengine kernels)',
    persistentBytes: () => 0,
    persistentSource: 'none: requantization constants and the schedule are generated into flash (tinyengine code_generator)',
    flashBytes: (g, bare) => bare + 8 * weightedChannels(g),
    flashSource: 'bare weights + per-channel int32 multiplier and shift (8 B per channel) as generated constants (estimate)',
  },
  microtvm: {
    id: 'microtvm',
    description: 'microTVM AOT executor with the unified static memory planner (USMP)',
    alignmentBytes: { value: 16, source: 'TVM AOT executor option workspace-byte-alignment, default 16 (tvm/python/tvm/relay/backend/executor.py)' },
    ioInArena: false,
    ioSource: 'TVM AOT with the C interface: inputs and outputs are buffers the application passes in, outside the workspace, unless --use-workspace-io (TVM RFC 0023 USMP)',
    scratchBytes: () => 0,
    scratchSource: 'none modelled (TVM\'s fused kernels allocate their temporaries in the same workspace)',
    persistentBytes: () => 0,
    persistentSource: 'none: AOT code holds no interpreter structs',
    flashBytes: (g, bare) => bare + 8 * weightedChannels(g),
    flashSource: 'bare weights + per-channel requantization constants (8 B per channel; estimate)',
  },
  vela: {
    id: 'vela',
    description: 'Arm Vela for Ethos-U: SRAM for input, output and intermediates; expansion tensors cascaded as rolling stripes',
    alignmentBytes: { value: 16, source: 'Arm Vela: tensor addresses aligned to 16 bytes (ethosu/vela/tensor_allocation.py, Tensor.alignment)' },
    ioInArena: true,
    ioSource: 'Vela summary "Total SRAM used" covers input, output and intermediates (alifsemi/alif_ml-embedded-evaluation-kit docs/sections/memory_considerations.md)',
    cascade: { source: 'Arm Vela ethosu/vela/cascade_builder.py: consecutive ops are cascaded with a rolling buffer between them when that lowers SRAM; approximated here for intermediates larger than their producer\'s input (estimate)' },
    scratchBytes: () => 0,
    scratchSource: 'none (the NPU streams weights; its small internal buffers are not in Total SRAM used)',
    persistentBytes: () => 2048,
    persistentSource: 'TFLM structures beside the Vela arena: "+2 KiB" as advised in alif_ml-embedded-evaluation-kit memory_considerations.md (estimate)',
    flashBytes: (g, _bare, int8Weights) => Math.round(0.85 * int8Weights) + 10 * weightedChannels(g),
    flashSource: 'Vela-compressed weights (0.85 × the int8 weights, estimate from one ML-zoo figure) + 10 B per channel of packed bias/scale (Ethos-U bias-scale encoding)',
  },
};
