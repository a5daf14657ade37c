/**
 * Inception-v3: torchvision/models/inception.py (`Inception3`, `InceptionA`..`InceptionE`,
 * `BasicConv2d`), eval graph at 299: the AuxLogits head only runs in training, so it is left out.
 * BasicConv2d = Conv2d(bias=False) + BatchNorm2d(eps=0.001) + ReLU → one conv layer with folded BN.
 * Check values (torchvision `Inception_V3_Weights.IMAGENET1K_V1`): `_ops` 5.713 GMACs;
 * `num_params` 27,161,264 includes AuxLogits (conv0 98,560 + conv1 2,459,136 + fc 769,000 =
 * 3,326,696), so the eval graph has 23,834,568.
 * widthMultiplier does not apply (Inception-v3 defines none); it is ignored.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { EdgeplanError } from '../errors/index.ts';
import { conv, imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

type Kernel = number | readonly [number, number];

/** One BasicConv2d: [name suffix, out channels, kernel, stride, padding (h, w)], torchvision kwargs. */
type ConvRow = readonly [string, number, Kernel, number, readonly [number, number]];

/** A branch is a chain of BasicConv2d, optionally after a 3×3 pool; null pool = none. */
interface Branch {
  readonly pool?: { readonly op: 'avg_pool' | 'max_pool'; readonly stride: number; readonly pad: number };
  readonly convs: readonly ConvRow[];
  /** InceptionE: the last two convs both read the previous one and are concatenated. */
  readonly splitLast?: boolean;
}

const P0: readonly [number, number] = [0, 0];
const P1: readonly [number, number] = [1, 1];
const AVG_S1 = { op: 'avg_pool', stride: 1, pad: 1 } as const;
const MAX_S2 = { op: 'max_pool', stride: 2, pad: 0 } as const;

/** InceptionA(in, pool_features). */
const inceptionA = (poolFeatures: number): Branch[] => [
  { convs: [['branch1x1', 64, 1, 1, P0]] },
  { convs: [['branch5x5_1', 48, 1, 1, P0], ['branch5x5_2', 64, 5, 1, [2, 2]]] },
  { convs: [['branch3x3dbl_1', 64, 1, 1, P0], ['branch3x3dbl_2', 96, 3, 1, P1], ['branch3x3dbl_3', 96, 3, 1, P1]] },
  { pool: AVG_S1, convs: [['branch_pool', poolFeatures, 1, 1, P0]] },
];

/** InceptionB (Mixed_6a): grid reduction 35 → 17. */
const inceptionB = (): Branch[] => [
  { convs: [['branch3x3', 384, 3, 2, P0]] },
  { convs: [['branch3x3dbl_1', 64, 1, 1, P0], ['branch3x3dbl_2', 96, 3, 1, P1], ['branch3x3dbl_3', 96, 3, 2, P0]] },
  { pool: MAX_S2, convs: [] },
];

/** InceptionC(in, channels_7x7): factorised 7×7 as 1×7 / 7×1. */
const inceptionC = (c7: number): Branch[] => [
  { convs: [['branch1x1', 192, 1, 1, P0]] },
  { convs: [['branch7x7_1', c7, 1, 1, P0], ['branch7x7_2', c7, [1, 7], 1, [0, 3]], ['branch7x7_3', 192, [7, 1], 1, [3, 0]]] },
  {
    convs: [
      ['branch7x7dbl_1', c7, 1, 1, P0], ['branch7x7dbl_2', c7, [7, 1], 1, [3, 0]], ['branch7x7dbl_3', c7, [1, 7], 1, [0, 3]],
      ['branch7x7dbl_4', c7, [7, 1], 1, [3, 0]], ['branch7x7dbl_5', 192, [1, 7], 1, [0, 3]],
    ],
  },
  { pool: AVG_S1, convs: [['branch_pool', 192, 1, 1, P0]] },
];

/** InceptionD (Mixed_7a): grid reduction 17 → 8. */
const inceptionD = (): Branch[] => [
  { convs: [['branch3x3_1', 192, 1, 1, P0], ['branch3x3_2', 320, 3, 2, P0]] },
  {
    convs: [
      ['branch7x7x3_1', 192, 1, 1, P0], ['branch7x7x3_2', 192, [1, 7], 1, [0, 3]],
      ['branch7x7x3_3', 192, [7, 1], 1, [3, 0]], ['branch7x7x3_4', 192, 3, 2, P0],
    ],
  },
  { pool: MAX_S2, convs: [] },
];

