import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('the kubectl demo (npm run demo)', () => {
  it('parks at the gated apply, is approved by alice in a second process, completes in a third', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kestrion-demo-'));
    try {
      const out = execFileSync(process.execPath, [join(__dirname, '..', 'dist', 'demo.js')], {
        encoding: 'utf8',
        env: { ...process.env, KUBECTL_DEMO_DIR: join(dir, 'state') },
      });
      const [start, approve, resume] = out.split('$ node cli.js').slice(1);
      expect(start).toContain('status=waiting_on_human current_node=apply_change');
      expect(start).toMatch(/pending approval: call=\S+ tool=apply_manifest args=\{"yaml":".*replicas: 3/);
      expect(approve).toContain('approved by alice');
      expect(resume).toContain('status=completed');
      expect(resume).toContain('"result":{"deployment":"checkout-api","replicas":3}');
      expect(resume).toMatch(/events=\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
