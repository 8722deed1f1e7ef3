package io.gitops.status.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Shows that {@link Promtool} can fail: a checker that passes everything would make every metrics
 * test pass for nothing.
 */
class PromtoolTest {

    private static final String VALID = "# HELP a_total A counter.\n# TYPE a_total counter\na_total 1\n";

    @Test
    void findsARunnablePromtool() {
        assertTrue(Files.isExecutable(Promtool.executable()), Promtool.executable().toString());
    }

    @Test
    void passesValidText() {
        Promtool.Result result = Promtool.check(VALID);
        assertEquals(0, result.exitCode(), result.output());
        Promtool.assertValid(VALID);
    }

    @Test
    void rejectsABrokenLine() {
        assertParseError(Promtool.check("a{b=\"1} 1\n"));
    }

    @Test
    void rejectsAnUnescapedNewLineInALabelValue() {
        assertParseError(Promtool.check(
                "# HELP a_total A counter.\n# TYPE a_total counter\na_total{b=\"x\ny\"} 1\n"));
    }

    @Test
    void reportsACounterWithoutTotalAsALintProblem() {
        Promtool.Result result = Promtool.check("# HELP a A counter.\n# TYPE a counter\na 1\n");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("\"_total\" suffix"), result.output());
    }

    @Test
    void reportsAMissingHelpTextAsALintProblem() {
        Promtool.Result result = Promtool.check("# TYPE a_total counter\na_total 1\n");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("no help text"), result.output());
    }

    @Test
    void assertValidFailsWithPromtoolsOutput() {
        AssertionError error = assertThrows(AssertionError.class, () -> Promtool.assertValid("a{b=\"1} 1\n"));
        assertTrue(error.getMessage().contains("parsing error"), error.getMessage());
    }

    @Test
    void checksLargeInputWithoutDeadlock() {
        StringBuilder text = new StringBuilder("# HELP a_total A counter.\n# TYPE a_total counter\n");
        for (int i = 0; i < 200_000; i++) {
            text.append("a_total{i=\"").append(i).append("\"} ").append(i).append('\n');
        }
        Promtool.assertValid(text.toString());
    }

    private static void assertParseError(Promtool.Result result) {
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("parsing error"), result.output());
    }
}
