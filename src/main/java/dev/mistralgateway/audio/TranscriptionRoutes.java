package dev.mistralgateway.audio;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.BodySizeLimit;
import dev.mistralgateway.api.ErrorResponses;
import dev.mistralgateway.api.Route;
import dev.mistralgateway.api.RouteTable;
import dev.mistralgateway.calls.UpstreamCalls;
import dev.mistralgateway.chat.Answers;
import dev.mistralgateway.chat.ModelPolicy;
import dev.mistralgateway.metrics.RequestRecord;
import dev.mistralgateway.mistral.MistralAnswer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/audio/transcriptions}: Mistral's transcription of an audio upload ({@code multipart/form-data}),
 * streamed to Mistral as it arrives ({@link TranscriptionUpload}), with its own size limit
 * ({@code gateway.transcription.max-upload-size}), the model allow-list and capability checked before Mistral is
 * called, the guard without its retry (an upload cannot be sent twice), and spend booked by the minute of audio.
 */
@Singleton
public class TranscriptionRoutes {

    /**
     * After the request chain (a filter: order -100), before Quarkus' own check of a declared Content-Length (order
     * -2), which knows one limit for every route ({@code quarkus.http.limits.max-body-size}) and would refuse any upload
     * over it; this route's limit is checked by the chain (declared) and by the upload's reader (as it streams).
     */
    static final int ORDER = -10;
    static final String UNSUPPORTED_MEDIA_TYPE = "Send the audio as a multipart/form-data form (fields 'model' and"
            + " 'file', or 'file_url')";

    private final ModelPolicy models;
    private final UpstreamCalls upstream;
    private final Answers answers;
    private final ErrorResponses errors;
    private final SpoolSpace space;
    private final Vertx vertx;
    private final long maxUploadBytes;

    TranscriptionRoutes(ModelPolicy models, UpstreamCalls upstream, Answers answers, ErrorResponses errors,
            SpoolSpace space, Vertx vertx, BodySizeLimit limits) {
        this.models = models;
        this.upstream = upstream;
        this.answers = answers;
        this.errors = errors;
        this.space = space;
        this.vertx = vertx;
        this.maxUploadBytes = limits.limit(Route.Body.UPLOAD);
    }

    void install(@Observes Router router) {
        router.route(RouteTable.TRANSCRIPTIONS).order(ORDER).handler(this::transcribe);
    }

    private void transcribe(RoutingContext context) {
        HttpServerRequest request = context.request();
        // Whatever ends the exchange before the client sent its whole upload, the rest is not read: the connection
        // cannot carry another request, and the answer says so, so that the client does not send one on it.
        context.addHeadersEndHandler(head -> {
            if (!request.isEnded()) {
                context.response().putHeader("Connection", "close");
            }
        });
        context.addEndHandler(ended -> {
            if (!request.isEnded()) {
                request.connection().close();
            }
        });
        if (request.method() != HttpMethod.POST) {
            context.response().putHeader(HttpHeaders.ALLOW, "POST");
            errors.refuse(context, new ApiException(405, "method_not_allowed", "Use POST", null));
            return;
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String boundary;
        try {
            boundary = boundary(contentType);
        } catch (ApiException refused) {
            errors.refuse(context, refused);
            return;
        }
        RequestRecord record = RequestRecord.current();
        Call call = new Call(context);
        TranscriptionUpload upload = new TranscriptionUpload(request, contentType, boundary, maxUploadBytes,
                new TranscriptionForm(models), () -> new Spool(vertx, space), new TranscriptionUpload.Outcome() {
                    @Override
                    public void start(String model) {
                        record.model(model, false);
                        call.start(model);
                    }

                    @Override
                    public void refuse(ApiException refusal) {
                        call.refuse(refusal);
                    }
                });
        call.upload = upload;
        context.addEndHandler(ended -> upload.discard());
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            // curl asks before sending a body over 1 MB, and waits a second for an answer that Vert.x does not give.
            context.response().writeContinue();
        }
        upload.begin();
    }

    /** The Mistral call of one upload, and the refusals that may end it while the upload still streams. */
    private final class Call {

        private final RoutingContext context;
        private TranscriptionUpload upload;
        private UniEmitter<? super MistralAnswer> refusals;
        private boolean started;

        Call(RoutingContext context) {
            this.context = context;
        }

        /**
         * Calls Mistral, answering with its answer; a refusal of the rest of the upload (too large, a field the
         * gateway refuses) cancels the call, below the guard, so neither the breaker nor Mistral's bill counts it.
         */
        void start(String model) {
            started = true;
            Uni<MistralAnswer> refused = Uni.createFrom().emitter(emitter -> refusals = emitter);
            answers.respond(context,
                    () -> Uni.join().first(List.of(upstream.transcribe(model, upload), refused)).toTerminate()
                            .onTermination().invoke(upload::discard));
        }

        void refuse(ApiException refusal) {
            if (!started) {
                errors.refuse(context, refusal);
            } else if (refusals != null) {
                refusals.fail(refusal);
            }
        }
    }

    /** The boundary of a {@code multipart/form-data} content type; anything else is refused. */
    static String boundary(String contentType) {
        String[] parts = contentType == null ? new String[] { "" } : contentType.split(";");
        if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("multipart/form-data")) {
            throw new ApiException(415, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, null);
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).strip().equalsIgnoreCase("boundary")) {
                String boundary = parameter.substring(equals + 1).strip();
                if (boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
                    boundary = boundary.substring(1, boundary.length() - 1);
                }
                // RFC 2046 §5.1.1: 1 to 70 characters of a restricted set, not ending with a space.
                if (!boundary.matches("[0-9A-Za-z'()+_,\\-./:=? ]{0,69}[0-9A-Za-z'()+_,\\-./:=?]")) {
                    throw ApiException.invalid("The multipart boundary is not one RFC 2046 allows");
                }
                return boundary;
            }
        }
        throw ApiException.invalid("The multipart/form-data content type has no boundary");
    }
}
