// Marp's settings for ./lab slides (tools/render.mjs passes this file).
export default {
    themeSet: ['theme/netlabs.css'],
    theme: 'netlabs',
    lang: 'en',
    html: false,
    bespoke: { progress: true },
};
