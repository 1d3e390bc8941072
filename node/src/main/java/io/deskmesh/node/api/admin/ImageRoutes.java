package io.deskmesh.node.api.admin;

import io.deskmesh.images.DiskFormat;
import io.deskmesh.images.ImageAlreadyExistsException;
import io.deskmesh.images.ImageCustomizationException;
import io.deskmesh.images.ImageFormatException;
import io.deskmesh.images.ImageIntegrityException;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.images.ImageNames;
import io.deskmesh.images.ImageProtocol;
import io.deskmesh.images.ImageStore;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.UpdateTemplateCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.ApiServices;
import io.deskmesh.node.api.AuditedWrites;
import io.deskmesh.node.api.Principal;
import io.deskmesh.node.api.QueryParams;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code POST /api/v1/images/{image}/versions}: an admin brings a disk into the grid. The body (the
 * disk, streamed) lands in this node's store once its size, SHA-256 and format check out; then one
 * audited log entry registers the version as held here and moves the template to it, and the
 * planners copy it to other servers (as a difference against the previous version where that is
 * held). Thread-safe.
 *
 * <p>Everything that can be checked before the body is read is checked first, so a wrong call
 * costs no upload: the caller, the names, the template, the version, the headers and the free
 * disk space.
 */
public final class ImageRoutes implements Consumer<JavalinConfig> {
    private static final Logger LOG = LoggerFactory.getLogger(ImageRoutes.class);
    static final String PATH = "/api/v1/images/{image}/versions";
    static final Set<String> PARAMS = Set.of("template", "version", "format");
    /** Largest disk accepted, unless {@code -Ddeskmesh.images.max-upload-bytes=N} says otherwise. */
    static final long DEFAULT_MAX_BYTES = 512L << 30;
    /** A refused upload's body up to this size is read and discarded so the client sees the answer. */
    static final long DRAIN_LIMIT = 64L << 20;

    private final ApiServices api;
    private final ImageStore store;
    private final long maxBytes;

    public ImageRoutes(ApiServices api, ImageStore store) {
        this(api, store, Long.getLong("deskmesh.images.max-upload-bytes", DEFAULT_MAX_BYTES));
    }

    public ImageRoutes(ApiServices api, ImageStore store, long maxBytes) {
        this.api = api;
        this.store = store;
        this.maxBytes = maxBytes;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.post(PATH, Responses.async(this::importVersion));
    }

    /** What the request asks for, checked before any byte of the body is read. */
    private record Upload(ImageRef ref, TemplateImage template, int parentVersion, DiskFormat format, long size,
                          String sha256) {
    }

    private CompletableFuture<Response> importVersion(Context ctx) throws IOException {
        Upload u;
        Principal who;
        try {
            who = api.auth().requireAdmin(ctx);
            u = check(ctx, api.image());
        } catch (ApiException e) {
            drainSmallBody(ctx);
            throw e;
        }
        ImageManifest m;
        try (InputStream body = new BodyStream(ctx.req().getInputStream(), u.size())) {
            m = store.importUpload(body, u.ref(), u.parentVersion(), u.template().name(), u.size(), u.sha256(),
                    u.format());
        } catch (ImageFormatException e) {
            if (e.toolMissing()) {
                throw new ApiException(503, "QEMU_IMG_MISSING", "this node cannot check disks: " + e.getMessage()
                        + "; nothing was stored, import on another node meanwhile");
            }
            throw new ApiException(400, "BAD_FORMAT", e.getMessage());
        } catch (ImageIntegrityException e) {
            throw ApiException.invalid("the body does not match its headers: " + e.getMessage().replace(
                    "; the partial copy was deleted, fetch it again (preferably from another replica)", "")
                    + "; send the whole file with its size as Content-Length and its sha256 as "
                    + ImageProtocol.SHA256_HEADER);
        } catch (ImageCustomizationException e) {
            if (e.hostFault()) {
                throw new ApiException(503, "HYPERVISOR_UNAVAILABLE", e.getMessage() + "; nothing was stored, try"
                        + " again once this node's hypervisor answers, or import on another node");
            }
            throw new ApiException(400, "BAD_FORMAT", e.getMessage());
        } catch (ImageAlreadyExistsException e) {
            throw new ApiException(409, "CONFLICT", "this node already holds " + u.ref() + " (not registered in the"
                    + " grid); import it as another version with '--version'");
        }
        List<MeshCommand> commands = new ArrayList<>();
        commands.add(new RegisterImageVersionCommand(m.image(), m.version(), m.sizeBytes(), m.sha256(), m.parentVersion(),
                api.context().self()));
        boolean moves = u.ref().version() > u.template().spec().imageVersion();
        if (moves) {
            commands.add(new UpdateTemplateCommand(u.template().spec().withImageVersion(u.ref().version())));
        }
        String detail = m.sizeBytes() + " bytes, sha256 " + m.sha256() + ", from " + u.format().lowerName()
                + (moves ? ", template '" + u.template().name() + "' moves to it" : "");
        return api.writes().submit(new AuditedWrites.Change(who, "image.import", u.ref().toString(), detail), commands)
                .handle((replies, error) -> {
                    if (error != null) {
                        store.delete(u.ref()); // the grid refused it: leave no unregistered copy behind
                        LOG.info("import of {} refused by the grid; deleted the local copy", u.ref());
                        throw error instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(error);
                    }
                    return Response.created(view(m, u, moves));
                });
    }

