// Marp's settings for ./lab slides (tools/render.mjs passes this file).
export default {
    themeSet: ['theme/netlabs.css'],
    theme: 'netlabs',
    lang: 'en',
    bespoke: { progress: true },
};
