/** File downloads: the Content-Disposition header every export sends. */

/**
 * `Content-Disposition: attachment` with an ASCII fallback and the real name RFC 5987-encoded.
 *
 * @example contentDisposition('选址套核-x.xlsx', 'site-check-x.xlsx')
 *   // `attachment; filename="site-check-x.xlsx"; filename*=UTF-8''%E9%80%89…`
 */
export function contentDisposition(filename: string, asciiFallback: string): string {
  const ascii = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

