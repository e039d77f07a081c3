/**
 * Roles and access (角色与权限). Every route declares who may call it; every layer's
 * sensitivity (core/layers.ts) says who may see its geometry and attributes.
 *
 * - public (not signed in): public layers (administrative units, the urban development
 *   boundary — published with the approved territorial spatial plan — and stock land), stock
 *   search and parcel pages, and site checks that answer areas and verdicts only;
 * - enterprise: as public, plus their own saved site checks;
 * - planner: every layer, full site checks and reports;
 * - auditor: as planner, plus the encroachment cases and decisions;
 * - admin: as auditor, plus users, the audit log and data.
 */
export const ROLES = ['public', 'enterprise', 'planner', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Roles an account can hold (public is the absence of one). */
export const ACCOUNT_ROLES = ['enterprise', 'planner', 'auditor', 'admin'] as const satisfies readonly Role[];
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export const ROLE_LABEL: Record<Role, { zh: string; en: string }> = {
  public: { zh: '公众', en: 'Public' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  planner: { zh: '规划人员', en: 'Planner' },
  auditor: { zh: '执法督察人员', en: 'Auditor' },
  admin: { zh: '系统管理员', en: 'Administrator' },
};

const RANK: Record<Role, number> = { public: 0, enterprise: 1, planner: 2, auditor: 3, admin: 4 };

/** The roles at or above `min`: each role holds what the ones before it hold. */
export function atLeast(min: Role): Role[] {
  return ROLES.filter((r) => RANK[r] >= RANK[min]);
}

/**
 * What a route declares (route option `config.access`):
 * - a list of roles allowed;
 * - `{ layerParam }`: allowed to everyone for a public layer named by that path parameter,
 *   and to planners and above for a restricted one.
 */
export type Access = readonly Role[] | { layerParam: string };

export const RESTRICTED_LAYER_ROLES: readonly Role[] = atLeast('planner');

/** May this role see the geometry and attributes of a layer of this sensitivity? */
export function maySeeLayer(role: Role, sensitivity: 'public' | 'restricted'): boolean {
  return sensitivity === 'public' || RESTRICTED_LAYER_ROLES.includes(role);
}

/** The route declaration as one line of the access table, e.g. "planner, auditor, admin". */
export function describeAccess(access: Access): string {
  return Array.isArray(access) ? (access as readonly Role[]).join(', ') : `public layer: everyone; restricted layer: ${RESTRICTED_LAYER_ROLES.join(', ')} (:${(access as { layerParam: string }).layerParam})`;
}
