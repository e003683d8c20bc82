import type { KeyboardEvent, MouseEvent, ReactNode, SVGProps } from 'react';
import { svgRootSize } from './chart-common';
import type { CellPaint, HeatmapLayout, LaidOutCell } from './heatmap-layout';
import { COMPARE_COLORS } from './palette';

/**
 * Maps a `HeatmapLayout` to SVG elements. No hooks and no state, so it renders on the server (share pages, SVG
 * endpoints) as well as inside the interactive client wrapper, which passes the handlers.
 */
export interface HeatmapSvgProps {
  layout: HeatmapLayout;
  /** Prefix for pattern ids, unique per page. */
  idPrefix: string;
  /** Cell ids being compared, in order (their outline takes the compare colour of their position). */
  selectedIds?: readonly string[];
  /** Grid key (`col:row`) of the keyboard-focused cell. */
  focusedKey?: string | null;
  title?: string;
  onCellClick?: (cell: LaidOutCell, event: MouseEvent<SVGRectElement>) => void;
  onKeyDown?: (event: KeyboardEvent<SVGSVGElement>) => void;
  onFocus?: () => void;
}

function fillOf(paint: CellPaint, idPrefix: string): string {
  switch (paint.kind) {
    case 'value':
      return paint.fill;
    case 'pattern':
      return `url(#${idPrefix}-${paint.pattern})`;
    case 'empty':
      return '#ffffff';
  }
}

/** A fill pattern for a marked state: a `size` px tile of `background` with `mark` drawn over it. */
function Pattern(props: { id: string; size: number; background: string; mark: ReactNode }) {
  const size = String(props.size);
  return (
    <pattern id={props.id} width={size} height={size} patternUnits="userSpaceOnUse">
      <rect width={size} height={size} fill={props.background} />
      {props.mark}
    </pattern>
  );
}

export function HeatmapPatterns({ idPrefix }: { idPrefix: string }) {
  return (
    <defs>
      {/* Diverged: a black cross-hatch on white — not a colour of the viridis scale. */}
      <Pattern
        id={`${idPrefix}-diverged`}
        size={8}
        background="#ffffff"
        mark={<path d="M0,0L8,8M8,0L0,8" stroke="#111111" strokeWidth="1.2" />}
      />
      {/* Failed (trained but accuracy < 1.5/K): single diagonal hatch on light grey. */}
      <Pattern
        id={`${idPrefix}-failed`}
        size={6}
        background="#eeeeee"
        mark={<path d="M0,6L6,0" stroke="#555555" strokeWidth="1.2" />}
      />
      {/* Error or cancelled: dark grey with white dots. */}
      <Pattern
        id={`${idPrefix}-error`}
        size={6}
        background="#666666"
        mark={<circle cx="3" cy="3" r="1.1" fill="#ffffff" />}
      />
    </defs>
  );
}

function strokeFor(cell: LaidOutCell): {
  stroke?: string;
  strokeDasharray?: string;
  strokeWidth?: number;
} {
  if (cell.state === 'queued') return { stroke: '#8a8a8a', strokeDasharray: '3 2', strokeWidth: 1 };
  if (cell.state === 'running') return { stroke: '#222222', strokeDasharray: '2 2', strokeWidth: 1.5 };
  return {};
}

interface CellsProps {
  layout: HeatmapLayout;
  idPrefix: string;
  selectedIndex: ReadonlyMap<string, number>;
  focusedKey: string | null;
  onCellClick: HeatmapSvgProps['onCellClick'];
}

