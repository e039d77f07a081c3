/**
 * 影像 (/admin/imagery): the registered orthophotos by period, and registering one — an upload
 * (streamed to IMAGERY_DIR/uploads) or a path under IMAGERY_DIR — with its names, period and
 * access. The server reads the CRS from the file and refuses what it cannot place.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import { ImageryLayer, ImageryList } from '../../../core/contracts/imagery.ts';
import { asApiError, del, getJson, postJson, upload } from '../http.ts';
import { dataProps, useT, type Lang } from '../i18n.ts';
import type { AdminNav } from './AdminApp.tsx';

export function AdminImageryPage(props: { lang: Lang; nav: AdminNav; me: UserInfo }) {
  const { t, lang } = useT();
  const [layers, setLayers] = useState<ImageryLayer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const load = () =>
    getJson('/api/imagery', { lang, schema: ImageryList }).then(
      (r) => setLayers(r.layers),
      (e) => setError(asApiError(e).message),
    );
  useEffect(() => void load(), [lang]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = async (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    const f = new FormData(ev.currentTarget);
    const meta = { name: String(f.get('name') ?? ''), nameEn: String(f.get('nameEn') ?? ''), periodLabel: String(f.get('periodLabel') ?? ''), periodDate: String(f.get('periodDate') ?? ''), access: String(f.get('access') ?? 'restricted') };
    const file = f.get('file');
    const path = String(f.get('path') ?? '').trim();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      let out: ImageryLayer;
      if (file instanceof File && file.size > 0) {
        const form = new FormData();
        form.append('file', file);
        out = await upload(`/api/admin/imagery?${new URLSearchParams(meta)}`, form, { lang, schema: ImageryLayer, onProgress: setProgress });
      } else {
        out = await postJson('/api/admin/imagery/from-path', { ...meta, path }, { lang, schema: ImageryLayer });
      }
      setDone(out.name);
      await load();
    } catch (e) {
      setError(asApiError(e).message);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  const remove = async (id: number) => {
    try {
      await del(`/api/admin/imagery/${id}`, { lang });
      await load();
    } catch (e) {
      setError(asApiError(e).message);
    }
  };

  return (
    <section className="admin-section" data-testid="admin-imagery">
      <h2>{t('imAdminTitle')}</h2>
      <p className="stock-note">{t('imAdminIntro')}</p>
      {layers && layers.length === 0 && <p className="stock-none">{t('imListNone')}</p>}
      {layers && layers.length > 0 && (
        <table className="admin-table" data-testid="imagery-table">
          <thead>
            <tr>
              <th>{t('imPeriod')}</th>
              <th>{t('imName')}</th>
              <th>{t('imAccess')}</th>
              <th>{t('imCrs')}</th>
              <th>{t('imSize')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {layers.map((l) => (
              <tr key={l.id} data-id={l.id}>
                <td {...dataProps(l.periodLabel)}>
                  {l.periodLabel} ({l.periodDate})
                </td>
                <td {...dataProps(lang === 'en' ? l.nameEn : l.name)}>{lang === 'en' ? l.nameEn : l.name}</td>
                <td>{l.access === 'public' ? t('imPublic') : t('imRestricted')}</td>
                <td>EPSG:{l.epsg}</td>
                <td>
                  {l.pixelSizeM.toFixed(2)} m · {l.width} × {l.height}
                </td>
                <td>
                  <button type="button" className="stock-secondary" onClick={() => void remove(l.id)}>
                    {t('imRemove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="admin-import" data-testid="imagery-form" onSubmit={(e) => void submit(e)}>
        <div className="admin-import-row">
          <label>
            {t('imName')} <input name="name" required />
          </label>
          <label>
            {t('imNameEn')} <input name="nameEn" required />
          </label>
          <label>
            {t('imPeriod')} <input name="periodLabel" placeholder="2026 Q3" required />
          </label>
          <label>
            {t('imPeriodDate')} <input name="periodDate" type="date" required />
          </label>
          <label>
            {t('imAccess')}
            <select name="access" defaultValue="restricted">
              <option value="restricted">{t('imRestricted')}</option>
              <option value="public">{t('imPublic')}</option>
            </select>
          </label>
        </div>
        <div className="admin-import-row">
          <label>
            {t('imFile')} <input name="file" type="file" accept=".tif,.tiff,image/tiff" />
          </label>
          <label>
            {t('imPath')} <input name="path" placeholder="orthophotos/2026q3.tif" />
          </label>
          <button type="submit" className="stock-primary" disabled={busy}>
            {progress !== null ? `${Math.round(progress * 100)}%` : t('imRegister')}
          </button>
        </div>
      </form>
      {error && (
        <p className="admin-notice admin-notice-error" role="alert" data-testid="imagery-error">
          {error}
        </p>
      )}
      {done && (
        <p className="admin-notice admin-notice-ok" role="status" data-testid="imagery-done">
          {t('imRegistered', { name: done })}
        </p>
      )}
    </section>
  );
}
