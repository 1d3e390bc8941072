package io.deskmesh.node;

import io.deskmesh.hypervisor.BaseImageCustomizer;
import io.deskmesh.hypervisor.BaseImageRefusedException;
import io.deskmesh.hypervisor.DriverException;
import io.deskmesh.images.ImageCustomizationException;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.images.LandingHook;
import io.deskmesh.model.image.ImageRef;

import java.nio.file.Path;

/**
 * The image store's landing hook, carried out by the hypervisor driver's base image customizer:
 * the two modules do not know each other, the node joins them. Thread-safe if the customizer is.
 */
final class DriverLandingHook implements LandingHook {
    private final BaseImageCustomizer customizer;

    DriverLandingHook(BaseImageCustomizer customizer) {
        this.customizer = customizer;
    }

    @Override
    public void landed(ImageManifest manifest, Path disk, Path localDirectory) {
        ImageRef ref = manifest.ref();
        try {
            customizer.customize(ref.image(), ref.version(), disk, localDirectory);
        } catch (BaseImageRefusedException e) {
            throw new ImageCustomizationException(ref, e.getMessage(), e, false);
        } catch (DriverException e) {
            throw new ImageCustomizationException(ref, "the hypervisor could not take " + ref + ": " + e.getMessage(),
                    e, true);
        }
    }

    @Override
    public void removing(ImageRef ref) {
        customizer.forget(ref.image(), ref.version());
    }
}
