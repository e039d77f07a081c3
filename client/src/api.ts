/** Typed calls to the server, validated with the same zod contracts the server declares. */
import { HealthResponse } from '../../core/contracts/health.ts';
import { LayersResponse } from '../../core/contracts/layers.ts';
import type { z } from 'zod';

async function getJson<S extends z.ZodType>(url: string, schema: S): Promise<z.infer<S>> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `${res.status} ${res.statusText}`;
    throw new Error(message);
  }
  return schema.parse(body);
}

export const api = {
  health: () => getJson('/api/health', HealthResponse),
  layers: () => getJson('/api/layers', LayersResponse),
};