/** InceptionE: expanded filter bank, 1×3 and 3×1 side by side. */
const inceptionE = (): Branch[] => [
  { convs: [['branch1x1', 320, 1, 1, P0]] },
  { splitLast: true, convs: [['branch3x3_1', 384, 1, 1, P0], ['branch3x3_2a', 384, [1, 3], 1, [0, 1]], ['branch3x3_2b', 384, [3, 1], 1, [1, 0]]] },
  {
    splitLast: true,
    convs: [
      ['branch3x3dbl_1', 448, 1, 1, P0], ['branch3x3dbl_2', 384, 3, 1, P1],
      ['branch3x3dbl_3a', 384, [1, 3], 1, [0, 1]], ['branch3x3dbl_3b', 384, [3, 1], 1, [1, 0]],
    ],
  },
  { pool: AVG_S1, convs: [['branch_pool', 192, 1, 1, P0]] },
];

/** Inception3.__init__ order: stem rows, then the Mixed blocks (AuxLogits sits after Mixed_6e, training only). */
type StemRow = readonly ['conv', string, number, number, number, number] | readonly ['maxpool', string];
const STEM: readonly StemRow[] = [
  ['conv', 'Conv2d_1a_3x3', 32, 3, 2, 0], ['conv', 'Conv2d_2a_3x3', 32, 3, 1, 0], ['conv', 'Conv2d_2b_3x3', 64, 3, 1, 1],
  ['maxpool', 'maxpool1'],
  ['conv', 'Conv2d_3b_1x1', 80, 1, 1, 0], ['conv', 'Conv2d_4a_3x3', 192, 3, 1, 0],
  ['maxpool', 'maxpool2'],
];
const MIXED: readonly (readonly [string, Branch[]])[] = [
  ['Mixed_5b', inceptionA(32)], ['Mixed_5c', inceptionA(64)], ['Mixed_5d', inceptionA(64)],
  ['Mixed_6a', inceptionB()],
  ['Mixed_6b', inceptionC(128)], ['Mixed_6c', inceptionC(160)], ['Mixed_6d', inceptionC(160)], ['Mixed_6e', inceptionC(192)],
  ['Mixed_7a', inceptionD()], ['Mixed_7b', inceptionE()], ['Mixed_7c', inceptionE()],
];

/** BasicConv2d with torchvision's explicit (h, w) padding. */
function basicConv(b: GraphBuilder, x: string, name: string, out: number, k: Kernel, s: number, pad: readonly [number, number]): string {
  return conv(b, x, name, out, k, s, { act: 'relu', padding: [pad[0], pad[1], pad[0], pad[1]] });
}

function mixedBlock(b: GraphBuilder, x: string, block: string, branches: readonly Branch[]): string {
  const outs = branches.map((br, bi) => {
    let h = x;
    if (br.pool) h = b.add(`${block}.${br.pool.op}_${bi}`, br.pool.op, h, { kernel: 3, stride: br.pool.stride, padding: br.pool.pad });
    const chain = br.splitLast ? br.convs.slice(0, -2) : br.convs;
    for (const [n, c, k, s, p] of chain) h = basicConv(b, h, `${block}.${n}`, c, k, s, p);
    if (!br.splitLast) return h;
    const pair = br.convs.slice(-2).map(([n, c, k, s, p]) => basicConv(b, h, `${block}.${n}`, c, k, s, p));
    return b.add(`${block}.${chain[chain.length - 1][0].replace(/_\d+$/, '')}_cat`, 'concat', pair, { axis: 1 });
  });
  return b.add(`${block}.cat`, 'concat', outs, { axis: 1 });
}

/** torchvision `Inception_V3_Weights` meta "min_size": (75, 75). */
const MIN_RESOLUTION = 75;

export function buildInceptionV3(o: BuildOptions, classes = 1000): Graph {
  if (o.resolution < MIN_RESOLUTION) {
    throw new EdgeplanError('bad_value', `inception-v3 needs a resolution of at least ${MIN_RESOLUTION}, got ${o.resolution}`, { fix: 'pass --resolution 299' });
  }
  const b = new GraphBuilder({ name: 'inception-v3', task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, source: 'zoo:inception-v3' });
  let x = b.input;
  for (const row of STEM) {
    x = row[0] === 'conv'
      ? basicConv(b, x, row[1], row[2], row[3], row[4], [row[5], row[5]])
      : b.add(row[1], 'max_pool', x, { kernel: 3, stride: 2, padding: 0 });
  }
  for (const [name, branches] of MIXED) x = mixedBlock(b, x, name, branches);
  // avgpool (adaptive 1×1) → dropout (identity at eval) → flatten → fc.
  x = b.add('avgpool', 'global_pool', x, { mode: 'avg' });
  x = b.add('flatten', 'flatten', x);
  b.add('fc', 'linear', x, { outFeatures: classes });
  return b.build();
}

export const inceptionEntries: readonly ZooEntry[] = [
  { id: 'inception-v3', aliases: ['inception_v3', 'inceptionv3'], task: 'classification', resolution: 299, resizable: true, reference: 'torchvision/models/inception.py (Inception3, eval graph without AuxLogits)', build: (o) => buildInceptionV3(o) },
];
