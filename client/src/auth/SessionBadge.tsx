/**
 * The header's account corner: the signed-in user's name and role with a 退出登录 button, or
 * for the public a 登录 link that comes back to the current page after signing in.
 */
import { useEffect, useState } from 'react';
import { ROLE_LABEL } from '../../../core/access.ts';
import type { SessionInfo } from '../../../core/contracts/auth.ts';
import { currentSession, del } from '../http.ts';
import { dataProps, setLangParam, useT, withLang, type Lang } from '../i18n.ts';

/** The sign-in page's address that returns to the page now shown. */
export function signInHref(lang: Lang): string {
  const next = window.location.pathname + window.location.search;
  return `/signin?${setLangParam(new URLSearchParams({ next }), lang).toString()}`;
}

export async function signOut(lang: Lang): Promise<void> {
  await del('/api/session', { lang }).catch(() => undefined);
  window.location.reload();
}

export function useSession(): SessionInfo | null {
  const [s, setS] = useState<SessionInfo | null>(null);
  useEffect(() => {
    let alive = true;
    void currentSession().then((v) => alive && setS(v));
    return () => {
      alive = false;
    };
  }, []);
  return s;
}

export function SessionBadge() {
  const { t, lang } = useT();
  const session = useSession();
  const [busy, setBusy] = useState(false);
  if (!session) return null;
  const user = session.user;
  if (!user) {
    return (
      <a
        className="header-link session-signin"
        href={signInHref(lang)}
        data-testid="signin-link"
        // the page's URL may have changed since (layers, queries): come back to it as it is now
        onClick={(e) => (e.currentTarget.href = signInHref(lang))}
      >
        {t('siSignIn')}
      </a>
    );
  }
  return (
    <span className="session-badge" data-testid="session-user" data-role={user.role}>
      <span className="session-name" {...dataProps(user.displayName || user.username)}>
        {user.displayName || user.username}
      </span>
      <span className="session-role">{ROLE_LABEL[user.role][lang]}</span>
      <a className="header-link session-me" href={withLang('/me', lang)} data-testid="me-link">
        {t('siMySpace')}
      </a>
      <a className="header-link session-requests" href={withLang('/requests', lang)} data-testid="requests-link">
        {t('rqLink')}
      </a>
      {user.role === 'admin' && (
        <a className="header-link session-admin" href={withLang('/admin/users', lang)} data-testid="admin-link">
          {t('adAdministration')}
        </a>
      )}
      <button
        type="button"
        className="session-signout"
        data-testid="signout"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void signOut(lang);
        }}
      >
        {t('siSignOut')}
      </button>
    </span>
  );
}
