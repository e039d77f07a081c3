/**
 * Password hashing with scrypt (memory-hard; Node's own crypto, no native module):
 * N = 2^15, r = 8, p = 1 — 32 MiB and ~0.1 s per hash — with a 16-byte random salt, stored as
 * `scrypt$N$r$p$salt$hash` (base64url) so the parameters can be raised later.
 *
 * @example
 *   const stored = await hashPassword('correct horse battery staple');
 *   await verifyPassword('correct horse battery staple', stored) // true
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...opts, maxmem: 128 * opts.N! * opts.r! * 2 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === want.length && timingSafeEqual(key, want);
}

/** Minimum rules for a new password: 10+ characters, not all of one kind of character. */
export function passwordProblem(password: string): { zh: string; en: string } | null {
  if (password.length < 10) return { zh: '密码至少 10 个字符', en: 'The password needs at least 10 characters' };
  if (password.length > 200) return { zh: '密码最多 200 个字符', en: 'The password may have at most 200 characters' };
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(password)).length;
  if (kinds < 2) return { zh: '密码须包含至少两类字符（小写、大写、数字、符号）', en: 'The password needs at least two kinds of characters (lower case, upper case, digits, symbols)' };
  return null;
}
