import { svgRootSize } from './chart-common';
import type { LineChartLayout } from './line-chart-layout';

/** Maps a `LineChartLayout` to SVG (no hooks: renders on the server too). */
export function LineChartSvg({ layout, title }: { layout: LineChartLayout; title: string }) {
  const { plot } = layout;
  return (
    <svg
      {...svgRootSize(layout)}
      role="img"
      aria-label={title}
      className="line-chart"
      fontFamily="system-ui, sans-serif"
      fontSize="10"
    >
      <rect x={plot.x} y={plot.y} width={plot.width} height={plot.height} fill="#ffffff" stroke="#c8cacf" />
      <g className="axis axis--y" textAnchor="end">
        {layout.yTicks.map((t) => (
          <g key={`y${t.at}`}>
            <line x1={plot.x} x2={plot.x + plot.width} y1={t.at} y2={t.at} stroke="#eeeeee" />
            <text x={plot.x - 4} y={t.at + 3}>
              {t.label}
            </text>
          </g>
        ))}
      </g>
      <g className="axis axis--x" textAnchor="middle">
        {layout.xTicks.map((t) => (
          <text key={`x${t.at}`} x={t.at} y={plot.y + plot.height + 13}>
            {t.label}
          </text>
        ))}
      </g>
      <g className="markers">
        {layout.markers.map((mk, i) => (
          <line
            key={`${mk.kind}-${mk.step}-${i}`}
            className={`marker marker--${mk.kind}`}
            x1={mk.x}
            x2={mk.x}
            y1={plot.y}
            y2={plot.y + plot.height}
            stroke={mk.color}
            strokeWidth={mk.kind === 'step' ? 1 : 1.5}
            strokeDasharray={mk.kind === 'catapult' ? '2 2' : mk.kind === 'warmup-end' ? '5 3' : undefined}
          >
            <title>{`${mk.kind} at step ${mk.step}`}</title>
          </line>
        ))}
      </g>
      <g className="lines" fill="none">
        {layout.lines.map((l) => (
          <path
            key={l.key}
            className={l.reference ? 'line line--reference' : 'line'}
            data-key={l.key}
            d={l.d}
            stroke={l.color}
            strokeWidth={l.reference ? 1 : 1.6}
            strokeDasharray={l.dashed ? '4 3' : undefined}
          >
            <title>{l.label}</title>
          </path>
        ))}
      </g>
      <g className="breaks">
        {layout.lines.flatMap((l) =>
          l.breaks.map((b) => (
            <g key={`${l.key}-${b.step}`} className="divergence-mark" transform={`translate(${b.x},${b.y})`}>
              <path d="M-4,-4L4,4M4,-4L-4,4" stroke={l.color} strokeWidth={2} />
              <title>{`${l.label}: non-finite from step ${b.step}`}</title>
            </g>
          )),
        )}
      </g>
      {layout.empty && (
        <text x={plot.x + plot.width / 2} y={plot.y + plot.height / 2} textAnchor="middle" fill="#777777">
          not measured
        </text>
      )}
    </svg>
  );
}
