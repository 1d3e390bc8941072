// Small hand-drawn SVG charts for the dashboard: one series as a line, others as stacked bars, over
// the same minutes. Built with DOM calls (no markup strings), styled by classes (CSP: no inline styles).

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) {
        e.setAttribute(k, String(v));
    }
    if (text !== undefined) {
        e.textContent = text;
    }
    return e;
}

function niceMax(v) {
    if (v <= 4) {
        return 4;
    }
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) {
        if (m * p >= v) {
            return m * p;
        }
    }
    return 10 * p;
}

function clock(ms) {
    const d = new Date(ms);
    return String(d.getUTCHours()).padStart(2, '0') + ':' + String(d.getUTCMinutes()).padStart(2, '0');
}

/**
 * points: [{at, ...}]; line: {key, cls} drawn as a line (values < 0 are gaps); bars: [{key, cls}] stacked.
 * Returns an <svg> with a <title> that says what it shows, for screen readers.
 */
export function chart({ points, line, bars = [], title }) {
    const W = 600, H = 170, L = 34, R = 8, T = 8, B = 22;
    const n = points.length;
    const values = points.flatMap((p) => [line ? p[line.key] : 0, bars.reduce((s, b) => s + p[b.key], 0)]);
    const max = niceMax(Math.max(1, ...values));
    const x = (i) => L + (i + 0.5) * ((W - L - R) / n);
    const y = (v) => T + (H - T - B) * (1 - v / max);
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', preserveAspectRatio: 'none' });
    root.append(svg('title', {}, title));
    for (let k = 0; k <= 4; k++) {
        const v = (max * k) / 4;
        root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: k ? 'grid' : 'axis' }));
        root.append(svg('text', { x: L - 4, y: y(v) + 3, 'text-anchor': 'end' }, Number.isInteger(v) ? v : v.toFixed(1)));
    }
    const bw = Math.max(1, ((W - L - R) / n) * 0.7);
    points.forEach((p, i) => {
        let base = 0;
        for (const b of bars) {
            const v = p[b.key];
            if (v > 0) {
                root.append(svg('rect', { x: x(i) - bw / 2, y: y(base + v), width: bw, height: y(base) - y(base + v), class: b.cls }));
                base += v;
            }
        }
        if (i % 10 === 0 || i === n - 1) {
            root.append(svg('text', { x: x(i), y: H - 6, 'text-anchor': i === n - 1 ? 'end' : 'middle' }, clock(p.at)));
        }
    });
    if (line) {
        let d = '';
        let pen = false;
        points.forEach((p, i) => {
            const v = p[line.key];
            if (v < 0) {
                pen = false;
                return;
            }
            d += (pen ? 'L' : 'M') + x(i).toFixed(1) + ' ' + y(v).toFixed(1) + ' ';
            pen = true;
            root.append(svg('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5, class: line.cls + ' dot' }));
        });
        if (d) {
            root.append(svg('path', { d, class: line.cls }));
        }
    }
    return root;
}
