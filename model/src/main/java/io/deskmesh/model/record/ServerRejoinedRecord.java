package io.deskmesh.model.record;

/** A missing or suspect server answered again and is back in service. Type id 7. */
public record ServerRejoinedRecord(String name, String address, long at) implements MeshRecord {
    public ServerRejoinedRecord {
        java.util.Objects.requireNonNull(name, "name");
    }
}
