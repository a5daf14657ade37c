/** Options and results shared by the ONNX and TFLite importers. */
import type { Graph } from '../graph/types.ts';

export interface ImportOptions {
  /** Side used for every dynamic spatial input dimension (required when the file leaves H/W open). */
  readonly resolution?: number;
  /** Height and width for dynamic spatial dimensions when they differ (API only; wins over resolution). */
  readonly inputSize?: readonly [number, number];
  /**
   * Reads an ONNX external-data file named relative to the model file; `undefined` when it is
   * missing. The importer itself never touches the file system.
   */
  readonly readExternal?: (location: string) => Uint8Array | undefined;
}

export interface ImportResult {
  readonly graph: Graph;
  /** Unknown or approximated ops, one sentence each (the CLI prints them as warnings). */
  readonly warnings: readonly string[];
  /**
   * Weight elements stored in the file (non-scalar float/int8 constants, dense-equivalent for sparse
   * TFLite tensors): the convention of shared/research/shipped-models.md. Differs from the graph's
   * params by BN running statistics and constants the IR folds away.
   */
  readonly storedParams: number;
  /** Dtype the weights are stored in (fp16 weights are dequantised to fp32 at load). */
  readonly weightDtype: 'fp32' | 'fp16' | 'int8' | 'mixed';
}
