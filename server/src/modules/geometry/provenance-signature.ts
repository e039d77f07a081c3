/**
 * The server's signature on a provenance (来源): the parse route signs what it read — HMAC-SHA256
 * over the provenance in a canonical form (keys sorted; everything but `edited` and the
 * signature itself) and the SHA-256 of the placed features' polygons — so that the site check
 * files a provenance as verified only when it is the server's own word, unchanged.
 *
 * The key is `PROVENANCE_SECRET` when set (every instance of a deployment sets the same);
 * otherwise a random key for this process: a provenance parsed before a restart then files as
 * unverified, and so does one parsed by another instance.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SiteProvenance } from '../../../../core/contracts/site-check.ts';

let key: Buffer | undefined;
function secret(): Buffer {
  key ??= process.env.PROVENANCE_SECRET ? Buffer.from(process.env.PROVENANCE_SECRET, 'utf8') : randomBytes(32);
  return key;
}

/** JSON with every object's keys sorted. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

type Area = { type: string; coordinates: unknown };

/** SHA-256 of the polygons of a site (or of features' geometries side by side, as the client joins them into one site). */
export function geometrySha256(geometries: readonly Area[]): string {
  const polygons = geometries.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : (g.coordinates as unknown[])));
  return createHash('sha256').update(JSON.stringify(polygons)).digest('hex');
}

const mac = (p: SiteProvenance, geometry: string): string => {
  const { edited: _e, signature: _s, ...signed } = p;
  return createHmac('sha256', secret()).update(canonical(signed)).update('\n').update(geometry).digest('hex');
};

/** The provenance signed for the placed geometry. */
export function signProvenance(p: SiteProvenance, geometries: readonly Area[]): SiteProvenance {
  const geometry = geometrySha256(geometries);
  return { ...p, signature: { geometrySha256: geometry, hmac: mac(p, geometry) } };
}

export type Verification = { verified: true } | { verified: false; reason: 'missing' | 'invalid' | 'geometry' };

/**
 * Whether a provenance is the server's, unchanged: its signature is valid and — unless it says
 * the site was edited on the map — the site is the geometry it was signed for.
 */
export function verifyProvenance(p: SiteProvenance, site: Area): Verification {
  if (!p.signature) return { verified: false, reason: 'missing' };
  const want = Buffer.from(mac(p, p.signature.geometrySha256), 'hex');
  const got = Buffer.from(p.signature.hmac, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { verified: false, reason: 'invalid' };
  if (!p.edited && geometrySha256([site]) !== p.signature.geometrySha256) return { verified: false, reason: 'geometry' };
  return { verified: true };
}
