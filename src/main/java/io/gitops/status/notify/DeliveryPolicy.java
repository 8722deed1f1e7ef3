package io.gitops.status.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Duration;

/**
 * How a message is delivered: {@code attempts} tries in all, waiting {@code backoff} after the
 * first failure and twice as long after each next one, never more than {@code max_backoff}; each
 * try given {@code timeout}. After the last try the message is dead-lettered.
 */
record DeliveryPolicy(
        @JsonProperty("attempts") Integer attempts,
        @JsonProperty("backoff") @JsonDeserialize(using = IsoDuration.class) Duration backoff,
        @JsonProperty("max_backoff") @JsonDeserialize(using = IsoDuration.class) Duration maxBackoff,
        @JsonProperty("timeout") @JsonDeserialize(using = IsoDuration.class) Duration timeout) {

    /** 12 tries, the last about 18.5 minutes after the first (waits 1, 2, 4 … 256 s, then 300 s twice). */
    static final DeliveryPolicy DEFAULTS = new DeliveryPolicy(12, Duration.ofSeconds(1), Duration.ofMinutes(5),
            Duration.ofSeconds(10));

    DeliveryPolicy {
        attempts = attempts == null ? 12 : attempts;
        backoff = backoff == null ? Duration.ofSeconds(1) : backoff;
        maxBackoff = maxBackoff == null ? Duration.ofMinutes(5) : maxBackoff;
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        if (backoff.compareTo(maxBackoff) > 0) {
            throw new IllegalArgumentException("delivery: backoff " + backoff + " is longer than max_backoff "
                    + maxBackoff);
        }
    }

    void check() {
        if (attempts < 1 || attempts > 1000) {
            throw new RuleSet.Mistake("must be between 1 and 1000, was " + attempts, "attempts");
        }
    }

    /** How long to wait after the {@code failures}-th failed try. */
    Duration delayAfter(int failures) {
        Duration delay = backoff;
        for (int i = 1; i < failures && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }
}