    private Upload check(Context ctx, ClusterImage image) {
        QueryParams q = QueryParams.of(ctx, PARAMS);
        String name = ctx.pathParam("image");
        try {
            ImageNames.requireImage(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        String templateName = q.string("template");
        if (templateName == null || templateName.isBlank()) {
            throw ApiException.invalid("query parameter 'template' is required: the template this version is for"
                    + " (GET /api/v1/templates lists them)");
        }
        TemplateImage t = TemplateRoutes.find(image, templateName);
        if (!t.spec().baseImage().equals(name)) {
            throw new ApiException(409, "CONFLICT", "template '" + t.name() + "' uses base image '" + t.spec().baseImage()
                    + "', not '" + name + "'; import into '" + t.spec().baseImage() + "' or change the template's base"
                    + " image first");
        }
        int latest = image.images().latest(name).map(v -> v.ref().version()).orElse(0);
        int version = (int) q.number("version", latest + 1L, 1, Integer.MAX_VALUE);
        ImageRef ref = new ImageRef(name, version);
        if (image.images().version(ref).isPresent()) {
            throw new ApiException(409, "CONFLICT", "base image " + ref + " is already registered; versions never"
                    + " change, import this disk as version " + (latest + 1) + " (or leave the version out)");
        }
        DiskFormat format;
        try {
            format = DiskFormat.parse(q.string("format"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        requireOctetStream(ctx);
        long size = size(ctx);
        String sha = ctx.header(ImageProtocol.SHA256_HEADER);
        if (sha == null || !sha.trim().matches("[0-9a-fA-F]{64}")) {
            throw ApiException.invalid("header " + ImageProtocol.SHA256_HEADER + " must be the body's sha256 in 64 hex"
                    + " digits (e.g. from 'sha256sum FILE'), was " + (sha == null ? "missing" : "'" + clip(sha) + "'"));
        }
        requireSpace(size);
        int parent = parent(image, name, version);
        return new Upload(ref, t, parent, format, size, sha.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * Reads and discards the body of a refused upload when the client is sending it anyway (it did
     * not ask with {@code Expect: 100-continue}) and it is small: a client still writing its body
     * when the answer comes and the connection closes may never read the answer. A client that
     * asked first is told at once and sends nothing; a large body is not read for nothing.
     */
    private static void drainSmallBody(Context ctx) {
        String expect = ctx.header("Expect");
        long length = ctx.req().getContentLengthLong();
        if ((expect != null && expect.equalsIgnoreCase("100-continue")) || length <= 0 || length > DRAIN_LIMIT) {
            return;
        }
        try (InputStream in = ctx.req().getInputStream()) {
            in.skipNBytes(length);
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not drain a refused upload: {}", e.toString());
        }
    }

    /** The newest registered version below this one: the one a difference transfer starts from. */
    private static int parent(ClusterImage image, String name, int version) {
        int parent = 0;
        for (ImageVersionImage v : image.images().versions()) {
            if (v.ref().image().equals(name) && v.ref().version() < version) {
                parent = Math.max(parent, v.ref().version());
            }
        }
        return parent;
    }

    private static void requireOctetStream(Context ctx) {
        String type = ctx.header("Content-Type");
        String base = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!base.equals("application/octet-stream")) {
            throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "send the disk as the body with 'Content-Type:"
                    + " application/octet-stream', was " + (type == null ? "no content type" : "'" + type + "'"));
        }
    }

    private long size(Context ctx) {
        long size = ctx.req().getContentLengthLong();
        if (size < 0) {
            throw new ApiException(411, "LENGTH_REQUIRED", "send the disk's size as Content-Length (chunked uploads"
                    + " are not accepted, so a cut connection cannot pass for a smaller disk)");
        }
        if (size == 0) {
            throw ApiException.invalid("the body is empty; send the disk file");
        }
        if (size > maxBytes) {
            throw new ApiException(413, "TOO_LARGE", "the disk is " + size + " bytes, more than the " + maxBytes
                    + " this node accepts (-Ddeskmesh.images.max-upload-bytes)");
        }
        return size;
    }

    private void requireSpace(long size) {
        long free = store.usableSpace();
        if (free < size) {
            throw new ApiException(507, "INSUFFICIENT_STORAGE", "this node has " + free + " bytes free for base"
                    + " images, the disk needs " + size + "; free space or import on another node");
        }
    }

    private static Map<String, Object> view(ImageManifest m, Upload u, boolean moves) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("image", m.image());
        out.put("version", m.version());
        out.put("template", u.template().name());
        out.put("templateMoved", moves);
        out.put("sizeBytes", m.sizeBytes());
        out.put("sha256", m.sha256());
        out.put("parentVersion", m.parentVersion());
        out.put("format", u.format().lowerName());
        out.put("uploadedBytes", u.size());
        return out;
    }

    /** The request body; a failed read (the client went away, the body ended early) is the caller's 400. */
    private static final class BodyStream extends java.io.FilterInputStream {
        private final long announced;
        private long read;

        BodyStream(InputStream in, long announced) {
            super(in);
            this.announced = announced;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                int n = super.read(b, off, len);
                read += Math.max(0, n);
                return n;
            } catch (IOException e) {
                throw ApiException.invalid("the body broke off after " + read + " of the " + announced + " bytes of its"
                        + " Content-Length (" + e.getMessage() + "); nothing was stored, send the whole file again");
            }
        }
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