function CellRects({ layout, idPrefix, selectedIndex, focusedKey, onCellClick }: CellsProps) {
  return (
    <g className="cells">
      {layout.cells.map((c) => {
        const classes = [
          c.className,
          selectedIndex.has(c.cellId) ? 'cell--selected' : '',
          focusedKey === c.key ? 'cell--focused' : '',
        ]
          .filter(Boolean)
          .join(' ');
        return (
          <rect
            key={c.key}
            className={classes}
            data-key={c.key}
            data-cell-id={c.cellId}
            data-state={c.state}
            x={c.x}
            y={c.y}
            width={c.width}
            height={c.height}
            fill={fillOf(c.paint, idPrefix)}
            {...strokeFor(c)}
            onClick={onCellClick ? (e) => onCellClick(c, e) : undefined}
            style={onCellClick !== undefined ? { cursor: 'pointer' } : undefined}
          >
            <title>{c.title}</title>
          </rect>
        );
      })}
    </g>
  );
}

/** The frontier in red over a white casing (keeps it visible on dark viridis cells and for red-green colour blindness). */
function Boundary({ paths }: { paths: readonly string[] }) {
  return (
    <>
      {paths.map((d, i) => (
        <path
          key={`casing-${i}`}
          className="boundary-casing"
          d={d}
          fill="none"
          stroke="#ffffff"
          strokeWidth={5}
          strokeLinejoin="miter"
        />
      ))}
      {paths.map((d, i) => (
        <path
          key={i}
          className="boundary"
          d={d}
          fill="none"
          stroke="#d7191c"
          strokeWidth={2.5}
          strokeLinejoin="miter"
        />
      ))}
    </>
  );
}

/** A rectangle `inset` px inside a cell (negative: outside), unfilled, with the given stroke attributes. */
function InsetRect(props: {
  cell: LaidOutCell;
  inset: number;
  className?: string;
  stroke: Pick<SVGProps<SVGRectElement>, 'stroke' | 'strokeWidth' | 'strokeDasharray'>;
}) {
  const { cell: c, inset } = props;
  return (
    <rect
      className={props.className}
      x={c.x + inset}
      y={c.y + inset}
      width={Math.max(0, c.width - 2 * inset)}
      height={Math.max(0, c.height - 2 * inset)}
      fill="none"
      {...props.stroke}
    />
  );
}

/** The marks over one cell: running ring, compare outline with its number, focus ring. */
function CellMarks({ cell: c, sel, focused }: { cell: LaidOutCell; sel: number | undefined; focused: boolean }) {
  return (
    <g>
      {c.state === 'running' && (
        // A white dashed ring inside the dark dashed border, so a running cell reads as running on dark
        // and light viridis fills alike (and without colour vision).
        <InsetRect
          cell={c}
          inset={2}
          className="running-ring"
          stroke={{ stroke: '#ffffff', strokeWidth: 1.5, strokeDasharray: '2 2' }}
        />
      )}
      {sel !== undefined && (
        <>
          <InsetRect cell={c} inset={1} stroke={{ stroke: '#ffffff', strokeWidth: 3 }} />
          <InsetRect
            cell={c}
            inset={1}
            stroke={{ stroke: COMPARE_COLORS[sel % COMPARE_COLORS.length], strokeWidth: 2 }}
          />
          <text
            x={c.x + 4}
            y={c.y + 12}
            fontSize="10"
            fontWeight="700"
            fill="#ffffff"
            stroke="#000000"
            strokeWidth={0.6}
            paintOrder="stroke"
          >
            {sel + 1}
          </text>
        </>
      )}
      {focused && (
        <rect
          x={c.x - 1}
          y={c.y - 1}
          width={c.width + 2}
          height={c.height + 2}
          fill="none"
          stroke="#000000"
          strokeWidth={2}
          strokeDasharray="4 2"
          className="focus-ring"
        />
      )}
    </g>
  );
}

function Marks({ layout, selectedIndex, focusedKey }: Omit<CellsProps, 'idPrefix' | 'onCellClick'>) {
  return (
    <g className="marks" pointerEvents="none">
      {layout.cells.map((c) => {
        const sel = selectedIndex.get(c.cellId);
        const focused = focusedKey === c.key;
        if (sel === undefined && !focused && c.state !== 'running') return null;
        return <CellMarks key={c.key} cell={c} sel={sel} focused={focused} />;
      })}
    </g>
  );
}

