/**
 * Ultralytics YOLOv8 and YOLO11 detection models, built from their upstream recipes.
 *
 * Config (copied row for row, [from, repeats, module, args]):
 *   ultralytics/cfg/models/v8/yolov8.yaml, ultralytics/cfg/models/11/yolo11.yaml
 * Scaling: ultralytics/nn/tasks.py::parse_model (depth/width/max_channels, C3k2 c3k=True for m/l/x).
 * Modules: ultralytics/nn/modules/conv.py (Conv, DWConv), block.py (C2f, Bottleneck, SPPF, C3, C3k,
 *   C3k2, Attention, PSABlock, C2PSA, DFL), head.py (Detect: legacy head for v8, DWConv class
 *   branch for YOLO11). Check values: ../shared/research/model-reference.md §4 and §7.5.
 *
 * Conventions
 * - Ultralytics `Conv` = conv2d(bias=False) + BN (γ, β counted as params, as `model.info()` does) + SiLU.
 * - Layer names mirror ultralytics module paths (`model.2.cv1`, `model.22.cv2.0.0`) so users
 *   recognise them; glue layers (chunk/cat/add) get readable suffixes.
 * - MACs are conv/matmul only (model-reference.md §0). Ultralytics' "GFLOPs" = 2 × thop MACs,
 *   profiled on a 32×32 input and scaled by (640/32)² (ultralytics/utils/torch_utils.py::get_flops),
 *   so they never include C2PSA's q·kᵀ and attn·v matmuls (`@` is not a module thop hooks, and
 *   at 32×32 there is a single token). This graph does count those matmuls; yolo11 totals are
 *   therefore slightly above GFLOPs/2 (n: +30.7 M MACs at 640). Checked at 640: conv MACs × 2
 *   reproduce the docs tables (fused: v11 n/s/m/l/x 6.48/21.47/67.98/86.91/194.90 vs 6.5/21.5/
 *   68.0/86.9/194.9); the YAML `# summary:` GFLOPs are unfused and also hold thop's BN count
 *   (4 ops per BN output element), e.g. yolo11n 6.61 → "6.6".
 * - The Detect head ends with DFL (a fixed 1×1 conv, 16 weights) on the box branch and a
 *   sigmoid on the class branch; the anchor/stride decode (dist2bbox: a few element-wise ops
 *   with constant anchors) is not modelled.
 * - Width multiplier: the scales n/s/m/l/x set the width. `widthMultiplier` α (default 1) is
 *   applied as an extra factor on the scale's width gain inside parse_model's
 *   `make_divisible(min(c, max_channels) · width · α, 8)`; α = 1 gives the published models
 *   (and e.g. yolov8n at α = 2 is exactly yolov8s).
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { EdgeplanError } from '../errors/index.ts';
import { conv, dwconv, imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

/** COCO classes (the `nc: 80` of both YAMLs). */
const NUM_CLASSES = 80;
/** Detect.reg_max: DFL bins per box side (ultralytics/nn/modules/head.py). */
const REG_MAX = 16;
/** Largest stride (P5/32): ultralytics check_imgsz requires input sides that are multiples of it. */
const MAX_STRIDE_PX = 32;

type Module = 'Conv' | 'C2f' | 'C3k2' | 'SPPF' | 'C2PSA' | 'Upsample' | 'Concat' | 'Detect';
/** One YAML row: [from, repeats, module, args] exactly as written upstream. */
type Row = readonly [from: number | readonly number[], repeats: number, module: Module, args: readonly (number | boolean)[]];

interface Scale {
  readonly depth: number;
  readonly width: number;
  readonly maxChannels: number;
}

interface Recipe {
  readonly family: 'yolov8' | 'yolo11';
  readonly yaml: string;
  readonly scales: Readonly<Record<string, Scale>>;
  readonly rows: readonly Row[];
}

