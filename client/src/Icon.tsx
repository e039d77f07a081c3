/**
 * The UI's icons, drawn as inline SVG rather than emoji: office PCs without an emoji font
 * (Kylin, UOS) show an emoji as a box. Each icon takes the text's colour and size (1em) and
 * has an accessible name (`label`), or is hidden from assistive technology when the words
 * beside it say the same (`label` omitted).
 *
 * @example
 * <LockIcon label={t('iconLocked')} />
 */
import type { ReactNode } from 'react';

function Svg(props: { label?: string; className?: string; children: ReactNode }) {
  const named = props.label !== undefined && props.label !== '';
  return (
    <svg
      className={`icon${props.className ? ` ${props.className}` : ''}`}
      viewBox="0 0 16 16"
      width="1em"
      height="1em"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.6}
      strokeLinecap="round"
      strokeLinejoin="round"
      focusable="false"
      {...(named ? { role: 'img', 'aria-label': props.label } : { 'aria-hidden': true })}
    >
      {named && <title>{props.label}</title>}
      {props.children}
    </svg>
  );
}

/** A padlock: a layer the role may not see. */
export function LockIcon(props: { label?: string; className?: string }) {
  return (
    <Svg label={props.label} className={`icon-lock${props.className ? ` ${props.className}` : ''}`}>
      <rect x="3" y="7" width="10" height="7.5" rx="1.5" fill="currentColor" stroke="none" />
      <path d="M5.2 7V5a2.8 2.8 0 0 1 5.6 0v2" />
    </Svg>
  );
}
