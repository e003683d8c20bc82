import { formatEtaInUnits, formatNumber } from '../../../server/core/heatmap';
import { isRelativeGrid } from '../../../server/core/sweep-spec';
import { type SweepView } from '../../../server/api/routers/sweeps';
import { COMPARE_COLORS } from '../../charts/palette';
import { type SweepViewState } from '../../lib/view-state';

/** The share viewer's table of the selected cells: η (in grid units and absolute), T_wrm, state, key numbers. */
export function SelectedCells({ data, view }: { data: SweepView; view: SweepViewState }) {
  const relative = isRelativeGrid(data.sweep.spec);
  if (view.cells.length === 0)
    return <p className="muted">No cell selected. Click a cell to select it; Shift+click to compare up to four.</p>;
  return (
    <table
      className="selected-cells"
      aria-label="selected cells"
      cellPadding={4}
      style={{ borderCollapse: 'collapse', margin: '8px 0', fontSize: 13, textAlign: 'left' }}
    >
      <thead>
        <tr>
          <th>#</th>
          <th>cell</th>
          <th>{relative ? 'η_trgt · λ0' : 'η_trgt'}</th>
          <th>η_trgt</th>
          <th>T_wrm</th>
          <th>state</th>
          <th>final train loss</th>
          <th>best train loss</th>
          <th>final test acc.</th>
          <th>diverged at step</th>
        </tr>
      </thead>
      <tbody>
        {view.cells.map((id, i) => (
          <SelectedCellRow key={id} id={id} index={i} cell={data.cells.find((x) => x.cellId === id)} />
        ))}
      </tbody>
    </table>
  );
}

function SelectedCellRow({
  id,
  index,
  cell: c,
}: {
  id: string;
  index: number;
  cell: SweepView['cells'][number] | undefined;
}) {
  const v = (k: string) => {
    const x = c?.values[k];
    return x === undefined ? '—' : formatNumber(x);
  };
  return (
    <tr data-testid="selected-cell" data-cell-id={id}>
      <td>
        <span
          style={{
            display: 'inline-block',
            width: 10,
            height: 10,
            background: COMPARE_COLORS[index % COMPARE_COLORS.length],
            marginRight: 4,
          }}
        />
        {index + 1}
      </td>
      <td>
        <code>{id}</code>
      </td>
      {c ? (
        <>
          <td>{formatEtaInUnits(c)}</td>
          <td>{c.etaTrgt === null ? 'pending λ0' : formatNumber(c.etaTrgt)}</td>
          <td>{c.warmupSteps}</td>
          <td data-testid="selected-cell-state">{c.state}</td>
          <td>{v('finalTrainLoss')}</td>
          <td>{v('bestTrainLoss')}</td>
          <td>{v('finalTestAcc')}</td>
          <td>{c.divergedAtStep ?? '—'}</td>
        </>
      ) : (
        <td colSpan={8} className="muted">
          not a cell of this sweep
        </td>
      )}
    </tr>
  );
}
