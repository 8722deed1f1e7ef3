package io.gitops.status.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** The answer to every write: whether the record was created or updated, and the record now. */
@JsonPropertyOrder({"result", "key", "record", "ignored_fields"})
public record WriteResponse(
        @JsonProperty("result") String result,
        @JsonProperty("key") String key,
        @JsonProperty("record") StatusRow record,
        @JsonProperty("ignored_fields") List<String> ignoredFields) {
}
