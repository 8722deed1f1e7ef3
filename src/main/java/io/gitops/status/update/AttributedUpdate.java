package io.gitops.status.update;

import io.gitops.status.api.StatusRecord;
import io.gitops.status.api.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An update as a client makes it: the record also keeps the name of the token that wrote it
 * ({@code null} when tokens are off) and, when the status changed, a {@link Transition}; the
 * record keeps its last {@code historySize} transitions, oldest first.
 */
public record AttributedUpdate(Update update, String tokenName, int historySize) implements Update {

    @Override
    public StatusRecord applyTo(StatusRecord current, String now) {
        StatusRecord next = update.applyTo(current, now);
        if (next == null) {
            return null;
        }
        List<Transition> history = current == null ? List.of() : current.history();
        String before = current == null ? null : current.status();
        if (!Objects.equals(before, next.status())) {
            history = new ArrayList<>(history);
            history.add(new Transition(now, before, next.status(), update.source(), next.commitSha(),
                    next.changedFilesCount()));
        }
        return next.withWriter(tokenName, newest(history, historySize));
    }

    /**
     * The last {@code size} transitions. Writes trim with it, and so do reads: a record written
     * under a larger setting shows no more than the current one.
     */
    public static List<Transition> newest(List<Transition> history, int size) {
        return history.size() <= size ? history : history.subList(history.size() - size, history.size());
    }

    @Override
    public String serverGroup() {
        return update.serverGroup();
    }

    @Override
    public String host() {
        return update.host();
    }

    @Override
    public String source() {
        return update.source();
    }

    @Override
    public List<String> ignoredFields() {
        return update.ignoredFields();
    }
}
