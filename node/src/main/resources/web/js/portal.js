// The user portal: log in, see the desktops you may use, connect, and use the desktop in the page
// through noVNC over the node's console proxy (WS /console/{session}?ticket=...), or download a
// connection file that opens it in a native VNC viewer through the node's console port.
import RFB from '/web/novnc/core/rfb.js';
import { api, login, logout, el, clear, show, formatMb, since, ApiError } from '/web/js/api.js';

const $ = (id) => document.getElementById(id);
const views = ['login-view', 'desktops-view', 'viewer-view'];

// The open console, if any: { rfb, lastClose: the WebSocket's close (the node's code and sentence),
// leaving: why this page closed it, 'back' | 'disconnect' | 'logoff' | 'reconnect' }.
let conn = null;
let current = null;      // { sessionId, template, server } of the desktop in the viewer

function view(id) {
    for (const v of views) {
        show($(v), v === id);
    }
    document.body.dataset.view = id;
}

// ---- login ----------------------------------------------------------------------------------

async function onLogin(event) {
    event.preventDefault();
    const user = $('username').value.trim();
    const password = $('password').value;
    $('login-error').textContent = '';
    if (!user || !password) {
        $('login-error').textContent = 'Enter your user name and password.';
        return;
    }
    $('login-submit').disabled = true;
    try {
        const r = await login(user, password);
        sessionStorage.setItem('deskmesh.user', r.user);
        sessionStorage.setItem('deskmesh.role', r.role);
        $('password').value = '';
        await showDesktops();
    } catch (e) {
        $('login-error').textContent = e.message;
    } finally {
        $('login-submit').disabled = false;
    }
}

async function onLogout() {
    closeConsole('back');
    try {
        await logout();
    } catch (e) {
        // the cookie is cleared by the node; a failed logout still leaves this page logged out
    }
    sessionStorage.clear();
    showLogin();
}

function showLogin(message) {
    show($('account'), false);
    view('login-view');
    $('login-error').textContent = message || '';
    $('username').focus();
}

function showAccount(user) {
    $('who').textContent = user ? 'Logged in as ' + user : '';
    show($('admin-link'), sessionStorage.getItem('deskmesh.role') === 'admin');
    show($('account'), true);
}

// ---- desktops -------------------------------------------------------------------------------

async function showDesktops() {
    let data;
    try {
        data = await api('GET', '/api/v1/desktops');
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
            showLogin();
            return;
        }
        view('desktops-view');
        $('desktops-error').textContent = e.message;
        return;
    }
    showAccount(data.user);
    view('desktops-view');
    $('desktops-error').textContent = '';
    const sessions = new Map(data.sessions.map((s) => [s.template, s]));
    clear($('desktops'), data.desktops.map((d) => desktopCard(d, sessions.get(d.template))));
    show($('no-desktops'), data.desktops.length === 0);
}

function desktopCard(d, session) {
    const availability = session
        ? el('span', { class: 'badge ok' }, 'Your session: ' + session.state)
        : d.available
            ? el('span', { class: 'badge ok' }, d.pool === 'persistent' && d.ownVm ? 'Your desktop is ready' : `${d.free} of ${d.total} free`)
            : el('span', { class: 'badge warn' }, 'Unavailable');
    const error = el('p', { class: 'error', role: 'alert' });
    const connect = el('button', {
        type: 'button', class: 'connect', 'data-template': d.template,
        disabled: !d.available && !session,
        onclick: async () => {
            connect.disabled = true;
            error.textContent = '';
            try {
                const c = await api('POST', `/api/v1/desktops/${encodeURIComponent(d.template)}/connect`);
                await openConsole({ sessionId: c.sessionId, template: c.template, server: c.server });
            } catch (e) {
                error.textContent = e.message;
            } finally {
                connect.disabled = false;
            }
        },
    }, session ? 'Reconnect' : 'Connect');
    const logoff = session && el('button', {
        type: 'button', class: 'ghost danger-text',
        onclick: async () => {
            try {
                await api('DELETE', `/api/v1/sessions/${encodeURIComponent(session.id)}`);
                await showDesktops();
            } catch (e) {
                error.textContent = e.message;
            }
        },
    }, 'Log off');
    return el('li', { class: 'card desktop', 'data-template': d.template },
        el('h2', {}, d.template),
        el('p', { class: 'muted' }, `${d.pool} · ${d.cpus} vCPU · ${formatMb(d.memoryMb)}`),
        availability,
        !d.available && !session && d.reason ? el('p', { class: 'muted small' }, d.reason) : null,
        session ? el('p', { class: 'muted small' }, `On ${session.server}, since ${since(session.since)}`) : null,
        error,
        el('div', { class: 'actions' }, connect, logoff));
}

// ---- the desktop in the page ----------------------------------------------------------------