// ultralytics/cfg/models/v8/yolov8.yaml (backbone rows 0-9, head rows 10-22).
const YOLOV8: Recipe = {
  family: 'yolov8',
  yaml: 'ultralytics/cfg/models/v8/yolov8.yaml',
  scales: {
    n: { depth: 0.33, width: 0.25, maxChannels: 1024 },
    s: { depth: 0.33, width: 0.5, maxChannels: 1024 },
    m: { depth: 0.67, width: 0.75, maxChannels: 768 },
    l: { depth: 1.0, width: 1.0, maxChannels: 512 },
    x: { depth: 1.0, width: 1.25, maxChannels: 512 },
  },
  rows: [
    [-1, 1, 'Conv', [64, 3, 2]], // 0-P1/2
    [-1, 1, 'Conv', [128, 3, 2]], // 1-P2/4
    [-1, 3, 'C2f', [128, true]],
    [-1, 1, 'Conv', [256, 3, 2]], // 3-P3/8
    [-1, 6, 'C2f', [256, true]],
    [-1, 1, 'Conv', [512, 3, 2]], // 5-P4/16
    [-1, 6, 'C2f', [512, true]],
    [-1, 1, 'Conv', [1024, 3, 2]], // 7-P5/32
    [-1, 3, 'C2f', [1024, true]],
    [-1, 1, 'SPPF', [1024, 5]], // 9
    [-1, 1, 'Upsample', [2]],
    [[-1, 6], 1, 'Concat', [1]],
    [-1, 3, 'C2f', [512]], // 12
    [-1, 1, 'Upsample', [2]],
    [[-1, 4], 1, 'Concat', [1]],
    [-1, 3, 'C2f', [256]], // 15 (P3/8)
    [-1, 1, 'Conv', [256, 3, 2]],
    [[-1, 12], 1, 'Concat', [1]],
    [-1, 3, 'C2f', [512]], // 18 (P4/16)
    [-1, 1, 'Conv', [512, 3, 2]],
    [[-1, 9], 1, 'Concat', [1]],
    [-1, 3, 'C2f', [1024]], // 21 (P5/32)
    [[15, 18, 21], 1, 'Detect', [NUM_CLASSES]],
  ],
};

// ultralytics/cfg/models/11/yolo11.yaml (backbone rows 0-10, head rows 11-23).
const YOLO11: Recipe = {
  family: 'yolo11',
  yaml: 'ultralytics/cfg/models/11/yolo11.yaml',
  scales: {
    n: { depth: 0.5, width: 0.25, maxChannels: 1024 },
    s: { depth: 0.5, width: 0.5, maxChannels: 1024 },
    m: { depth: 0.5, width: 1.0, maxChannels: 512 },
    l: { depth: 1.0, width: 1.0, maxChannels: 512 },
    x: { depth: 1.0, width: 1.5, maxChannels: 512 },
  },
  rows: [
    [-1, 1, 'Conv', [64, 3, 2]], // 0-P1/2
    [-1, 1, 'Conv', [128, 3, 2]], // 1-P2/4
    [-1, 2, 'C3k2', [256, false, 0.25]],
    [-1, 1, 'Conv', [256, 3, 2]], // 3-P3/8
    [-1, 2, 'C3k2', [512, false, 0.25]],
    [-1, 1, 'Conv', [512, 3, 2]], // 5-P4/16
    [-1, 2, 'C3k2', [512, true]],
    [-1, 1, 'Conv', [1024, 3, 2]], // 7-P5/32
    [-1, 2, 'C3k2', [1024, true]],
    [-1, 1, 'SPPF', [1024, 5]], // 9
    [-1, 2, 'C2PSA', [1024]], // 10
    [-1, 1, 'Upsample', [2]],
    [[-1, 6], 1, 'Concat', [1]],
    [-1, 2, 'C3k2', [512, false]], // 13
    [-1, 1, 'Upsample', [2]],
    [[-1, 4], 1, 'Concat', [1]],
    [-1, 2, 'C3k2', [256, false]], // 16 (P3/8)
    [-1, 1, 'Conv', [256, 3, 2]],
    [[-1, 13], 1, 'Concat', [1]],
    [-1, 2, 'C3k2', [512, false]], // 19 (P4/16)
    [-1, 1, 'Conv', [512, 3, 2]],
    [[-1, 10], 1, 'Concat', [1]],
    [-1, 2, 'C3k2', [1024, true]], // 22 (P5/32)
    [[16, 19, 22], 1, 'Detect', [NUM_CLASSES]],
  ],
};

/** ultralytics/utils/ops.py::make_divisible: ceil to a multiple of the divisor. */
const makeDivisibleUp = (x: number, divisor = 8): number => Math.ceil(x / divisor) * divisor;

