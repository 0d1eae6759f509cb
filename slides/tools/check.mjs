// ./lab slides --check: every slide fits, and every quoted code block matches
// the solution it quotes. tools/render.mjs --check renders and runs it:
//
//   node tools/check.mjs --bare BARE_HTML_DIR HTML_DIR DECK.md...
//
// HTML_DIR holds the decks as Marp renders them for the screen (bespoke
// template), BARE_HTML_DIR the same with the bare template (every slide laid
// out at once, as in the PDF). Two kinds of check:
//
// 1. Layout, measured in headless Chromium (puppeteer-core, the library Marp
//    prints PDFs with, drives Debian's /usr/bin/chromium; no browser is
//    downloaded). On every slide:
//    - every element lies inside the slide's content box (the slide minus
//      its padding): nothing cut at the bottom or the right, nothing in the
//      margin where the page number and the HTML navigation bar sit;
//    - no element clips its own content (a table or code block with a
//      scroll bar: the PDF shows it cut);
//    - a code block Marp shrank to fit the width is still readable (at
//      least MIN_CODE_SCALE of its size);
//    and in the HTML, the navigation bar does not cover the slide.
//
// 2. Quotes, read from the Markdown. A code block whose info string names a
//    file is a quote of it:
//
//      ```cpp quote=solutions/06-broadcast-chat/chat_server.cpp#serve_client
//
//    #NAME        the definition of NAME (a function, class or struct: from
//                 its first line to its closing brace); #A+B: A, then B
//    :FIRST-LAST  lines FIRST to LAST (1-based)
//    (nothing)    the whole file
//
//    The block must show that code token for token, comments aside (a
//    slide may shorten a comment or add its own; the code is the solution's,
//    and how the slide breaks lines is free). A line `...`, or a comment
//    `// ...` or `/* ... */`, stands for code the slide leaves out; without
//    one at the start or the end, the block must start or end where the
//    quoted code does. So a slide cannot drop a catch clause, or a check,
//    without saying so.
//
// Exit status: 0 when every check passes, 1 otherwise. Every failure names
// the deck, the slide number and what is wrong.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const SLIDES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(SLIDES_DIR, '..');
const MIN_CODE_SCALE = 0.8;   // code shrunk below 80 % is too small to read from the back
const TOLERANCE = 0.5;        // px: sub-pixel rounding is not overflow
const BROWSER_TIMEOUT_MS = 180_000;   // a deadline for a stuck browser, not a speed test
const CHROMIUM = process.env.LAB_CHROMIUM || '/usr/bin/chromium';   // as tools/chromium
export const CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
];

// ------------------------------------------------------------- Markdown --

