/**
 * The sign-in page (/signin?next=): username and password; the server's message on failure
 * (wrong password, locked, disabled); on success back to `next` — a path on this site only —
 * or the map.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { asApiError, postJson } from '../http.ts';
import { htmlLang, LangContext, langOfSearch, translate, withLang, type Lang } from '../i18n.ts';
import './auth.css';

/** `next` if it is a path on this site, else '/'. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const u = new URL(next, window.location.origin);
    if (u.origin !== window.location.origin) return '/';
    if (u.pathname.replace(/\/+$/, '') === '/signin') return '/';
    return u.pathname + u.search + u.hash;
  } catch {
    return '/';
  }
}

export function SignInPage() {
  const params = new URLSearchParams(window.location.search);
  const lang: Lang = langOfSearch(window.location.search);
  const next = safeNext(params.get('next'));
  const t = (k: Parameters<typeof translate>[1]) => translate(lang, k);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.documentElement.lang = htmlLang(lang);
    document.title = `${t('siTitle')} · ${t('title')}`;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lang]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await postJson('/api/session', { username, password }, { lang });
      window.location.assign(next);
      return;
    } catch (err) {
      const ae = asApiError(err);
      setError(ae.status === 0 ? `${t('siFailed')}${t('colon')}${ae.message}` : ae.message);
    }
    setBusy(false);
  };

  return (
    <LangContext.Provider value={lang}>
      <div className="signin-page">
        <form className="signin-form" onSubmit={(e) => void submit(e)} data-testid="signin-form">
          <h1>{t('siHeading')}</h1>
          <label>
            <span>{t('siUsername')}</span>
            <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
          </label>
          <label>
            <span>{t('siPassword')}</span>
            <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          {error && (
            <p className="error" role="alert" data-testid="signin-error">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? t('siSubmitting') : t('siSubmit')}
          </button>
          <p className="signin-note">{t('siNote')}</p>
          <a href={next === '/' ? withLang('/', lang) : next}>{t('siBack')}</a>
        </form>
      </div>
    </LangContext.Provider>
  );
}
