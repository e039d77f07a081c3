/**
 * Splitting and merging a stock parcel from its page (land-supply staff, an available parcel):
 * a split along a dividing line clicked on the location map (POST /api/stock-parcels/{code}/split
 * with `line`), or a merge with neighbours named by code (POST /api/stock-parcels/merge). The
 * server checks the result (pieces inside, not overlapping, covering the parcel; merged parcels
 * touching, of one county, category and use) and says why it refuses; the new parcels are linked.
 */
import { useState, type FormEvent } from 'react';
import { StockReshapeResponse } from '../../../core/contracts/ledger.ts';
import { asApiError, postJson, type ApiError } from '../http.ts';
import { useT, withLang } from '../i18n.ts';
import { parcelPath } from './api.ts';

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

export interface SplitDrawing {
  /** The vertices clicked so far, [lon, lat]. */
  points: [number, number][];
  /** Whether clicks on the map add vertices. */
  active: boolean;
}

/** After a split or merge: the parcel retired, the new parcels linked. */
export function Reshaped(props: { codes: string[] }) {
  const { t, lang } = useT();
  return (
    <p className="stock-saved" role="status" data-testid="reshape-done">
      {t('rsDone')}{' '}
      {props.codes.map((c) => (
        <a key={c} href={withLang(parcelPath(c), lang)} data-code={c}>
          {c}
        </a>
      ))}
    </p>
  );
}

export function ReshapeForm(props: { code: string; drawing: SplitDrawing; onDrawing: (d: SplitDrawing) => void; onReshaped: (children: string[]) => void }) {
  const { t, lang } = useT();
  const [mode, setMode] = useState<'split' | 'merge'>('split');
  const [f, setF] = useState<Record<string, string>>({ eventDate: today() });
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'error'; error: ApiError }>({ kind: 'idle' });
  const set = (k: string) => (e: { target: { value: string } }) => setF((o) => ({ ...o, [k]: e.target.value }));
  const { points, active } = props.drawing;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ kind: 'busy' });
    const common = { eventDate: f.eventDate ?? '', docNo: f.docNo ?? '', ...(f.note ? { note: f.note } : {}) };
    try {
      const r =
        mode === 'split'
          ? await postJson(`/api/stock-parcels/${encodeURIComponent(props.code)}/split`, { ...common, line: { type: 'LineString', coordinates: points } }, { lang, schema: StockReshapeResponse })
          : await postJson(
              '/api/stock-parcels/merge',
              { ...common, parents: [props.code, ...(f.others ?? '').split(/[\s,，、;；]+/).filter(Boolean)], ...(f.name ? { name: f.name } : {}) },
              { lang, schema: StockReshapeResponse },
            );
      setState({ kind: 'idle' });
      props.onDrawing({ points: [], active: false });
      // the parcel is retired now: the page says so and links the new parcels (this form goes)
      props.onReshaped(r.children);
    } catch (err) {
      setState({ kind: 'error', error: asApiError(err) });
    }
  };
  const text = (key: string, label: Parameters<typeof t>[0], type = 'text') => (
    <label key={key}>
      {t(label)}
      <input name={key} type={type} value={f[key] ?? ''} onChange={set(key)} />
    </label>
  );
  return (
    <form className="stock-ledger-form" data-testid="reshape-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('rsTitle')}</h3>
      <label>
        {t('lgKind')}
        <select name="mode" value={mode} onChange={(e) => setMode(e.target.value as 'split' | 'merge')}>
          <option value="split">{t('rsSplit')}</option>
          <option value="merge">{t('rsMerge')}</option>
        </select>
      </label>
      {mode === 'split' ? (
        <p className="stock-note" data-testid="split-drawing" data-points={points.length} data-active={String(active)}>
          {active ? t('rsDrawing', { n: points.length }) : points.length ? t('rsDrawn', { n: points.length }) : t('rsDrawHelp')}{' '}
          <button type="button" data-testid="split-draw" onClick={() => props.onDrawing({ points: active ? points : [], active: !active })}>
            {active ? t('rsFinish') : t('rsDraw')}
          </button>{' '}
          {points.length > 0 && (
            <button type="button" data-testid="split-clear" onClick={() => props.onDrawing({ points: [], active: false })}>
              {t('rsClear')}
            </button>
          )}
        </p>
      ) : (
        <>
          <p className="stock-note">{t('rsMergeHelp')}</p>
          {text('others', 'rsOthers')}
          {text('name', 'rsName')}
        </>
      )}
      {text('eventDate', 'lgDate', 'date')}
      {text('docNo', 'lgDocNo')}
      {text('note', 'lgNote')}
      <button type="submit" disabled={state.kind === 'busy' || (mode === 'split' && points.length < 2)} data-testid="reshape-submit">
        {mode === 'split' ? t('rsSplit') : t('rsMerge')}
      </button>
      {state.kind === 'error' && (
        <p className="stock-error" role="alert" data-testid="reshape-error">
          {state.error.message}
        </p>
      )}
    </form>
  );
}
