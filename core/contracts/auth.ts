/** Sign-in, the current session, and the admins' account management. */
import { z } from 'zod';
import { ACCOUNT_ROLES, ROLE_LABEL } from '../access.ts';
import { idParam } from './common.ts';

/** A user in a path: `/api/admin/users/{id}`. */
export const UserIdParams = z.object({ id: idParam('用户编号') });

export const UserInfo = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ACCOUNT_ROLES),
  /** The division the account works in (core/divisions.ts): 410000 the province, a city's or a county's code. */
  scope: z.string(),
});
export type UserInfo = z.infer<typeof UserInfo>;

/** A division code given as an account's scope; whether it is known is checked against the loaded counties. */
const scopeCode = z.string().regex(/^\d{6}$/, '工作范围须为 6 位行政区代码，如 410000（全省）、410800（焦作市）');

export const ScopeInfo = z
  .object({
    code: z.string(),
    level: z.enum(['province', 'city', 'county']),
    name: z.string(),
    nameEn: z.string(),
    /** [west, south, east, north] in degrees (CGCS2000); null when none of its counties is loaded. */
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  })
  .meta({ id: 'ScopeInfo' });
export type ScopeInfo = z.infer<typeof ScopeInfo>;

export const SessionInfo = z
  .object({
    /** Null for the public (not signed in). */
    user: UserInfo.nullable(),
    /** Send back in `x-csrf-token` on every POST/PUT/PATCH/DELETE while signed in. */
    csrfToken: z.string().nullable(),
    /** Where the caller works: its name and the extent of its counties (the map opens on it); the province for the public. */
    scope: ScopeInfo,
  })
  .meta({ id: 'SessionInfo' });
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SignInRequest = z
  .object({
    // each check its own words: a schema's message would otherwise stand for every issue (a 1 MB name was "empty")
    username: z.string({ message: '用户名不能为空' }).trim().min(1, '用户名不能为空').max(40, '用户名最多 40 个字符'),
    password: z.string({ message: '密码不能为空' }).min(1, '密码不能为空').max(200, '密码最多 200 个字符'),
  })
  .meta({ id: 'SignInRequest' });

export const NewUserRequest = z
  .object({
    username: z.string().trim().min(2, '用户名至少 2 个字符').max(40, '用户名最多 40 个字符'),
    displayName: z.string().trim().max(50, '姓名最多 50 个字符').optional(),
    role: z.enum(ACCOUNT_ROLES, { message: `角色只能是：${ACCOUNT_ROLES.map((r) => `${ROLE_LABEL[r].zh}（${r}）`).join('、')}` }),
    password: z.string().min(1, '密码不能为空').max(200),
    /** Default: the creating administrator's own scope. */
    scope: scopeCode.optional(),
  })
  .meta({ id: 'NewUserRequest' });

export const UserChangeRequest = z
  .object({
    role: z.enum(ACCOUNT_ROLES, { message: `角色只能是：${ACCOUNT_ROLES.map((r) => `${ROLE_LABEL[r].zh}（${r}）`).join('、')}` }).optional(),
    displayName: z.string().trim().min(1).max(50, '姓名最多 50 个字符').optional(),
    disabled: z.boolean().optional(),
    scope: scopeCode.optional(),
  })
  .refine((c) => c.role !== undefined || c.displayName !== undefined || c.disabled !== undefined || c.scope !== undefined, { message: '至少修改一项：角色、姓名、工作范围或停用', params: { en: 'Change at least one of the role, the name, the scope or disabled' } });

export const PasswordResetRequest = z.object({ password: z.string().min(1, '密码不能为空').max(200) });

export const AdminUser = UserInfo.extend({ disabled: z.boolean(), createdAt: z.string(), lockedUntil: z.string().nullable() });
export const AdminUserList = z.object({ users: z.array(AdminUser) }).meta({ id: 'AdminUserList' });

export const AuditLogQuery = z.object({
  action: z.string().max(40).optional(),
  limit: z.coerce.number({ message: '条数上限须为整数' }).int('条数上限须为整数').min(1, '条数上限至少为 1').max(1000, '条数上限最多为 1000').default(200),
});
export const AuditLogEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  action: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  ip: z.string().nullable(),
  target: z.string().nullable(),
  details: z.unknown(),
});
export const AuditLogResponse = z.object({ entries: z.array(AuditLogEntry) }).meta({ id: 'AuditLogResponse' });
