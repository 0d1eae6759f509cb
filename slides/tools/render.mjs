// ./lab slides: renders every deck (slides/NN-*.md) with Marp.
//
//   node tools/render.mjs [--check] [--no-pdf]
//
//   slides/html/NN-*.html   for the screen (keys, or the navigation bar)
//   slides/pdf/NN-*.pdf     to hand out
//
// --check renders the HTML only, then runs tools/check.mjs: every slide
// fits, every quoted code block matches its solution.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { marpCli } from '@marp-team/marp-cli';

const TOOLS = path.dirname(fileURLToPath(import.meta.url));
const SLIDES = path.resolve(TOOLS, '..');
const CONFIG = path.join(SLIDES, 'marp.config.mjs');

// Bespoke (Marp's HTML viewer) puts its navigation bar over the bottom of
// the slide. This keeps a strip below the slide for it, in the window only.
const NAVIGATION_CSS = `<style id="netlabs-navigation">
:is(body[data-bespoke-view=""],body[data-bespoke-view=next]) .bespoke-marp-parent{bottom:64px}
:is(body[data-bespoke-view=""],body[data-bespoke-view=next]) .bespoke-marp-parent>.bespoke-marp-osc{bottom:-60px}
body{background:#000}
</style>`;

const decks = () => fs.readdirSync(SLIDES).filter((f) => /^\d\d-.*\.md$/.test(f)).sort();

async function marp(args) {
    const status = await marpCli([
        '--config-file', CONFIG,
        '--browser', 'chrome', '--browser-path', path.join(TOOLS, 'chromium'),
        '--browser-timeout', '180',   // seconds: a loaded machine is slow, not broken
        '--input-dir', SLIDES,
        ...args,
    ]);
    if (status !== 0) throw new Error(`marp ${args.join(' ')} failed (status ${status})`);
}

function addNavigationStrip(dir) {
    for (const deck of decks()) {
        const html = path.join(dir, deck.replace(/\.md$/, '.html'));
        const text = fs.readFileSync(html, 'utf8');
        if (text.includes('id="netlabs-navigation"')) continue;
        // A deck's relative links are relative to slides/; its HTML lives
        // one folder down, in slides/html/ (the bench chart of deck 09).
        fs.writeFileSync(html, text.replace('</head>', NAVIGATION_CSS + '</head>').replaceAll('src="../', 'src="../../'));
    }
}

// Outputs of decks that no longer exist go (a renamed deck leaves none behind).
function removeStale(dir, extension) {
    if (!fs.existsSync(dir)) return;
    const wanted = new Set(decks().map((d) => d.replace(/\.md$/, extension)));
    for (const file of fs.readdirSync(dir)) {
        if (file.endsWith(extension) && !wanted.has(file)) fs.rmSync(path.join(dir, file));
    }
}

async function main() {
    const check = process.argv.includes('--check');
    const pdf = !check && !process.argv.includes('--no-pdf');
    const started = Date.now();
    const htmlDir = path.join(SLIDES, 'html');
    await marp(['--output', htmlDir]);
    addNavigationStrip(htmlDir);
    removeStale(htmlDir, '.html');
    if (pdf) {
        // --allow-local-files: the decks are ours, and one shows the bench's
        // chart (bench/results/bench.svg), a file beside the project.
        await marp(['--pdf', '--pdf-outlines', '--allow-local-files', '--output', path.join(SLIDES, 'pdf')]);
        removeStale(path.join(SLIDES, 'pdf'), '.pdf');
    }
    if (!check) {
        console.log(`rendered ${decks().length} decks in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
                    `slides/html/${pdf ? ', slides/pdf/' : ''}`);
        return 0;
    }
    // The layout is measured on the "bare" template, where every slide is
    // laid out at once (the viewer lays out only the one on screen); its
    // slides are the same size as the viewer's and the PDF's.
    const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netlabs-slides-'));
    try {
        await marp(['--template', 'bare', '--output', bareDir]);
        const selfTest = spawnSync(process.execPath, [path.join(TOOLS, 'self-test.mjs')], { stdio: 'inherit' });
        if (selfTest.status !== 0) return 1;
        const result = spawnSync(process.execPath, [path.join(TOOLS, 'check.mjs'), '--bare', bareDir, htmlDir,
                                                    ...decks().map((d) => path.join(SLIDES, d))],
                                 { stdio: 'inherit' });
        return result.status ?? 1;
    } finally {
        fs.rmSync(bareDir, { recursive: true, force: true });
    }
}

main().then((status) => process.exit(status), (error) => {
    console.error(error.message || error);
    process.exit(1);
});
