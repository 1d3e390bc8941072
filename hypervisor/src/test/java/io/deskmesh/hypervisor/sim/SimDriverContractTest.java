package io.deskmesh.hypervisor.sim;

import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.HypervisorDriverContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the shared driver contract against the sim driver with a recording console server attached. */
class SimDriverContractTest extends HypervisorDriverContract {

    @Override
    protected HypervisorDriver newDriver(Path workDir) {
        SimDriver sim = new SimDriver(SimConfig.builder().hostName("contract").storageRoot(workDir).build());
        sim.attachConsoleServer(new RecordingConsoleServer());
        return sim;
    }

    @Override
    protected Path baseImage(Path workDir) {
        try {
            return Files.writeString(workDir.resolve("base.qcow2"), "sim base image");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
