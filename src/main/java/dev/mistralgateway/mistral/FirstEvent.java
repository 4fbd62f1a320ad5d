package dev.mistralgateway.mistral;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Turns a stream into "the stream has started": a {@link Uni} that completes with the whole stream once its first
 * event arrived, and fails if the stream failed before that. Fault tolerance guards that Uni (a failure before the
 * first event can be retried and counts for the breaker; nothing after it is retried), and the HTTP response head
 * waits for it, so an early failure still gets its own status code. Cancelling either side cancels the upstream.
 */
final class FirstEvent {

    private FirstEvent() {
    }

    static <T> Uni<Multi<T>> await(Multi<T> upstream) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicBoolean opened = new AtomicBoolean();
            AtomicReference<Cancellable> subscription = new AtomicReference<>();
            UnicastProcessor<T> events = UnicastProcessor.create();
            Multi<T> stream = events.onCancellation().invoke(() -> cancel(subscription));
            subscription.set(upstream.subscribe().with(
                    item -> {
                        events.onNext(item);
                        if (opened.compareAndSet(false, true)) {
                            emitter.complete(stream);
                        }
                    },
                    failure -> {
                        if (opened.compareAndSet(false, true)) {
                            emitter.fail(failure);
                        } else {
                            events.onError(failure);
                        }
                    },
                    () -> {
                        events.onComplete();
                        if (opened.compareAndSet(false, true)) {
                            emitter.complete(stream);
                        }
                    }));
            emitter.onTermination(() -> {
                if (!opened.get()) {
                    // Cancelled (timeout, client gone) before the first event.
                    cancel(subscription);
                }
            });
        });
    }

    private static void cancel(AtomicReference<Cancellable> subscription) {
        Cancellable cancellable = subscription.get();
        if (cancellable != null) {
            cancellable.cancel();
        }
    }
}
