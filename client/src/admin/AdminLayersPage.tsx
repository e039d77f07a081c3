/**
 * 图层数据: each control layer's served version and history; importing a new version (upload
 * with progress → the server's check with progress → the summary: count, extent, area against
 * the served version, fields read, problems by feature → 确认替换 or 取消 → progress → the new
 * version) and restoring an archived one. A failed or cancelled replacement says the previous
 * version is still served.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { EncodingOptions } from '../EncodingOptions.tsx';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import type { ImportableLayer, LayerJob, LayerVersion, ManagedLayer } from '../../../core/contracts/layer-admin.ts';
import type { AreaUnits } from '../../../core/units.ts';
import { layers } from '../../../core/layers.ts';
import { dataProps, pick, pickField, translate, translateOr, type Lang } from '../i18n.ts';
import { getJson, postJson, upload } from '../http.ts';
import { beijingTime as beijing, formatAreaUnits, formatCount, formatLonLat } from '../format.ts';
import type { AdminNav } from './AdminApp.tsx';

const area = (a: AreaUnits, lang: Lang) => formatAreaUnits(a, lang);

function Progress(props: { value: number; label: string }) {
  return (
    <div className="admin-progress" data-testid="layer-progress">
      <progress max={1} value={props.value} />
      <span>
        {props.label} {Math.round(props.value * 100)}%
      </span>
    </div>
  );
}

/** Uploads the file (with its upload progress) and answers the job. */
function uploadLayerFile(url: string, file: File, lang: Lang, onProgress: (share: number) => void): Promise<LayerJob> {
  const form = new FormData();
  form.append('file', file);
  return upload<LayerJob>(url, form, { lang, onProgress });
}

/** A version's note: the server's own in the page's language, an administrator's as data. */
function VersionNote(props: { v: LayerVersion; lang: Lang }) {
  const { v, lang } = props;
  if (lang === 'en' && v.noteEn !== null) return <>{v.noteEn}</>;
  return <span {...dataProps(v.note)}>{v.note}</span>;
}

function VersionRow(props: { v: LayerVersion; lang: Lang; busy: boolean; onRestore: () => void }) {
  const { v, lang } = props;
  return (
    <tr data-version={v.versionNo} data-state={v.state}>
      <td>{translate(lang, 'adVersionNo', { versionNo: v.versionNo })}</td>
      <td>{v.state === 'active' ? <strong>{translate(lang, 'adServed')}</strong> : translate(lang, 'adArchived')}</td>
      <td data-field="count">{formatCount(v.featureCount)}</td>
      <td>{area(v.area, lang)}</td>
      <td>{v.fileName !== null ? <span {...dataProps(v.fileName)}>{v.fileName}</span> : v.note ? <VersionNote v={v} lang={lang} /> : '—'}</td>
      <td>{v.createdBy === null ? '—' : <span {...dataProps(v.createdBy)}>{v.createdBy}</span>}</td>
      <td>{beijing(v.createdAt)}</td>
      <td>{v.fileName && v.note ? <VersionNote v={v} lang={lang} /> : ''}</td>
      <td>
        {v.state === 'archived' && (
          <button type="button" data-action="restore" disabled={props.busy} onClick={props.onRestore}>
            {translate(lang, 'adRestore')}
          </button>
        )}
      </td>
    </tr>
  );
}


/** A layer's column by its attribute's label (县区代码, "County code"), not its database name. */
export function columnLabel(layerId: string, column: string, lang: Lang): string {
  const attribute = layers.find((l) => l.id === layerId)?.attributes.find((a) => a.name === column);
  return attribute ? pickField(attribute, 'label', lang) : column;
}

