package io.gitops.status.app;

import io.gitops.status.config.AppConfig;
import io.gitops.status.resource.ServiceInfo;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import java.util.logging.Logger;

/**
 * Starts the application inside a servlet container: reads the configuration from the servlet
 * context and registers Jersey ({@link JerseyServlet}), serving {@link GitopsStatusApplication}, at {@code /*}. Jersey's
 * servlet closes the application (and so the store) when the web application is stopped.
 */
public final class WebAppBootstrap implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(WebAppBootstrap.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        AppConfig config;
        GitopsStatusApplication application;
        try {
            config = AppConfig.read(context::getInitParameter);
            application = new GitopsStatusApplication(config);
        } catch (AppConfig.ConfigurationException e) {
            // The container marks the web application failed: nothing answers, /ready included.
            LOG.severe("gitops-status not started: " + e.getMessage());
            throw e;
        }
        LOG.info("gitops-status " + ServiceInfo.version() + " at context path '" + context.getContextPath()
                + "': " + describeStore(config) + ", tokens " + config.tokenFile().map(p -> "from " + p.toAbsolutePath()).orElse("off")
                + ", stale after " + config.staleAfter() + ", retention "
                + config.retainFor().map(Object::toString).orElse("off") + ", history " + config.historySize() + ", max hosts " + config.limits().maxHosts()
                + ", max changed files " + config.limits().maxChangedFiles() + " ("
                + config.limits().maxChangedFilesBytes() + " bytes), notifications "
                + config.notifyFile().map(p -> "from " + p.toAbsolutePath()).orElse("off"));
        ServletRegistration.Dynamic jersey = context.addServlet("gitops-status", new JerseyServlet(application));
        jersey.addMapping("/*");
        jersey.setLoadOnStartup(1);
    }

    /** The store in the start-up log: the data file, or the database's URL without credentials. */
    private static String describeStore(AppConfig config) {
        return config.database()
                .map(db -> "PostgreSQL store at " + db.displayUrl() + " (from " + db.urlSource()
                        + ")" + db.importFile().map(f -> ", import file " + f.toAbsolutePath()).orElse(""))
                .orElse("data file " + config.statusFile().toAbsolutePath() + " (from " + config.statusFileSource() + ")");
    }
}
