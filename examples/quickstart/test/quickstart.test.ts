import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('the quickstart (npm start in examples/quickstart)', () => {
  it('tells the whole story in three processes with the scripted model when no key is set', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kestrion-quickstart-'));
    try {
      execFileSync(process.execPath, [
        join(root, '..', '..', 'compiler', 'dist', 'cli.js'),
        '--project',
        join(root, 'tsconfig.build.json'),
        '--out',
        join(root, 'kestrion.manifest.json'),
      ]);
      const env = { ...process.env };
      delete env.ANTHROPIC_API_KEY;
      delete env.OPENAI_API_KEY;
      delete env.OLLAMA_HOST;
      const out = execFileSync(process.execPath, [join(root, 'dist', 'story.js')], {
        encoding: 'utf8',
        cwd,
        env,
      });
      const [run, approve, resume] = out.split('# process').slice(1);
      expect(run).toContain('provider: the scripted model (no API key set)');
      expect(run).toContain('status=waiting_on_human');
      expect(run).toContain('pending approval: applyManifest');
      expect(approve).toContain('status=pending');
      expect(resume).toContain('status=completed');
      expect(resume).toContain('configured (replicas=3)');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
