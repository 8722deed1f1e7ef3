package io.gitops.status.resource;

import io.gitops.status.notify.NotificationStatus;
import io.gitops.status.notify.NotificationsView;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /notifications}: the rules, the open notifications, the messages waiting, the last deliveries and dead letters. */
@Singleton
@Path("notifications")
public final class NotificationsResource {

    private final NotificationStatus notifications;

    @Inject
    public NotificationsResource(NotificationStatus notifications) {
        this.notifications = notifications;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public NotificationsView notifications() {
        return notifications.view();
    }
}
