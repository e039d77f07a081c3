/**
 * 保存此检索 on /stock: a signed-in account saves the current filters under a name (the
 * parcels matching now are remembered, so 我的 can list the new ones later); the public is
 * offered the sign-in.
 */
import { useState, type FormEvent } from 'react';
import { signInHref, useSession } from '../auth/SessionBadge.tsx';
import { translate, withLang, type Lang } from '../i18n.ts';
import { postJson } from '../http.ts';

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
        {translate(lang, 'ssSignInToSave')}
      </a>
    );
  }
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setState(null);
    const query = Object.fromEntries(new URLSearchParams(props.query));
    try {
      const saved = await postJson<{ name: string }>('/api/me/saved-searches', { name: name.trim() || props.suggestedName, query }, { lang });
      setState({ kind: 'saved', text: translate(lang, 'ssSaved', { name: saved.name }) });
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
            aria-label={translate(lang, 'ssNameSearch')}
            placeholder={props.suggestedName}
            maxLength={60}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
          />
          <button type="submit" className="stock-secondary">
            {translate(lang, 'ssSave')}
          </button>
          <button type="button" className="stock-secondary" onClick={() => setOpen(false)}>
            {translate(lang, 'adCancel')}
          </button>
        </form>
      ) : (
        <button type="button" className="stock-secondary" data-testid="save-search-open" onClick={() => (setOpen(true), setState(null))}>
          {translate(lang, 'ssSaveSearch')}
        </button>
      )}
      {state && (
        <span className={state.kind === 'saved' ? 'stock-saved' : 'stock-save-error'} role={state.kind === 'error' ? 'alert' : 'status'} data-testid="save-search-state">
          {state.text}
          {state.kind === 'saved' && (
            <>
              {' '}
              <a href={withLang('/me', lang)}>{translate(lang, 'ssSeeUnderMySpace')}</a>
            </>
          )}
        </span>
      )}
    </span>
  );
}
