package io.deskmesh.model.record;

/** The grid came into being; written once, first, by the bootstrapping node. Type id 1. */
public record GridCreatedRecord(String gridId, long at) implements MeshRecord {
    public GridCreatedRecord {
        java.util.Objects.requireNonNull(gridId, "gridId");
    }
}
