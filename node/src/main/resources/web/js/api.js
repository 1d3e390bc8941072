// The REST API v1 as the pages use it: the session cookie authenticates, and every change carries the
// CSRF value the node set at login (cookie deskmesh_csrf) in X-DeskMesh-CSRF. Errors become ApiError
// with the API's code and message, so forms can show them as they are.

export class ApiError extends Error {
    constructor(status, code, message) {
        super(message);
        this.status = status;
        this.code = code;
    }
}

export function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)deskmesh_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : '';
}

export async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }
    if (method !== 'GET') {
        headers['X-DeskMesh-CSRF'] = csrfToken();
    }
    let res;
    try {
        res = await fetch(path, {
            method, headers, credentials: 'same-origin', cache: 'no-store',
            body: body === undefined ? undefined : JSON.stringify(body),
        });
    } catch (e) {
        throw new ApiError(0, 'UNREACHABLE', 'This server does not answer. Check your network, or try another server of the grid.');
    }
    if (res.status === 204) {
        return null;
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
        const err = data && data.error ? data.error : { code: 'HTTP_' + res.status, message: res.statusText };
        throw new ApiError(res.status, err.code, err.message);
    }
    return data;
}

/**
 * POSTs a file as the body (application/octet-stream; the browser sends its size as Content-Length)
 * with extra headers, calling onProgress(sentBytes, totalBytes) while it goes; resolves to the answer's
 * JSON. XMLHttpRequest rather than fetch: only it reports upload progress.
 */
export function upload(path, file, headers, onProgress) {
    return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', path);
        xhr.setRequestHeader('Accept', 'application/json');
        xhr.setRequestHeader('Content-Type', 'application/octet-stream');
        xhr.setRequestHeader('X-DeskMesh-CSRF', csrfToken());
        for (const [k, v] of Object.entries(headers)) {
            xhr.setRequestHeader(k, v);
        }
        xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.total));
        xhr.addEventListener('load', () => {
            let data = null;
            try {
                data = JSON.parse(xhr.responseText);
            } catch (e) {
                data = null;
            }
            if (xhr.status >= 200 && xhr.status < 300) {
                resolve(data);
            } else {
                const err = data && data.error ? data.error : { code: 'HTTP_' + xhr.status, message: xhr.statusText };
                reject(new ApiError(xhr.status, err.code, err.message));
            }
        });
        xhr.addEventListener('error', () => reject(new ApiError(0, 'UNREACHABLE', 'The upload broke off: the server'
            + ' went away or refused the file before reading it all. Check the other fields, then try again.')));
        xhr.send(file);
    });
}

export function login(username, password) {
    return api('POST', '/api/v1/auth/login', { username, password });
}

export function logout() {
    return api('POST', '/api/v1/auth/logout');
}

// Tiny DOM helpers: build elements without innerHTML, so no markup from data is ever parsed.
export function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) {
            continue;
        }
        if (k === 'class') {
            e.className = v;
        } else if (k.startsWith('on')) {
            e.addEventListener(k.substring(2), v);
        } else if (k === 'text') {
            e.textContent = v;
        } else {
            e.setAttribute(k, v === true ? '' : v);
        }
    }
    for (const c of children.flat()) {
        if (c !== null && c !== undefined && c !== false) {
            e.append(c instanceof Node ? c : document.createTextNode(String(c)));
        }
    }
    return e;
}

export function clear(node, ...children) {
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function show(node, visible) {
    node.hidden = !visible;
}

export function formatMb(mb) {
    return mb >= 1024 ? (mb / 1024).toFixed(mb % 1024 ? 1 : 0) + ' GB' : mb + ' MB';
}

export function since(iso) {
    if (!iso) {
        return '';
    }
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) {
        return s + ' s ago';
    }
    if (s < 3600) {
        return Math.round(s / 60) + ' min ago';
    }
    return Math.round(s / 3600) + ' h ago';
}
