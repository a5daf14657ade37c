/**
 * Hardware profile types. They mirror hardware-profiles/profile.schema.json exactly (JSON Schema
 * draft 2020-12, additionalProperties: false everywhere); the YAML files in hardware-profiles/ are
 * validated against that schema when loaded. Units live in key names (SI base): bytes,
 * bytes_per_s, ops_per_s (DENSE, 1 MAC = 2 ops), w, us, mhz.
 */

import type { KernelFusion } from '../cost/fusion.ts';

export const PRECISIONS = ['fp32', 'fp16', 'int8', 'int4'] as const;
/** Numeric precision of weights/activations/compute. */
export type Precision = (typeof PRECISIONS)[number];

export const UNIT_KINDS = ['cpu', 'gpu', 'npu', 'tpu', 'dla', 'dsp', 'mcu'] as const;
/** Kind of compute unit. */
export type UnitKind = (typeof UNIT_KINDS)[number];

export const OP_CLASSES = ['conv2d', 'depthwise_conv2d', 'linear', 'attention', 'elementwise'] as const;
/**
 * Op class used for efficiency factors. `linear` covers linear/matmul; `elementwise` covers
 * add/mul/activations/pool/resize/softmax/norm (usually memory-bound).
 */
export type OpClass = (typeof OP_CLASSES)[number];

/** IR op names a unit can list in `ops` (includes `split`, which the profile format allows). */
export const PROFILE_OP_NAMES = [
  'conv2d', 'depthwise_conv2d', 'conv_transpose2d', 'linear', 'matmul', 'add', 'mul', 'concat',
  'max_pool', 'avg_pool', 'global_pool', 'resize', 'softmax', 'relu', 'relu6', 'hardswish',
  'hardsigmoid', 'sigmoid', 'silu', 'gelu', 'batchnorm', 'layernorm', 'reshape', 'transpose',
  'flatten', 'attention', 'split', 'slice', 'pad', 'opaque',
] as const;
export type ProfileOpName = (typeof PROFILE_OP_NAMES)[number];

export const DEVICE_CLASSES = ['soc', 'accelerator', 'mcu', 'phone', 'sbc', 'host'] as const;
/** soc (module/SoC with several units), accelerator (attached to a host over a link), mcu, phone, sbc, host. */
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

export const MEMORY_KINDS = ['sram', 'cache', 'dram', 'flash', 'param_cache'] as const;
/** sram (scratchpad/on-chip RAM), cache (hardware-managed), dram, flash (XIP weights), param_cache (Edge TPU). */
export type MemoryKind = (typeof MEMORY_KINDS)[number];

export const PARTITION_RULES = ['any', 'first_unsupported_rest_on_fallback'] as const;
/**
 * `any`: unsupported ops go to the fallback and the graph comes back.
 * `first_unsupported_rest_on_fallback`: everything from the first unsupported op on runs on the
 * fallback (Edge TPU compiler default).
 */
export type PartitionRule = (typeof PARTITION_RULES)[number];

/** A number with its provenance. */
export interface SourcedNumber {
  /** The value in the unit named by the key (bytes, bytes_per_s, ops_per_s, w, us, mhz, or a ratio). */
  readonly value: number;
  /** URL or file + quote, or the derivation ("derived: 1024 cores x 2 x 625 MHz"). */
  readonly source: string;
  /** Present (true) when no retrieved source states the value. */
  readonly estimate?: true;
  readonly note?: string;
  /**
   * Value before calibration (datasheet figure or initial guess), same unit as `value`.
   * scripts/fit-profiles.ts regularises toward it and never overwrites it, so refits do not drift.
   */
  readonly prior?: number;
}

/** DENSE peak ops per second for each precision the unit runs (FLOP/s for fp32/fp16). */
export type PeakOps = { readonly [P in Precision]?: SourcedNumber };

/** Fraction of peak (0..1) a layer of each op class attains. */
export type Efficiency = { readonly [C in OpClass]: SourcedNumber };

/** Per-layer limits beyond which an op is unsupported on the unit (goes to the fallback). */
export interface UnitConstraints {
  readonly max_kernel_size?: SourcedNumber;
  readonly max_stride?: SourcedNumber;
  readonly max_channels?: SourcedNumber;
  /** Largest size of any non-batch dimension (H, W or sequence). */
  readonly max_spatial_dim?: SourcedNumber;
  /** Largest rank with more than one non-unit dimension (Edge TPU: 3). */
  readonly max_tensor_rank?: SourcedNumber;
  readonly max_softmax_elements?: SourcedNumber;
  /** Largest number of separately loaded segments (e.g. DLA loadables per core). */
  readonly max_loadables?: SourcedNumber;
  /** Free-text rules not (yet) encoded as numbers. */
  readonly notes?: readonly string[];
}