// The fenced code blocks of a deck, each with its slide number and line.
function codeBlocks(markdown) {
    const lines = markdown.split('\n');
    const blocks = [];
    let slide = 1, i = 0;
    if (lines[0] === '---') {   // front matter
        i = lines.indexOf('---', 1) + 1;
    }
    for (; i < lines.length; i++) {
        const line = lines[i];
        if (/^\s*(---|\*\*\*|___)\s*$/.test(line)) {
            slide++;
            continue;
        }
        const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(line);
        if (!open) continue;
        const fence = open[2];
        const info = open[3].trim().split(/\s+/);
        const body = [];
        const start = i + 1;
        for (i++; i < lines.length && !(lines[i].trim().startsWith(fence) && lines[i].trim().replace(/[`~]/g, '') === ''); i++) {
            body.push(lines[i]);
        }
        const quote = info.find((word) => word.startsWith('quote='));
        blocks.push({ slide, line: start + 1, lang: info[0] || '', quote: quote && quote.slice(6), body });
    }
    return blocks;
}

// ------------------------------------------------------- quoted regions --

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Lines [first, last] (0-based) of the definition of `name` in `lines`.
function findDefinition(lines, name) {
    const head = new RegExp(`(^|[^\\w.>:])${escapeRegExp(name)}\\s*\\(` + '|' +
                            `\\b(class|struct)\\s+${escapeRegExp(name)}\\b`);
    for (let first = 0; first < lines.length; first++) {
        if (!head.test(stripComments(lines[first]))) continue;
        // A definition reaches `{` before `;`: a call or a declaration does not.
        let depth = 0, opened = false;
        for (let last = first; last < lines.length; last++) {
            for (const ch of stripComments(lines[last]).replace(/"(\\.|[^"\\])*"|'(\\.|[^'\\])*'/g, '""')) {
                if (ch === ';' && !opened && depth === 0) { last = lines.length; break; }
                if (ch === '{') { depth++; opened = true; }
                if (ch === '}') depth--;
            }
            if (last >= lines.length) break;
            if (opened && depth === 0) {
                const start = first > 0 && /^\s*template\s*</.test(lines[first - 1]) ? first - 1 : first;
                return [start, last];
            }
        }
    }
    return null;
}

// The quoted lines, as { text, number } (1-based numbers), or an error.
function quotedRegion(spec) {
    const match = /^([^#:]+)(?:#(.+)|:(\d+)-(\d+))?$/.exec(spec);
    if (!match) return { error: `cannot read quote=${spec} (want PATH, PATH#NAME or PATH:FIRST-LAST)` };
    const [, file, names, first, last] = match;
    const full = path.join(ROOT, file);
    if (!fs.existsSync(full)) return { error: `quote=${spec}: there is no ${file}` };
    const lines = fs.readFileSync(full, 'utf8').split('\n');
    const numbered = (from, to) => lines.slice(from, to + 1).map((text, k) => ({ text, number: from + k + 1 }));
    if (names) {
        const region = [];
        for (const name of names.split('+')) {
            const found = findDefinition(lines, name);
            if (!found) return { error: `quote=${spec}: no definition of ${name} in ${file}` };
            region.push(...numbered(found[0], found[1]));
        }
        return { file, lines: region };
    }
    if (first) {
        if (+first < 1 || +last > lines.length || +first > +last) {
            return { error: `quote=${spec}: ${file} has lines 1-${lines.length}` };
        }
        return { file, lines: numbered(+first - 1, +last - 1) };
    }
    return { file, lines: numbered(0, lines.length - 1) };
}

// ------------------------------------------------------------ comparing --

const ELIDED = '\u2026';   // the token that stands for "code left out"

// A line without its comments (string literals kept whole). `inBlock` is
// carried across lines for /* ... */ comments.
function stripComments(line, state = { inBlock: false }) {
    let out = '';
    for (let i = 0; i < line.length; i++) {
        if (state.inBlock) {
            if (line.startsWith('*/', i)) { state.inBlock = false; i++; out += ' '; }
            continue;
        }
        const ch = line[i];
        if (ch === '"' || ch === '\'') {
            let j = i + 1;
            while (j < line.length && line[j] !== ch) j += line[j] === '\\' ? 2 : 1;
            out += line.slice(i, j + 1);
            i = j;
        } else if (line.startsWith('//', i)) {
            break;
        } else if (line.startsWith('/*', i)) {
            state.inBlock = true;
            i++;
        } else {
            out += ch;
        }
    }
    return out;
}

// Tokens of some lines of C++, each with the index of its line; comments
// dropped, elision marks turned into ELIDED.
function tokenize(lines) {
    const tokens = [];
    const state = { inBlock: false };
    lines.forEach((raw, index) => {
        if (!state.inBlock && /^\s*(\.\.\.|\/\/\s*\.\.\.|\/\*\s*\.\.\.\s*\*\/)\s*(\/\/.*)?$/.test(raw)) {
            tokens.push({ text: ELIDED, line: index });
            return;
        }
        const marked = state.inBlock ? raw : raw.replace(/\/\*\s*\.\.\.\s*\*\/|\/\/\s*\.\.\.\s*$/g, ` ${ELIDED} `);
        const code = stripComments(marked, state);
        for (const m of code.matchAll(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[A-Za-z_]\w*|\d[\w.']*|\S/g)) {
            tokens.push({ text: m[0], line: index });
        }
    });
    return tokens;
}

const startsAt = (region, segment, at) =>
    at + segment.length <= region.length && segment.every((t, k) => t.text === region[at + k].text);

// Compares a slide's block with the quoted region. Returns null when they
// match, or a message saying where they part.
function compareQuote(blockLines, region) {
    const slide = tokenize(blockLines);
    const solution = tokenize(region.lines.map((l) => l.text));
    const segments = [[]];
    for (const token of slide) {
        if (token.text === ELIDED) segments.push([]);
        else segments[segments.length - 1].push(token);
    }
    const openStart = slide.length > 0 && slide[0].text === ELIDED;
    const openEnd = slide.length > 0 && slide[slide.length - 1].text === ELIDED;
    let at = 0;
    const where = (token) => token ? `line ${region.lines[token.line].number} of ${region.file}` : `the end of the quoted code`;
    const showSlide = (token) => `slide line "${blockLines[token.line].trim()}"`;
    const showSolution = (token) => token ? `"${region.lines[token.line].text.trim()}" (${where(token)})` : 'the end of the quoted code';
    for (let s = 0; s < segments.length; s++) {
        const segment = segments[s];
        if (segment.length === 0) continue;
        const anchoredStart = s === 0 && !openStart;
        const anchoredEnd = s === segments.length - 1 && !openEnd;
        let found = -1;
        if (anchoredStart) {
            if (startsAt(solution, segment, at) && (!anchoredEnd || at + segment.length === solution.length)) found = at;
        } else if (anchoredEnd) {
            const end = solution.length - segment.length;
            if (end >= at && startsAt(solution, segment, end)) found = end;
        } else {
            for (let p = at; p + segment.length <= solution.length && found < 0; p++) {
                if (startsAt(solution, segment, p)) found = p;
            }
        }
        if (found >= 0) {
            at = found + segment.length;
            continue;
        }
        // Say where it parts: the longest run of this segment that matches.
        let best = { length: 0, at: anchoredStart ? at : -1 };
        const candidates = anchoredStart ? [at] : [...Array(Math.max(0, solution.length - at)).keys()].map((k) => k + at);
        for (const p of candidates) {
            let n = 0;
            while (n < segment.length && p + n < solution.length && segment[n].text === solution[p + n].text) n++;
            if (n > best.length) best = { length: n, at: p };
        }
        if (best.length === segment.length) {   // all there, but the quoted code goes on
            return `after ${showSlide(segment[segment.length - 1])}, the solution goes on with ${showSolution(solution[best.at + best.length])}: ` +
                   'show it, or mark what is left out with a line "..."';
        }
        if (best.at < 0) {
            return `${showSlide(segment[0])} is not in the quoted code (${region.file}): ` +
                   `${s === 0 && !openStart ? 'the block starts where the quoted code starts, unless its first line is "..."' : 'copy it from the solution'}`;
        }
        const hint = anchoredStart && best.length === 0 ? ' (a block starts where the quoted code starts, unless its first line is "...")' : '';
        return `${showSlide(segment[best.length])}: the solution has ${showSolution(solution[best.at + best.length])}${hint}`;
    }
    return null;
}

function checkQuotes(deck) {
    const failures = [];
    let quotes = 0, unquoted = 0;
    for (const block of codeBlocks(fs.readFileSync(deck, 'utf8'))) {
        if (!block.quote) {
            if (/^(cpp|c\+\+|hpp|c)$/i.test(block.lang)) unquoted++;
            continue;
        }
        quotes++;
        const region = quotedRegion(block.quote);
        const problem = region.error || compareQuote(block.body, region);
        if (problem) failures.push(`slide ${block.slide} (${path.basename(deck)}:${block.line}): ${problem}`);
    }
    return { failures, quotes, unquoted };
}

// --------------------------------------------------------------- layout --

// Runs in the page: the overflows of every slide.
function measureSlides({ minCodeScale, tolerance }) {
    const problems = [];
    const sections = [...document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section')];
    const describe = (el) => {
        const text = (el.textContent || '').trim().replace(/\s+/g, ' ');
        return `<${el.tagName.toLowerCase()}>` + (text ? ` "${text.length > 50 ? text.slice(0, 47) + '...' : text}"` : '');
    };
    sections.forEach((section, index) => {
        const slide = index + 1;
        const box = section.getBoundingClientRect();
        const scale = box.width / section.offsetWidth;   // the SVG scales the slide
        const style = getComputedStyle(section);
        const content = {
            top: box.top + parseFloat(style.paddingTop) * scale,
            left: box.left + parseFloat(style.paddingLeft) * scale,
            right: box.right - parseFloat(style.paddingRight) * scale,
            bottom: box.bottom - parseFloat(style.paddingBottom) * scale,
        };
        const found = [];
        // Only the outermost element that sticks out is reported.
        const walk = (el) => {
            for (const child of el.children) {
                const childStyle = getComputedStyle(child);
                if (childStyle.position === 'absolute' || childStyle.position === 'fixed' || childStyle.display === 'none') continue;  // header, footer
                const r = child.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;
                const out = [];
                if (r.bottom > content.bottom + tolerance) out.push(`${Math.round((r.bottom - content.bottom) / scale)} px below the content area${r.bottom > box.bottom + tolerance ? ` (${Math.round((r.bottom - box.bottom) / scale)} px cut off the slide)` : ''}`);
                if (r.top < content.top - tolerance) out.push(`${Math.round((content.top - r.top) / scale)} px above the content area`);
                if (r.right > content.right + tolerance) out.push(`${Math.round((r.right - content.right) / scale)} px right of the content area`);
                if (out.length) {
                    found.push(`${describe(child)} sticks out: ${out.join(', ')}`);
                    continue;
                }
                if ((childStyle.overflowX !== 'visible' && child.scrollWidth > child.clientWidth + 1) ||
                    (childStyle.overflowY !== 'visible' && child.scrollHeight > child.clientHeight + 1)) {
                    found.push(`${describe(child)} clips its content (${child.scrollWidth}x${child.scrollHeight} in ${child.clientWidth}x${child.clientHeight})`);
                    continue;
                }
                if (!/^(PRE|MARP-PRE)$/.test(child.tagName)) walk(child);
            }
        };
        walk(section);
        // Code blocks Marp shrinks to fit (auto-scaling): readable?
        for (const pre of section.querySelectorAll('pre, marp-pre')) {
            const svg = pre.shadowRoot?.querySelector('marp-auto-scaling')?.shadowRoot?.querySelector('svg');
            if (!svg) continue;
            const [, , w, h] = (svg.getAttribute('viewBox') || '0 0 0 0').split(/\s+/).map(Number);
            const shown = svg.getBoundingClientRect();
            if (!w || !h) continue;
            const codeScale = Math.min(shown.width / scale / w, shown.height / scale / h);
            if (codeScale < minCodeScale - 0.005) {
                found.push(`${describe(pre)}: its code is shrunk to ${Math.round(codeScale * 100)} % to fit (at least ${Math.round(minCodeScale * 100)} % is readable): shorten its lines or split the slide`);
            }
        }
        for (const f of found) problems.push({ slide, problem: f });
    });
    return { slides: sections.length, problems };
}

// Runs in the page (bespoke HTML): does the navigation bar cover the slide?
function navigationCovers() {
    const osc = document.querySelector('.bespoke-marp-osc');
    const active = document.querySelector('svg.bespoke-marp-active') || document.querySelector('svg[data-marpit-svg]');
    if (!osc || !active) return null;
    const a = osc.getBoundingClientRect();
    const section = active.querySelector('section');
    const b = section.getBoundingClientRect();
    const overlap = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return overlap > 0 && a.right > b.left && a.left < b.right ? Math.round(overlap) : 0;
}

async function newPage(browser, width, height) {
    const page = await browser.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT_MS);
    await page.setViewport({ width, height });
    return page;
}

async function settle(page) {
    // Marp sizes its code blocks (auto-scaling) once fonts are in and
    // frames are drawn: wait for that, not for a time.
    await page.evaluate(async () => {
        await document.fonts.ready;
        for (let i = 0; i < 3; i++) await new Promise((done) => requestAnimationFrame(done));
    });
}

// Every slide of the deck rendered with the bare template (all slides laid
// out at once, at their own size: as in the PDF).
async function checkLayout(browser, bareHtml) {
    const page = await newPage(browser, 1280, 720);
    await page.goto('file://' + bareHtml);
    await settle(page);
    const { slides, problems } = await page.evaluate(measureSlides, { minCodeScale: MIN_CODE_SCALE, tolerance: TOLERANCE });
    await page.close();
    const failures = problems.map(({ slide, problem }) => `slide ${slide}: ${problem}`);
    if (slides === 0) failures.push(`no slide found in ${bareHtml}: is this Marp's bare HTML?`);
    return { slides, failures };
}

// The deck as students open it (bespoke template): the navigation bar shows
// while the mouse moves; it must not cover the slide on common screens.
async function checkNavigation(browser, html) {
    const failures = [];
    const page = await newPage(browser, 1280, 720);
    await page.goto('file://' + html);
    await settle(page);
    for (const [width, height] of [[1280, 720], [1920, 1080], [1366, 768], [1280, 800], [1024, 768]]) {
        await page.setViewport({ width, height });
        await page.mouse.move(width / 2, height / 2);
        await page.mouse.move(width / 2 + 5, height / 2 + 5);
        await settle(page);
        const overlap = await page.evaluate(navigationCovers);
        if (overlap === null) failures.push('no navigation bar found: is this Marp\'s bespoke HTML?');
        else if (overlap) failures.push(`the HTML navigation bar covers ${overlap} px of the slide in a ${width}x${height} window`);
    }
    await page.close();
    return failures;
}

// ----------------------------------------------------------------- main --

async function main() {
    const args = process.argv.slice(2);
    const [flag, bareDir, htmlDir, ...decks] = args;
    if (flag !== '--bare' || !htmlDir || decks.length === 0) {
        console.error('usage: node tools/check.mjs --bare BARE_HTML_DIR HTML_DIR DECK.md...');
        process.exit(2);
    }
    const started = Date.now();
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true,
                                             timeout: BROWSER_TIMEOUT_MS, protocolTimeout: BROWSER_TIMEOUT_MS });
    let failed = 0, slideCount = 0, quoteCount = 0, unquotedCount = 0;
    try {
        for (const deck of decks) {
            const name = path.basename(deck, '.md');
            const html = path.resolve(htmlDir, name + '.html');
            const bare = path.resolve(bareDir, name + '.html');
            const quotes = checkQuotes(deck);
            const layout = fs.existsSync(bare) && fs.existsSync(html)
                ? await checkLayout(browser, bare)
                : { slides: 0, failures: [`not rendered: no ${bare} or ${html}`] };
            const navigation = layout.slides ? await checkNavigation(browser, html) : [];
            const failures = [...layout.failures, ...navigation, ...quotes.failures];
            slideCount += layout.slides;
            quoteCount += quotes.quotes;
            unquotedCount += quotes.unquoted;
            failed += failures.length;
            const status = failures.length ? 'FAIL' : 'ok  ';
            console.log(`${status} ${name}: ${layout.slides} slides, ${quotes.quotes} quoted code blocks` +
                        (quotes.unquoted ? `, ${quotes.unquoted} C++ block${quotes.unquoted > 1 ? 's' : ''} quoting nothing (sketches)` : ''));
            for (const f of failures) console.log(`       ${f}`);
        }
    } finally {
        await browser.close();
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${decks.length} decks, ${slideCount} slides, ${quoteCount} quoted code blocks checked in ${seconds} s: ` +
                (failed ? `${failed} problems` : 'every slide fits, every quote matches'));
    process.exit(failed ? 1 : 0);
}

export { codeBlocks, quotedRegion, compareQuote, checkQuotes };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
