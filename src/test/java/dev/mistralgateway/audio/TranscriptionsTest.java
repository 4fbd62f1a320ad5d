package dev.mistralgateway.audio;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mistralgateway.simulator.Fault;
import dev.mistralgateway.testing.Metrics;
import dev.mistralgateway.testing.MultipartForm;
import dev.mistralgateway.testing.MultipartForm.RawUpload;
import dev.mistralgateway.testing.Simulator;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code POST /v1/audio/transcriptions} through the gateway: uploads streamed to Mistral (model first) or held until
 * their model is read (file first), refused before Mistral is called when the gateway will not send them, over their
 * own size limit (2M in tests, above the 1M of JSON bodies), Mistral's failures through the guard without a retry,
 * and spend booked by the minute of audio.
 */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
class TranscriptionsTest {

    static final String MODEL = "voxtral-mini-2507";

    @TestHTTPResource("/v1/audio/transcriptions")
    URL endpoint;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void resetSimulator() {
        Simulator.reset();
    }

    private HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(endpoint.toString())).timeout(Duration.ofSeconds(20))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(MultipartForm form) throws Exception {
        return post(MultipartForm.contentType(), form.bytes());
    }

    private static JsonPath json(HttpResponse<String> response) {
        return new JsonPath(response.body());
    }

    @Test
    void streamsAnUploadThatNamesItsModelFirstAndBooksItsAudioMinutes() throws Exception {
        double spend = Metrics.value("mistral_spend_usd_total", "model=\"" + MODEL + "\"");
        double prompt = Metrics.value("mistral_tokens_total", "model=\"" + MODEL + "\"", "type=\"prompt\"");
        double answered = Metrics.value("mistral_requests_total", "endpoint=\"transcriptions\"", "status=\"200\"");
        // 1.5 MB: over the 1M that JSON bodies may have, within the upload's own limit.
        HttpResponse<String> response = post(MultipartForm.form().field("model", MODEL)
                .file("file", "call.wav", MultipartForm.audio(1_500_000)).field("language", "fr")
                .field("timestamp_granularities", "segment"));
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
        JsonPath answer = json(response);
        assertEquals(MODEL, answer.getString("model"));
        assertEquals("Simulated transcription of call.wav (1500000 bytes)", answer.getString("text"));
        assertEquals("fr", answer.getString("language"));
        assertEquals(1, answer.getList("segments").size());
        assertEquals(47, answer.getInt("usage.prompt_audio_seconds"), "1.5 MB of 16 kHz 16-bit audio");
        JsonPath sent = Simulator.lastRequest("transcriptions");
        assertEquals(1_500_000, sent.getLong("file_bytes"), "every byte reached Mistral");
        assertEquals("call.wav", sent.getString("filename"));
        assertEquals(MODEL, sent.getString("model"));
        assertEquals("expected", Simulator.lastHeaders("transcriptions").get("authorization"), "the gateway's own key");
        assertEquals(1, Simulator.count("transcriptions"));
        assertEquals(spend + 47 / 60.0 * 0.001, Metrics.value("mistral_spend_usd_total", "model=\"" + MODEL + "\""), 1e-9,
                "47 s of audio at mistral.price-per-audio-minute");
        assertEquals(prompt + 587, Metrics.value("mistral_tokens_total", "model=\"" + MODEL + "\"", "type=\"prompt\""));
        assertEquals(answered + 1, Metrics.value("mistral_requests_total", "endpoint=\"transcriptions\"", "status=\"200\""));
    }

    @Test
    void holdsAnUploadThatSendsItsFileFirstUntilItsModelIsReadThenSendsItWhole() throws Exception {
        byte[] audio = MultipartForm.audio(700_000);
        HttpResponse<String> response = post(MultipartForm.form().file("file", "memo.wav", audio)
                .field("model", MODEL));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("Simulated transcription of memo.wav (700000 bytes)", json(response).getString("text"));
        assertEquals(700_000, Simulator.lastRequest("transcriptions").getLong("file_bytes"));
        assertEquals(1, Simulator.count("transcriptions_started"), "one call, once the whole form was read");
    }

    @Test
    void refusesAFileFirstUploadWhenHeldUploadsWouldPassTheirSpace() throws Exception {
        // gateway.transcription.max-spooled-size is 3M in tests: one upload holds 1.9 MB and waits for its model.
        try (RawUpload holding = new RawUpload(endpoint, -1)) {
            holding.send(MultipartForm.fileHeader("file", "first.wav"));
            holding.send(MultipartForm.audio(1_900_000));
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                HttpResponse<String> second = post(MultipartForm.form().file("file", "second.wav",
                        MultipartForm.audio(1_500_000)).field("model", MODEL));
                return second.statusCode() == 503 && second.body().contains("upload_spool_full");
            });
        }
        assertEquals(0, Simulator.upstreamCalls(), "neither held upload reached Mistral");
        // The space comes back when the first upload is dropped (its client left).
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> post(MultipartForm.form()
                .file("file", "third.wav", MultipartForm.audio(1_500_000)).field("model", MODEL)).statusCode() == 200);
    }

    @Test
    void transcribesAnAudioFileByItsAddress() throws Exception {
        HttpResponse<String> response = post(MultipartForm.form().field("model", MODEL)
                .field("file_url", "https://example.com/meeting.mp3"));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(30, json(response).getInt("usage.prompt_audio_seconds"));
        assertEquals("https://example.com/meeting.mp3", Simulator.lastRequest("transcriptions").getString("file_url"));
    }

    @Test
    void refusesFormsTheGatewayWillNotSendWithoutCallingMistral() throws Exception {
        byte[] audio = MultipartForm.audio(10_000);
        assertRefused(post(MultipartForm.form().file("file", "a.wav", audio)), 400, "'model' is required");
        assertRefused(post(MultipartForm.form().field("model", "whisper-1").file("file", "a.wav", audio)), 400,
                "is not allowed");
        assertRefused(post(MultipartForm.form().file("file", "a.wav", audio).field("model", "whisper-1")), 400,
                "is not allowed");
        assertRefused(post(MultipartForm.form().field("model", "voxtral-mini-latest").file("file", "a.wav", audio)), 400,
                "-latest alias");
        assertRefused(post(MultipartForm.form().field("model", "mistral-small-2506").file("file", "a.wav", audio)), 400,
                "does not support audio transcription");
        assertRefused(post(MultipartForm.form().field("model", MODEL).field("language", "en")), 400,
                "Send the audio as a 'file' part");
        assertRefused(post(MultipartForm.form().field("model", MODEL).field("stream", "true").file("file", "a.wav", audio)),
                400, "does not stream transcriptions");
        assertRefused(post("application/json", ("{\"model\":\"" + MODEL + "\"}").getBytes()), 415,
                "multipart/form-data");
        assertRefused(post("multipart/form-data", MultipartForm.form().field("model", MODEL).bytes()), 400,
                "has no boundary");
        assertRefused(post(MultipartForm.contentType(), "model=voxtral-mini-2507".getBytes()), 400,
                "ends before its closing boundary");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(endpoint.toString())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertRefused(get, 405, "Use POST");
        assertEquals("POST", get.headers().firstValue("Allow").orElse(null));
        assertEquals(0, Simulator.upstreamCalls(), "Mistral never saw a refused form, not even its first bytes");
    }

    @Test
    void refusesAnUploadDeclaredOverItsLimitBeforeReadingIt() throws Exception {
        try (RawUpload upload = new RawUpload(endpoint, 3_000_000)) {
            upload.send(MultipartForm.form().field("model", MODEL).bytes());
            String response = upload.response();
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("\"request_too_large\"") && response.contains("limit of 2097152 bytes"), response);
        }
        assertEquals(0, Simulator.upstreamCalls());
    }

    @Test
    void refusesAnUploadThatPassesItsLimitWhileStreamingAndResetsItsCall() throws Exception {
        double outages = Metrics.value("mistral_errors_total", "reason=\"connection\"");
        try (RawUpload upload = new RawUpload(endpoint, -1)) {
            upload.send(modelThenFileHeader("long.wav"));
            byte[] piece = MultipartForm.audio(64 * 1024);
            for (int sent = 0; sent < 2_300_000 && upload.send(piece); sent += piece.length) {
                // Until the gateway stops taking it.
            }
            String response = upload.response();
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("\"request_too_large\""), response);
        }
        assertEquals(1, Simulator.count("transcriptions_started"), "the upload was streaming to Mistral");
        await().atMost(Duration.ofSeconds(5)).until(() -> Simulator.count("aborted") == 1);
        assertEquals(0, Simulator.count("transcriptions"), "Mistral never received a whole form");
        assertEquals(outages, Metrics.value("mistral_errors_total", "reason=\"connection\""),
                "a call the gateway reset for its client is no outage of Mistral");
    }

    @Test
    void streamsTheAudioToMistralBeforeTheClientHasSentItAll() throws Exception {
        byte[] audio = MultipartForm.audio(1_200_000);
        try (RawUpload upload = new RawUpload(endpoint, -1)) {
            upload.send(modelThenFileHeader("live.wav"));
            upload.send(Arrays.copyOfRange(audio, 0, 600_000));
            // Half the audio is sent, the rest is not: Mistral already has most of the first half.
            await().atMost(Duration.ofSeconds(5)).until(() -> Simulator.count("transcription_bytes") >= 500_000);
            assertEquals(0, Simulator.count("transcriptions"), "the form is not whole yet");
            upload.send(Arrays.copyOfRange(audio, 600_000, audio.length));
            upload.send("\r\n" + MultipartForm.end());
            upload.finish();
            String response = upload.response();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("live.wav (1200000 bytes)"), response);
        }
    }

    @Test
    void aClientThatLeavesMidUploadCancelsItsCall() throws Exception {
        try (RawUpload upload = new RawUpload(endpoint, -1)) {
            upload.send(modelThenFileHeader("gone.wav"));
            upload.send(MultipartForm.audio(200_000));
            await().atMost(Duration.ofSeconds(5)).until(() -> Simulator.count("transcription_bytes") > 0);
        }
        // Sooner than mistral.timeout.read (2 s in tests) would end the call: the client's leaving ended it.
        await().atMost(Duration.ofMillis(1500)).until(() -> Simulator.count("aborted") == 1);
        assertEquals(0, Simulator.count("transcriptions"), "Mistral never received a whole form");
    }

    @Test
    void tellsAClientThatAsksBeforeSendingToGoOn() throws Exception {
        byte[] form = MultipartForm.form().field("model", MODEL).file("file", "big.wav", MultipartForm.audio(1_100_000))
                .bytes();
        try (RawUpload upload = new RawUpload(endpoint, form.length, "Expect: 100-continue")) {
            String interim = upload.interimResponse();
            assertTrue(interim.startsWith("HTTP/1.1 100 Continue"), interim);
            upload.send(form);
            String response = upload.response();
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
        }
    }

    @Test
    void refusesWhatComesAfterTheAudioWithoutEverCompletingTheFormAtMistral() throws Exception {
        byte[] audio = MultipartForm.audio(50_000);
        assertRefused(post(MultipartForm.form().field("model", MODEL).file("file", "a.wav", audio)
                .field("stream", "true")), 400, "does not stream transcriptions");
        assertRefused(post(MultipartForm.form().field("model", MODEL).file("file", "a.wav", audio)
                .file("file", "b.wav", audio)), 400, "more than one 'file' part");
        assertEquals(2, Simulator.count("transcriptions_started"), "both were streaming to Mistral");
        assertEquals(0, Simulator.count("transcriptions"), "the held-back end of either form never went out");
    }

    @Test
    void answersMistralsFailuresThroughTheGuardWithoutRetryingTheUpload() throws Exception {
        MultipartForm form = MultipartForm.form().field("model", MODEL).file("file", "a.wav", MultipartForm.audio(20_000));
        Simulator.inject(Fault.status(429).retryAfter(0).endpoint("transcriptions"));
        HttpResponse<String> limited = post(form);
        assertRefused(limited, 429, "rate limit");
        assertEquals(1, Simulator.count("transcriptions"), "a 429 that chat would retry is not retried: the upload is gone");
        Simulator.inject(Fault.status(503).times(-1).endpoint("transcriptions"));
        assertRefused(post(form), 502, "HTTP 503");
        assertEquals(2, Simulator.count("transcriptions"));
    }

    @Test
    void failedUploadsCountInTheBreakerEveryCallShares() throws Exception {
        MultipartForm form = MultipartForm.form().field("model", MODEL).file("file", "a.wav", MultipartForm.audio(20_000));
        Simulator.inject(Fault.status(500).times(-1).endpoint("transcriptions"));
        for (int i = 0; i < 5; i++) {
            assertEquals(502, post(form).statusCode());
        }
        HttpResponse<String> open = post(form);
        assertRefused(open, 503, "circuit");
        assertEquals(5, Simulator.count("transcriptions_started"), "the open breaker answered without calling Mistral");
        HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create(endpoint.toString()
                .replace("/v1/audio/transcriptions", "/v1/chat/completions"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, chat.statusCode(), "chat meets the breaker the uploads opened: " + chat.body());
    }

    /** The start of a form that names its model, then opens its file part. */
    private static String modelThenFileHeader(String fileName) {
        return "--" + MultipartForm.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + MODEL
                + "\r\n" + MultipartForm.fileHeader("file", fileName);
    }

    private static void assertRefused(HttpResponse<String> response, int status, String message) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(message), response.body());
        assertTrue(response.body().startsWith("{\"error\":{\"type\":"), response.body());
        assertTrue(response.headers().firstValue("X-Request-Id").isPresent());
    }
}
