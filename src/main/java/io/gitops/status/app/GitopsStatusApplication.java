package io.gitops.status.app;

import io.gitops.status.api.Staleness;
import io.gitops.status.auth.Access;
import io.gitops.status.auth.Tokens;
import io.gitops.status.config.AppConfig;
import io.gitops.status.error.RefusalMapper;
import io.gitops.status.error.UnexpectedExceptionMapper;
import io.gitops.status.error.WebApplicationExceptionMapper;
import io.gitops.status.resource.AdminResource;
import io.gitops.status.resource.AuthFilter;
import io.gitops.status.resource.BadgeResource;
import io.gitops.status.resource.CacheControlFilter;
import io.gitops.status.resource.EventsResource;
import io.gitops.status.resource.JsonBodyFilter;
import io.gitops.status.resource.LegacyStatusResource;
import io.gitops.status.notify.NotificationStatus;
import io.gitops.status.notify.Notifier;
import io.gitops.status.notify.RulesFile;
import io.gitops.status.resource.MetricsResource;
import io.gitops.status.resource.NotificationsResource;
import io.gitops.status.resource.ObjectMapperResolver;
import io.gitops.status.resource.OpenApiResource;
import io.gitops.status.resource.PathWords;
import io.gitops.status.resource.ServiceResource;
import io.gitops.status.resource.StatusPage;
import io.gitops.status.resource.StatusResource;
import io.gitops.status.resource.Writes;
import io.gitops.status.store.FaultPoint;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.StatusStore;
import io.gitops.status.store.postgres.PostgresStatusStore;
import io.gitops.status.update.InputRules;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.server.spi.AbstractContainerLifecycleListener;
import org.glassfish.jersey.server.spi.Container;

/**
 * The whole JAX-RS application: the v2, legacy, events, metrics, service, badge, OpenAPI, admin and
 * notification resources over one store, authentication, the JSON provider and the exception
 * mappers. The WAR ({@link WebAppBootstrap}) and the tests build it the same way. A setting that
 * cannot be used (a malformed token file or rules file among them) throws from the constructor,
 * before the store is opened, so the application never starts half-configured. Retention and the
 * notifier start with the application; they and
 * the store are closed when the container shuts the application down.
 */
public final class GitopsStatusApplication extends ResourceConfig {

    private final StatusStore store;
    private final Optional<Notifier> notifier;

    public GitopsStatusApplication(AppConfig config) {
        this(config, FaultPoint.NONE);
    }

    /** With failures injected into the store, for the tests that kill or fail it at a given step. */
    public GitopsStatusApplication(AppConfig config, FaultPoint storeFaults) {
        Tokens tokens = config.tokenFile().map(Tokens::load).orElseGet(Tokens::off);
        Staleness staleness = new Staleness(config.staleAfter(), Clock.systemUTC());
        Optional<RulesFile> notifyRules = config.notifyFile().map(RulesFile::new);
        StatusStore store = openStore(config, storeFaults);
        this.store = store;
        Optional<Notifier> notifier = notifyRules.map(rules -> new Notifier(rules, store, staleness,
                config.historySize(), Clock.systemUTC()));
        this.notifier = notifier;
        List<Class<?>> resources = List.of(StatusResource.class, LegacyStatusResource.class, EventsResource.class,
                MetricsResource.class, ServiceResource.class, BadgeResource.class, OpenApiResource.class,
                StatusPage.class, AdminResource.class, NotificationsResource.class);
        InputRules rules = new InputRules(config.limits().maxChangedFiles(), config.limits().maxChangedFilesBytes(),
                PathWords.under("status", resources));
        Writes writes = new Writes(store, new Access(tokens), staleness, config.historySize(), rules);
        Optional<Retention> retention = config.retainFor().map(period -> new Retention(store, period, Clock.systemUTC()));

        resources.forEach(this::register);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(config).to(AppConfig.class);
                bind(store).to(StatusStore.class);
                bind(tokens).to(Tokens.class);
                bind(staleness).to(Staleness.class);
                bind(writes).to(Writes.class);
                bind(notifier.<NotificationStatus>map(n -> n).orElse(NotificationStatus.OFF)).to(NotificationStatus.class);
            }
        });

        register(JacksonFeature.withoutExceptionMappers());
        register(ObjectMapperResolver.class);
        register(RefusalMapper.class);
        register(WebApplicationExceptionMapper.class);
        register(UnexpectedExceptionMapper.class);
        register(AuthFilter.class);
        register(CacheControlFilter.class);
        register(JsonBodyFilter.class);
        register(new AbstractContainerLifecycleListener() {
            @Override
            public void onStartup(Container container) {
                retention.ifPresent(Retention::start);
                notifier.ifPresent(Notifier::start);
            }

            @Override
            public void onShutdown(Container container) {
                notifier.ifPresent(Notifier::close);
                retention.ifPresent(Retention::close);
                store.close();
            }
        });

        // Only what is registered above: no auto-discovered providers with their own error bodies.
        property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        // Error responses keep our JSON body instead of the container's error page.
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
    }

    /** The application's store, for tests that look beneath the API. */
    public StatusStore store() {
        return store;
    }

    /** The application's notifier, when {@code notifyFile} is set: tests make it look at once. */
    public Optional<Notifier> notifier() {
        return notifier;
    }

    /** The file store at {@code statusFile}, unless {@code storeUrl} names a PostgreSQL database. */
    private static StatusStore openStore(AppConfig config, FaultPoint storeFaults) {
        if (config.database().isPresent()) {
            return new PostgresStatusStore(config.database().get(), config.limits().maxHosts(), config.historySize());
        }
        return new FileStatusStore(config.statusFile(), config.limits().maxHosts(), storeFaults);
    }
}
