package io.gitops.status.notify;

import java.util.Map;

/** What the HTTP layer shows of the notifications: {@link Notifier}, or {@link #OFF} without a rules file. */
public interface NotificationStatus {

    NotificationStatus OFF = new NotificationStatus() {
        @Override
        public NotificationsView view() {
            return NotificationsView.DISABLED;
        }

        @Override
        public Map<String, Map<String, Long>> counts() {
            return Map.of();
        }
    };

    /** For {@code GET /notifications}. */
    NotificationsView view();

    /** Receiver to outcome ({@code sent}, {@code failed}, {@code dead}) to this process's count, for {@code /metrics}. */
    Map<String, Map<String, Long>> counts();
}
