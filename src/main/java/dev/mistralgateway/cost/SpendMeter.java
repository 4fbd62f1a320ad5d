package dev.mistralgateway.cost;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mistralgateway.api.JsonBody;
import dev.mistralgateway.config.GatewayConfig;
import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.state.StateStore;
import dev.mistralgateway.state.Verdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Turns Mistral's {@code usage} figures into tokens and USD (tokens times the configured price), books them in the
 * {@link StateStore} (per pod, or for the fleet through Redis), and says when the optional hourly budget
 * ({@code gateway.budget.hourly-usd}) is exhausted.
 */
@Singleton
public class SpendMeter {

    private static final Logger LOG = Logger.getLogger(SpendMeter.class);
    /** A rough and generous estimate for a prompt's tokens: Mistral's tokenizers average 3 to 4 characters a token. */
    static final int CHARACTERS_PER_TOKEN = 3;

    private final MistralConfig config;
    private final GatewayMetrics metrics;
    private final OptionalDouble hourlyBudget;
    private final StateStore store;
    /** Whether every call reserves before it is made: when a budget or an hourly token limit is set. */
    private final boolean reserves;
    /** Else, the calls of a key with a budget of its own do. */
    private final KeyBudgets keyBudgets;

    SpendMeter(MistralConfig config, GatewayConfig gateway, GatewayMetrics metrics, MeterRegistry registry,
            StateStore store, KeyBudgets keyBudgets) {
        this.keyBudgets = keyBudgets;
        this.config = config;
        this.store = store;
        this.metrics = metrics;
        this.hourlyBudget = gateway.budget().hourlyUsd();
        this.reserves = hourlyBudget.isPresent() || gateway.keyLimits().hourlyTokens().isPresent();
        Gauge.builder("mistral.budget.spend.usd", this, SpendMeter::lastHourUsd)
                .description("Spend of the rolling last 60 minutes in USD: the fleet's when shared through Redis,"
                        + " else this pod's").register(registry);
        Gauge.builder("mistral.budget.reserved.usd", this, SpendMeter::reservedUsd)
                .description("USD reserved against the budget by calls in flight, not settled yet: the fleet's when"
                        + " shared through Redis, else this pod's").register(registry);
        // No budget, no series: a limit of 0 would read as "no money left" on a dashboard or in an alert.
        hourlyBudget.ifPresent(limit -> Gauge.builder("mistral.budget.limit.usd", () -> limit)
                .description("Hourly budget in USD").register(registry));
    }

    /** Accounts for one answer's {@code usage} (ignored when absent), for the model that answered. */
    public void record(String model, JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        long prompt = usage.path("prompt_tokens").asLong(0);
        long completion = usage.path("completion_tokens").asLong(0);
        if (!config.prices().containsKey(model)) {
            metrics.unpricedTokens(model, prompt + completion);
            LOG.debugf("No price configured for %s: counted at the fallback price", model);
        }
        book(model, usd(model, usage), prompt, completion);
    }

    /** What {@code usage} (Mistral's, of a token-priced answer) costs at {@code model}'s price, in USD. */
    public double usd(String model, JsonNode usage) {
        MistralConfig.Price price = config.prices().getOrDefault(model, config.fallbackPrice());
        return (usage.path("prompt_tokens").asLong(0) * price.input()
                + usage.path("completion_tokens").asLong(0) * price.output()) / 1_000_000;
    }

