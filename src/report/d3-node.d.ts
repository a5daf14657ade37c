// d3-node ships no types and @types/d3 is not installed; charts.ts uses this minimal surface.
declare module 'd3-node' {
  export class D3Node {
    constructor(opts?: { styles?: string; selector?: string; container?: string });
    /** The d3 module (untyped here). */
    readonly d3: any;
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): any;
    svgString(): string;
  }
}
