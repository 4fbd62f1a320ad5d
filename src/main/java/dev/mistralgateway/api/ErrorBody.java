package dev.mistralgateway.api;

/** The one error shape of the whole gateway: {@code {"error":{"type":"...","message":"..."}}}. */
public record ErrorBody(Detail error) {

    public record Detail(String type, String message) {
    }

    public static ErrorBody of(String type, String message) {
        return new ErrorBody(new Detail(type, message));
    }
}
