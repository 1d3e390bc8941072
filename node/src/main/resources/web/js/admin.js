// The admin console: a live dashboard of the grid (GET /api/v1/grid/stream, server-sent events) and a
// page for each thing the REST API manages. Pages are chosen by the URL's #fragment.
import { api, login, logout, el, clear, show, formatMb, since, ApiError } from '/web/js/api.js';
import { chart } from '/web/js/charts.js';
import { form, table, actions, button, panel } from '/web/js/forms.js';
import { importForm, imported, imageTable } from '/web/js/images.js';

const $ = (id) => document.getElementById(id);
const main = () => $('main');

let grid = null;          // the latest 'grid' event: {cluster, history}
let stream = null;        // the EventSource
let page = null;          // the page shown: {name, refresh()}
let refreshTimer = null;

// ---- login and the live stream --------------------------------------------------------------

async function onLogin(event) {
    event.preventDefault();
    $('login-error').textContent = '';
    try {
        const r = await login($('username').value.trim(), $('password').value);
        if (r.role !== 'admin') {
            await logout().catch(() => {});
            $('login-error').textContent = `User '${r.user}' is not an admin: the admin console needs one. Users find their desktops at /.`;
            return;
        }
        $('password').value = '';
        sessionStorage.setItem('deskmesh.role', r.role);
        sessionStorage.setItem('deskmesh.user', r.user);
        start(r.user);
    } catch (e) {
        $('login-error').textContent = e.message;
    }
}

function showLogin(message) {
    if (stream) {
        stream.close();
        stream = null;
    }
    show($('shell'), false);
    show($('account'), false);
    show($('login-view'), true);
    $('login-error').textContent = message || '';
    $('username').focus();
}

function start(user) {
    show($('login-view'), false);
    show($('shell'), true);
    show($('account'), true);
    $('who').textContent = user ? 'Logged in as ' + user : '';
    connectStream();
    route();
}

function connectStream() {
    if (stream) {
        stream.close();
    }
    const live = $('live');
    stream = new EventSource('/api/v1/grid/stream');
    stream.addEventListener('open', () => { live.dataset.state = 'live'; live.textContent = 'live'; });
    stream.addEventListener('grid', (e) => {
        grid = JSON.parse(e.data);
        live.dataset.state = 'live';
        live.textContent = `live · index ${grid.cluster.index}`;
        if (page && page.name === 'dashboard') {
            page.refresh();
        } else if (page) {
            clearTimeout(refreshTimer);
            refreshTimer = setTimeout(() => page && page.refresh(), 700);
        }
    });
    stream.addEventListener('error', async () => {
        live.dataset.state = 'lost';
        live.textContent = 'reconnecting';
        try {
            await api('GET', '/api/v1/servers');
        } catch (e) {
            if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
                showLogin('Your session ended; log in again.');
            }
        }
    });
}

// ---- pages ----------------------------------------------------------------------------------

const pages = {
    dashboard: dashboardPage,
    templates: templatesPage,
    users: usersPage,
    groups: groupsPage,
    grants: grantsPage,
    sessions: sessionsPage,
    servers: serversPage,
    inventory: inventoryPage,
    events: eventsPage,
};

function route() {
    const name = (location.hash || '#dashboard').substring(1).split('?')[0];
    const make = pages[name] || dashboardPage;
    for (const a of document.querySelectorAll('.sidenav a')) {
        if (a.getAttribute('href') === '#' + name) {
            a.setAttribute('aria-current', 'page');
        } else {
            a.removeAttribute('aria-current');
        }
    }
    page = make();
    page.name = pages[name] ? name : 'dashboard';
    document.title = `DeskMesh — ${page.title}`;
    page.refresh();
}

/** A page: a heading, a notice line, fixed parts (forms) and a body refreshed with live data. */
function scaffold(title, ...fixed) {
    const notice = el('p', { class: 'notice', role: 'status' });
    const body = el('div', { class: 'page-body' });
    const formSlot = el('div', {}, fixed);
    clear(main(), el('div', { class: 'heading-row' }, el('h1', {}, title)), notice, formSlot, body);
    return { notice, body, formSlot };
}

