import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { NETWORK_DROP_PCT, PRUNE_DROP_COEF, SPARSE24_DROP_PCT, buildAccuracyModel } from '../../src/plan/accuracy.ts';
import { buildZooModel } from '../../src/zoo/index.ts';
import { fitAccuracyProxy } from '../../scripts/lib/accuracy-proxy-fit.ts';

const DATA = existsSync('../shared/data/accuracy-drop.csv') ? '../shared/data/accuracy-drop.csv' : 'test/fixtures/accuracy-drop.csv';

describe('accuracy proxy', () => {
  it('its constants are the ones scripts/fit-accuracy-proxy.ts derives from accuracy-drop.csv', () => {
    const fit = fitAccuracyProxy(parse(readFileSync(DATA, 'utf8'), { columns: true }));
    expect(NETWORK_DROP_PCT.int8).toBeCloseTo(fit.int8MedianPct, 2);
    expect(NETWORK_DROP_PCT.int4).toBeCloseTo(fit.int4MedianPct, 2);
    expect(PRUNE_DROP_COEF).toBeCloseTo(fit.pruneCoef, 2);
    expect(SPARSE24_DROP_PCT).toBeCloseTo(fit.sparse50MedianPct, 2);
    expect(fit.int8Rows).toBeGreaterThanOrEqual(20);
  });

  it('quantizing every layer costs the network-wide figure; first/last and depthwise layers weigh more', () => {
    const g = buildZooModel('mobilenet-v2');
    const acc = buildAccuracyModel(g, new Map());
    const weighted = g.layers.filter((l) => l.weightElements > 0 && l.macs > 0);
    const all = weighted.reduce((s, l) => s + acc.precisionDrop(l.name, 'int8'), 0);
    expect(all).toBeCloseTo(NETWORK_DROP_PCT.int8, 6);
    expect(acc.precisionDrop(weighted[0].name, 'fp32')).toBe(0);
    const perWeight = (name: string) => acc.precisionDrop(name, 'int4') / g.layers.find((l) => l.name === name)!.weightElements;
    const dw = weighted.find((l) => l.op === 'depthwise_conv2d' && l !== weighted[0])!;
    const pw = weighted.find((l) => l.op === 'conv2d' && l !== weighted[0] && l !== weighted[weighted.length - 1])!;
    expect(perWeight(weighted[0].name)).toBeCloseTo(3 * perWeight(pw.name), 9);
    expect(perWeight(dw.name)).toBeCloseTo(2 * perWeight(pw.name), 9);
  });

  it('a sensitivity entry overrides the default', () => {
    const g = buildZooModel('resnet-18');
    const acc = buildAccuracyModel(g, new Map(), [{ layer: 'conv1', choice: 'int8', dropPct: 1.7 }]);
    expect(acc.precisionDrop('conv1', 'int8')).toBe(1.7);
  });
});
