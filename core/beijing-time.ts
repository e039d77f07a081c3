/**
 * Beijing time (UTC+8, no daylight saving): what every date a bureau files, exports or counts a
 * year by is written in — report times, export file names, the statistics year.
 *
 * @example beijingTime('2026-11-22T03:58:01.000Z') // '2026-11-22 11:58:01'
 */
const OFFSET_MS = 8 * 3600_000;

/** The instant shifted so that its UTC fields read as Beijing wall-clock time. */
const shifted = (ms: number) => new Date(ms + OFFSET_MS);

/** An ISO instant as Beijing time, "2026-11-22 11:58:01". */
export function beijingTime(iso: string): string {
  return shifted(Date.parse(iso)).toISOString().slice(0, 19).replace('T', ' ');
}

/** Today's date in Beijing, "2026-11-22". */
export const beijingToday = (now: Date = new Date()): string => shifted(now.getTime()).toISOString().slice(0, 10);

/** Today's date in Beijing for a file name, "20261122". */
export const beijingStamp = (now: Date = new Date()): string => beijingToday(now).replace(/-/g, '');

/** The year in Beijing, 2026. */
export const beijingYear = (now: Date = new Date()): number => shifted(now.getTime()).getUTCFullYear();
