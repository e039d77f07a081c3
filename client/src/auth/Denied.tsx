/**
 * What a page for some roles says to anyone else: why (signed out, or a role that may not), with
 * the sign-in and the way back to the map — rather than a page of refused requests.
 */
import { translate, withLang, type Lang } from '../i18n.ts';
import { signInHref } from './SessionBadge.tsx';

export function Denied(props: { lang: Lang; testid: string; message: string; signInTestid?: string }) {
  return (
    <div className="audit-denied" data-testid={props.testid}>
      <p role="alert">{props.message}</p>
      <p>
        <a href={signInHref(props.lang)} data-testid={props.signInTestid}>
          {translate(props.lang, 'siSignIn')}
        </a>
        {' · '}
        <a href={withLang('/', props.lang)}>{translate(props.lang, 'siBackToMap')}</a>
      </p>
    </div>
  );
}
