/**
 * 底图 (/admin/basemaps): the Tianditu key (only its last four characters are shown), its
 * attribution and 审图号; the bureau's own tile services — listed, added (the server fetches one
 * tile first) and removed; why 高德/腾讯/百度 tiles are refused (GCJ-02 / BD-09 offsets), said
 * before an address of theirs is even sent; and whether the offline vector base map file is placed.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { UserInfo } from '../../../core/contracts/auth.ts';
import { BasemapAdminResponse, BasemapService } from '../../../core/contracts/basemaps.ts';
import { offsetProviderOf, SERVICE_KINDS, type ServiceKind } from '../../../core/basemaps.ts';
import { dataProps, translate, type Lang } from '../i18n.ts';
import { del, getJson, patchJson, postJson } from '../http.ts';
import { beijingTime as beijing } from '../format.ts';
import type { AdminNav } from './AdminApp.tsx';

type Notice = { kind: 'ok' | 'error'; text: string } | null;
const EMPTY = { nameZh: '', nameEn: '', url: '', kind: 'xyz' as ServiceKind, attribution: '', minZoom: 0, maxZoom: 18 };

export function AdminBasemapsPage(props: { lang: Lang; nav: AdminNav; me: UserInfo }) {
  const { lang } = props;
  const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate(lang, k, v);
  const [state, setState] = useState<BasemapAdminResponse | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState('');
  const [texts, setTexts] = useState<{ attribution: string; reviewNumber: string } | null>(null);
  const [form, setForm] = useState(EMPTY);

  const load = useCallback(async () => {
    try {
      const s = await getJson('/api/admin/basemaps', { lang, schema: BasemapAdminResponse });
      setState(s);
      setTexts((prev) => prev ?? { attribution: s.tianditu.attribution, reviewNumber: s.tianditu.reviewNumber });
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  }, [lang]);
  useEffect(() => void load(), [load]);

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    setNotice(null);
    try {
      await fn();
      setNotice({ kind: 'ok', text: ok });
      await load();
      return true;
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const saveTianditu = async (e: FormEvent) => {
    e.preventDefault();
    const body = { ...(key.trim() ? { key: key.trim() } : {}), ...(texts ?? {}) };
    if (await act(() => patchJson('/api/admin/basemaps/tianditu', body, { lang }), t('bmTiandituSaved'))) setKey('');
  };
  const addService = async (e: FormEvent) => {
    e.preventDefault();
    if (await act(() => postJson('/api/admin/basemaps/services', form, { lang, schema: BasemapService }), t('bmServiceAdded', { name: lang === 'en' ? form.nameEn : form.nameZh }))) setForm(EMPTY);
  };
  const offset = form.url ? offsetProviderOf(form.url) : null;
  const td = state?.tianditu;

  return (
    <section className="admin-section" data-testid="admin-basemaps">
      <h2>{t('bmAdminTitle')}</h2>
      {notice && (
        <p className={`admin-notice admin-notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="admin-notice">
          {notice.text}
        </p>
      )}
      <p className="admin-hint admin-gcj" data-testid="gcj-notice">
        {t('bmGcjNotice')}
      </p>

      <form className="admin-form" onSubmit={(e) => void saveTianditu(e)} data-testid="tianditu-form">
        <h3>{t('bmTianditu')}</h3>
        <p className="admin-hint" style={{ flexBasis: '100%', margin: 0 }} data-testid="tianditu-key-state">
          {!td ? t('adLoading') : td.keySource === 'none' ? t('bmKeyNone') : t(td.keySource === 'admin' ? 'bmKeyAdmin' : 'bmKeyEnv', { hint: td.keyHint ?? '' })}
        </p>
        <label>
          {t('bmKey')}
          <input name="key" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" spellCheck={false} placeholder={td?.keyHint ?? ''} />
          <small>{t('bmKeyHelp')}</small>
        </label>
        <label>
          {t('bmAttributionField')}
          <input name="attribution" maxLength={200} value={texts?.attribution ?? ''} onChange={(e) => setTexts({ ...(texts ?? { reviewNumber: '' }), attribution: e.target.value })} />
        </label>
        <label>
          {t('bmReviewNumber')}
          <input name="reviewNumber" maxLength={100} value={texts?.reviewNumber ?? ''} onChange={(e) => setTexts({ ...(texts ?? { attribution: '' }), reviewNumber: e.target.value })} />
          <small>{t('bmReviewHelp')}</small>
        </label>
        <button type="submit" disabled={busy || !texts}>
          {t('bmSave')}
        </button>
        {td?.keySource === 'admin' && (
          <button type="button" data-action="cancel" disabled={busy} onClick={() => void act(() => patchJson('/api/admin/basemaps/tianditu', { key: null }, { lang }), t('bmKeyRemoved'))}>
            {t('bmRemoveKey')}
          </button>
        )}
      </form>

      <form className="admin-form" onSubmit={(e) => void addService(e)} data-testid="service-form">
        <h3>{t('bmAddService')}</h3>
        <label style={{ flexBasis: '100%' }}>
          {t('bmUrl')}
          <input name="url" required value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} spellCheck={false} />
          <small style={{ maxWidth: 'none' }}>{t('bmUrlHelp')}</small>
        </label>
        {offset && (
          <p className="admin-notice admin-notice-error" role="alert" style={{ flexBasis: '100%' }} data-testid="gcj-warning">
            {t('bmOffsetWarning', { provider: offset[lang], datum: offset.datum })}
          </p>
        )}
        <label>
          {t('bmKind')}
          <select name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as ServiceKind })}>
            {SERVICE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`bmKind_${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('bmNameZh')}
          <input name="nameZh" required maxLength={60} value={form.nameZh} onChange={(e) => setForm({ ...form, nameZh: e.target.value })} />
        </label>
        <label>
          {t('bmNameEn')}
          <input name="nameEn" required maxLength={60} value={form.nameEn} onChange={(e) => setForm({ ...form, nameEn: e.target.value })} />
        </label>
        <label>
          {t('bmAttributionField')}
          <input name="attribution" maxLength={200} value={form.attribution} onChange={(e) => setForm({ ...form, attribution: e.target.value })} />
        </label>
        <label>
          {t('bmMinZoom')}
          <input name="minZoom" type="number" min={0} max={22} value={form.minZoom} onChange={(e) => setForm({ ...form, minZoom: Number(e.target.value) })} />
        </label>
        <label>
          {t('bmMaxZoom')}
          <input name="maxZoom" type="number" min={0} max={22} value={form.maxZoom} onChange={(e) => setForm({ ...form, maxZoom: Number(e.target.value) })} />
        </label>
        <button type="submit" disabled={busy || !!offset}>
          {t('bmCheckAndAdd')}
        </button>
      </form>

      <table className="admin-table" data-testid="service-table">
        <thead>
          <tr>
            <th>{t('bmName')}</th>
            <th>{t('bmKind')}</th>
            <th>{t('bmUrl')}</th>
            <th>{t('bmZooms')}</th>
            <th>{t('bmAttributionField')}</th>
            <th>{t('adCreated')}</th>
            <th>{t('adActions')}</th>
          </tr>
        </thead>
        <tbody>
          {(state?.services ?? []).map((s) => {
            const name = lang === 'en' ? s.nameEn : s.nameZh;
            return (
              <tr key={s.id} data-service={s.id}>
                <td {...dataProps(name)}>{name}</td>
                <td>{t(`bmKind_${s.kind}`)}</td>
                <td className="admin-details">{s.url}</td>
                <td>
                  {s.minZoom}–{s.maxZoom}
                </td>
                <td {...dataProps(s.attribution)}>{s.attribution}</td>
                <td>{beijing(s.createdAt)}</td>
                <td className="admin-actions">
                  <button
                    type="button"
                    data-action="cancel"
                    disabled={busy}
                    onClick={() => {
                      if (!window.confirm(t('bmConfirmRemove', { name }))) return;
                      void act(() => del(`/api/admin/basemaps/services/${s.id}`, { lang }), t('bmServiceRemoved', { name }));
                    }}
                  >
                    {t('bmRemove')}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {state && !state.services.length && <p className="admin-hint">{t('bmNoServices')}</p>}

      <h3>{t('bmPmtiles')}</h3>
      <p className="admin-hint" data-testid="pmtiles-state">
        {state?.pmtiles ? t('bmPmtilesPlaced', { path: state.pmtiles.path, mb: (state.pmtiles.bytes / 1024 / 1024).toFixed(1) }) : t('bmPmtilesNone')}
      </p>
    </section>
  );
}
