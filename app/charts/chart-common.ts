/** Small helpers shared by the chart layouts and their SVG components. */

/** Round to 0.01 px so layouts compare and snapshot stably. */
export function roundPx(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The root attributes of a chart's `<svg>` sized `width × height` (in this order, so markup stays stable). */
export function svgRootSize(size: { width: number; height: number }): {
  xmlns: string;
  width: number;
  height: number;
  viewBox: string;
} {
  return {
    xmlns: 'http://www.w3.org/2000/svg',
    width: size.width,
    height: size.height,
    viewBox: `0 0 ${size.width} ${size.height}`,
  };
}
