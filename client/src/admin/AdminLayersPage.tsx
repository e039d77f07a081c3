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
import type { Lang } from '../i18n.ts';
import { getJson, postJson, upload } from '../http.ts';
import { w } from '../i18n.ts';
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

function VersionRow(props: { v: LayerVersion; lang: Lang; busy: boolean; onRestore: () => void }) {
  const { v, lang } = props;
  return (
    <tr data-version={v.versionNo} data-state={v.state}>
      <td>{w(lang, `第 ${v.versionNo} 版`, `v${v.versionNo}`)}</td>
      <td>{v.state === 'active' ? <strong>{w(lang, '在用', 'Served')}</strong> : w(lang, '已存档', 'Archived')}</td>
      <td data-field="count">{formatCount(v.featureCount)}</td>
      <td>{area(v.area, lang)}</td>
      <td>{v.fileName ?? (v.note ? v.note : '—')}</td>
      <td>{v.createdBy ?? '—'}</td>
      <td>{beijing(v.createdAt)}</td>
      <td>{v.fileName && v.note ? v.note : ''}</td>
      <td>
        {v.state === 'archived' && (
          <button type="button" data-action="restore" disabled={props.busy} onClick={props.onRestore}>
            {w(lang, '恢复此版本', 'Restore')}
          </button>
        )}
      </td>
    </tr>
  );
}

/** What fills a column the file does not carry (server/src/modules/layer-admin/fields.ts). */
const DEFAULTS: Record<string, { zh: string; en: string }> = {
  code: { zh: '（自动编号）', en: '(numbered)' },
  county_code: { zh: '（按位置判定）', en: '(from the location)' },
  source: { zh: '（文件名）', en: '(the file name)' },
  vintage: { zh: '（当年）', en: '(this year)' },
};

