// Forms and tables for the admin console, built from small field descriptions. A form shows the API's
// error inline: the message under the form, and the field it names (field 'x') marked invalid.
import { el, clear } from '/web/js/api.js';

let uid = 0;

/**
 * fields: [{name, label, type: 'text'|'number'|'password'|'select'|'list'|'file', options, value, required,
 *          readonly, help, placeholder}]; a 'file' field's value is the File chosen, or null.
 * onSubmit(values, say) returns a promise; say(text) shows how a long submit is going; its ApiError is
 * shown in the form, and the field it is about marked: fieldFor(error) may name it where the message
 * alone does not. Returns the <form>.
 */
export function form({ id, title, fields, submit, onSubmit, onCancel, fieldFor }) {
    const f = el('form', { class: 'card', id, novalidate: true, 'aria-label': title });
    const inputs = new Map();
    const grid = el('div', { class: 'form-grid' });
    for (const field of fields) {
        const inputId = `f${++uid}-${field.name}`;
        const helpId = field.help ? inputId + '-help' : undefined;
        let input;
        if (field.type === 'select') {
            input = el('select', { id: inputId, name: field.name, 'aria-describedby': helpId },
                field.options.map((o) => el('option', { value: o.value ?? o, selected: (o.value ?? o) === field.value }, o.label ?? o)));
        } else if (field.type === 'file') {
            input = el('input', { id: inputId, name: field.name, type: 'file', 'aria-describedby': helpId, required: field.required });
        } else {
            input = el('input', {
                id: inputId, name: field.name, 'aria-describedby': helpId, placeholder: field.placeholder,
                type: field.type === 'number' ? 'number' : field.type === 'password' ? 'password' : 'text',
                value: field.value === undefined || field.value === null ? '' : Array.isArray(field.value) ? field.value.join(', ') : field.value,
                required: field.required, readonly: field.readonly, autocomplete: field.type === 'password' ? 'new-password' : 'off',
            });
        }
        inputs.set(field.name, { input, field });
        grid.append(el('div', {},
            el('label', { for: inputId }, field.label + (field.required ? ' *' : '')),
            input,
            field.help ? el('small', { id: helpId, class: 'muted small' }, field.help) : null));
    }
    const error = el('p', { class: 'error', role: 'alert' });
    const progress = el('p', { class: 'muted small', role: 'status' });
    const button = el('button', { type: 'submit' }, submit);
    f.append(el('h2', {}, title), grid, error, progress,
        el('div', { class: 'form-actions' }, button, onCancel ? el('button', { type: 'button', class: 'ghost', onclick: onCancel }, 'Cancel') : null));
    f.addEventListener('submit', async (e) => {
        e.preventDefault();
        error.textContent = '';
        for (const { input } of inputs.values()) {
            input.removeAttribute('aria-invalid');
        }
        const values = {};
        for (const [name, { input, field }] of inputs) {
            values[name] = field.type === 'file' ? input.files[0] || null : read(input.value, field.type);
        }
        button.disabled = true;
        try {
            await onSubmit(values, (text) => { progress.textContent = text; });
        } catch (err) {
            progress.textContent = '';
            error.textContent = err.message;
            // The API names the field it refuses: "field 'cpus' ..." or "cpus must be ...".
            const named = /field '([A-Za-z0-9]+)'/.exec(err.message || '');
            const chosen = fieldFor ? fieldFor(err) : null;
            const bad = chosen ? inputs.get(chosen) : named ? inputs.get(named[1])
                : [...inputs.entries()].find(([n]) => new RegExp('\\b' + n + '\\b').test(err.message || ''))?.[1];
            if (bad) {
                bad.input.setAttribute('aria-invalid', 'true');
                bad.input.focus();
            }
        } finally {
            button.disabled = false;
        }
    });
    return f;
}

function read(raw, type) {
    const v = raw.trim();
    if (type === 'list') {
        return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
    }
    if (type === 'number') {
        return v === '' ? null : Number(v);
    }
    return v;
}

/**
 * columns: [{label, value: row => text|Node, num}]; rows: array. The table sits in a box that scrolls
 * sideways by itself when it is wider than the screen (a tablet), so the page never does.
 */
export function table({ caption, columns, rows, empty = 'Nothing here yet.' }) {
    if (!rows.length) {
        return el('p', { class: 'muted' }, empty);
    }
    return el('div', { class: 'table-wrap' }, el('table', {},
        caption ? el('caption', { class: 'sr-only' }, caption) : null,
        el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.num ? 'num' : undefined }, c.label)))),
        el('tbody', {}, rows.map((r) => el('tr', {}, columns.map((c) => el('td', { class: c.num ? 'num' : undefined }, c.value(r))))))));
}

export function actions(...buttons) {
    return el('div', { class: 'row-actions' }, buttons);
}

export function button(label, onclick, cls = 'small', extra = {}) {
    return el('button', { type: 'button', class: cls, onclick, ...extra }, label);
}

/** A card with a heading and content that can be replaced later. */
export function panel(title, ...content) {
    const body = el('div', {}, content);
    const p = el('section', { class: 'panel', 'aria-label': title }, el('h2', {}, title), body);
    p.fill = (...c) => clear(body, c);
    return p;
}
