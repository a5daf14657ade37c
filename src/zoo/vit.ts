/**
 * Vision Transformer ViT-B/16: torchvision/models/vision_transformer.py (`vit_b_16`:
 * patch_size 16, num_layers 12, num_heads 12, hidden_dim 768, mlp_dim 3072), model-reference.md §1.
 * Check values at 224: 86,567,656 params, 17.564 GMACs (linear 11.16 + attention 6.29 + patch conv 0.12).
 *
 * The two learned tensors that are not in any layer — `class_token` [1, 1, D] and
 * `encoder.pos_embedding` [1, L, D] — are modelled as `opaque` layers that carry their params
 * (no MACs): `class_token` is `torch.cat([class_token.expand(n), x], dim=1)` and
 * `encoder.pos_embedding` is the element-wise `x + pos_embedding`. At a resolution other than the
 * trained one the position embedding is assumed interpolated to the new L (torchvision
 * `interpolate_embeddings`), so its param count follows L.
 * widthMultiplier does not apply to ViT (no width multiplier upstream); it is ignored.
 */
import { GraphBuilder } from '../graph/build.ts';
import type { Graph } from '../graph/types.ts';
import { EdgeplanError } from '../errors/index.ts';
import { imageInput } from './blocks.ts';
import type { BuildOptions, ZooEntry } from './types.ts';

interface VitConfig {
  readonly patchPx: number;
  readonly layers: number;
  readonly heads: number;
  readonly hiddenDim: number;
  readonly mlpDim: number;
}

/** torchvision/models/vision_transformer.py `vit_b_16(...)` arguments. */
const VIT_B_16: VitConfig = { patchPx: 16, layers: 12, heads: 12, hiddenDim: 768, mlpDim: 3072 };

export function buildVit(id: string, cfg: VitConfig, o: BuildOptions, classes = 1000): Graph {
  const patchesPerSide = Math.floor(o.resolution / cfg.patchPx);
  if (patchesPerSide < 1) {
    throw new EdgeplanError('bad_value', `${id} needs a resolution of at least ${cfg.patchPx} (one ${cfg.patchPx}-px patch), got ${o.resolution}`, { fix: `pass --resolution ${cfg.patchPx * 14}` });
  }
  const d = cfg.hiddenDim;
  const tokens = patchesPerSide * patchesPerSide + 1; // + class token
  const b = new GraphBuilder({ name: id, task: 'classification', inputs: imageInput(o.resolution), resolution: o.resolution, source: `zoo:${id}` });

  // _process_input: conv_proj (k = s = patch, bias) → reshape [n, D, h·w] → permute to [n, h·w, D].
  let x = b.add('conv_proj', 'conv2d', b.input, { outChannels: d, kernel: cfg.patchPx, stride: cfg.patchPx, padding: 'valid', bias: true });
  x = b.add('conv_proj.reshape', 'reshape', x, { shape: [1, d, patchesPerSide * patchesPerSide] });
  x = b.add('conv_proj.permute', 'transpose', x, { perm: [0, 2, 1] });
  x = b.add('class_token', 'opaque', x, { outputShape: [1, tokens, d], paramCount: d, opaqueType: 'class_token_concat' });
  x = b.add('encoder.pos_embedding', 'opaque', x, { outputShape: [1, tokens, d], paramCount: tokens * d, opaqueType: 'pos_embedding_add' });

  // EncoderBlock: x + attn(ln_1(x)); then y + mlp(ln_2(y)), MLPBlock = Linear → GELU → Linear.
  for (let i = 0; i < cfg.layers; i++) {
    const name = `encoder.layers.encoder_layer_${i}`;
    let h = b.add(`${name}.ln_1`, 'layernorm', x);
    h = b.add(`${name}.self_attention`, 'attention', h, { heads: cfg.heads });
    const y = b.add(`${name}.add_1`, 'add', [x, h]);
    h = b.add(`${name}.ln_2`, 'layernorm', y);
    h = b.add(`${name}.mlp.0`, 'linear', h, { outFeatures: cfg.mlpDim, activation: 'gelu' });
    h = b.add(`${name}.mlp.3`, 'linear', h, { outFeatures: d });
    x = b.add(`${name}.add_2`, 'add', [y, h]);
  }
  x = b.add('encoder.ln', 'layernorm', x);
  // forward(): x[:, 0] — the class token only feeds the head.
  x = b.add('class_token.select', 'slice', x, { axis: 1, start: 0, end: 1 });
  x = b.add('class_token.flatten', 'flatten', x);
  b.add('heads.head', 'linear', x, { outFeatures: classes });
  return b.build();
}

export const vitEntries: readonly ZooEntry[] = [
  { id: 'vit-b-16', aliases: ['vit_b_16', 'vit-b16'], task: 'classification', resolution: 224, resizable: true, reference: 'torchvision/models/vision_transformer.py (vit_b_16)', build: (o) => buildVit('vit-b-16', VIT_B_16, o) },
];
