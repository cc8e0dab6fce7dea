/**
 * The page in a real headless browser (Debian's chromium driven by playwright-core): the sample CT renders,
 * a click on the spleen becomes a point, Segment shows the mask over the image. The screenshot is kept in
 * test-output/serve-page.png.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type BrowserContext } from 'playwright-core';
import { FAST, SPLEEN_VOXEL } from '../bundle/vistaRun.js';
import { repoPath } from '../helpers/shared.js';
import { startServe, type ServeProcess } from '../serve/serveProcess.js';

// the functions given to page.evaluate/waitForFunction run in the page, where these exist
declare const document: any;
declare const window: any;

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = repoPath('test-output');

/** Pixels of the screenshot that are not the background, and those that are the overlay's red. */
function pixels(png: Buffer): { lit: number; red: number } {
  const image = PNG.sync.read(png);
  let lit = 0;
  let red = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    if (r > 40 || g > 40 || b > 45) lit++;
    if (r > 120 && r > 2 * g && r > 2 * b) red++;
  }
  return { lit, red };
}

describe('serve: the page in chromium', function () {
  this.timeout(120_000);
  let server: ServeProcess | undefined;
  let browser: BrowserContext | undefined;
  let profile: string;

  before(function () {
    if (!existsSync(CHROMIUM)) this.skip(); // skipped: /usr/bin/chromium is not installed (apt-get install chromium)
  });

  after(async () => {
    await browser?.close();
    if (server) expect(await server.stop()).to.equal(0);
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders the sample, takes a click on the spleen and shows the mask after Segment', async () => {
    server = await startServe(FAST);
    profile = mkdtempSync(path.join(tmpdir(), 'serve-chromium-'));
    // a fresh --user-data-dir: playwright takes it as the persistent context's folder
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const offsite: string[] = [];
    page.on('request', (r) => void (new URL(r.url()).host !== new URL(server!.url).host && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && offsite.push(r.url())));
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('ready'));

    await page.selectOption('#data-files', 'totalseg_example_ct_sm.nii.gz');
    await page.click('#open-data');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('voxels'), undefined, { timeout: 30_000 });
    await page.waitForTimeout(500);
    const canvas = page.locator('#gl');
    const before = pixels(await canvas.screenshot());
    expect(before.lit, 'the image is drawn (canvas not blank)').to.be.greaterThan(20_000);

    await page.fill('#label-search', 'spleen');
    await page.selectOption('#labels', '3');
    // put the crosshair on the spleen's slice, then click it in the axial view as a person would
    const target = await page.evaluate((voxel) => {
      const { nv, SLICE_TYPE } = (window as any).bundleServe;
      nv.scene.crosshairPos = nv.vox2frac(voxel);
      nv.drawScene();
      const hit = nv.frac2canvasPosWithTile(nv.vox2frac(voxel), SLICE_TYPE.AXIAL);
      const c = document.getElementById('gl') ;
      const rect = c.getBoundingClientRect();
      const scale = c.width / rect.width;
      return { x: hit.pos[0] / scale, y: hit.pos[1] / scale };
    }, SPLEEN_VOXEL);
    await canvas.click({ position: target });
    const points = await page.locator('#points li').allTextContents();
    expect(points).to.deep.equal([`+ [${SPLEEN_VOXEL.join(', ')}]`]);

    await page.click('#segment');
    await page
      .waitForFunction(() => /^(done|error)/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 })
      .catch(async (e) => {
        mkdirSync(OUTPUT, { recursive: true });
        writeFileSync(path.join(OUTPUT, 'serve-page-failed.png'), await page.screenshot());
        const status = await page.locator('#status').textContent();
        const error = await page.locator('#error').textContent();
        throw new Error(`${(e as Error).message}\nstatus: ${status}\nerror: ${error}\npage errors: ${errors.join('; ')}\nserver: ${server!.output().stderr}`);
      });
    const status = await page.locator('#status').textContent();
    expect(status, await page.locator('#error').textContent() ?? '').to.match(/^done/);
    await page.waitForTimeout(500);
    const shot = await page.screenshot();
    const after = pixels(await canvas.screenshot());
    expect(after.red, 'the mask is drawn in red over the image').to.be.greaterThan(before.red + 1000);
    const rows = await page.locator('#label-table tbody tr td:nth-child(2)').allTextContents();
    expect(rows).to.include('spleen');
    expect(await page.locator('#error').isHidden()).to.equal(true);
    expect(errors).to.deep.equal([]);
    expect(offsite, 'every asset comes from the server').to.deep.equal([]);
    mkdirSync(OUTPUT, { recursive: true });
    writeFileSync(path.join(OUTPUT, 'serve-page.png'), shot);
  });
});