/** A rule with its provenance (no number: the source says where the rule comes from). */
export interface SourcedRule {
  readonly source: string;
  readonly note?: string;
}

/**
 * Kernel fusions a runtime performs that the cost model applies (src/cost/fusion.ts), by id:
 * `ort_nchwc_conv_sum` (ONNX Runtime CPU EP on x86-64, NCHWc Conv with a Sum input) and
 * `ort_conv_add_activation` (ONNX Runtime CPU EP elsewhere, FusedConv with a Sum input).
 */
export type KernelFusions = { readonly [F in KernelFusion]?: SourcedRule };

/**
 * One inference runtime of a unit (NCNN, ONNX Runtime, PyTorch eager, a Python API ...), relative
 * to the reference runtime the unit's efficiencies describe. Absent scales are 1, absent costs 0.
 */
export interface UnitRuntime {
  /** Case-insensitive regular expression tested against a runtime name; first match in file order wins. */
  readonly match: string;
  readonly description: string;
  /** Multiplies every op-class efficiency (capped at 1). */
  readonly efficiency_scale?: SourcedNumber;
  /** Multiplies overhead_us_per_layer. */
  readonly overhead_scale?: SourcedNumber;
  /** Added per inference, microseconds. */
  readonly fixed_overhead_us?: SourcedNumber;
  /** Fusions this runtime performs; absent = none (the reference runtime's are not inherited). */
  readonly kernel_fusions?: KernelFusions;
  readonly notes?: readonly string[];
}

/**
 * Dataflow execution (Hailo-8): layers of a context are laid out spatially and frames stream
 * through them; models larger than one context are split and the contexts switched.
 */
export interface Dataflow {
  /** Layers (layout-only ops excluded) one context holds. */
  readonly layers_per_context: SourcedNumber;
  /** Weight bytes one context holds (default: the size of the unit's memory level). */
  readonly weight_bytes_per_context?: SourcedNumber;
  /** Fixed cost per context switch, microseconds (weights reload over the link is added). */
  readonly context_switch_us: SourcedNumber;
  readonly notes?: readonly string[];
}

export interface UnitPower {
  readonly active: SourcedNumber;
  readonly idle: SourcedNumber;
}

/** One compute unit (CPU cluster, GPU, NPU, DLA core, DSP, Edge TPU, MCU core). */
export interface ComputeUnit {
  readonly kind: UnitKind;
  readonly description: string;
  readonly clock_mhz?: SourcedNumber;
  readonly cores?: SourcedNumber;
  /** CPU: cores used as inference threads; peak_ops_per_s is for all of them. */
  readonly threads?: SourcedNumber;
  readonly peak_ops_per_s: PeakOps;
  /** Headline 2:4 structured-sparsity speed-up over dense (only where accelerated). */
  readonly sparse_speedup_2_4?: SourcedNumber;
  /** Measured end-to-end 2:4 speed-up on real networks (default 1.35, capped by the headline). */
  readonly sparse_realized_speedup_2_4?: SourcedNumber;
  readonly efficiency: Efficiency;
  /**
   * Multiplies the op-class efficiencies at one precision (absent = 1): a runtime's kernels reach
   * different fractions of each precision's peak (int8 kernels pay requantization and may not use
   * every dot-product lane; fp32 kernels may be tuned further). Fitted per device and unit where
   * measured rows cover several precisions.
   */
  readonly precision_efficiency?: { readonly [P in Precision]?: SourcedNumber };
  /**
   * Weights-only quantization: the unit accepts weights stored at these precisions and dequantizes
   * them once, at load, to the precision it computes in (e.g. the TFLite GPU delegate). Only the
   * stored weights (the model file, flash) shrink; runtime weight traffic, compute and activations
   * stay at the layer's precision.
   */
  readonly weight_only?: { readonly precisions: readonly Precision[]; readonly source: string; readonly note?: string };
  /**
   * Why scripts/fit-profiles.ts leaves this unit's numbers alone (e.g. they are another board's fit,
   * kept so that this board's rows stay an out-of-sample transfer check). Absent = fitted.
   */
  readonly not_fitted?: string;
  /**
   * Channels at which a conv/linear layer reaches half its op-class efficiency:
   * × 1/(1 + h/C_out + h/K), K = C_in/groups × kernel area. Absent = no channel effect.
   */
  readonly channel_half_efficiency?: SourcedNumber;
  /**
   * Optional fixed cost per output element of a conv/linear/depthwise layer, in MACs: efficiency
   * × 1/(1 + r/K), K = C_in/groups × kernel area (MACs per output). Absent = no such cost.
   */
  readonly reduction_half_length?: SourcedNumber;
  /**
   * Output row width at which a conv/depthwise layer reaches half its efficiency: the channel
   * factor's denominator gains w/W_out (per-row kernel calls and padded edge outputs). Absent = none.
   */
  readonly row_half_width?: SourcedNumber;
  /** Kernel taps (k_h·k_w) at which a depthwise layer reaches half its efficiency: + t/(k_h·k_w). Absent = none. */
  readonly depthwise_half_taps?: SourcedNumber;
  /**
   * Channel block of ONNX Runtime's NCHWc layout on this CPU (MlasNchwcGetBlockSize(): 16 with
   * AVX-512F, 8 with AVX2). With `ort_nchwc_conv_sum` and `ort_mlas_kernels` declared, simulate
   * models the layout's reorder kernels (src/cost/ort.ts). Absent = no NCHWc layout.
   */
  readonly nchwc_block_channels?: SourcedNumber;
  /** Bytes per second at which the caller's binding copies graph outputs out per call (onnxruntime-node). Absent = free. */
  readonly output_copy_bytes_per_s?: SourcedNumber;
  /** Kernel launch / dispatch cost per layer, microseconds. */
  readonly overhead_us_per_layer: SourcedNumber;
  /** Fixed cost per inference (invoke, sync), microseconds. */
  readonly fixed_overhead_us: SourcedNumber;
  /** Kernel fusions of the reference runtime (the one the efficiencies describe); absent = none. */
  readonly kernel_fusions?: KernelFusions;
  /** Runtimes whose kernels/dispatch differ from the reference runtime the efficiencies describe. */
  readonly runtimes?: Readonly<Record<string, UnitRuntime>>;
  /** Present on dataflow (spatially pipelined) chips such as Hailo-8. */
  readonly dataflow?: Dataflow;
  /** Id of the memory level this unit streams tensors from. */
  readonly memory: string;
  /** Id of an on-chip level (cache/SRAM) that holds tensors that fit. */
  readonly onchip_memory?: string;
  readonly precisions: readonly Precision[];
  readonly ops: 'all' | readonly ProfileOpName[];
  readonly constraints?: UnitConstraints;
  /** Unit id that runs unsupported ops; absent on the fallback of last resort. */
  readonly fallback?: string;
  readonly partition_rule: PartitionRule;
  readonly power_w: UnitPower;
  /** DRAM access energy, picojoules per byte. */
  readonly energy_pj_per_byte?: SourcedNumber;
  readonly notes?: readonly string[];
}

