package io.gitops.status.app;

import io.gitops.status.error.ApiExceptionMapper;
import io.gitops.status.error.UnexpectedExceptionMapper;
import io.gitops.status.error.WebApplicationExceptionMapper;
import io.gitops.status.json.ObjectMapperResolver;
import io.gitops.status.resource.CacheControlFilter;
import io.gitops.status.resource.JsonBodyFilter;
import io.gitops.status.resource.LegacyStatusResource;
import io.gitops.status.resource.ServiceResource;
import io.gitops.status.resource.StatusResource;
import io.gitops.status.store.FileStatusStore;
import io.gitops.status.store.StatusStore;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.internal.inject.AbstractBinder;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.server.spi.AbstractContainerLifecycleListener;
import org.glassfish.jersey.server.spi.Container;

/**
 * The whole JAX-RS application: the v2, legacy and service resources over one store, the JSON
 * provider and the exception mappers. The WAR ({@link WebAppBootstrap}) and the tests build it the
 * same way; the store is closed when the container shuts the application down.
 */
public final class GitopsStatusApplication extends ResourceConfig {

    public GitopsStatusApplication(AppConfig config) {
        this(new FileStatusStore(config.statusFile()));
    }

    public GitopsStatusApplication(StatusStore store) {
        register(StatusResource.class);
        register(LegacyStatusResource.class);
        register(ServiceResource.class);
        register(new AbstractBinder() {
            @Override
            protected void configure() {
                bind(store).to(StatusStore.class);
            }
        });

        register(JacksonFeature.withoutExceptionMappers());
        register(ObjectMapperResolver.class);
        register(ApiExceptionMapper.class);
        register(WebApplicationExceptionMapper.class);
        register(UnexpectedExceptionMapper.class);
        register(CacheControlFilter.class);
        register(JsonBodyFilter.class);
        register(new AbstractContainerLifecycleListener() {
            @Override
            public void onShutdown(Container container) {
                store.close();
            }
        });

        // Only what is registered above: no auto-discovered providers with their own error bodies.
        property(CommonProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true);
        property(ServerProperties.WADL_FEATURE_DISABLE, true);
        // Error responses keep our JSON body instead of the container's error page.
        property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
    }
}
