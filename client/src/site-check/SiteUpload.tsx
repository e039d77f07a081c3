/**
 * Bringing a site from a file or pasted coordinates: the server's parser reads it
 * (POST /api/geometry/parse), the planner sees what was detected — format, coordinate
 * system, zone, axis order, encoding — with warnings and geometry problems, may change
 * the detection and read again, and then puts the site on the map for checking.
 *
 * A file on a local datum without shift parameters is refused (DATUM_NEEDS_TRANSFORM): the
 * planner may accept an approximate placement explicitly, which reads it again with
 * `acceptApproximateDatum=true`. A refused file keeps the detection's choices open — the zone
 * for one whose zone cannot be told (ZONE_AMBIGUOUS). The parse's provenance goes with the site to the check.
 */
import { useState, type DragEvent } from 'react';
import { EncodingOptions } from '../EncodingOptions.tsx';
import { ParseResponse } from '../../../core/contracts/geometry.ts';
import type { SiteGeometry, SiteProvenance } from '../../../core/contracts/site-check.ts';
import { DATUM_APPROXIMATE, DATUM_LABEL, DATUM_TRANSFORM_LABEL } from '../../../core/provenance.ts';
import './provenance.css';
import { measureSite } from '../../../core/preview.ts';
import { formatArea } from '../format.ts';
import { pick, translateOr, useT } from '../i18n.ts';
import { asApiError, postForm, postText } from '../http.ts';

export interface ParseOverrides {
  crs: '' | 'lonlat' | 'gk';
  zone: string;
  zoneWidth: '' | '3' | '6';
  axisOrder: '' | 'xy' | 'yx';
  encoding: '' | 'utf-8' | 'gbk' | 'gb18030' | 'big5';
  /** The planner accepted an approximate placement of a local-datum file without shift parameters. */
  acceptApproximateDatum: boolean;
}

const NO_OVERRIDES: ParseOverrides = { crs: '', zone: '', zoneWidth: '', axisOrder: '', encoding: '', acceptApproximateDatum: false };

/** All parsed parcels as one site: their polygons side by side. */
export function toSiteGeometry(result: ParseResponse): SiteGeometry | null {
  const polygons = result.features.features.flatMap((f) =>
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates,
  );
  if (!polygons.length) return null;
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
}

function query(o: ParseOverrides): string {
  const p = new URLSearchParams();
  if (o.crs) p.set('crs', o.crs);
  if (o.zone) p.set('zone', o.zone);
  if (o.zoneWidth) p.set('zoneWidth', o.zoneWidth);
  if (o.axisOrder) p.set('axisOrder', o.axisOrder);
  if (o.encoding) p.set('encoding', o.encoding);
  if (o.acceptApproximateDatum) p.set('acceptApproximateDatum', 'true');
  const s = p.toString();
  return s ? `?${s}` : '';
}

type Source = { kind: 'file'; file: File } | { kind: 'text'; text: string };

/** The planned use the file names (a 界址点 header's 地类用途, a property `use`), if any. */
function fileUse(result: ParseResponse): string | undefined {
  for (const f of result.features.features) {
    const use = f.properties.use;
    if (typeof use === 'string' && use.trim()) return use.trim();
  }
  return undefined;
}

