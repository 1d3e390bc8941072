package io.deskmesh.model.image;

/**
 * The grid's identity. Immutable.
 *
 * @param gridId    the id chosen when the grid was created, empty before that
 * @param createdAt log time of creation, 0 before that
 */
public record GridImage(String gridId, long createdAt) {
    public static final GridImage EMPTY = new GridImage("", 0);

    public boolean exists() {
        return !gridId.isEmpty();
    }
}
