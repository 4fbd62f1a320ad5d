package dev.mistralgateway.mistral;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Carries the cancellation of one client request below the fault-tolerance guard, to the Mistral attempt running
 * there. SmallRye Fault Tolerance turns the guarded {@code Uni} into its own future and back
 * ({@code UniSupport.toFuture} drops the attempt's {@code Cancellable}; {@code fromFuture} never looks at
 * cancellation), so cancelling the {@code Uni} a guarded method returns stops nothing: the attempt goes on, holds a
 * connection and is billed, and its late outcome still feeds the breaker. {@link #guarded} cancels the token instead,
 * and {@link MistralClient} ends the attempt below the guard: the upstream request is aborted at once, and the guard
 * sees a {@link MistralCancelledException}, which is neither an outage nor retryable.
 */
public final class Cancellation {

    private final List<Runnable> hooks = new ArrayList<>(2);
    private boolean cancelled;

    private Cancellation() {
    }

    /**
     * Calls a guarded method with a fresh token, and cancels the token when the returned {@code Uni} is cancelled
     * (the client left, the request's time budget ran out, the gateway is shutting down).
     */
    public static <T> Uni<T> guarded(Function<Cancellation, Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            Cancellation cancellation = new Cancellation();
            return call.apply(cancellation).onCancellation().invoke(cancellation::cancel);
        });
    }

    public void cancel() {
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = List.copyOf(hooks);
            hooks.clear();
        }
        run.forEach(Runnable::run);
    }

    public synchronized boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code hook} on cancellation, or at once when already cancelled. Hooks must be harmless when late. */
    void onCancel(Runnable hook) {
        synchronized (this) {
            if (!cancelled) {
                hooks.add(hook);
                return;
            }
        }
        hook.run();
    }

    /** One attempt that this token can end: the subscription below the guard is cancelled, the guard gets a failure. */
    <T> Uni<T> bind(Uni<T> attempt) {
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<Cancellable> running = new AtomicReference<>();
            emitter.onTermination(() -> cancel(running));
            onCancel(() -> {
                cancel(running);
                emitter.fail(new MistralCancelledException());
            });
            if (!isCancelled()) {
                running.set(attempt.subscribe().with(emitter::complete, emitter::fail));
                if (isCancelled()) {
                    cancel(running);
                }
            }
        });
    }

    private static void cancel(AtomicReference<Cancellable> running) {
        Cancellable cancellable = running.get();
        if (cancellable != null) {
            cancellable.cancel();
        }
    }
}
