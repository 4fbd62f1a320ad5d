package dev.mistralgateway.calls;

import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.RetryAfter;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.cost.SpendMeter;
import dev.mistralgateway.mistral.Cancellation;
import dev.mistralgateway.mistral.MistralAnswer;
import dev.mistralgateway.mistral.MistralClient;
import dev.mistralgateway.mistral.MistralException;
import dev.mistralgateway.mistral.MistralTimeoutException;
import dev.mistralgateway.mistral.StreamedBody;
import dev.mistralgateway.state.Verdict;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The Mistral calls a client request makes, whatever its endpoint: refused while the hourly budget is spent, within
 * the request's time budget, cancelled with the request, once more with the fallback model when Mistral fails for a
 * model that has one ({@code mistral.fallback-models}), and booked (tokens, pages or audio minutes) from what the answer says it used.
 * Every feature package (chat, embeddings, inference) calls Mistral through it and only through it.
 */
@Singleton
public class UpstreamCalls {

    private static final Logger LOG = Logger.getLogger(UpstreamCalls.class);

    private final MistralClient mistral;
    private final MistralConfig config;
    private final Duration budget;
    private final SpendMeter spend;

    UpstreamCalls(MistralClient mistral, MistralConfig config, SpendMeter spend) {
        this.mistral = mistral;
        this.config = config;
        this.spend = spend;
        this.budget = config.timeout().request();
    }

    /** A plain chat completion of {@code body} (validated, for {@code model}). */
    public Uni<MistralAnswer> complete(ObjectNode body, String model) {
        return checkBudget().chain(() -> withinBudget(withFallback(body, mistral::chat, new HashSet<>())))
                .invoke(answer -> book(model, answer));
    }

    /** Completes when Mistral sent the first event, with all events' data, {@code [DONE]} included. */
    public Uni<Multi<String>> stream(ObjectNode body) {
        return checkBudget().chain(() -> withinBudget(withFallback(body, mistral::openStream, new HashSet<>())));
    }

    /** Embeddings of a validated body. */
    public Uni<MistralAnswer> embed(ObjectNode request) {
        String model = request.path("model").asText();
        return checkBudget()
                .chain(() -> withinBudget(Cancellation.guarded(cancellation -> mistral.embeddings(request, cancellation))))
                .invoke(answer -> book(model, answer));
    }

    /**
     * Sends a validated body to another JSON endpoint of Mistral ({@code path} relative to {@code /v1}, {@code endpoint}
     * its metrics name), with the budget and fallback of chat, and books what the answer says it used.
     */
    public Uni<MistralAnswer> call(String path, String endpoint, ObjectNode body) {
        String model = body.path("model").asText();
        return checkBudget()
                .chain(() -> withinBudget(withFallback(body,
                        (request, cancellation) -> mistral.post(path, endpoint, request, cancellation), new HashSet<>())))
                .invoke(answer -> book(model, answer));
    }

    /** Opens a stream of another streaming endpoint, as {@link #stream(ObjectNode)}; the relay books its usage. */
    public Uni<Multi<String>> stream(String path, String endpoint, ObjectNode body) {
        return checkBudget().chain(() -> withinBudget(withFallback(body,
                (request, cancellation) -> mistral.openStream(path, endpoint, request, cancellation), new HashSet<>())));
    }

    /**
     * Transcribes an upload streamed to Mistral as it arrives, within the budget and time budget of every call; no
     * fallback model, since the body cannot be sent again (nor retried: see {@code MistralClient.transcribe}).
     * Spend is booked by the minute of audio Mistral says it heard.
     */
    public Uni<MistralAnswer> transcribe(String model, StreamedBody upload) {
        return checkBudget()
                .chain(() -> withinBudget(Cancellation.guarded(cancellation -> mistral.transcribe(model, upload, cancellation))))
                .invoke(answer -> spend.recordAudio(answer.modelOr(model), answer.usage()));
    }

    /** Spend from an answer: tokens from {@code usage}, or pages from OCR's {@code usage_info}. */
    private void book(String requestedModel, MistralAnswer answer) {
        String model = answer.modelOr(requestedModel);
        if (!answer.usage().isMissingNode()) {
            spend.record(model, answer.usage());
        } else if (answer.pagesProcessed() >= 0) {
            spend.recordPages(model, answer.pagesProcessed());
        }
    }

    /**
     * Fails with 429 while the hourly budget is spent (requests already running finish), or with 503 when the shared
     * store failed and {@code gateway.state.on-failure=deny}; else completes, before any call to Mistral.
     */
    private Uni<Void> checkBudget() {
        return spend.checkBudget().invoke(verdict -> {
            if (verdict.outcome() == Verdict.Outcome.UNAVAILABLE) {
                throw ApiException.stateUnavailable(verdict.retryAfter());
            }
            if (!verdict.allowed()) {
                Duration wait = verdict.retryAfter();
                throw ApiException.budgetExhausted(String.format(Locale.ROOT,
                        "The gateway's hourly budget of $%.2f is spent ($%.2f in the last 60 minutes); retry in %d s",
                        spend.hourlyBudget().orElse(0), spend.lastHourUsd(), RetryAfter.seconds(wait)), wait);
            }
        }).replaceWithVoid();
    }

    /**
     * Each model's call is {@link Cancellation#guarded}: cancelling the request (client gone, budget spent) cancels
     * the Mistral attempt in flight, below the guard.
     */
    private <T> Uni<T> withFallback(ObjectNode body, BiFunction<ObjectNode, Cancellation, Uni<T>> call, Set<String> tried) {
        String model = body.path("model").asText();
        tried.add(model);
        String fallback = config.fallbackModels().get(model);
        Uni<T> attempt = Cancellation.guarded(cancellation -> call.apply(body, cancellation));
        if (fallback == null || tried.contains(fallback)) {
            return attempt;
        }
        return attempt.onFailure(failure -> MistralException.of(failure).isOutage()).recoverWithUni(failure -> {
            LOG.warnf("Mistral failed for %s (%s); trying fallback model %s", model, failure.getMessage(), fallback);
            ObjectNode retry = body.deepCopy();
            retry.put("model", fallback);
            return withFallback(retry, call, tried);
        });
    }

    /** Retries and fallbacks included, a request gets no more than {@code mistral.timeout.request}. */
    private <T> Uni<T> withinBudget(Uni<T> call) {
        return call.ifNoItem().after(budget).failWith(() -> new MistralTimeoutException(
                "Mistral did not answer within the request budget of " + budget.toMillis() + " ms", null));
    }
}
