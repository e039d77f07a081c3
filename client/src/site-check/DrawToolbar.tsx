import { useT, type StringKey } from '../i18n.ts';
import type { DrawState, DrawTool } from './draw.ts';

const TOOLS: { tool: DrawTool; label: StringKey; hint: StringKey }[] = [
  { tool: 'polygon', label: 'scToolPolygon', hint: 'scHintPolygon' },
  { tool: 'rectangle', label: 'scToolRectangle', hint: 'scHintRectangle' },
  { tool: 'freehand', label: 'scToolFreehand', hint: 'scHintFreehand' },
  { tool: 'select', label: 'scToolSelect', hint: 'scHintSelect' },
];

/** Drawing tools, undo and clear; a tool's button toggles it. */
export function DrawToolbar(props: {
  state: DrawState;
  onTool: (tool: DrawTool | null) => void;
  onUndo: () => void;
  onClear: () => void;
}) {
  const { t } = useT();
  const s = props.state;
  const active = TOOLS.find((x) => x.tool === s.tool);
  return (
    <div className="sc-toolbar">
      <div className="sc-tools" role="toolbar" aria-label={t('scTitle')}>
        {TOOLS.map(({ tool, label }) => (
          <button
            key={tool}
            type="button"
            data-tool={tool}
            aria-pressed={s.tool === tool}
            disabled={!s.ready || (tool === 'select' && (!s.site || !s.editable))}
            onClick={() => props.onTool(s.tool === tool ? null : tool)}
          >
            {t(label)}
          </button>
        ))}
        <button type="button" data-action="undo" disabled={!s.ready || !s.canUndo} onClick={props.onUndo}>
          {t('scUndo')}
        </button>
        <button type="button" data-action="clear" disabled={!s.ready || (!s.site && !s.drawing)} onClick={props.onClear}>
          {t('scClear')}
        </button>
      </div>
      <p className="sc-hint" data-testid="site-status" data-vertices={s.vertices} data-drawing={s.drawing} data-tool={s.tool ?? ''}>
        {active ? t(active.hint) : s.site ? t('scVertices', { n: s.vertices }) : t('scHintEmpty')}
        {s.site && !s.editable && !active && <span className="sc-muted"> {t('scNotEditable')}</span>}
      </p>
    </div>
  );
}
