package dev.mistralgateway.calls;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.RetryAfter;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.cost.KeyBudgets;
import dev.mistralgateway.cost.Reservation;
import dev.mistralgateway.cost.SpendMeter;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.mistral.Cancellation;
import dev.mistralgateway.mistral.MistralAnswer;
import dev.mistralgateway.mistral.MistralClient;
import dev.mistralgateway.mistral.MistralException;
import dev.mistralgateway.mistral.MistralTimeoutException;
import dev.mistralgateway.mistral.StreamedBody;
import dev.mistralgateway.state.Verdict;
import dev.mistralgateway.state.Window;
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
    private final KeyBudgets keyBudgets;

    UpstreamCalls(MistralClient mistral, MistralConfig config, SpendMeter spend, KeyBudgets keyBudgets) {
        this.mistral = mistral;
        this.config = config;
        this.spend = spend;
        this.keyBudgets = keyBudgets;
        this.budget = config.timeout().request();
    }

    /** A plain chat completion of {@code body} (validated, for {@code model}). */
    public Uni<MistralAnswer> complete(ObjectNode body, String model) {
        return reserved(body, () -> withinBudget(withFallback(body, mistral::chat, new HashSet<>()))
                .invoke(answer -> book(model, answer)));
    }

    /** Completes when Mistral sent the first event, with all events' data, {@code [DONE]} included. */
    public Uni<Multi<String>> stream(ObjectNode body) {
        return reservedStream(body, () -> withinBudget(withFallback(body, mistral::openStream, new HashSet<>())));
    }

    /** Embeddings of a validated body. */
    public Uni<MistralAnswer> embed(ObjectNode request) {
        String model = request.path("model").asText();
        return reserved(request, () -> withinBudget(Cancellation.guarded(cancellation -> mistral.embeddings(request,
                cancellation))).invoke(answer -> book(model, answer)));
    }

    /**
     * Sends a validated body to another JSON endpoint of Mistral ({@code path} relative to {@code /v1}, {@code endpoint}
     * its metrics name), with the budget and fallback of chat, and books what the answer says it used.
     */
    public Uni<MistralAnswer> call(String path, String endpoint, ObjectNode body) {
        String model = body.path("model").asText();
        return reserved(body, () -> withinBudget(withFallback(body,
                (request, cancellation) -> mistral.post(path, endpoint, request, cancellation), new HashSet<>()))
                .invoke(answer -> book(model, answer)));
    }

    /** Opens a stream of another streaming endpoint, as {@link #stream(ObjectNode)}; the relay books its usage. */
    public Uni<Multi<String>> stream(String path, String endpoint, ObjectNode body) {
        return reservedStream(body, () -> withinBudget(withFallback(body,
                (request, cancellation) -> mistral.openStream(path, endpoint, request, cancellation), new HashSet<>())));
    }

    /**
     * Transcribes an upload streamed to Mistral as it arrives, within the budget and time budget of every call; no
     * fallback model, since the body cannot be sent again (nor retried: see {@code MistralClient.transcribe}).
     * Spend is booked by the minute of audio Mistral says it heard.
     */
    public Uni<MistralAnswer> transcribe(String model, StreamedBody upload) {
        return reserved(JsonNodeFactory.instance.objectNode(), () -> withinBudget(Cancellation.guarded(cancellation -> mistral.transcribe(model, upload,
                cancellation))).invoke(answer -> spend.recordAudio(answer.modelOr(model), answer.usage())));
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
     * Runs {@code call} once its reservation is made ({@link SpendMeter#reserve}): fails with 429 while the hourly
     * budget or the key's tokens are spent (calls already running finish), or with 503 when the shared store failed
     * and {@code gateway.state.on-failure=deny}, before any call to Mistral. The answer's usage settles the
     * reservation; a call that ends without one releases it.
     */
    private <T> Uni<T> reserved(ObjectNode body, Supplier<Uni<T>> call) {
        return reserve(body).chain(reservation -> call.get().onTermination().invoke(() -> spend.release(reservation)));
    }

    /** As {@link #reserved}, for a stream: its reservation is released when the events end, however they end. */
    private Uni<Multi<String>> reservedStream(ObjectNode body, Supplier<Uni<Multi<String>>> open) {
        return reserve(body).chain(reservation -> open.get()
                .onFailure().invoke(failure -> spend.release(reservation))
                .onCancellation().invoke(() -> spend.release(reservation))
                .map(events -> events.onTermination().invoke(() -> spend.release(reservation))));
    }

    private Uni<Reservation> reserve(ObjectNode body) {
        return spend.reserve(body, body.path("model").asText()).map(reserved -> {
            Verdict verdict = reserved.verdict();
            if (verdict.outcome() == Verdict.Outcome.UNAVAILABLE) {
                throw ApiException.stateUnavailable(verdict.retryAfter());
            }
            Duration wait = verdict.retryAfter();
            if (verdict.outcome() == Verdict.Outcome.KEY_BUDGET_EXHAUSTED) {
                String key = RequestRecord.current().key();
                throw ApiException.keyBudgetExhausted("Key '" + key + "' has spent its own budget ("
                        + describe(keyBudgets.of(key)) + ", calls in flight counted at their most); retry in "
                        + RetryAfter.seconds(wait) + " s", wait);
            }
            if (verdict.outcome() == Verdict.Outcome.TOKENS_EXHAUSTED) {
                throw ApiException.keyLimited("Key '" + RequestRecord.current().key() + "' used its hourly token"
                        + " allowance (counting the calls it has in flight); retry in " + RetryAfter.seconds(wait) + " s",
                        wait);
            }
            if (!verdict.allowed()) {
                throw ApiException.budgetExhausted(String.format(Locale.ROOT,
                        "The gateway's hourly budget of $%s is spent ($%s in the last 60 minutes, calls in flight"
                                + " counted at their most); retry in %d s",
                        usd(spend.hourlyBudget().orElse(0)), usd(spend.lastHourUsd()), RetryAfter.seconds(wait)), wait);
            }
            return reserved.reservation();
        });
    }

    /** A key's budgets in words: "$0.0001 a day, $5.00 in 30 days". */
    private static String describe(Map<Window, Double> budgets) {
        return budgets.entrySet().stream().map(budget -> "$" + usd(budget.getValue()) + switch (budget.getKey()) {
            case HOUR -> " an hour";
            case DAY -> " a day";
            case MONTH -> " in 30 days";
        }).collect(Collectors.joining(", "));
    }

    /** Dollars with cents, and with the digits a smaller amount needs to show (never "$0.00" for $0.004). */
    static String usd(double amount) {
        return amount == 0 || Math.abs(amount) >= 0.01 ? String.format(Locale.ROOT, "%.2f", amount)
                : new BigDecimal(amount).round(new MathContext(2)).toPlainString();
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