function Summary(props: { job: LayerJob; lang: Lang }) {
  const { lang } = props;
  const s = props.job.summary!;
  const diff = s.featureCount - s.replaces.featureCount;
  return (
    <div className="admin-summary" data-testid="layer-summary">
      <h4>{translate(lang, 'adCheckResult')}</h4>
      <dl>
        <dt>{translate(lang, 'adFile')}</dt>
        <dd>
          <span {...dataProps(s.fileName)}>{s.fileName}</span>
          {translate(lang, 'open')}
          {s.detected.format}
          {translate(lang, 'comma')}
          {s.detected.crs}
          {s.detected.encoding ? `${translate(lang, 'comma')}${s.detected.encoding}` : ''}
          {translate(lang, 'close')}
        </dd>
        <dt>{translate(lang, 'adFeatures')}</dt>
        <dd data-field="count">
          {translate(lang, 'adFileImport', { rows: s.rows, featureCount: s.featureCount })}
          {s.problemCount > 0 && translate(lang, 'adFileLeftOut', { n: s.problems.filter((p) => p.outcome === 'excluded').length })}
        </dd>
        <dt>{translate(lang, 'adTotalArea')}</dt>
        <dd data-field="area">{area(s.area, lang)}</dd>
        <dt>{translate(lang, 'adReplaces')}</dt>
        <dd data-field="replaces">
          {translate(lang, 'adReplacesVersion', { versionNo: s.replaces.versionNo, featureCount: s.replaces.featureCount, area: area(s.replaces.area, lang) })}
          {translate(lang, 'open')}
          {diff >= 0 ? '+' : ''}
          {diff}
          {translate(lang, 'close')}
        </dd>
        <dt>{translate(lang, 'adExtent')}</dt>
        <dd>{s.bbox ? `${formatLonLat(s.bbox.slice(0, 2), 5)}, ${formatLonLat(s.bbox.slice(2), 5)}` : '—'}</dd>
        <dt>{translate(lang, 'adFieldsRead')}</dt>
        <dd data-field="fields">
          {Object.entries(s.fields)
            .map(([col, f]) => `${columnLabel(props.job.layer, col, lang)} ← ${f || translateOr(lang, `adDefault_${col}`, translate(lang, 'adDefault'))}`)
            .join(translate(lang, 'semicolon'))}
        </dd>
        <dt>{translate(lang, 'adUnmappedFields')}</dt>
        <dd data-field="unmapped">{s.unmappedFields.length ? <span data-i18n="data">{s.unmappedFields.join('、')}</span> : translate(lang, 'adUnmappedNone')}</dd>
      </dl>
      {s.warnings.length > 0 && (
        <ul className="admin-warnings">
          {s.warnings.map((x, i) => (
            <li key={i}>{pick(x, lang)}</li>
          ))}
        </ul>
      )}
      {s.problems.length > 0 && (
        <table className="admin-table" data-testid="layer-problems">
          <thead>
            <tr>
              <th>{translate(lang, 'adRow')}</th>
              <th>{translate(lang, 'adCode')}</th>
              <th>{translate(lang, 'adOutcome')}</th>
              <th>{translate(lang, 'adReasons')}</th>
            </tr>
          </thead>
          <tbody>
            {s.problems.map((p) => (
              <tr key={p.row} data-row={p.row} data-outcome={p.outcome}>
                <td>{p.row}</td>
                <td>{p.code ?? '—'}</td>
                <td>{p.outcome === 'excluded' ? translate(lang, 'adOutcomeLeftOut') : translate(lang, 'adRepaired')}</td>
                <td>{p.reasons.map((r) => pick(r, lang)).join(translate(lang, 'semicolon'))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.problemCount > s.problems.length && <p>{translate(lang, 'adMoreProblems', { n: s.problemCount - s.problems.length })}</p>}
    </div>
  );
}

function LayerCard(props: { layer: ManagedLayer; lang: Lang; onChanged: () => void }) {
  const { layer, lang } = props;
  const [file, setFile] = useState<File | null>(null);
  const [repair, setRepair] = useState(false);
  const [crs, setCrs] = useState('');
  const [encoding, setEncoding] = useState('');
  const [note, setNote] = useState('');
  const [uploading, setUploading] = useState<number | null>(null);
  const [job, setJob] = useState<LayerJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | null>(null);

  const follow = useCallback(
    (jobId: string) => {
      const tick = async () => {
        try {
          const j = await getJson<LayerJob>(`/api/admin/layer-jobs/${jobId}`, { lang });
          setJob(j);
          if (j.phase === 'done') props.onChanged();
          if (['reading', 'checking', 'replacing', 'refreshing'].includes(j.phase)) timer.current = window.setTimeout(() => void tick(), 400);
        } catch (e) {
          setError((e as Error).message);
        }
      };
      void tick();
    },
    [lang, props],
  );
  useEffect(() => () => void (timer.current && window.clearTimeout(timer.current)), []);

  const start = async () => {
    if (!file) return;
    setError(null);
    setJob(null);
    setUploading(0);
    const qs = new URLSearchParams({ ...(repair ? { repair: 'true' } : {}), ...(crs ? { crs } : {}), ...(encoding ? { encoding } : {}) }).toString();
    try {
      const j = await uploadLayerFile(`/api/admin/layers/${layer.layer}/imports${qs ? `?${qs}` : ''}`, file, lang, (share) => setUploading(share));
      setJob(j);
      follow(j.jobId);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setUploading(null);
    }
  };

  const post = async (url: string, body?: object) => {
    setError(null);
    try {
      const j = await postJson<LayerJob>(url, body ?? {}, { lang });
      setJob(j);
      follow(j.jobId);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const running = uploading !== null || (job !== null && ['reading', 'checking', 'replacing', 'refreshing'].includes(job.phase));
  const name = pickField(layer, 'name', lang);

  return (
    <article className="admin-layer" data-layer={layer.layer}>
      <h3>{name}</h3>
      <p className="admin-active" data-testid="layer-active">
        {translate(lang, 'adServedNow', { versionNo: layer.active.versionNo, featureCount: formatCount(layer.active.featureCount), area: area(layer.active.area, lang) })}
      </p>
      <table className="admin-table admin-versions" data-testid="layer-versions">
        <thead>
          <tr>
            <th>{translate(lang, 'adVersion')}</th>
            <th>{translate(lang, 'adState')}</th>
            <th>{translate(lang, 'adFeatureCount')}</th>
            <th>{translate(lang, 'adArea')}</th>
            <th>{translate(lang, 'adSource')}</th>
            <th>{translate(lang, 'adBy')}</th>
            <th>{translate(lang, 'adWhen')}</th>
            <th>{translate(lang, 'adNote')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {layer.versions.map((v) => (
            <VersionRow
              key={v.versionNo}
              v={v}
              lang={lang}
              busy={running}
              onRestore={() => {
                if (!window.confirm(translate(lang, 'adRestoreConfirm', { name, versionNo: v.versionNo, versionNo2: layer.active.versionNo }))) return;
                void post(`/api/admin/layers/${layer.layer}/versions/${v.versionNo}/restore`);
              }}
            />
          ))}
        </tbody>
      </table>

      <div className="admin-import">
        <h4>{translate(lang, 'adImportNewVersion')}</h4>
        <div className="admin-import-row">
          <input type="file" accept=".zip,.geojson,.json,.gpkg" data-testid="layer-file" disabled={running} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <label>
            {translate(lang, 'adCRS')}
            <select value={crs} onChange={(e) => setCrs(e.target.value)} disabled={running}>
              <option value="">{translate(lang, 'adDetect')}</option>
              <option value="EPSG:4490">{translate(lang, 'adCrs4490')}</option>
              <option value="EPSG:4326">{translate(lang, 'adCrs4326')}</option>
              <option value="EPSG:4526">{translate(lang, 'adCrs4526')}</option>
            </select>
          </label>
          <label>
            {translate(lang, 'adEncoding')}
            <select value={encoding} onChange={(e) => setEncoding(e.target.value)} disabled={running}>
              <option value="">{translate(lang, 'adDetect')}</option>
              <EncodingOptions />
            </select>
          </label>
          <label>
            <input type="checkbox" checked={repair} onChange={(e) => setRepair(e.target.checked)} disabled={running} /> {translate(lang, 'adRepairInvalidPolygons')}
          </label>
          <button type="button" data-action="check" disabled={!file || running} onClick={() => void start()}>
            {translate(lang, 'adUploadCheck')}
          </button>
        </div>
        {uploading !== null && <Progress value={uploading} label={translate(lang, 'adUploading')} />}
        {job && ['reading', 'checking', 'replacing', 'refreshing'].includes(job.phase) && <Progress value={job.progress} label={job.phaseZh} />}
        {error && (
          <p className="admin-notice admin-notice-error" role="alert" data-testid="layer-error">
            {error}
          </p>
        )}
        {job?.summary && job.kind === 'import' && ['ready', 'replacing', 'refreshing'].includes(job.phase) && <Summary job={job} lang={lang} />}
        {job?.phase === 'ready' && (
          <div className="admin-confirm">
            <label>
              {translate(lang, 'adNoteOptional')}
              <input value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} data-testid="layer-note" />
            </label>
            <button type="button" data-action="commit" disabled={job.summary!.featureCount === 0} onClick={() => void post(`/api/admin/layer-jobs/${job.jobId}/commit`, note ? { note } : {})}>
              {translate(lang, 'adReplaceLayer')}
            </button>
            <button type="button" data-action="cancel" onClick={() => void post(`/api/admin/layer-jobs/${job.jobId}/cancel`)}>
              {translate(lang, 'adCancel')}
            </button>
          </div>
        )}
        {job?.phase === 'replacing' && (
          <button type="button" data-action="cancel" onClick={() => void post(`/api/admin/layer-jobs/${job.jobId}/cancel`)}>
            {translate(lang, 'adCancelReplacement')}
          </button>
        )}
        {job?.phase === 'done' && (
          <p className="admin-notice admin-notice-ok" role="status" data-testid="layer-done">
            {job.kind === 'import'
              ? translate(lang, 'adReplaced', { name, versionNo: job.versionNo ?? '' })
              : translate(lang, 'adRestored', { name, versionNo: job.versionNo ?? '' })}
          </p>
        )}
        {job?.phase === 'cancelled' && (
          <p className="admin-notice" role="status" data-testid="layer-cancelled">
            {translate(lang, 'adCancelled', { name, versionNo: layer.active.versionNo })}
          </p>
        )}
        {job?.phase === 'failed' && (
          <p className="admin-notice admin-notice-error" role="alert" data-testid="layer-failed">
            {job.error?.message} {translate(lang, 'adStillServed', { name, versionNo: layer.active.versionNo })}
          </p>
        )}
      </div>
    </article>
  );
}

export function AdminLayersPage(props: { lang: Lang; nav: AdminNav; me: UserInfo }) {
  const { lang } = props;
  const [layers, setLayers] = useState<ManagedLayer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    getJson<{ layers: ManagedLayer[] }>('/api/admin/layers', { lang })
      .then((r) => setLayers(r.layers))
      .catch((e: Error) => setError(e.message));
  }, [lang]);
  useEffect(load, [load]);
  return (
    <section className="admin-section" data-testid="admin-layers">
      <h2>{translate(lang, 'adLayers')}</h2>
      <p className="admin-hint">
        {translate(lang, 'adLayersHint')}
      </p>
      {error && (
        <p className="admin-notice admin-notice-error" role="alert">
          {error}
        </p>
      )}
      {(layers ?? []).map((l) => (
        <LayerCard key={l.layer as ImportableLayer} layer={l} lang={lang} onChanged={load} />
      ))}
      {layers === null && !error && <p>{translate(lang, 'adLoading')}</p>}
    </section>
  );
}
