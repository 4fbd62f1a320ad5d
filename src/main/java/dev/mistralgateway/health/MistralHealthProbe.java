package dev.mistralgateway.health;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.mistral.MistralApiException;
import dev.mistralgateway.mistral.MistralClient;
import dev.mistralgateway.mistral.MistralTimeoutException;
import dev.mistralgateway.models.ModelCatalog;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Calls {@code GET /v1/models} with every upstream key once at startup (the credential check) and then every
 * {@code mistral.health.interval}, and records the outcome in {@link MistralHealth}; each key's own outcome goes to its
 * state ({@code MistralClient#models}). One call per interval per pod, however often kubelets probe. Its
 * answer, Mistral's model cards, refreshes the {@link ModelCatalog} that {@code GET /v1/models} serves.
 */
@ApplicationScoped
public class MistralHealthProbe {

    private final MistralClient mistral;
    private final MistralHealth health;
    private final ModelCatalog catalog;
    private final Duration timeout;

    MistralHealthProbe(MistralClient mistral, MistralHealth health, ModelCatalog catalog, MistralConfig config) {
        this.mistral = mistral;
        this.health = health;
        this.catalog = catalog;
        this.timeout = config.health().timeout();
    }

    void onStart(@Observes StartupEvent event) {
        probe().subscribe().with(result -> {
        });
    }

    @Scheduled(identity = "mistral-health-probe", every = "${mistral.health.interval}",
            delayed = "${mistral.health.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledProbe() {
        return probe().replaceWithVoid();
    }

    /** Probes Mistral now; never fails: a failure is a result. */
    public Uni<ProbeResult> probe() {
        long start = System.nanoTime();
        return mistral.models()
                .ifNoItem().after(timeout).failWith(() -> new MistralTimeoutException(
                        "Mistral did not answer the health probe within " + timeout.toMillis() + " ms", null))
                .invoke(catalog::update)
                .map(models -> new ProbeResult(true, elapsedMs(start), firstModel(models), null, null, Instant.now()))
                .onFailure().recoverWithItem(failure -> new ProbeResult(false, elapsedMs(start), null,
                        failure.getMessage(), failure instanceof MistralApiException api ? api.status() : null, Instant.now()))
                .invoke(health::record);
    }

    private static String firstModel(JsonNode models) {
        JsonNode first = models.path("data").path(0).path("id");
        return first.isTextual() ? first.asText() : null;
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