/** One memory level. */
export interface MemoryLevel {
  readonly kind: MemoryKind;
  readonly description?: string;
  /** Capacity usable for tensors, bytes. */
  readonly size_bytes: SourcedNumber;
  /** Sustained read bandwidth, bytes per second. */
  readonly bandwidth_bytes_per_s: SourcedNumber;
  readonly notes?: readonly string[];
}

/** Link between an accelerator and its host. */
export interface HostLink {
  readonly description?: string;
  /** Line/signalling rate, bits per second (not the payload rate). */
  readonly signalling_bits_per_s?: SourcedNumber;
  /** Effective payload bandwidth, bytes per second. */
  readonly bandwidth_bytes_per_s: SourcedNumber;
  /** Per-transfer round-trip latency, microseconds. */
  readonly latency_us: SourcedNumber;
  /** How the link numbers were obtained. */
  readonly source_note: string;
}

export interface DevicePower {
  readonly idle_w: SourcedNumber;
  /** Power budget / maximum in the described power mode. */
  readonly max_w: SourcedNumber;
}

/** One device profile (hardware-profiles/<id>.yaml). */
export interface HardwareProfile {
  /** Optional JSON-schema pointer for editors (the YAML files use a comment instead). */
  readonly $schema?: string;
  /** Canonical kebab-case id = file name = published-latency.csv device_id. */
  readonly id: string;
  readonly name: string;
  /** Other names users type; unique across all profiles. */
  readonly aliases: readonly string[];
  readonly class: DeviceClass;
  /** Unit a model runs on unless the user passes --unit. */
  readonly default_unit: string;
  readonly units: Readonly<Record<string, ComputeUnit>>;
  readonly memory: Readonly<Record<string, MemoryLevel>>;
  readonly links?: Readonly<Record<string, HostLink>>;
  readonly default_link?: string;
  /** Memory level id holding the weights (flash on MCUs, param_cache on the Edge TPU). */
  readonly weights_in: string;
  /** Memory level id holding activations (sram on MCUs, dram elsewhere). */
  readonly activations_in: string;
  readonly power: DevicePower;
  readonly power_mode: string;
  /** Index of [S1]-style source keys used in source strings. */
  readonly sources?: Readonly<Record<string, string>>;
  readonly notes?: readonly string[];
}
