/**
 * The audit log's details in words in both languages: what the server writes (reason codes,
 * roles, yes/no, who created the first accounts, a failure's message) never shows as a code —
 * "原因：wrong password；locked：否", "角色：enterprise", "by：YZT_ADMIN_USERNAME" were.
 */
import { describe, expect, it } from 'vitest';
import { actorText, detailsText, layerName, type Entry } from '../../client/src/admin/AdminAuditLogPage.tsx';

describe('audit-log details', () => {
  it('a failed sign-in: the reason and the lock in words', () => {
    expect(detailsText({ reason: 'wrong-password', locked: false }, 'zh')).toBe('原因：密码错误；账号已锁定：否');
    expect(detailsText({ reason: 'unknown-user', locked: true }, 'en')).toBe('reason: no such user name; account locked: yes');
    // entries written before the reasons were codes
    expect(detailsText({ reason: 'wrong password', locked: false }, 'zh')).toBe('原因：密码错误；账号已锁定：否');
    expect(detailsText({ reason: 'disabled' }, 'zh')).toBe('原因：账号已停用');
  });

  it('roles by their names, and the account created at start-up said as such', () => {
    expect(detailsText({ role: 'enterprise' }, 'zh')).toBe('角色：企业');
    expect(detailsText({ role: 'admin', by: 'startup-env' }, 'zh')).toBe('角色：系统管理员；创建方式：启动时由环境变量创建（YZT_ADMIN_USERNAME）');
    expect(detailsText({ role: 'admin', by: 'YZT_ADMIN_USERNAME' }, 'en')).toMatch(/^role: [A-Z][a-z]+.*; created: at start-up, from the environment/);
    expect(detailsText({ role: 'planner', by: 'npm run user:create' }, 'zh')).toBe('角色：规划人员；创建方式：由命令行创建（npm run user:create）');
  });

  it('a site check’s approval: its number, date and county in words', () => {
    expect(detailsText({ approvalNo: '豫政土〔2026〕18号', approvedOn: '2026-06-30', county: '410221' }, 'zh')).toBe('批准文号：豫政土〔2026〕18号；批准日期：2026-06-30；县区代码：410221');
    expect(detailsText({ approvalNo: 'X-18', approvedOn: '2026-06-30', county: '410221' }, 'en')).toBe('approval number: X-18; approval date: 2026-06-30; county code: 410221');
  });

  it('a case decision and layer versions', () => {
    expect(detailsText({ status: '违法占用', version: 3 }, 'en')).toBe('status: Confirmed illegal; version: v3');
    expect(detailsText({ status: '违法占用', version: 3 }, 'zh')).toBe('结论：违法占用；版本：第 3 版');
    expect(detailsText({ layer: 'eco-redline', versionNo: 2, replaced: 1, features: 10, excluded: 0, areaMu: 12.345 }, 'zh')).toBe('版本：第 2 版；替换版本：第 1 版；要素数：10；未导入：0；面积（亩）：12.35');
    expect(layerName('eco-redline', 'zh')).toBe('生态保护红线');
  });

  it('a rectification: its deadline, whether done and when', () => {
    expect(detailsText({ deadline: '2026-12-15', done: true, doneOn: '2026-12-01' }, 'zh')).toBe('整改期限：2026-12-15；已整改：是；整改完成日期：2026-12-01');
    expect(detailsText({ done: false, doneOn: null }, 'en')).toBe('rectified: no');
  });

  it('a failure in the page’s language', () => {
    const d = { fileName: 'a.zip', error: '文件无法读取', errorEn: 'The file cannot be read' };
    expect(detailsText(d, 'zh')).toBe('文件：a.zip；错误：文件无法读取');
    expect(detailsText(d, 'en')).toBe('file: a.zip; error: The file cannot be read');
  });

  it('no detail the server writes is left as an English key in Chinese', () => {
    const all = { role: 'planner', disabled: true, displayName: '张三', reason: 'locked', locked: true, by: 'command-line', versionNo: 1, replaced: 1, features: 1, excluded: 1, fileName: 'f', areaMu: 1, rows: 1, status: '误报', version: 1, error: '错', note: '说明', deadline: '2026-12-31', done: true, doneOn: '2026-12-01' };
    const zh = detailsText(all, 'zh');
    expect(zh.replace(/（[^）]*）/g, '')).not.toMatch(/[A-Za-z]{2,}/);
  });

  it('says the system created the first account, and never lets a typed user name pass for it', () => {
    const entry = (action: string, username: string): Entry => ({ id: 1, at: '2026-12-01T00:00:00Z', action, userId: null, username, ip: null, target: null, details: null });
    expect(actorText(entry('user-created', 'env'), 'zh')).toBe('系统（启动时）');
    expect(actorText(entry('user-created', 'cli'), 'en')).toBe('Command line');
    // an anonymous sign-in attempt typing "env" is that name, not the system
    expect(actorText(entry('sign-in-failed', 'env'), 'zh')).toBe('env');
    expect(actorText(entry('sign-in-failed', 'cli'), 'en')).toBe('cli');
  });
});
