// Base images in the admin console: the versions with their copy on each server, moving a template to
// another version (a rollout, or a rollback), and importing a disk as a new version
// (POST /api/v1/images/{image}/versions), hashed here first because the API wants the body's SHA-256.
import { el, upload, formatMb, since } from '/web/js/api.js';
import { form, table, actions, button } from '/web/js/forms.js';
import { sha256 } from '/web/noble-hashes/sha2.js';
import { bytesToHex } from '/web/noble-hashes/utils.js';

/**
 * The SHA-256 of a file in lowercase hex, read as a stream (a disk may be larger than the memory a tab
 * gets; WebCrypto digests only whole buffers, and only on https), calling onProgress(done, total).
 */
export async function sha256Hex(file, onProgress) {
    const hash = sha256.create();
    const reader = file.stream().getReader();
    let done = 0;
    for (;;) {
        const { value, done: end } = await reader.read();
        if (end) {
            break;
        }
        hash.update(value);
        done += value.length;
        onProgress(done, file.size);
    }
    return bytesToHex(hash.digest());
}

function percent(done, total) {
    return total ? Math.floor((done * 100) / total) + '%' : '';
}

/**
 * The form that imports a disk as a new version of a template's base image. templates: as
 * GET /api/v1/templates lists them; onDone(answer) gets the API's answer.
 */
export function importForm({ templates, onDone, onCancel }) {
    return form({
        id: 'import-form', title: 'Import a base image version', submit: 'Import', onCancel,
        fields: [
            {
                name: 'template', label: 'Template', type: 'select',
                options: templates.map((t) => ({ value: t.name, label: `${t.name} (${t.baseImage}, now v${t.imageVersion})` })),
                help: 'the version is of this template\'s base image; a newer one moves the template to it',
            },
            { name: 'disk', label: 'Disk file', type: 'file', required: true, help: 'qcow2 without a backing file, or a raw disk' },
            { name: 'format', label: 'Format', type: 'select', options: ['qcow2', 'raw'], value: 'qcow2' },
            { name: 'version', label: 'Version', type: 'number', placeholder: 'next', help: 'blank: the newest + 1' },
            { name: 'sha256', label: 'SHA-256', placeholder: 'computed here', help: 'as sha256sum prints it; blank: this page computes it first' },
        ],
        fieldFor: importField,
        onSubmit: async (v, say) => {
            const t = templates.find((x) => x.name === v.template);
            if (!t) {
                throw new Error('field \'template\': pick the template the disk is a version of (create one on the Templates page first)');
            }
            if (!v.disk) {
                throw new Error('field \'disk\': choose the disk file to import');
            }
            let sha = v.sha256.toLowerCase();
            if (!sha) {
                let shown = '';
                sha = await sha256Hex(v.disk, (done, total) => {
                    const p = percent(done, total);
                    if (p !== shown) {
                        shown = p;
                        say(`Computing the SHA-256 of ${v.disk.name}: ${p}`);
                    }
                });
            }
            const q = new URLSearchParams({ template: t.name, format: v.format });
            if (v.version !== null) {
                q.set('version', String(v.version));
            }
            let shown = '';
            const answer = await upload(`/api/v1/images/${encodeURIComponent(t.baseImage)}/versions?${q}`, v.disk,
                { 'X-DeskMesh-Sha256': sha }, (done, total) => {
                    const p = percent(done, total);
                    if (p !== shown) {
                        shown = p;
                        say(`Uploading ${v.disk.name}: ${p}`);
                    }
                });
            say('');
            onDone(answer);
        },
    });
}

/** The import form's field an API refusal is about (its messages name the disk, the header, the version in prose). */
function importField(err) {
    const m = err.message || '';
    if (/field '(\w+)'/.test(m)) {
        return null; // the form finds it
    }
    if (err.code === 'CONFLICT') {
        return /already registered|already holds/.test(m) ? 'version' : 'template';
    }
    if (err.code === 'BAD_FORMAT') {
        return 'format';
    }
    if (/sha256|X-DeskMesh-Sha256/i.test(m)) {
        return 'sha256';
    }
    if (/version/.test(m)) {
        return 'version';
    }
    return err.code === 'TOO_LARGE' || err.code === 'INSUFFICIENT_STORAGE' || err.code === 'INVALID' ? 'disk' : null;
}

/** What the notice says after an import. */
export function imported(a) {
    return `Imported ${a.image} v${a.version} (${formatMb(Math.max(1, Math.round(a.sizeBytes / 1048576)))}) from ${a.format}`
        + (a.templateMoved ? `; template '${a.template}' moves to it: new and freed VMs are built on it, the servers copy it.`
            : `; template '${a.template}' stays on its version until you roll it out.`);
}

/**
 * Every base image version with its copy on each server and the templates on it; for a template of the
 * same base image on another version, a button that moves it here: move(template, version).
 */
export function imageTable({ images, servers, templates, move }) {
    const sorted = images.slice().sort((a, b) => a.image.localeCompare(b.image) || a.version - b.version);
    return table({
        caption: 'Base image versions and their copies per server', rows: sorted, empty: 'No base image registered yet.',
        columns: [
            { label: 'Image', value: (i) => `${i.image} v${i.version}` },
            { label: 'Size', value: (i) => formatMb(Math.max(1, Math.round(i.sizeBytes / 1048576))), num: true },
            { label: 'Registered', value: (i) => since(i.registeredAt) },
            ...servers.map((s) => ({
                label: s.name,
                value: (i) => {
                    const r = i.replicas.find((x) => x.server === s.name);
                    return r ? el('span', { class: 'badge ' + (r.state === 'landed' ? 'ok' : 'warn'), 'data-copy': `${i.image}:${i.version}@${s.name}` }, r.state)
                        : el('span', { class: 'muted', title: 'no copy' }, '—');
                },
            })),
            { label: 'Templates on it', value: (i) => (i.templates || []).join(', ') || '—' },
            { label: 'sha256', value: (i) => el('code', { title: i.sha256 }, i.sha256.substring(0, 12) + '…') },
            {
                label: 'Actions', value: (i) => actions(...templates.filter((t) => t.baseImage === i.image && t.imageVersion !== i.version)
                    .map((t) => {
                        const verb = i.version > t.imageVersion ? 'Roll out' : 'Roll back';
                        return button(`${verb} ${t.name}`, () => move(t, i.version), 'small',
                            { 'aria-label': `${verb} template ${t.name} to ${i.image} v${i.version}` });
                    })),
            },
        ],
    });
}
