import type { Graph } from '../graph/types.ts';

export interface BuildOptions {
  /** Square input side in pixels (image models) or the model's own input length. */
  readonly resolution: number;
  /** Channel width multiplier α (1.0 = the published network). */
  readonly widthMultiplier: number;
}

export interface ZooEntry {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly task: 'classification' | 'detection' | 'segmentation' | 'keyword-spotting' | 'anomaly-detection' | 'visual-wake-words';
  /** Default input side (the published eval resolution). */
  readonly resolution: number;
  readonly widthMultiplier?: number;
  /** Whether --resolution can change the graph (false for fixed-size MLPerf Tiny inputs). */
  readonly resizable: boolean;
  /** Where the exact layer recipe lives upstream. */
  readonly reference: string;
  readonly build: (opts: BuildOptions) => Graph;
}
