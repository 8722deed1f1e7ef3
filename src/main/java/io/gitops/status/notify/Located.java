package io.gitops.status.notify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;

/**
 * A name in the rules file with the line it is on, so that a check made after the file is read
 * (a rule naming a receiver that does not exist, a name given twice) still names the line.
 */
@JsonDeserialize(using = Located.Reader.class)
record Located(String value, int line) {

    @Override
    public String toString() {
        return value;
    }

    static final class Reader extends JsonDeserializer<Located> {
        @Override
        public Located deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() != JsonToken.VALUE_STRING || parser.getText().isBlank()) {
                return context.reportInputMismatch(Located.class, "a name must be a non-empty string");
            }
            return new Located(parser.getText(), parser.currentTokenLocation().getLineNr());
        }
    }
}
