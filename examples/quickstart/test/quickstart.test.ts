import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('the quickstart (npm start in examples/quickstart)', () => {
  // Exactly what the README says: `cd examples/quickstart && npm start`, on the tree `npm ci`
  // made — so the kestrion-compile bin must be linked at install time (the committed shim).
  it('tells the whole story in three processes with the scripted model when no key is set', () => {
    const env = { ...process.env };
    delete env.ANTHROPIC_API_KEY;
    delete env.OPENAI_API_KEY;
    delete env.OLLAMA_HOST;
    // npm sets these for a script run by jest through npm test; `npm start` must not inherit them.
    for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
    const shim = join(root, '..', '..', 'node_modules', '.bin', 'kestrion-compile');
    if (!existsSync(shim))
      throw new Error(`${shim} is missing: run npm ci (npm links the compiler's bin at install time)`);
    const out = execFileSync('npm', ['start'], { encoding: 'utf8', cwd: root, env });
    const [run, approve, resume] = out.split('# process').slice(1);
    expect(run).toContain('provider: the scripted model (no API key set)');
    expect(run).toContain('status=waiting_on_human');
    expect(run).toContain('pending approval: applyManifest');
    expect(approve).toContain('status=pending');
    expect(resume).toContain('status=completed');
    expect(resume).toContain('configured (replicas=3)');
  });
});
