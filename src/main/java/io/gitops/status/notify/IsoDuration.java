package io.gitops.status.notify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/** A duration in the rules file: ISO 8601 ({@code PT4M}, {@code PT30S}, {@code P1D}), positive. */
final class IsoDuration extends JsonDeserializer<Duration> {

    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        String text = parser.getValueAsString();
        try {
            Duration duration = Duration.parse(text == null ? "" : text.trim());
            if (duration.compareTo(Duration.ofMillis(1)) < 0 || duration.compareTo(Duration.ofDays(36_500)) > 0) {
                return context.reportInputMismatch(Duration.class,
                        "a duration must be at least 1 ms (PT0.001S) and at most 100 years, e.g. PT4M, was %s", text);
            }
            return duration;
        } catch (DateTimeParseException e) {
            return context.reportInputMismatch(Duration.class,
                    "not an ISO 8601 duration: %s (write e.g. PT30S, PT4M, PT4H, P1D)", text);
        }
    }
}
