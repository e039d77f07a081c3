/**
 * `npm run user:create -- --username NAME --role admin|auditor|planner|enterprise [--display-name 姓名] [--scope 410800]`
 *
 * Creates an account in the configured database (DATABASE_URL, else the embedded one). The
 * password is read from the environment variable YZT_PASSWORD, or typed at a prompt that does
 * not echo it — never from the command line, where it would stay in the shell history.
 */
import { parseArgs } from 'node:util';
import { PROVINCE } from '../../../core/divisions.ts';
import { checkScopeGrant } from '../modules/auth/scope.ts';
import { createInterface } from 'node:readline';
import { ACCOUNT_ROLES, type AccountRole } from '../../../core/access.ts';
import { embeddedDir, loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { AppError } from '../plugins/errors.ts';
import { audit, createUser } from '../modules/auth/service.ts';

const { values } = parseArgs({
  options: { username: { type: 'string' }, role: { type: 'string' }, 'display-name': { type: 'string' }, scope: { type: 'string' } },
});
if (!values.username || !values.role || !(ACCOUNT_ROLES as readonly string[]).includes(values.role)) {
  console.error(`用法 usage: npm run user:create -- --username 名称 --role ${ACCOUNT_ROLES.join('|')} [--display-name 姓名] [--scope 行政区代码 division code, default 410000 the province]`);
  console.error('密码取自环境变量 YZT_PASSWORD，未设置时在终端输入（不回显）。');
  process.exit(2);
}

async function promptPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      out._writeToOutput = (s: string) => out.output.write(s.startsWith(q) ? q : '');
      rl.question(q, resolve);
    });
  const first = await ask('密码 password: ');
  process.stdout.write('\n');
  const again = await ask('再次输入 again: ');
  process.stdout.write('\n');
  rl.close();
  if (first !== again) {
    console.error('两次输入的密码不一致 the passwords differ');
    process.exit(2);
  }
  return first;
}

const password = process.env.YZT_PASSWORD ?? (await promptPassword());
const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDir(config.dataDir) });
try {
  await db.migrate();
  if (values.scope) await checkScopeGrant(db, values.scope, PROVINCE.code);
  const user = await createUser(db, { username: values.username, displayName: values['display-name'], role: values.role as AccountRole, password, ...(values.scope ? { scope: values.scope } : {}) });
  await audit(db, { action: 'user-created', username: 'cli', target: user.username, details: { role: user.role, scope: user.scope, by: 'command-line' } });
  console.log(`已创建用户 created: ${user.username}（${user.role}，工作范围 scope ${user.scope}）`);
} catch (e) {
  console.error(e instanceof AppError ? e.zh : e);
  process.exitCode = 1;
} finally {
  await db.close();
}