async function openConsole(target) {
    closeConsole('reconnect');
    current = target;
    view('viewer-view');
    $('viewer-title').textContent = target.template;
    show($('connection-file-note'), false);
    setStatus('Connecting…', 'connecting');
    show($('console-message'), false);
    let ticket;
    try {
        ticket = await api('POST', `/api/v1/sessions/${encodeURIComponent(target.sessionId)}/console-ticket`);
    } catch (e) {
        setStatus('Closed', 'closed');
        message(e.message);
        return;
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(scheme + '//' + location.host + ticket.url);
    const c = { rfb: null, lastClose: null, leaving: null };
    // Listen before noVNC does, so the node's close code and sentence are known when noVNC reports the end.
    ws.addEventListener('close', (e) => { c.lastClose = { code: e.code, reason: e.reason }; });
    const r = new RFB($('screen'), ws, { shared: true });
    c.rfb = r;
    conn = c;
    r.scaleViewport = true;
    r.focusOnClick = true;
    r.addEventListener('connect', () => {
        setStatus(`Connected · ${target.template} on ${target.server || 'the grid'}`, 'connected');
        r.focus();
    });
    r.addEventListener('disconnect', (e) => onConsoleClosed(c, e.detail.clean));
    r.addEventListener('securityfailure', (e) => message('The desktop refused the connection: ' + (e.detail.reason || e.detail.status)));
    r.addEventListener('clipboard', (e) => { $('clipboard-text').value = e.detail.text; });
    r.addEventListener('desktopname', (e) => { $('viewer-title').textContent = e.detail.name; });
}

function onConsoleClosed(c, clean) {
    if (conn === c) {
        conn = null;
    }
    const why = c.leaving;
    if (why === 'reconnect' || why === 'back') {
        return;
    }
    setStatus('Closed', 'closed');
    if (why === 'logoff') {
        message('You logged off; the desktop is closed.');
    } else if (why === 'disconnect') {
        message('Disconnected. Your desktop keeps running for a while: reconnect to go on where you left off.');
    } else if (c.lastClose && c.lastClose.reason) {
        message(c.lastClose.reason);
    } else {
        message(clean ? 'The console closed.' : 'The connection to the desktop was lost. Reconnect to try again.');
    }
}

function closeConsole(why) {
    if (conn) {
        const c = conn;
        conn = null;
        c.leaving = why;
        c.rfb.disconnect();
    }
}

function rfb() {
    return conn ? conn.rfb : null;
}

function setStatus(text, state) {
    $('viewer-status').textContent = text;
    $('screen').dataset.state = state;
}

function message(text) {
    $('console-message').textContent = text;
    show($('console-message'), true);
}

async function reconnect() {
    if (!current) {
        return;
    }
    try {
        // Connecting again during the session gives the same session and desktop.
        const c = await api('POST', `/api/v1/desktops/${encodeURIComponent(current.template)}/connect`);
        await openConsole({ sessionId: c.sessionId, template: c.template, server: c.server });
    } catch (e) {
        setStatus('Closed', 'closed');
        message(e.message);
    }
}

async function endSession(kind) {
    if (!current) {
        return;
    }
    const id = encodeURIComponent(current.sessionId);
    if (conn) {
        conn.leaving = kind;
    }
    try {
        if (kind === 'logoff') {
            await api('DELETE', `/api/v1/sessions/${id}`); // the node closes the console (session ended)
        } else {
            closeConsole('disconnect');
            await api('POST', `/api/v1/sessions/${id}/disconnect`);
        }
        setStatus('Closed', 'closed');
        message(kind === 'logoff' ? 'You logged off; the desktop is closed.'
            : 'Disconnected. Your desktop keeps running for a while: reconnect to go on where you left off.');
        closeConsole(kind);
    } catch (e) {
        message(e.message);
    }
}

// A .vv file for remote-viewer, made from the node's JSON answer (so errors read like every other
// one); the password in it works once, for a few minutes, at this node only.
async function downloadConnectionFile() {
    if (!current) {
        return;
    }
    const note = $('connection-file-note');
    try {
        const f = await api('POST', `/api/v1/sessions/${encodeURIComponent(current.sessionId)}/connection-file`);
        const url = URL.createObjectURL(new Blob([f.file], { type: 'application/x-virt-viewer' }));
        const link = el('a', { href: url, download: f.fileName, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        const until = new Date(f.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        note.textContent = `Saved ${f.fileName}: open it with remote-viewer (virt-viewer) before ${until}; it works once.`
            + ` Another VNC viewer: connect to ${f.host}::${f.port} with password ${f.password}.`;
        show(note, true);
    } catch (e) {
        message(e.message);
    }
}

function toggleClipboard() {
    const panel = $('clipboard-panel');
    show(panel, panel.hidden);
    $('clipboard-toggle').setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) {
        $('clipboard-text').focus();
    }
}

function init() {
    $('login-form').addEventListener('submit', onLogin);
    $('logout').addEventListener('click', onLogout);
    $('refresh').addEventListener('click', showDesktops);
    $('back').addEventListener('click', () => { closeConsole('back'); current = null; showDesktops(); });
    $('reconnect').addEventListener('click', reconnect);
    $('fullscreen').addEventListener('click', () => $('screen').requestFullscreen().catch((e) => message('Full screen is not allowed here: ' + e.message)));
    $('cad').addEventListener('click', () => rfb() && rfb().sendCtrlAltDel());
    $('clipboard-toggle').addEventListener('click', toggleClipboard);
    $('connection-file').addEventListener('click', downloadConnectionFile);
    $('clipboard-send').addEventListener('click', () => rfb() && rfb().clipboardPasteFrom($('clipboard-text').value));
    $('disconnect').addEventListener('click', () => endSession('disconnect'));
    $('logoff').addEventListener('click', () => endSession('logoff'));
    showDesktops();
}

init();
