/**
 * What the review's pages share: the header with its tabs (queue, import, county view), the
 * base map's data, the way statuses, sources and areas are written, and the keys of the
 * keyboard review.
 */
import type { ReactNode } from 'react';
import type { Navigation as ShellNavigation } from '../page-shell.ts';
import { CASE_STATUS_LABEL, type CaseStatus } from '../../../core/case-status.ts';
import { CASE_SOURCE_EN, vocabularyEn } from '../../../core/vocabulary.ts';
import type { AreaUnits } from '../../../core/units.ts';
import { dataProps, languageNameProps, otherLang, pick, useT, withLang, type Lang, type StringKey } from '../i18n.ts';
import { AreaFigures } from '../AreaFigures.tsx';
import { DASH, DIGITS, beijingTime, formatNumber, formatShare } from '../format.ts';
import { SessionBadge } from '../auth/SessionBadge.tsx';

export { DASH, DIGITS, beijingTime, formatNumber, formatShare };
export { useStockBase as useAuditBase } from '../stock/common.tsx';

/** In-place navigation; a case opened from the queue keeps which case to select on return. */
export type Navigation = ShellNavigation<NavState>;

/** Kept in a history entry: the case to select on the queue when coming back to it. */
export interface NavState {
  selected?: number;
}

/** Where the auditor's name is remembered between visits (until sign-in exists). */
export const ACTOR_KEY = 'yizhangtu.audit.actor';

/** Status CSS suffixes and English words (core/case-status.ts). */
export const statusKey = (s: CaseStatus) => CASE_STATUS_LABEL[s].key;
export const statusWord = (s: CaseStatus, lang: Lang) => pick({ zh: s, en: CASE_STATUS_LABEL[s].en }, lang);

export const sourceWord = (s: string, lang: Lang) => pick({ zh: s, en: vocabularyEn(CASE_SOURCE_EN, s) ?? s }, lang);

/** "核查人：张三（已登录）": who a decision or an import is recorded as, when signed in (the name is data). */
export function SignedInActor(props: { name: string; as: 'p' | 'span'; testId?: string }) {
  const { t } = useT();
  const Tag = props.as;
  return (
    <Tag className="stock-note" {...(props.testId ? { 'data-testid': props.testId, 'data-actor': props.name } : {})}>
      {t('auActor')}
      {t('colon')}
      <span {...dataProps(props.name)}>{props.name}</span>
      {t('open')}
      {t('auSignedIn')}
      {t('close')}
    </Tag>
  );
}

export function StatusBadge(props: { status: CaseStatus }) {
  const { lang } = useT();
  return (
    <span className={`audit-status audit-status-${statusKey(props.status)}`} data-status={props.status}>
      {statusWord(props.status, lang)}
    </span>
  );
}

/** 亩 with two decimals, the raw value in a data attribute. */
export function Mu(props: { area: AreaUnits; field?: string; dashZero?: boolean }) {
  const zero = props.area.m2 < 0.005;
  return (
    <span data-field={props.field} data-mu={props.area.mu}>
      {zero && props.dashZero ? DASH : formatNumber(props.area.mu, DIGITS.mu)}
    </span>
  );
}

/** "12.34 亩（0.8227 公顷，8,226.67 m²）". */
export function AreaFull(props: { area: AreaUnits }) {
  const { lang } = useT();
  return <AreaFigures area={props.area} lang={lang} />;
}

export type AuditTab = 'queue' | 'import' | 'counties';

const TABS: { id: AuditTab; path: string; key: StringKey }[] = [
  { id: 'queue', path: '/audit', key: 'auTabQueue' },
  { id: 'import', path: '/audit/import', key: 'auTabImport' },
  { id: 'counties', path: '/audit/counties', key: 'auTabCounties' },
];

/** The pages' header: title, a way back to the map workspace, the tabs, the language switch. */
export function AuditHeader(props: { tab: AuditTab | null; lang: Lang; onLang: (l: Lang) => void; nav: Navigation; children?: ReactNode }) {
  const { t } = useT();
  return (
    <header className="app-header stock-header audit-header">
      <h1>
        <a href={withLang('/', props.lang)} className="home-link" title={t('stBackToMap')}>
          {t('title')}
        </a>
        <span className="stock-title"> · {t('auTitle')}</span>
      </h1>
      <nav className="audit-tabs" aria-label={t('auTitle')}>
        {TABS.map((tab) => (
          <a
            key={tab.id}
            href={withLang(tab.path, props.lang)}
            data-tab={tab.id}
            aria-current={props.tab === tab.id ? 'page' : undefined}
            onClick={props.nav.linkClick(withLang(tab.path, props.lang))}
          >
            {t(tab.key)}
          </a>
        ))}
      </nav>
      {props.children}
      <button type="button" className="lang-switch" onClick={() => props.onLang(otherLang(props.lang))} {...languageNameProps(otherLang(props.lang))}>
        {t('language')}
      </button>
      <SessionBadge />
    </header>
  );
}

/** Keys of the keyboard review; nothing while the user types in a field or holds a modifier. */
export function reviewKey(e: KeyboardEvent): 'next' | 'prev' | 'open' | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const target = e.target as HTMLElement | null;
  if (target) {
    // letters and arrows in a field are typing; Enter on a link, button or checkbox keeps its own meaning
    const typing = target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) || (target instanceof HTMLInputElement && !/^(checkbox|radio|button|submit|reset)$/.test(target.type));
    if (typing) return null;
    if (e.key === 'Enter' && /^(INPUT|BUTTON|A)$/.test(target.tagName)) return null;
  }
  switch (e.key) {
    case 'j':
    case 'n':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'p':
    case 'ArrowUp':
      return 'prev';
    case 'Enter':
      return 'open';
    default:
      return null;
  }
}

/** One row of a key–value table: its key (data-row, data-field), its label's key and its value. */
export type KeyValueRow = [key: string, label: StringKey, value: ReactNode];

/** A two-column table of labelled values (stock-kv), each row and cell tagged with its key. */
export function KeyValueTable(props: { rows: KeyValueRow[]; testid: string }) {
  const { t } = useT();
  return (
    <table className="stock-kv" data-testid={props.testid}>
      <tbody>
        {props.rows.map(([key, label, value]) => (
          <tr key={key} data-row={key}>
            <th>{t(label)}</th>
            <td data-field={key}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "王五 · 2026-05-20 10:31" — who did it and when, or a dash when nobody has. */
export function WhoWhen(props: { who: string | null; at: string | null }) {
  if (!props.at) return <>{DASH}</>;
  return (
    <>
      <span {...dataProps(props.who)}>{props.who ?? DASH}</span> · {beijingTime(props.at)}
    </>
  );
}
