/**
 * The <option>s of every "encoding" choice (site upload, case import, layer import): the text
 * encodings the parsers may be told to use (core/contracts/geometry.ts TEXT_ENCODINGS).
 */
import { TEXT_ENCODINGS } from '../../core/contracts/geometry.ts';

const NAMES: Record<(typeof TEXT_ENCODINGS)[number], string> = { 'utf-8': 'UTF-8', gbk: 'GBK', gb18030: 'GB18030', big5: 'Big5' };

export function EncodingOptions() {
  return (
    <>
      {TEXT_ENCODINGS.map((e) => (
        <option key={e} value={e}>
          {NAMES[e]}
        </option>
      ))}
    </>
  );
}
