package io.gitops.status.resource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A test class or method about the file store's files themselves (a damaged or v1 data file, the
 * journal, the store folder): it runs only while {@link ApiTestSupport} tests the file store, and is
 * skipped, with its reason, on the PostgreSQL store ({@code -Dgitops.test.store=postgres}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(FileStoreOnly.Condition.class)
@interface FileStoreOnly {

    /** Why the test has no PostgreSQL counterpart, in one line. */
    String value();

    /** Skips the annotated class or method unless the file store is under test. */
    final class Condition implements ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<FileStoreOnly> annotation = context.getElement()
                    .flatMap(element -> AnnotationSupport.findAnnotation(element, FileStoreOnly.class));
            if (annotation.isEmpty()) {
                return ConditionEvaluationResult.enabled("not @FileStoreOnly");
            }
            if (!ApiTestSupport.onPostgres()) {
                return ConditionEvaluationResult.enabled("the file store is under test");
            }
            return ConditionEvaluationResult.disabled("file store only: " + annotation.get().value());
        }
    }
}