async function load(body, fn) {
    try {
        await fn();
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
            showLogin('Your session ended; log in again.');
            return;
        }
        clear(body, el('p', { class: 'error', role: 'alert' }, e.message));
    }
}

function badge(text, cls) {
    return el('span', { class: 'badge ' + (cls || '') }, text);
}

function bar(fraction, label) {
    const pct = Math.max(0, Math.min(1, fraction || 0));
    const fill = el('span', { class: pct > 0.85 ? 'hot' : '' });
    fill.style.width = (pct * 100).toFixed(1) + '%';
    return el('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(pct * 100)) }, fill);
}

// ---- dashboard ------------------------------------------------------------------------------

function dashboardPage() {
    const { body } = scaffold('Grid dashboard');
    return {
        title: 'dashboard',
        refresh() {
            if (!grid) {
                clear(body, el('p', { class: 'muted' }, 'Waiting for the grid…'));
                return;
            }
            const c = grid.cluster;
            const t = c.totals;
            clear(body,
                el('p', { class: 'muted small', id: 'grid-line' }, `Grid ${c.grid} · index ${c.index} · leader ${c.leader || 'none'} · this node ${c.self}`),
                el('div', { class: 'tiles', id: 'tiles' },
                    tile(`${t.liveServers}/${t.servers}`, 'servers live'), tile(t.vms, 'VMs', 'tile-vms'), tile(t.sessions, 'sessions'),
                    tile(t.templates, 'templates'), tile(t.users, 'users')),
                el('h2', {}, 'Servers'),
                el('div', { class: 'servers', id: 'servers' }, c.servers.map((s) => serverCard(s, c))),
                el('div', { class: 'panels' },
                    panel('Sessions per minute (last hour)', chart({ points: grid.history, line: { key: 'sessions', cls: 's1' }, title: 'Sessions per minute over the last hour' }),
                        el('div', { class: 'legend' }, el('span', { class: 'k1' }, 'sessions (most in the minute)'))),
                    panel('Logins per minute (last hour)', chart({ points: grid.history, bars: [{ key: 'logins', cls: 's2' }, { key: 'failedLogins', cls: 's3' }], title: 'Logins per minute over the last hour' }),
                        el('div', { class: 'legend' }, el('span', { class: 'k2' }, 'logins'), el('span', { class: 'k3' }, 'failed')))),
                el('div', { class: 'panels' },
                    panel('Base images × servers', imageMap(c)),
                    panel('Templates: desired and actual VMs', templateTable(c))));
        },
    };
}

function tile(n, label, id) {
    return el('div', { class: 'tile', id }, el('span', { class: 'n' }, String(n)), el('span', { class: 'l' }, label));
}

function serverCard(s, c) {
    const tags = [badge(s.state, 'state-' + s.state)];
    if (s.suspect) {
        tags.push(badge('suspect', 'warn'));
    }
    if (s.name === c.leader) {
        tags.push(badge('leader'));
    }
    return el('article', { class: 'card server', 'data-server': s.name },
        el('h3', {}, s.name, ...tags),
        el('dl', {},
            el('dt', {}, 'Site'), el('dd', {}, s.site || '—'),
            el('dt', {}, 'Load'), el('dd', {}, `${Math.round(s.utilisation * 100)}%`, bar(s.utilisation, `${s.name} load`)),
            el('dt', {}, 'vCPUs'), el('dd', {}, `${s.reservedCpus} of ${s.cpus}`, bar(s.reservedCpus / s.cpus, `${s.name} vCPUs reserved`)),
            el('dt', {}, 'Memory'), el('dd', {}, `${formatMb(s.reservedMemoryMb)} of ${formatMb(s.memoryMb)}`, bar(s.reservedMemoryMb / s.memoryMb, `${s.name} memory reserved`)),
            el('dt', {}, 'VMs'), el('dd', { class: 'server-vms' }, `${s.vms} (${s.runningVms} running)`),
            el('dt', {}, 'Sessions'), el('dd', { class: 'server-sessions' }, String(s.sessions))));
}

function imageMap(c) {
    const rows = c.images.map((img) => {
        const using = c.templates.filter((t) => t.baseImage === img.image);
        return { img, using };
    });
    if (!rows.length) {
        return el('p', { class: 'muted' }, 'No base image registered yet.');
    }
    return el('table', { class: 'map' },
        el('caption', { class: 'sr-only' }, 'Which server holds a copy of each base image, and its VMs of templates built from it'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Base image'), c.servers.map((s) => el('th', { scope: 'col', class: 'cell' }, s.name)))),
        el('tbody', {}, rows.map(({ img, using }) => el('tr', {},
            el('th', { scope: 'row' }, `${img.image} v${img.version}`),
            c.servers.map((s) => {
                const r = img.replicas.find((x) => x.server === s.name);
                const vms = using.reduce((n, t) => n + (t.byServer[s.name] || 0), 0);
                return el('td', { class: 'cell' },
                    r ? el('span', { class: 'dot ' + r.state, title: r.state, role: 'img', 'aria-label': `copy ${r.state}` }) : el('span', { class: 'sr-only' }, 'no copy'),
                    vms ? ' ' + vms + ' VM' + (vms > 1 ? 's' : '') : '');
            })))));
}

function templateTable(c) {
    return table({
        caption: 'Templates', rows: c.templates, empty: 'No template yet: create one on the Templates page.',
        columns: [
            { label: 'Template', value: (t) => t.name },
            { label: 'Base image', value: (t) => `${t.baseImage} v${t.imageVersion}` },
            { label: 'Desired', value: (t) => t.desired === 'auto' ? `auto (${t.desiredNow})` : String(t.desiredNow), num: true },
            { label: 'Actual', value: (t) => String(t.vms), num: true },
            { label: 'By state', value: (t) => Object.entries(t.byState).map(([k, v]) => `${v} ${k}`).join(', ') || '—' },
            { label: 'Sessions', value: (t) => String(t.sessions), num: true },
        ],
    });
}

// ---- templates ------------------------------------------------------------------------------

const POOLS = ['non-persistent', 'persistent'];

function templateFields(t, images) {
    const imageNames = [...new Set(images.map((i) => i.image))];
    return [
        { name: 'name', label: 'Name', value: t?.name, required: true, readonly: !!t, help: 'Letters, digits, dot, dash, underscore' },
        { name: 'baseImage', label: 'Base image', type: 'select', options: imageNames.length ? imageNames : [''], value: t?.baseImage },
        { name: 'imageVersion', label: 'Image version', type: 'number', value: t?.imageVersion, placeholder: 'newest',
            help: 'blank: the newest (on edit: unchanged); another rolls the pool to it, or back' },
        { name: 'pool', label: 'Pool', type: 'select', options: POOLS, value: t?.pool || 'non-persistent' },
        { name: 'cpus', label: 'vCPUs', type: 'number', value: t?.cpus ?? 2 },
        { name: 'memoryMb', label: 'Memory (MB)', type: 'number', value: t?.memoryMb ?? 4096 },
        { name: 'desiredVms', label: 'Desired VMs', value: t?.desiredVms ?? 4, help: 'a number, or auto' },
        { name: 'spareVms', label: 'Spare VMs (powered on)', type: 'number', value: t?.spareVms ?? 1 },
        { name: 'minReplicas', label: 'Base image copies (min)', type: 'number', value: t?.minReplicas ?? 2 },
        { name: 'idleTimeoutSeconds', label: 'Idle timeout (s)', type: 'number', value: t?.idleTimeoutSeconds ?? 1800 },
        { name: 'disconnectTimeoutSeconds', label: 'Disconnect timeout (s)', type: 'number', value: t?.disconnectTimeoutSeconds ?? 600 },
    ];
}

function templateBody(v) {
    const out = { ...v };
    out.desiredVms = /^\d+$/.test(String(v.desiredVms)) ? Number(v.desiredVms) : v.desiredVms;
    if (out.imageVersion === null) {
        delete out.imageVersion; // left out: the newest on create, the current one on edit
    }
    return out;
}

/**
 * A page for one kind of thing the API keeps by name (templates, users, groups): a table with Edit and
 * Delete on each row, and a form to create one or edit one, which shows the API's refusal inline.
 * spec: {title, noun, path, listKey, fields(item) (may be async), body(values, item), columns}
 */
function resourcePage(spec) {
    const { notice, body, formSlot } = scaffold(spec.title);
    const url = (name) => `${spec.path}/${encodeURIComponent(name)}`;
    const reset = () => clear(formSlot, button(`New ${spec.noun}`, () => open(null), '', { id: `new-${spec.noun}` }));
    const open = async (item) => {
        const fields = await spec.fields(item);
        clear(formSlot, form({
            id: `${spec.noun}-form`, title: item ? `Edit ${spec.noun} ${item.name}` : `New ${spec.noun}`,
            submit: item ? 'Save changes' : `Create ${spec.noun}`, fields,
            onSubmit: async (v) => {
                const b = spec.body ? spec.body(v, item) : v;
                await (item ? api('PUT', url(item.name), b) : api('POST', spec.path, b));
                notice.textContent = item ? `${cap(spec.noun)} '${item.name}' saved.`
                    : `${cap(spec.noun)} '${v.name}' created.` + (spec.createdNote ? ' ' + spec.createdNote : '');
                reset();
                p.refresh();
            },
            onCancel: reset,
        }));
        formSlot.querySelector('input:not([readonly]), select').focus();
    };
    reset();
    const p = {
        title: spec.title.toLowerCase(),
        refresh: () => load(body, async () => {
            const items = (await api('GET', spec.path))[spec.listKey];
            clear(body, table({
                caption: spec.title, rows: items,
                columns: [...spec.columns, {
                    label: 'Actions', value: (it) => actions(
                        button('Edit', () => open(it), 'small', { 'aria-label': `Edit ${spec.noun} ${it.name}` }),
                        button('Delete', () => remove(url(it.name), `${spec.noun} '${it.name}'`, notice, p), 'small danger',
                            { 'aria-label': `Delete ${spec.noun} ${it.name}` })),
                }],
            }));
        }),
    };
    return p;
}

function cap(s) {
    return s.charAt(0).toUpperCase() + s.substring(1);
}

function templatesPage() {
    return resourcePage({
        title: 'Templates', noun: 'template', path: '/api/v1/templates', listKey: 'templates',
        createdNote: 'Its VMs appear as the servers build them.',
        fields: async (t) => {
            const { images } = await api('GET', '/api/v1/images');
            return templateFields(t, images);
        },
        body: (v) => templateBody(v),
        columns: [
            { label: 'Name', value: (t) => t.name },
            { label: 'Base image', value: (t) => `${t.baseImage} v${t.imageVersion}` },
            { label: 'Pool', value: (t) => t.pool },
            { label: 'vCPU / memory', value: (t) => `${t.cpus} / ${formatMb(t.memoryMb)}` },
            { label: 'Desired', value: (t) => t.desiredVms === 'auto' ? `auto (${t.desiredNow})` : String(t.desiredNow), num: true },
            { label: 'Actual', value: (t) => String(t.vms.total), num: true },
            { label: 'Free', value: (t) => String(t.vms.free), num: true },
            { label: 'Sessions', value: (t) => String(t.sessions), num: true },
        ],
    });
}

function remove(path, what, notice, p) {
    return change(p, notice, `Deleted ${what}.`, 'DELETE', path, `Delete ${what}?`);
}

/** Sends one change (after asking, if `ask`), says `done` in the notice or shows the API's refusal, and refreshes. */
async function change(p, notice, done, method, path, ask, body) {
    if (ask && !confirm(ask)) {
        return;
    }
    try {
        await api(method, path, body);
        notice.textContent = done;
    } catch (e) {
        notice.textContent = '';
        alertIn(e.message);
    }
    p.refresh();
}

function alertIn(message) {
    const a = el('p', { class: 'error', role: 'alert' }, message);
    main().insertBefore(a, main().children[1] || null);
}

// ---- users, groups, grants ------------------------------------------------------------------

function usersPage() {
    return resourcePage({
        title: 'Users', noun: 'user', path: '/api/v1/users', listKey: 'users',
        fields: (u) => [
            { name: 'name', label: 'Name', value: u?.name, required: true, readonly: !!u },
            { name: 'password', label: u ? 'New password (blank: unchanged)' : 'Password', type: 'password', required: !u },
            { name: 'role', label: 'Role', type: 'select', options: ['user', 'admin'], value: u?.role || 'user' },
            { name: 'groups', label: 'Groups', type: 'list', value: u?.groups, help: 'comma-separated' },
            { name: 'site', label: 'Site', value: u?.site, help: 'optional: logins prefer servers of this site' },
        ],
        body: (v) => {
            const out = { ...v };
            for (const k of ['password', 'site']) {
                if (!out[k]) {
                    delete out[k];
                }
            }
            return out;
        },
        columns: [
            { label: 'Name', value: (u) => u.name },
            { label: 'Role', value: (u) => u.role },
            { label: 'Groups', value: (u) => u.groups.join(', ') || '—' },
            { label: 'Site', value: (u) => u.site || '—' },
            { label: 'Created', value: (u) => since(u.createdAt) },
        ],
    });
}

function groupsPage() {
    return resourcePage({
        title: 'Groups', noun: 'group', path: '/api/v1/groups', listKey: 'groups',
        fields: (g) => [
            { name: 'name', label: 'Name', value: g?.name, required: true, readonly: !!g },
            { name: 'members', label: 'Members', type: 'list', value: g?.members, help: 'user names, comma-separated' },
        ],
        columns: [
            { label: 'Name', value: (g) => g.name },
            { label: 'Members', value: (g) => g.members.join(', ') || '—' },
        ],
    });
}

function grantsPage() {
    const filters = filterBar(['template', 'user', 'group'], () => p.refresh());
    const formSlot = el('div');
    const { notice, body } = scaffold('Grants', formSlot, filters);
    const reset = async () => {
        const { templates } = await api('GET', '/api/v1/templates');
        clear(formSlot, form({
            id: 'grant-form', title: 'Grant a template', submit: 'Grant',
            fields: [
                { name: 'template', label: 'Template', type: 'select', options: templates.map((t) => t.name) },
                { name: 'user', label: 'User', help: 'a user, or leave blank and name a group' },
                { name: 'group', label: 'Group' },
            ],
            onSubmit: async (v) => {
                const b = { template: v.template };
                if (v.user) {
                    b.user = v.user;
                }
                if (v.group) {
                    b.group = v.group;
                }
                await api('POST', '/api/v1/grants', b);
                notice.textContent = `Granted '${v.template}' to ${v.user ? 'user ' + v.user : 'group ' + v.group}.`;
                p.refresh();
            },
        }));
    };
    load(formSlot, reset);
    const p = {
        title: 'grants',
        refresh: () => load(body, async () => {
            const { grants } = await api('GET', '/api/v1/grants' + filters.query());
            clear(body, table({
                caption: 'Grants', rows: grants, empty: 'No grant matches.',
                columns: [
                    { label: 'Template', value: (g) => g.template },
                    { label: 'To', value: (g) => g.user ? 'user ' + g.user : 'group ' + g.group },
                    { label: 'Since', value: (g) => since(g.createdAt) },
                    { label: 'Actions', value: (g) => button('Revoke', () => remove(`/api/v1/grants/${encodeURIComponent(g.id)}`, `the grant of '${g.template}'`, notice, p), 'small danger', { 'aria-label': `Revoke grant ${g.id}` }) },
                ],
            }));
        }),
    };
    return p;
}

// ---- sessions, servers, inventory, audit ----------------------------------------------------

function filterBar(names, onChange, options = {}) {
    const inputs = {};
    const bar = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filters', onsubmit: (e) => { e.preventDefault(); onChange(); } });
    for (const n of names) {
        const id = 'filter-' + n;
        inputs[n] = options[n]
            ? el('select', { id, onchange: onChange }, ['', ...options[n]].map((o) => el('option', { value: o }, o || 'any')))
            : el('input', { id, placeholder: 'any' });
        bar.append(el('div', {}, el('label', { for: id }, n), inputs[n]));
    }
    bar.append(el('button', { type: 'submit' }, 'Filter'));
    bar.query = () => {
        const q = new URLSearchParams();
        for (const [n, i] of Object.entries(inputs)) {
            if (i.value.trim()) {
                q.set(n, i.value.trim());
            }
        }
        const s = q.toString();
        return s ? '?' + s : '';
    };
    return bar;
}

function sessionsPage() {
    const filters = filterBar(['user', 'template', 'server', 'state'], () => p.refresh(), { state: ['reserved', 'connected', 'disconnected'] });
    const { notice, body } = scaffold('Sessions', filters);
    const act = (what, method, path) => change(p, notice, what, method, path);
    const p = {
        title: 'sessions',
        refresh: () => load(body, async () => {
            const { sessions } = await api('GET', '/api/v1/sessions' + filters.query());
            clear(body, table({
                caption: 'Sessions', rows: sessions, empty: 'No session matches.',
                columns: [
                    { label: 'User', value: (s) => s.user },
                    { label: 'Template', value: (s) => s.template },
                    { label: 'VM', value: (s) => s.vm },
                    { label: 'Server', value: (s) => s.server },
                    { label: 'State', value: (s) => badge(s.state, s.state === 'connected' ? 'ok' : '') },
                    { label: 'Since', value: (s) => since(s.since) },
                    {
                        label: 'Actions', value: (s) => actions(
                            button('Disconnect', () => act(`Session of ${s.user} disconnected.`, 'POST', `/api/v1/sessions/${encodeURIComponent(s.id)}/disconnect`), 'small', { 'aria-label': `Disconnect ${s.user}'s session` }),
                            button('Log off', () => act(`Session of ${s.user} logged off.`, 'DELETE', `/api/v1/sessions/${encodeURIComponent(s.id)}`), 'small danger', { 'aria-label': `Log off ${s.user}'s session` })),
                    },
                ],
            }));
        }),
    };
    return p;
}

function serversPage() {
    const { notice, body } = scaffold('Servers');
    const act = (what, method, path, ask) => change(p, notice, what, method, path, ask);
    const p = {
        title: 'servers',
        refresh: () => load(body, async () => {
            const { servers } = await api('GET', '/api/v1/servers');
            clear(body, table({
                caption: 'Servers', rows: servers,
                columns: [
                    { label: 'Name', value: (s) => s.name },
                    { label: 'State', value: (s) => badge(s.state + (s.suspect ? ', suspect' : ''), 'state-' + s.state) },
                    { label: 'Raft', value: (s) => s.raft },
                    { label: 'Site', value: (s) => s.site || '—' },
                    { label: 'Address', value: (s) => s.address },
                    { label: 'Load', value: (s) => el('span', {}, `${Math.round(s.usage.utilisation * 100)}%`, bar(s.usage.utilisation, `${s.name} load`)) },
                    { label: 'VMs', value: (s) => `${s.usage.vms} (${s.usage.runningVms} running)`, num: true },
                    { label: 'Sessions', value: (s) => String(s.sessions), num: true },
                    {
                        label: 'Actions', value: (s) => actions(
                            s.state === 'draining'
                                ? button('Resume', () => act(`Server '${s.name}' takes logins again.`, 'POST', `/api/v1/servers/${encodeURIComponent(s.name)}/resume`), 'small', { 'aria-label': `Resume ${s.name}` })
                                : button('Drain', () => act(`Server '${s.name}' is draining: its sessions go on, it takes no new logins.`, 'POST', `/api/v1/servers/${encodeURIComponent(s.name)}/drain`), 'small', { 'aria-label': `Drain ${s.name}` }),
                            button('Remove', () => act(`Server '${s.name}' removed.`, 'DELETE', `/api/v1/servers/${encodeURIComponent(s.name)}`,
                                `Remove server '${s.name}' from the grid for good? Its sessions end and its VMs are rebuilt elsewhere.`), 'small danger', { 'aria-label': `Remove ${s.name}` })),
                    },
                ],
            }));
        }),
    };
    return p;
}

function inventoryPage() {
    const filters = filterBar(['template', 'server', 'state'], () => p.refresh());
    const importSlot = el('div');
    const { notice, body } = scaffold('Base images and VMs', importSlot, filters);
    const reset = () => clear(importSlot, button('Import a version', () => load(importSlot, async () => {
        const { templates } = await api('GET', '/api/v1/templates');
        clear(importSlot, importForm({
            templates,
            onDone: (answer) => {
                notice.textContent = imported(answer);
                reset();
                p.refresh();
            },
            onCancel: reset,
        }));
        importSlot.querySelector('select').focus();
    }), '', { id: 'import-image' }));
    reset();
    const move = (t, version) => change(p, notice, `Template '${t.name}' moves to ${t.baseImage} v${version}: new and freed VMs are built on it; running sessions keep theirs.`,
        'PUT', `/api/v1/templates/${encodeURIComponent(t.name)}`,
        `Move template '${t.name}' from ${t.baseImage} v${t.imageVersion} to v${version}? Its VMs are rebuilt on it as they free up.`,
        { imageVersion: version });
    const p = {
        title: 'images and VMs',
        refresh: () => load(body, async () => {
            const [i, s, t, v] = await Promise.all([api('GET', '/api/v1/images'), api('GET', '/api/v1/servers'),
                api('GET', '/api/v1/templates'), api('GET', '/api/v1/vms' + filters.query())]);
            clear(body,
                panel('Base images: copies per server', imageTable({ images: i.images, servers: s.servers, templates: t.templates, move })),
                panel(`VMs (${v.vms.length})`, table({
                    caption: 'VMs', rows: v.vms, empty: 'No VM matches.',
                    columns: [
                        { label: 'VM', value: (x) => x.id },
                        { label: 'Template', value: (x) => x.template },
                        { label: 'Server', value: (x) => x.server },
                        { label: 'State', value: (x) => x.state },
                        { label: 'Owner', value: (x) => x.owner || '—' },
                        { label: 'Session', value: (x) => x.session || '—' },
                        { label: 'Since', value: (x) => since(x.since) },
                    ],
                })));
        }),
    };
    return p;
}

function eventsPage() {
    const filters = filterBar(['actor', 'action', 'since', 'limit'], () => p.refresh());
    const { body } = scaffold('Audit trail', filters, el('p', { class: 'muted small' },
        'Newest first. An action ending in * matches a prefix, e.g. template.*; since: only events after that number (#).'));
    const p = {
        title: 'audit trail',
        refresh: () => load(body, async () => {
            const { events } = await api('GET', '/api/v1/events' + filters.query());
            clear(body, table({
                caption: 'Audit events', rows: events.slice().reverse(), empty: 'No event matches.',
                columns: [
                    { label: '#', value: (e) => String(e.seq), num: true },
                    { label: 'When', value: (e) => new Date(e.at).toISOString().replace('T', ' ').substring(0, 19) },
                    { label: 'Who', value: (e) => e.actor },
                    { label: 'Action', value: (e) => e.action },
                    { label: 'Target', value: (e) => e.target || '—' },
                    { label: 'From', value: (e) => e.from || '—' },
                    { label: 'Result', value: (e) => badge(e.ok ? 'ok' : 'refused', e.ok ? 'ok' : 'bad') },
                    { label: 'Detail', value: (e) => e.detail || '' },
                ],
            }));
        }),
    };
    return p;
}

// ---- start ----------------------------------------------------------------------------------

async function init() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', async () => {
        await logout().catch(() => {});
        sessionStorage.clear();
        showLogin();
    });
    window.addEventListener('hashchange', () => { if (!$('shell').hidden) { route(); main().focus(); } });
    try {
        const me = await api('GET', '/api/v1/desktops'); // who this browser's session is
        await api('GET', '/api/v1/servers'); // an admin-only read: 403 for a user who is not an admin
        start(me.user);
    } catch (e) {
        showLogin(e instanceof ApiError && e.status === 403 ? 'You are logged in as a user who is not an admin; log in as an admin.' : '');
    }
}

init();
