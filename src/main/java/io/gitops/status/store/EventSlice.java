package io.gitops.status.store;

import io.gitops.status.api.Event;
import io.gitops.status.api.EventKey;
import java.util.List;

/** One page of events, oldest first, and where the next page starts ({@code null}: this is the last). */
public record EventSlice(List<Event> rows, EventKey next) {
}