    /**
     * Accounts for a transcription's {@code usage}: Mistral bills transcription by the minute of audio
     * ({@code prompt_audio_seconds}, at {@code mistral.price-per-audio-minute}), not by token; its tokens still count
     * against the key's hourly tokens.
     */
    public void recordAudio(String model, JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        double minutes = usage.path("prompt_audio_seconds").asDouble(0) / 60;
        book(model, minutes * config.pricePerAudioMinute(), usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0));
    }

    private void book(String model, double usd, long prompt, long completion) {
        metrics.tokens(model, prompt, completion);
        metrics.spend(model, usd);
        RequestRecord request = RequestRecord.current();
        request.tokens(prompt, completion);
        bookAgainstReservation(request.key(), Math.round(usd * 1e9), prompt + completion);
    }

    /** Books what a call used, less what its reservation (if this request has an open one) already counted. */
    private void bookAgainstReservation(String key, long nanoUsd, long tokens) {
        RequestRecord request = RequestRecord.current();
        request.spent(nanoUsd / 1e9);
        Reservation reservation = request.reservation() instanceof Reservation open && open.close()
                ? open
                : Reservation.NONE;
        // The store never fails a booking (it keeps it for later when Redis is down): nothing to handle here.
        store.settle(reservation.id, key, nanoUsd, tokens).subscribe().with(booked -> {
        });
    }

    /**
     * Reserves what a call of {@code body} to {@code model} may cost, against the budget and the key's hourly tokens
     * ({@link StateStore#reserve}): the prompt estimated at {@value #CHARACTERS_PER_TOKEN} characters a token, plus
     * {@code max_tokens} times {@code n} at the model's output price. Without either limit it reserves nothing and
     * only checks the budget, as before. The returned reservation is this request's: the answer's usage settles it
     * ({@link #record}); {@link #release} frees what is left when the call ends without one.
     */
    public Uni<Reserved> reserve(JsonNode body, String model) {
        RequestRecord request = RequestRecord.current();
        if (!reserves && !keyBudgets.has(request.key())) {
            return store.checkBudget().map(verdict -> new Reserved(verdict, Reservation.NONE));
        }
        long prompt = JsonBody.characters(body) / CHARACTERS_PER_TOKEN + 1;
        long completion = Math.max(0, body.path("max_tokens").asLong(0)) * Math.max(1, body.path("n").asLong(1));
        MistralConfig.Price price = config.prices().getOrDefault(model, config.fallbackPrice());
        long nanoUsd = Math.round((prompt * price.input() + completion * price.output()) * 1000);
        String key = request.key();
        Reservation reservation = new Reservation(key, nanoUsd, prompt + completion);
        return store.reserve(reservation.id, key, nanoUsd, prompt + completion).map(verdict -> {
            if (!verdict.allowed()) {
                return new Reserved(verdict, Reservation.NONE);
            }
            request.reservation(reservation);
            return new Reserved(verdict, reservation);
        }).onCancellation().invoke(() -> {
            // The client left while the reservation was on its way (to Redis): freed by its id, which also keeps one
            // that reaches Redis after its release from being made.
            release(reservation);
        });
    }

    /** Frees what is left of {@code reservation} when its call ended without usage (failed, cancelled, or none sent). */
    public void release(Reservation reservation) {
        if (reservation.close()) {
            store.settle(reservation.id, reservation.key, 0, 0).subscribe().with(released -> {
            });
        }
    }

    /** A store's verdict on a call, with the reservation made for it ({@link Reservation#NONE} when refused or not needed). */
    public record Reserved(Verdict verdict, Reservation reservation) {
    }


    /** Accounts for pages an OCR model processed, at {@code mistral.price-per-page}. */
    public void recordPages(String model, long pages) {
        if (pages <= 0) {
            return;
        }
        double usd = pages * config.pricePerPage();
        metrics.spend(model, usd);
        bookAgainstReservation(RequestRecord.current().key(), Math.round(usd * 1e9), 0);
    }

    public double lastHourUsd() {
        return store.lastSpend().usd();
    }

    /** What the calls in flight have reserved and not settled yet (the fleet's with Redis, as last seen). */
    public double reservedUsd() {
        return store.lastSpend().reservedUsd();
    }

    /** How long until spend is back under the budget, when it was exhausted at the last look (no I/O). */
    public Optional<Duration> budgetExhausted() {
        return hourlyBudget.isEmpty() ? Optional.empty() : store.lastSpend().untilUnderBudget();
    }

    public OptionalDouble hourlyBudget() {
        return hourlyBudget;
    }
}
