package dev.mistralgateway.audio;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Singleton;

import dev.mistralgateway.config.GatewayConfig;

/**
 * The temporary-file space that uploads sending their file before their model may use, all together
 * ({@code gateway.transcription.max-spooled-size}). In Kubernetes /tmp is a small in-memory volume whose overflow
 * evicts the pod, so a few such uploads at once must not be able to fill it.
 */
@Singleton
class SpoolSpace {

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    SpoolSpace(GatewayConfig config) {
        this.capacity = config.transcription().maxSpooledSize().asLongValue();
    }

    /** Takes {@code bytes} of the space; false (and nothing taken) when they do not fit. */
    boolean reserve(long bytes) {
        long after = used.addAndGet(bytes);
        if (after > capacity) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    long capacity() {
        return capacity;
    }
}
