package dev.mistralgateway.audio;

import java.util.Locale;

import com.fasterxml.jackson.databind.node.TextNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.chat.ModelPolicy;
import dev.mistralgateway.models.Capability;

/**
 * What the gateway reads of a transcription form, and its rules: an allowed model able to transcribe, named before
 * anything is sent to Mistral; the audio as one {@value #FILE} part, or its address ({@code file_url}) or a file
 * uploaded to Mistral before ({@code file_id}); no {@code stream}, which the gateway does not relay for this endpoint.
 * Every other field ({@code language}, {@code temperature}, {@code timestamp_granularities}, ...) goes to Mistral
 * untouched.
 */
final class TranscriptionForm {

    /** The part that carries the audio: the only one streamed, and the only one that may be large. */
    static final String FILE = "file";
    /** Most bytes of everything but the audio: the fields, and every part's headers. */
    static final int MAX_FORM_BYTES = 64 * 1024;

    private final ModelPolicy models;
    private String model;
    private boolean modelRead;
    private boolean file;
    private boolean source;

    TranscriptionForm(ModelPolicy models) {
        this.models = models;
    }

    /** A field was read whole; refused at once when it breaks a rule. */
    void field(String name, String value) {
        switch (name) {
            case "model" -> {
                if (modelRead) {
                    throw ApiException.invalid("'model' is given twice");
                }
                modelRead = true;
                model = models.resolve(TextNode.valueOf(value), null, Capability.AUDIO_TRANSCRIPTION);
            }
            case "file_url", "file_id" -> source |= !value.isBlank();
            case "stream" -> {
                if (value.strip().toLowerCase(Locale.ROOT).equals("true")) {
                    throw ApiException.invalid("The gateway does not stream transcriptions; send the form without"
                            + " 'stream' (or with 'stream' false) for one JSON answer");
                }
            }
            default -> {
                // Passed to Mistral as sent.
            }
        }
    }

    /** The {@value #FILE} part begins; there may be one. */
    void fileStarted() {
        if (file) {
            throw ApiException.invalid("The form carries more than one '" + FILE + "' part; send one audio file");
        }
        file = true;
    }

    /** The allowed model the form named; null until its field was read. */
    String model() {
        return model;
    }

    /** The whole form was read: what must be in it is. */
    void checkComplete() {
        if (!modelRead) {
            throw ApiException.invalid("'model' is required: a model of the allow-list that can transcribe audio"
                    + " (e.g. voxtral-mini-2507)");
        }
        if (!file && !source) {
            throw ApiException.invalid("Send the audio as a '" + FILE + "' part, or its address as 'file_url' (or the"
                    + " id of a file uploaded to Mistral as 'file_id')");
        }
    }
}