/** `onSite` gets the site, the project's name (the file's own, else its file name), the planned use it names and its provenance. */
export function SiteUpload(props: { onSite: (geometry: SiteGeometry, name: string, use: string | undefined, provenance: SiteProvenance) => void }) {
  const { t, lang } = useT();
  const [source, setSource] = useState<Source | null>(null);
  const [pasted, setPasted] = useState('');
  const [overrides, setOverrides] = useState<ParseOverrides>(NO_OVERRIDES);
  const [result, setResult] = useState<ParseResponse | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState(false);

  async function parse(src: Source, o: ParseOverrides) {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const opts = { lang, schema: ParseResponse };
      if (src.kind === 'file') {
        const form = new FormData();
        form.append('file', src.file, src.file.name);
        setResult(await postForm(`/api/geometry/parse${query(o)}`, form, opts));
      } else {
        setResult(await postText(`/api/geometry/parse${query(o)}`, src.text, opts));
      }
    } catch (e) {
      const ae = asApiError(e);
      setError({ code: ae.code, message: ae.message });
    } finally {
      setBusy(false);
    }
  }

  const choose = (src: Source) => {
    setSource(src);
    setOverrides(NO_OVERRIDES);
    void parse(src, NO_OVERRIDES);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) choose({ kind: 'file', file });
  };

  const site = result ? toSiteGeometry(result) : null;
  // a site crossing itself is measured as repaired: its signed area would cancel its lobes
  const measured = site ? measureSite(site) : null;
  const problems = result?.validation.flatMap((v) => v.problems) ?? [];
  const label = source?.kind === 'file' ? source.file.name : t('pastedSite');
  // the project's name as the file gives it (项目名称, GeoJSON name, 界址点 地块名称), else the file's name without its extension
  const projectName = result?.name ?? (source?.kind === 'file' ? source.file.name.replace(/\.[^.]+$/, '') : label);
  const set = (patch: Partial<ParseOverrides>) => {
    const next = { ...overrides, ...patch };
    setOverrides(next);
    if (source) void parse(source, next);
  };

  const overridesForm = (open: boolean) => (
    <details className="overrides" open={open || undefined} data-testid="parse-overrides">
        <summary>{t('changeDetection')}</summary>
        <label>
          {t('crs')}
          <select value={overrides.crs} onChange={(e) => set({ crs: e.target.value as ParseOverrides['crs'] })}>
            <option value="">{t('auto')}</option>
            <option value="lonlat">{t('axisLonLat')} (EPSG:4490)</option>
            <option value="gk">{t('gkGeneric')}</option>
          </select>
        </label>
        <label>
          {t('zone')}
          <input type="number" min={13} max={45} value={overrides.zone} onChange={(e) => set({ zone: e.target.value })} />
        </label>
        <label>
          {t('zoneWidth')}
          <select value={overrides.zoneWidth} onChange={(e) => set({ zoneWidth: e.target.value as ParseOverrides['zoneWidth'] })}>
            <option value="">{t('auto')}</option>
            <option value="3">3°</option>
            <option value="6">6°</option>
          </select>
        </label>
        <label>
          {t('axisOrder')}
          <select value={overrides.axisOrder} onChange={(e) => set({ axisOrder: e.target.value as ParseOverrides['axisOrder'] })}>
            <option value="">{t('auto')}</option>
            <option value="xy">{t('axisXY')}</option>
            <option value="yx">{t('axisYX')}</option>
          </select>
        </label>
        <label>
          {t('encoding')}
          <select value={overrides.encoding} onChange={(e) => set({ encoding: e.target.value as ParseOverrides['encoding'] })}>
            <option value="">{t('auto')}</option>
            <EncodingOptions />
          </select>
        </label>
      </details>
  );

  return (
    <div className="site-upload" data-testid="site-upload">
      <label
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>{t('uploadHint')}</span>
        <input
          type="file"
          accept=".geojson,.json,.zip,.gpkg,.txt,.kml,.kmz"
          data-testid="site-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) choose({ kind: 'file', file });
          }}
        />
      </label>
      <textarea
        className="paste"
        rows={3}
        placeholder={t('pasteHint')}
        value={pasted}
        onChange={(e) => setPasted(e.target.value)}
        aria-label={t('pasteHint')}
      />
      <button type="button" disabled={!pasted.trim() || busy} onClick={() => choose({ kind: 'text', text: pasted })}>
        {t('readPasted')}
      </button>
      {busy && <p className="muted">{t('loading')}</p>}
      {error && (
        <div className="parse-result parse-refusal" data-testid="parse-refusal" data-code={error.code}>
          <p className="error" role="alert" data-testid="parse-error">
            {error.message}
          </p>
          {error.code === 'DATUM_NEEDS_TRANSFORM' && source && (
            <button type="button" className="accept-approximate" data-testid="accept-approximate" onClick={() => set({ acceptApproximateDatum: true })}>
              {t('acceptApproximate')}
            </button>
          )}
          {source && overridesForm(true)}
        </div>
      )}
      {result && (
        <div className="parse-result" data-testid="parse-result">
          <dl className="detected">
            <dt>{t('format')}</dt>
            <dd data-field="format">{translateOr(lang, `scFormat_${result.detected.format}`, result.detected.format)}</dd>
            <dt>{t('crs')}</dt>
            <dd data-field="crs">{result.detected.crs}</dd>
            {result.detected.zone !== undefined && (
              <>
                <dt>{t('zone')}</dt>
                <dd data-field="zone">
                  {result.detected.zone}
                  {t('open')}
                  {result.detected.zoneWidth ?? 3}°{t('close')}
                </dd>
              </>
            )}
            <dt>{t('axisOrder')}</dt>
            <dd data-field="axisOrder">{result.detected.axisOrder === 'northing-easting' ? t('axisNE') : t('axisLonLat')}</dd>
            {result.detected.encoding && (
              <>
                <dt>{t('encoding')}</dt>
                <dd data-field="encoding">{result.detected.encoding.toUpperCase()}</dd>
              </>
            )}
            <dt>{t('datum')}</dt>
            <dd data-field="datum" className={result.detected.datumTransform === 'approximate' ? 'approximate' : undefined}>
              {DATUM_LABEL[result.detected.datum][lang]}
              {result.detected.datumTransform !== 'none' && `${t('open')}${pick(DATUM_TRANSFORM_LABEL[result.detected.datumTransform], lang)}${t('close')}`}
            </dd>
          </dl>
          {overridesForm(false)}
          <p data-testid="parsed-summary">
            {t('parcels', { n: result.features.features.length })}
            {measured && ` · ${formatArea(measured.areaM2, lang)}`}
            {measured?.repaired && <span data-testid="parsed-area-repaired"> {t('upAreaRepaired')}</span>}
          </p>
          {result.warnings.length > 0 && (
            <ul className="warnings" data-testid="parse-warnings">
              {result.warnings.map((w, i) => (
                <li key={i} data-code={w.code} className={w.code === DATUM_APPROXIMATE ? 'approximate' : undefined}>
                  {pick(w, lang)}
                </li>
              ))}
            </ul>
          )}
          {problems.length > 0 && (
            <ul className="problems" data-testid="parse-problems">
              {problems.map((p, i) => (
                <li key={i}>{pick(p, lang)}</li>
              ))}
            </ul>
          )}
          <button type="button" disabled={!site} data-testid="use-parsed" onClick={() => site && props.onSite(site, projectName, fileUse(result), result.provenance)}>
            {t('placeOnMap')}
          </button>
        </div>
      )}
    </div>
  );
}
