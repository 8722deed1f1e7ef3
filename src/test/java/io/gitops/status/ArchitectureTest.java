package io.gitops.status;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package structure, written down so that a cycle or an HTTP type in the domain fails the
 * build the day it appears rather than the day a second store has to stand beside the first.
 *
 * <p>Each rule is checked from an {@code @ArchTest} method, not declared as an {@code @ArchTest}
 * field: Surefire 3.5.3 silently skips field rules (TNG/ArchUnit#1442), and a skipped rule passes.
 */
@AnalyzeClasses(packages = "io.gitops.status", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final ArchRule PACKAGES_FREE_OF_CYCLES = slices().matching("io.gitops.status.(*)..")
            .should().beFreeOfCycles();

    /** The store, the update rules, access and JSON speak the domain; only these three speak HTTP. */
    private static final ArchRule ONLY_THE_HTTP_LAYER_SEES_JAX_RS = noClasses()
            .that().resideOutsideOfPackages("io.gitops.status.resource..", "io.gitops.status.error..",
                    "io.gitops.status.app..")
            .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "jakarta.servlet..");

    /**
     * From the bottom up: wire types and configuration; JSON; the update rules; the store and
     * access; the notifier; the HTTP layer (errors, resources); the application that assembles it all.
     */
    private static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy("io.gitops.status.api..")
            .layer("config").definedBy("io.gitops.status.config..")
            .layer("json").definedBy("io.gitops.status.json..")
            .layer("update").definedBy("io.gitops.status.update..")
            .layer("store").definedBy("io.gitops.status.store..")
            .layer("auth").definedBy("io.gitops.status.auth..")
            .layer("notify").definedBy("io.gitops.status.notify..")
            .layer("error").definedBy("io.gitops.status.error..")
            .layer("resource").definedBy("io.gitops.status.resource..")
            .layer("app").definedBy("io.gitops.status.app..")
            .whereLayer("api").mayNotAccessAnyLayer()
            .whereLayer("config").mayNotAccessAnyLayer()
            .whereLayer("json").mayOnlyAccessLayers("api")
            .whereLayer("update").mayOnlyAccessLayers("api")
            .whereLayer("store").mayOnlyAccessLayers("api", "config", "json", "update")
            .whereLayer("auth").mayOnlyAccessLayers("api", "config")
            .whereLayer("notify").mayOnlyAccessLayers("api", "config", "json", "store")
            .whereLayer("error").mayOnlyAccessLayers("api", "json")
            .whereLayer("resource").mayOnlyAccessLayers("api", "config", "json", "update", "store", "auth", "notify",
                    "error")
            .whereLayer("app").mayNotBeAccessedByAnyLayer();

    @ArchTest
    static void packagesAreFreeOfCycles(JavaClasses classes) {
        PACKAGES_FREE_OF_CYCLES.check(classes);
    }

    @ArchTest
    static void onlyTheHttpLayerSeesJaxRsAndServlets(JavaClasses classes) {
        ONLY_THE_HTTP_LAYER_SEES_JAX_RS.check(classes);
    }

    @ArchTest
    static void layersAccessOnlyTheLayersBelow(JavaClasses classes) {
        LAYERS.check(classes);
    }
}