function Axes({ layout }: { layout: HeatmapLayout }) {
  const { plot, xAxisLabel: xl, yAxisLabel: yl } = layout;
  return (
    <>
      <g className="axis axis--x" textAnchor="middle">
        {layout.xTicks.map((t) => (
          <text key={t.at} x={t.at} y={plot.y + plot.height + 14}>
            {t.label}
          </text>
        ))}
        <text x={xl.x} y={xl.y} fontSize="12">
          {xl.text}
        </text>
      </g>
      <g className="axis axis--y" textAnchor="end">
        {layout.yTicks.map((t) => (
          <text key={t.at} x={plot.x - 6} y={t.at + 4}>
            {t.label}
          </text>
        ))}
        <text x={yl.x} y={yl.y} fontSize="12" textAnchor="middle" transform={`rotate(-90 ${yl.x} ${yl.y})`}>
          {yl.text}
        </text>
      </g>
    </>
  );
}

function LegendGradient({ legend, idPrefix }: { legend: HeatmapLayout['legend']; idPrefix: string }) {
  return (
    <>
      <linearGradient id={`${idPrefix}-gradient`} x1="0" x2="1" y1="0" y2="0">
        {legend.stops.map((s) => (
          <stop key={s.offset} offset={s.offset} stopColor={s.color} />
        ))}
      </linearGradient>
      <rect x={legend.x} y={legend.y} width={legend.width} height={legend.height} fill={`url(#${idPrefix}-gradient)`} />
      {legend.ticks.map((t) => (
        <g key={t.x} className="legend-tick">
          <line x1={t.x} x2={t.x} y1={legend.y + legend.height} y2={legend.y + legend.height + 3} stroke="#333333" />
          <text x={t.x} y={legend.y + legend.height + 13} textAnchor="middle" fontSize="10">
            {t.label}
          </text>
        </g>
      ))}
    </>
  );
}

function Legend({ legend, idPrefix }: { legend: HeatmapLayout['legend']; idPrefix: string }) {
  return (
    <g className="legend">
      <text x={legend.x} y={legend.y - 4}>
        {legend.title}
      </text>
      {legend.stops.length > 0 && <LegendGradient legend={legend} idPrefix={idPrefix} />}
      {legend.swatches.map((s) => (
        <g key={s.state} className={`legend-swatch legend-swatch--${s.state}`}>
          <rect
            x={s.x}
            y={s.y}
            width={12}
            height={12}
            fill={fillOf(s.paint, idPrefix)}
            stroke={s.state === 'queued' || s.state === 'running' ? '#555555' : '#999999'}
            strokeDasharray={s.state === 'queued' ? '3 2' : s.state === 'running' ? '2 2' : undefined}
          />
          <text x={s.x + 16} y={s.y + 10} fontSize="10">
            {s.label}
          </text>
        </g>
      ))}
    </g>
  );
}

export function HeatmapSvg(props: HeatmapSvgProps) {
  const { layout, idPrefix, selectedIds = [], focusedKey = null } = props;
  const selectedIndex = new Map(selectedIds.map((id, i) => [id, i]));
  const interactive = props.onCellClick !== undefined;
  return (
    <svg
      {...svgRootSize(layout)}
      role={interactive ? 'grid' : 'img'}
      aria-label={props.title ?? 'heatmap'}
      tabIndex={interactive ? 0 : undefined}
      onKeyDown={props.onKeyDown}
      onFocus={props.onFocus}
      className="heatmap"
      fontFamily="system-ui, sans-serif"
      fontSize="11"
    >
      <HeatmapPatterns idPrefix={idPrefix} />
      <CellRects
        layout={layout}
        idPrefix={idPrefix}
        selectedIndex={selectedIndex}
        focusedKey={focusedKey}
        onCellClick={props.onCellClick}
      />
      <Boundary paths={layout.boundary} />
      <Marks layout={layout} selectedIndex={selectedIndex} focusedKey={focusedKey} />
      <Axes layout={layout} />
      <Legend legend={layout.legend} idPrefix={idPrefix} />
    </svg>
  );
}