/** Python 3 round(): halves go to the even neighbour (parse_model uses it for repeats). */
function pyRound(x: number): number {
  const f = Math.floor(x), d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// ---------------------------------------------------------------------------------------------
// Modules (ultralytics/nn/modules/*.py). Each adds layers under `name` and returns its output.
// ---------------------------------------------------------------------------------------------

/** conv.py::Conv: conv2d(k, s, pad k//2, bias=False) + BN + SiLU (act=False drops the SiLU). */
function Conv(b: GraphBuilder, x: string, name: string, c2: number, k = 1, s = 1, act = true, groups?: number): string {
  return conv(b, x, name, c2, k, s, { act: act ? 'silu' : undefined, groups });
}

/** conv.py::DWConv(c, c, k): Conv with groups = gcd(c1, c2) = c, i.e. depthwise + BN + SiLU. */
function DWConv(b: GraphBuilder, x: string, name: string, k: number, act = true): string {
  return dwconv(b, x, name, k, 1, { act: act ? 'silu' : undefined });
}

/** Splits a tensor into equal channel chunks (torch .chunk / .split on dim 1). */
function chunk(b: GraphBuilder, x: string, name: string, parts: number): string[] {
  const c = b.channels(x) / parts;
  return Array.from({ length: parts }, (_, i) => b.add(`${name}.${i}`, 'slice', x, { axis: 1, start: i * c, end: (i + 1) * c }));
}

/**
 * block.py::Bottleneck(c1, c2, shortcut, g, k=(3, 3), e): cv1 k0×k0 c1→c2·e, cv2 k1×k1 →c2,
 * residual add when shortcut and c1 == c2.
 */
function Bottleneck(b: GraphBuilder, x: string, name: string, c2: number, shortcut: boolean, e: number): string {
  const c1 = b.channels(x);
  const hidden = Math.floor(c2 * e);
  const h = Conv(b, Conv(b, x, `${name}.cv1`, hidden, 3, 1), `${name}.cv2`, c2, 3, 1);
  return shortcut && c1 === c2 ? b.add(`${name}.add`, 'add', [x, h]) : h;
}

/**
 * block.py::C2f(c1, c2, n, shortcut, e=0.5): c = c2·e; cv1 1×1 → 2c, chunk(2), n blocks each
 * on the last chunk, concat of (2+n)·c → cv2 1×1 → c2. `inner` builds each of the n blocks
 * (C2f: Bottleneck e=1.0; C3k2: Bottleneck e=0.5 or C3k).
 */
function C2f(b: GraphBuilder, x: string, name: string, c2: number, n: number, e: number, inner: (x: string, name: string, c: number) => string): string {
  const c = Math.floor(c2 * e);
  const y = chunk(b, Conv(b, x, `${name}.cv1`, 2 * c, 1, 1), `${name}.chunk`, 2);
  for (let i = 0; i < n; i++) y.push(inner(y[y.length - 1], `${name}.m.${i}`, c));
  return Conv(b, b.add(`${name}.cat`, 'concat', y, { axis: 1 }), `${name}.cv2`, c2, 1, 1);
}

/** block.py::C3k(c1, c2, n=2, shortcut, e=0.5, k=3): C3 = cv3(cat(m(cv1(x)), cv2(x))), m = n × Bottleneck(k×k, e=1.0). */
function C3k(b: GraphBuilder, x: string, name: string, c2: number, n: number, shortcut: boolean): string {
  const hidden = Math.floor(c2 * 0.5);
  let m = Conv(b, x, `${name}.cv1`, hidden, 1, 1);
  for (let i = 0; i < n; i++) m = Bottleneck(b, m, `${name}.m.${i}`, hidden, shortcut, 1.0);
  const skip = Conv(b, x, `${name}.cv2`, hidden, 1, 1);
  return Conv(b, b.add(`${name}.cat`, 'concat', [m, skip], { axis: 1 }), `${name}.cv3`, c2, 1, 1);
}

/** block.py::SPPF(c1, c2, k): cv1 1×1 → c1/2, three chained k×k stride-1 max pools, concat of 4 → cv2 1×1. */
function SPPF(b: GraphBuilder, x: string, name: string, c2: number, k: number): string {
  const hidden = Math.floor(b.channels(x) / 2);
  const y = [Conv(b, x, `${name}.cv1`, hidden, 1, 1)];
  for (let i = 0; i < 3; i++) y.push(b.add(`${name}.m.${i}`, 'max_pool', y[i], { kernel: k, stride: 1, padding: Math.floor(k / 2) }));
  return Conv(b, b.add(`${name}.cat`, 'concat', y, { axis: 1 }), `${name}.cv2`, c2, 1, 1);
}

/**
 * block.py::Attention(dim, num_heads, attn_ratio=0.5): qkv Conv 1×1 (no act) → view
 * [B, heads, 2·key_dim + head_dim, N] → split q, k, v; attn = softmax(qᵀ·k · scale);
 * out = proj(view(v · attnᵀ) + pe(v)), pe = depthwise 3×3 Conv (no act), proj Conv 1×1 (no act).
 * The ·scale multiply is by a constant and is folded (not a layer).
 */
function Attention(b: GraphBuilder, x: string, name: string, heads: number, attnRatio = 0.5): string {
  const [n, dim, h, w] = b.shapeOf(x);
  const tokens = h * w;
  const headDim = Math.floor(dim / heads);
  const keyDim = Math.floor(headDim * attnRatio);
  if (headDim * heads !== dim || keyDim <= 0) {
    throw new EdgeplanError('bad_value', `C2PSA attention at ${name}: ${dim} channels do not split into ${heads} heads`, {
      layer: name, fix: 'use a width multiplier of 1 (the n/s/m/l/x scales set the width)',
    });
  }
  const qkv = Conv(b, x, `${name}.qkv`, dim + 2 * keyDim * heads, 1, 1, false);
  const view = b.add(`${name}.qkv.view`, 'reshape', qkv, { shape: [n, heads, 2 * keyDim + headDim, tokens] });
  const q = b.add(`${name}.q`, 'slice', view, { axis: 2, start: 0, end: keyDim });
  const k = b.add(`${name}.k`, 'slice', view, { axis: 2, start: keyDim, end: 2 * keyDim });
  const v = b.add(`${name}.v`, 'slice', view, { axis: 2, start: 2 * keyDim, end: 2 * keyDim + headDim });
  const qT = b.add(`${name}.q.t`, 'transpose', q, { perm: [0, 1, 3, 2] });
  const scores = b.add(`${name}.qk`, 'matmul', [qT, k]); // [B, heads, N, N]
  const attn = b.add(`${name}.softmax`, 'softmax', scores, { axis: -1 });
  const attnT = b.add(`${name}.softmax.t`, 'transpose', attn, { perm: [0, 1, 3, 2] });
  const av = b.add(`${name}.av`, 'matmul', [v, attnT]); // [B, heads, head_dim, N]
  const avMap = b.add(`${name}.av.view`, 'reshape', av, { shape: [n, dim, h, w] });
  const vMap = b.add(`${name}.v.view`, 'reshape', v, { shape: [n, dim, h, w] });
  const pe = dwconv(b, vMap, `${name}.pe`, 3, 1);
  return Conv(b, b.add(`${name}.add`, 'add', [avMap, pe]), `${name}.proj`, dim, 1, 1, false);
}

/** block.py::PSABlock(c, attn_ratio=0.5, num_heads, shortcut=True): x + attn(x), then x + ffn(x), ffn = Conv 1×1 → 2c, Conv 1×1 (no act) → c. */
function PSABlock(b: GraphBuilder, x: string, name: string, heads: number): string {
  const c = b.channels(x);
  const a = b.add(`${name}.attn.residual`, 'add', [x, Attention(b, x, `${name}.attn`, heads)]);
  const f = Conv(b, Conv(b, a, `${name}.ffn.0`, 2 * c, 1, 1), `${name}.ffn.1`, c, 1, 1, false);
  return b.add(`${name}.ffn.residual`, 'add', [a, f]);
}

/** block.py::C2PSA(c1, c2, n, e=0.5): c = c1·e; cv1 1×1 → 2c, split, n × PSABlock(c, heads = c // 64) on one half, concat → cv2 1×1 → c1. */
function C2PSA(b: GraphBuilder, x: string, name: string, c2: number, n: number): string {
  const c1 = b.channels(x);
  if (c1 !== c2) throw new Error(`zoo bug: C2PSA needs c1 == c2, got ${c1} and ${c2}`);
  const c = Math.floor(c1 * 0.5);
  // Upstream uses c // 64 heads; below 64 channels (only reachable with α < 1) that is 0, so keep 1.
  const heads = Math.max(1, Math.floor(c / 64));
  const [a, y] = chunk(b, Conv(b, x, `${name}.cv1`, 2 * c, 1, 1), `${name}.split`, 2);
  let m = y;
  for (let i = 0; i < n; i++) m = PSABlock(b, m, `${name}.m.${i}`, heads);
  return Conv(b, b.add(`${name}.cat`, 'concat', [a, m], { axis: 1 }), `${name}.cv2`, c1, 1, 1);
}

/**
 * head.py::Detect(nc, ch). c2 = max(16, ch[0]//4, 4·reg_max), c3 = max(ch[0], min(nc, 100)).
 * Per level: box branch cv2 = Conv 3×3 → c2, Conv 3×3 → c2, Conv2d 1×1 (bias) → 4·reg_max;
 * class branch cv3 = legacy (v8): Conv 3×3 → c3, Conv 3×3 → c3, Conv2d 1×1 → nc;
 *                    YOLO11 (legacy=False): [DWConv 3×3, Conv 1×1 → c3], [DWConv 3×3, Conv 1×1 → c3], Conv2d 1×1 → nc.
 * Inference: concat levels to [B, 4·reg_max + nc, Σ HW]; DFL = softmax over 16 bins, then a
 * fixed 1×1 conv 16 → 1 (16 weights, no bias); sigmoid on classes; output [B, 4 + nc, Σ HW].
 */
function Detect(b: GraphBuilder, xs: readonly string[], name: string, nc: number, legacy: boolean): string {
  const ch0 = b.channels(xs[0]);
  const c2 = Math.max(16, Math.floor(ch0 / 4), REG_MAX * 4);
  const c3 = Math.max(ch0, Math.min(nc, 100));
  const no = nc + 4 * REG_MAX;
  const flat = xs.map((x, i) => {
    let box = Conv(b, x, `${name}.cv2.${i}.0`, c2, 3, 1);
    box = Conv(b, box, `${name}.cv2.${i}.1`, c2, 3, 1);
    box = b.add(`${name}.cv2.${i}.2`, 'conv2d', box, { outChannels: 4 * REG_MAX, kernel: 1, bias: true });
    let cls = x;
    if (legacy) {
      cls = Conv(b, cls, `${name}.cv3.${i}.0`, c3, 3, 1);
      cls = Conv(b, cls, `${name}.cv3.${i}.1`, c3, 3, 1);
    } else {
      cls = Conv(b, DWConv(b, cls, `${name}.cv3.${i}.0.0`, 3), `${name}.cv3.${i}.0.1`, c3, 1, 1);
      cls = Conv(b, DWConv(b, cls, `${name}.cv3.${i}.1.0`, 3), `${name}.cv3.${i}.1.1`, c3, 1, 1);
    }
    cls = b.add(`${name}.cv3.${i}.2`, 'conv2d', cls, { outChannels: nc, kernel: 1, bias: true });
    const level = b.add(`${name}.cat.${i}`, 'concat', [box, cls], { axis: 1 });
    return b.add(`${name}.view.${i}`, 'reshape', level, { shape: [1, no, -1] });
  });
  const all = b.add(`${name}.cat`, 'concat', flat, { axis: 2 });
  const anchors = b.shapeOf(all)[2];
  const box = b.add(`${name}.box`, 'slice', all, { axis: 1, start: 0, end: 4 * REG_MAX });
  const cls = b.add(`${name}.cls`, 'slice', all, { axis: 1, start: 4 * REG_MAX, end: no });
  // block.py::DFL: x.view(b, 4, 16, a).transpose(2, 1).softmax(1) → conv 16→1 → view(b, 4, a).
  let d = b.add(`${name}.dfl.view`, 'reshape', box, { shape: [1, 4, REG_MAX, anchors] });
  d = b.add(`${name}.dfl.transpose`, 'transpose', d, { perm: [0, 2, 1, 3] });
  d = b.add(`${name}.dfl.softmax`, 'softmax', d, { axis: 1 });
  d = b.add(`${name}.dfl.conv`, 'conv2d', d, { outChannels: 1, kernel: 1, bias: false });
  d = b.add(`${name}.dfl.out`, 'reshape', d, { shape: [1, 4, anchors] });
  const scores = b.add(`${name}.cls.sigmoid`, 'sigmoid', cls);
  return b.add(`${name}.out`, 'concat', [d, scores], { axis: 1 });
}

// ---------------------------------------------------------------------------------------------
// parse_model (ultralytics/nn/tasks.py) over the YAML rows.
// ---------------------------------------------------------------------------------------------

export function buildYolo(id: string, recipe: Recipe, scaleKey: string, o: BuildOptions): Graph {
  const scale = recipe.scales[scaleKey];
  if (!scale) throw new Error(`zoo bug: ${recipe.family} has no scale '${scaleKey}'`);
  if (o.resolution % MAX_STRIDE_PX !== 0) {
    const down = Math.max(MAX_STRIDE_PX, Math.floor(o.resolution / MAX_STRIDE_PX) * MAX_STRIDE_PX);
    const up = Math.ceil(o.resolution / MAX_STRIDE_PX) * MAX_STRIDE_PX;
    throw new EdgeplanError('bad_value', `${id} needs an input side that is a multiple of ${MAX_STRIDE_PX} (its largest stride), got ${o.resolution}`, {
      fix: `pass --resolution ${down}${up !== down ? ` or ${up}` : ''}`,
    });
  }
  const alpha = o.widthMultiplier ?? 1;
  const b = new GraphBuilder({
    name: id, task: 'detection', inputs: imageInput(o.resolution), resolution: o.resolution, widthMultiplier: alpha, source: `zoo:${id}`,
  });
  const width = (c: number) => makeDivisibleUp(Math.min(c, scale.maxChannels) * scale.width * alpha, 8);
  const outs: string[] = [];
  recipe.rows.forEach(([from, repeats, module, args], i) => {
    const src = (f: number) => (f === -1 ? (i === 0 ? b.input : outs[i - 1]) : outs[f]);
    const x = typeof from === 'number' ? src(from) : '';
    const n = repeats > 1 ? Math.max(pyRound(repeats * scale.depth), 1) : repeats;
    const name = `model.${i}`;
    let out: string;
    switch (module) {
      case 'Conv':
        out = Conv(b, x, name, width(args[0] as number), args[1] as number, args[2] as number);
        break;
      case 'C2f': {
        const shortcut = (args[1] as boolean | undefined) ?? false; // C2f default shortcut=False
        out = C2f(b, x, name, width(args[0] as number), n, 0.5, (h, nm, c) => Bottleneck(b, h, nm, c, shortcut, 1.0));
        break;
      }
      case 'C3k2': {
        // C3k2(c1, c2, n, c3k=False, e=0.5, g=1, shortcut=True); parse_model forces c3k for m/l/x.
        const c3k = 'mlx'.includes(scaleKey) || ((args[1] as boolean | undefined) ?? false);
        const e = (args[2] as number | undefined) ?? 0.5;
        out = C2f(b, x, name, width(args[0] as number), n, e, (h, nm, c) => (c3k ? C3k(b, h, nm, c, 2, true) : Bottleneck(b, h, nm, c, true, 0.5)));
        break;
      }
      case 'SPPF':
        out = SPPF(b, x, name, width(args[0] as number), args[1] as number);
        break;
      case 'C2PSA':
        out = C2PSA(b, x, name, width(args[0] as number), n);
        break;
      case 'Upsample':
        out = b.add(name, 'resize', x, { scale: args[0] as number, mode: 'nearest' });
        break;
      case 'Concat':
        out = b.add(name, 'concat', (from as readonly number[]).map(src), { axis: args[0] as number });
        break;
      case 'Detect':
        // parse_model sets Detect.legacy = False once a C3k2 appears (YOLO11); v8 keeps the legacy head.
        out = Detect(b, (from as readonly number[]).map(src), name, args[0] as number, recipe.family === 'yolov8');
        break;
    }
    outs.push(out);
  });
  return b.build([outs[outs.length - 1]]);
}

const entry = (recipe: Recipe, scaleKey: string): ZooEntry => {
  const id = recipe.family === 'yolov8' ? `yolov8${scaleKey}` : `yolo11${scaleKey}`;
  return {
    id,
    task: 'detection',
    resolution: 640,
    resizable: true,
    reference: `ultralytics/ultralytics ${recipe.yaml} (scale ${scaleKey}), ultralytics/nn/tasks.py::parse_model, ultralytics/nn/modules/{conv,block,head}.py`,
    build: (o) => buildYolo(id, recipe, scaleKey, o),
  };
};

export const yoloEntries: readonly ZooEntry[] = [
  ...['n', 's', 'm', 'l', 'x'].map((s) => entry(YOLOV8, s)),
  ...['n', 's', 'm', 'l', 'x'].map((s) => entry(YOLO11, s)),
];
