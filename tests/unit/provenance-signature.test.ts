/**
 * The key of the provenance signature: PROVENANCE_SECRET when set — so two processes (a restart,
 * another instance) with the same value verify each other's provenances — else a random key per
 * process, so a provenance signed before a restart is not verified after it. Each process here is
 * a real Node process running the signing module.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../server/src/modules/geometry/provenance-signature.ts', import.meta.url));
const SITE = { type: 'Polygon', coordinates: [[[114.34, 34.78], [114.35, 34.78], [114.35, 34.79], [114.34, 34.78]]] };
const PROVENANCE = {
  fileName: 'a.txt', format: 'boundary-points', detected: null, detectionRefused: null, confirmed: null, overrides: {},
  warnings: [{ code: 'DATUM_APPROXIMATE', zh: '近似', en: 'approximate' }], source: null, edited: false,
};

/** Runs `code` in a fresh Node process with the module imported as `m`; its stdout, parsed. */
function inProcess(code: string, env: Record<string, string | undefined>): unknown {
  const script = `const m = await import(${JSON.stringify(MODULE)}); const out = await (async () => { ${code} })(); process.stdout.write(JSON.stringify(out));`;
  const { PROVENANCE_SECRET: _drop, ...rest } = process.env;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...rest, ...env }, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out);
}

const sign = `return m.signProvenance(${JSON.stringify(PROVENANCE)}, [${JSON.stringify(SITE)}]);`;
const verify = (p: unknown) => `return m.verifyProvenance(${JSON.stringify(p)}, ${JSON.stringify(SITE)});`;

describe('the provenance signature key', () => {
  it('with PROVENANCE_SECRET, another process with the same secret verifies; with another secret or none it does not', () => {
    const signed = inProcess(sign, { PROVENANCE_SECRET: 'kaifeng-bureau-secret' });
    expect(inProcess(verify(signed), { PROVENANCE_SECRET: 'kaifeng-bureau-secret' })).toEqual({ verified: true });
    expect(inProcess(verify(signed), { PROVENANCE_SECRET: 'another-secret' })).toEqual({ verified: false, reason: 'invalid' });
    expect(inProcess(verify(signed), {})).toEqual({ verified: false, reason: 'invalid' });
  });

  it('without it, a restart (a new process) does not verify what the old one signed; the same process does', () => {
    const both = inProcess(`const p = m.signProvenance(${JSON.stringify(PROVENANCE)}, [${JSON.stringify(SITE)}]); return { p, same: m.verifyProvenance(p, ${JSON.stringify(SITE)}) };`, {}) as { p: unknown; same: unknown };
    expect(both.same).toEqual({ verified: true });
    expect(inProcess(verify(both.p), {})).toEqual({ verified: false, reason: 'invalid' });
  });
});
