/**
 * 保存此检索 on /stock: a signed-in account saves the current filters under a name (the
 * parcels matching now are remembered, so 我的 can list the new ones later); the public is
 * offered the sign-in.
 */
import { useState, type FormEvent } from 'react';
import { signInHref, useSession } from '../auth/SessionBadge.tsx';
import type { Lang } from '../i18n.ts';
import { postJson } from '../http.ts';
import { w } from '../i18n.ts';

export function SaveSearch(props: { lang: Lang; query: string; suggestedName: string }) {
  const { lang } = props;
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [state, setState] = useState<{ kind: 'saved' | 'error'; text: string } | null>(null);
  if (!session) return null;
  if (!session.user) {
    return (
      <a className="stock-save-signin" href={signInHref(lang)} data-testid="save-search-signin">
        {w(lang, '登录后可保存检索', 'Sign in to save this search')}
      </a>
    );
  }
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setState(null);
    const query = Object.fromEntries(new URLSearchParams(props.query));
    try {
      const saved = await postJson<{ name: string }>('/api/me/saved-searches', { name: name.trim() || props.suggestedName, query }, { lang });
      setState({ kind: 'saved', text: w(lang, `已保存“${saved.name}”`, `Saved "${saved.name}"`) });
      setOpen(false);
    } catch (err) {
      setState({ kind: 'error', text: (err as Error).message });
    }
  };
  return (
    <span className="stock-save" data-testid="save-search">
      {open ? (
        <form onSubmit={(e) => void save(e)}>
          <input
            name="savedName"
            aria-label={w(lang, '检索名称', 'Name of the search')}
            placeholder={props.suggestedName}
            maxLength={60}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
          />
          <button type="submit" className="stock-secondary">
            {w(lang, '保存', 'Save')}
          </button>
          <button type="button" className="stock-secondary" onClick={() => setOpen(false)}>
            {w(lang, '取消', 'Cancel')}
          </button>
        </form>
      ) : (
        <button type="button" className="stock-secondary" data-testid="save-search-open" onClick={() => (setOpen(true), setState(null))}>
          {w(lang, '保存此检索', 'Save this search')}
        </button>
      )}
      {state && (
        <span className={state.kind === 'saved' ? 'stock-saved' : 'stock-save-error'} role={state.kind === 'error' ? 'alert' : 'status'} data-testid="save-search-state">
          {state.text}
          {state.kind === 'saved' && (
            <>
              {' '}
              <a href={lang === 'en' ? '/me?lang=en' : '/me'}>{w(lang, '在“我的”中查看', 'See it under My space')}</a>
            </>
          )}
        </span>
      )}
    </span>
  );
}