function Summary(props: { job: LayerJob; lang: Lang }) {
  const { lang } = props;
  const s = props.job.summary!;
  const diff = s.featureCount - s.replaces.featureCount;
  return (
    <div className="admin-summary" data-testid="layer-summary">
      <h4>{w(lang, '检查结果', 'What the check found')}</h4>
      <dl>
        <dt>{w(lang, '文件', 'File')}</dt>
        <dd>
          {s.fileName}（{s.detected.format}，{s.detected.crs}
          {s.detected.encoding ? `，${s.detected.encoding}` : ''}）
        </dd>
        <dt>{w(lang, '要素', 'Features')}</dt>
        <dd data-field="count">
          {w(lang, `文件 ${s.rows} 个，将导入 ${s.featureCount} 个`, `${s.rows} in the file, ${s.featureCount} to import`)}
          {s.problemCount > 0 && w(lang, `，${s.problems.filter((p) => p.outcome === 'excluded').length} 个不导入`, `, ${s.problems.filter((p) => p.outcome === 'excluded').length} left out`)}
        </dd>
        <dt>{w(lang, '面积合计', 'Total area')}</dt>
        <dd data-field="area">{area(s.area, lang)}</dd>
        <dt>{w(lang, '替换', 'Replaces')}</dt>
        <dd data-field="replaces">
          {w(lang, `第 ${s.replaces.versionNo} 版：${s.replaces.featureCount} 个要素，${area(s.replaces.area, lang)}`, `version ${s.replaces.versionNo}: ${s.replaces.featureCount} features, ${area(s.replaces.area, lang)}`)}
          {'（'}
          {diff >= 0 ? '+' : ''}
          {diff}
          {'）'}
        </dd>
        <dt>{w(lang, '范围', 'Extent')}</dt>
        <dd>{s.bbox ? `${formatLonLat(s.bbox.slice(0, 2), 5)}, ${formatLonLat(s.bbox.slice(2), 5)}` : '—'}</dd>
        <dt>{w(lang, '字段对应', 'Fields read')}</dt>
        <dd data-field="fields">
          {Object.entries(s.fields)
            .map(([col, f]) => `${col} ← ${f || (DEFAULTS[col] ? w(lang, DEFAULTS[col].zh, DEFAULTS[col].en) : w(lang, '（默认值）', '(default)'))}`)
            .join('；')}
        </dd>
      </dl>
      {s.warnings.length > 0 && (
        <ul className="admin-warnings">
          {s.warnings.map((x, i) => (
            <li key={i}>{lang === 'zh' ? x.zh : x.en}</li>
          ))}
        </ul>
      )}
      {s.problems.length > 0 && (
        <table className="admin-table" data-testid="layer-problems">
          <thead>
            <tr>
              <th>{w(lang, '序号', 'Row')}</th>
              <th>{w(lang, '编号', 'Code')}</th>
              <th>{w(lang, '处理', 'Outcome')}</th>
              <th>{w(lang, '原因', 'Reasons')}</th>
            </tr>
          </thead>
          <tbody>
            {s.problems.map((p) => (
              <tr key={p.row} data-row={p.row} data-outcome={p.outcome}>
                <td>{p.row}</td>
                <td>{p.code ?? '—'}</td>
                <td>{p.outcome === 'excluded' ? w(lang, '不导入', 'Left out') : w(lang, '已修复', 'Repaired')}</td>
                <td>{p.reasons.map((r) => (lang === 'zh' ? r.zh : r.en)).join('；')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.problemCount > s.problems.length && <p>{w(lang, `另有 ${s.problemCount - s.problems.length} 个问题要素未列出`, `${s.problemCount - s.problems.length} more not listed`)}</p>}
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
  const name = lang === 'zh' ? layer.nameZh : layer.nameEn;

  return (
    <article className="admin-layer" data-layer={layer.layer}>
      <h3>{name}</h3>
      <p className="admin-active" data-testid="layer-active">
        {w(lang, `在用：第 ${layer.active.versionNo} 版，${formatCount(layer.active.featureCount)} 个要素，${area(layer.active.area, lang)}`, `Served: version ${layer.active.versionNo}, ${formatCount(layer.active.featureCount)} features, ${area(layer.active.area, lang)}`)}
      </p>
      <table className="admin-table admin-versions" data-testid="layer-versions">
        <thead>
          <tr>
            <th>{w(lang, '版本', 'Version')}</th>
            <th>{w(lang, '状态', 'State')}</th>
            <th>{w(lang, '要素数', 'Features')}</th>
            <th>{w(lang, '面积', 'Area')}</th>
            <th>{w(lang, '来源', 'Source')}</th>
            <th>{w(lang, '导入人', 'By')}</th>
            <th>{w(lang, '时间', 'When')}</th>
            <th>{w(lang, '说明', 'Note')}</th>
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
                if (!window.confirm(w(lang, `把${name}恢复为第 ${v.versionNo} 版？在用的第 ${layer.active.versionNo} 版将存档，可再恢复。`, `Restore ${name} to version ${v.versionNo}? Version ${layer.active.versionNo} is archived and can be restored.`))) return;
                void post(`/api/admin/layers/${layer.layer}/versions/${v.versionNo}/restore`);
              }}
            />
          ))}
        </tbody>
      </table>

      <div className="admin-import">
        <h4>{w(lang, '导入新版本', 'Import a new version')}</h4>
        <div className="admin-import-row">
          <input type="file" accept=".zip,.geojson,.json,.gpkg" data-testid="layer-file" disabled={running} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <label>
            {w(lang, '坐标系', 'CRS')}
            <select value={crs} onChange={(e) => setCrs(e.target.value)} disabled={running}>
              <option value="">{w(lang, '自动识别', 'Detect')}</option>
              <option value="EPSG:4490">CGCS2000 经纬度（EPSG:4490）</option>
              <option value="EPSG:4326">WGS84（EPSG:4326）</option>
              <option value="EPSG:4526">CGCS2000 3° 带 38（EPSG:4526）</option>
            </select>
          </label>
          <label>
            {w(lang, '编码', 'Encoding')}
            <select value={encoding} onChange={(e) => setEncoding(e.target.value)} disabled={running}>
              <option value="">{w(lang, '自动识别', 'Detect')}</option>
              <EncodingOptions />
            </select>
          </label>
          <label>
            <input type="checkbox" checked={repair} onChange={(e) => setRepair(e.target.checked)} disabled={running} /> {w(lang, '修复无效图形', 'Repair invalid polygons')}
          </label>
          <button type="button" data-action="check" disabled={!file || running} onClick={() => void start()}>
            {w(lang, '上传并检查', 'Upload and check')}
          </button>
        </div>
        {uploading !== null && <Progress value={uploading} label={w(lang, '上传文件', 'Uploading')} />}
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
              {w(lang, '说明（可选）', 'Note (optional)')}
              <input value={note} maxLength={200} onChange={(e) => setNote(e.target.value)} data-testid="layer-note" />
            </label>
            <button type="button" data-action="commit" disabled={job.summary!.featureCount === 0} onClick={() => void post(`/api/admin/layer-jobs/${job.jobId}/commit`, note ? { note } : {})}>
              {w(lang, '确认替换', 'Replace the layer')}
            </button>
            <button type="button" data-action="cancel" onClick={() => void post(`/api/admin/layer-jobs/${job.jobId}/cancel`)}>
              {w(lang, '取消', 'Cancel')}
            </button>
          </div>
        )}
        {job?.phase === 'replacing' && (
          <button type="button" data-action="cancel" onClick={() => void post(`/api/admin/layer-jobs/${job.jobId}/cancel`)}>
            {w(lang, '取消替换', 'Cancel the replacement')}
          </button>
        )}
        {job?.phase === 'done' && (
          <p className="admin-notice admin-notice-ok" role="status" data-testid="layer-done">
            {job.kind === 'import'
              ? w(lang, `已替换：${name}现为第 ${job.versionNo} 版`, `Replaced: ${name} is now version ${job.versionNo}`)
              : w(lang, `已恢复：${name}现为第 ${job.versionNo} 版`, `Restored: ${name} is version ${job.versionNo} again`)}
          </p>
        )}
        {job?.phase === 'cancelled' && (
          <p className="admin-notice" role="status" data-testid="layer-cancelled">
            {w(lang, `已取消，${name}仍为第 ${layer.active.versionNo} 版`, `Cancelled; ${name} stays at version ${layer.active.versionNo}`)}
          </p>
        )}
        {job?.phase === 'failed' && (
          <p className="admin-notice admin-notice-error" role="alert" data-testid="layer-failed">
            {job.error?.message} {w(lang, `（${name}仍为第 ${layer.active.versionNo} 版）`, `(${name} stays at version ${layer.active.versionNo})`)}
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
      <h2>{w(lang, '图层数据', 'Layers')}</h2>
      <p className="admin-hint">
        {w(
          lang,
          '上传 GeoJSON、Shapefile（.zip）或 GeoPackage（.gpkg），检查后确认即整体替换为新版本；替换在一个事务中完成，失败或取消时原版本不受影响。历史版本可随时恢复。',
          'Upload a GeoJSON, zipped Shapefile or GeoPackage; after the check, confirming replaces the layer as a new version in one transaction — a failure or cancellation leaves the served version untouched. Earlier versions can be restored.',
        )}
      </p>
      {error && (
        <p className="admin-notice admin-notice-error" role="alert">
          {error}
        </p>
      )}
      {(layers ?? []).map((l) => (
        <LayerCard key={l.layer as ImportableLayer} layer={l} lang={lang} onChanged={load} />
      ))}
      {layers === null && !error && <p>{w(lang, '加载中…', 'Loading…')}</p>}
    </section>
  );
}
