package io.gitops.status.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gitops.status.api.Glob;
import io.gitops.status.config.AppConfig.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token file's format ({@link TokenFile}) and the scopes of a token ({@link Token}): issue 5, item 1. */
class TokenFileTest {

    private static final String SOURCE = "token file /etc/gitops/tokens";

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final String H1 = sha256("first-secret");
    private static final String H2 = sha256("second-secret");
    private static final String H3 = sha256("third-secret");

    private static List<Token> parse(String... lines) {
        return TokenFile.parse(List.of(lines), SOURCE);
    }

    /** Parsing must fail, naming the source and exactly this line number. */
    private static String assertRejected(int line, String... lines) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> parse(lines),
                "accepted: " + List.of(lines));
        String message = e.getMessage();
        assertTrue(message.contains(SOURCE), "message does not name the file: " + message);
        assertTrue(message.matches("(?s).*\\bline " + line + "\\b.*"), "message does not name line " + line + ": "
                + message);
        for (int other = 1; other <= lines.length + 1; other++) {
            if (other != line) {
                assertFalse(message.matches("(?s).*\\bline " + other + "\\b.*"), "names line " + other + ": " + message);
            }
        }
        return message;
    }

    // ---- what a file holds --------------------------------------------------------------------

    @Test
    void theHashOfAnEmptyTokenIsRefused() {
        String message = assertRejected(2, "# unset variable", "ci " + sha256("") + " write:*");
        assertTrue(message.contains("empty token"), message);
    }

    @Test
    void aFileWithCommentsBlankLinesAndMixedWhitespace() {
        List<Token> tokens = parse(
                "# gitops-status write tokens",
                "",
                "   ",
                "\t",
                "  # an indented comment",
                "ci-prod " + H1 + " write:prod-*",
                "grafana\t" + H2 + "\tread",
                "  ops   " + H3 + "   read   write:lab   write:*-staging  ",
                "#ci-old " + sha256("old") + " write:*");
        assertEquals(List.of("ci-prod", "grafana", "ops"), tokens.stream().map(Token::getName).toList());

        Token ci = tokens.get(0);
        assertFalse(ci.mayRead());
        assertTrue(ci.mayWrite("prod-web"));
        assertFalse(ci.mayWrite("lab"));
        assertEquals(H1, HexFormat.of().formatHex(ci.sha256()));

        Token grafana = tokens.get(1);
        assertTrue(grafana.mayRead());
        assertFalse(grafana.mayWrite("prod-web"), "read gives no write");
        assertFalse(grafana.mayWrite(""));

        Token ops = tokens.get(2);
        assertTrue(ops.mayRead());
        assertTrue(ops.mayWrite("lab"));
        assertTrue(ops.mayWrite("eu-staging"));
        assertFalse(ops.mayWrite("lab-2"));
        assertFalse(ops.mayWrite("prod-web"));
        assertEquals(H3, HexFormat.of().formatHex(ops.sha256()));
    }

    @Test
    void emptyAndCommentOnlyFilesHoldNoTokens() {
        assertEquals(List.of(), parse());
        assertEquals(List.of(), parse("", "# nothing yet", "  "));
    }

    @Test
    void windowsLineEndsAreTolerated() {
        List<Token> tokens = parse("ci " + H1 + " write:prod\r", "# note\r", "\r");
        assertEquals(1, tokens.size());
        assertTrue(tokens.get(0).mayWrite("prod"));
        assertFalse(tokens.get(0).mayWrite("prod\r"));
    }

    @Test
    void theAdminScopeIsAcceptedAndGrantsNothingElse() {
        List<Token> tokens = parse(
                "backup " + H1 + " admin",
                "ops    " + H2 + " read badge write:* admin",
                "readme " + H3 + " badge admin");
        Token backup = tokens.get(0);
        assertTrue(backup.mayAdminister());
        assertFalse(backup.mayRead(), "admin gives no read");
        assertFalse(backup.mayReadBadges(), "admin gives no badges");
        assertFalse(backup.mayWrite("prod-web"), "admin gives no write");
        assertFalse(backup.mayWriteEveryGroup());
        assertFalse(backup.badgesOnly());

        Token ops = tokens.get(1);
        assertTrue(ops.mayAdminister());
        assertTrue(ops.mayRead());
        assertTrue(ops.mayWriteEveryGroup());

        // It may fetch badges, but a token that also exports everything must never come in a URL.
        Token readme = tokens.get(2);
        assertTrue(readme.mayReadBadges());
        assertFalse(readme.badgesOnly());
    }

    @Test
    void noOtherScopeImpliesAdmin() {
        List<Token> tokens = parse("all " + H1 + " read badge write:*");
        assertFalse(tokens.get(0).mayAdminister());
    }

    // ---- errors name the line -----------------------------------------------------------------

    @Test
    void tooFewColumns() {
        assertRejected(1, "ci-prod");
        assertRejected(1, "ci-prod " + H1);
        // comments and blank lines count: the number is the line in the file
        assertRejected(4, "# tokens", "", "ci " + H1 + " write:*", "grafana " + H2);
    }

    @Test
    void theHashMustBe64LowerCaseHexDigits() {
        assertRejected(2, "ci " + H1 + " write:*", "grafana " + H2.toUpperCase() + " read");
        assertRejected(1, "ci " + H1.substring(0, 63) + " write:*");
        assertRejected(1, "ci " + H1 + "0 write:*");
        assertRejected(1, "ci " + H1.substring(0, 63) + "g write:*");
        assertRejected(1, "ci sha256:" + H1.substring(7) + " write:*");
        // The token itself where its hash belongs: refused, and the message does not repeat it.
        String message = assertRejected(3, "", "", "ci my-plain-secret-token write:*");
        assertFalse(message.contains("my-plain-secret-token"), message);
        // A hash with an upper-case digit anywhere.
        String mixed = H1.substring(0, 10) + Character.toUpperCase(firstLetter(H1)) + H1.substring(11);
        if (!mixed.equals(H1)) {
            assertRejected(1, "ci " + mixed + " write:*");
        }
    }

    private static char firstLetter(String hex) {
        for (char c : hex.toCharArray()) {
            if (c >= 'a' && c <= 'f') {
                return c;
            }
        }
        return 'a';
    }

    @Test
    void unknownScopes() {
        for (String scope : List.of("root", "ADMIN", "admin:*", "write", "write:", "READ", "Write:prod", "read:prod",
                "write=prod", "*")) {
            String message = assertRejected(2, "a " + H1 + " read", "b " + H2 + " write:prod " + scope);
            assertTrue(message.contains(scope), "message does not name the scope " + scope + ": " + message);
        }
    }

    @Test
    void aNameUsedTwice() {
        String message = assertRejected(3, "ci " + H1 + " write:a", "# again", "ci " + H2 + " write:b");
        assertTrue(message.contains("ci"), message);
    }

    @Test
    void theSameHashTwice() {
        String message = assertRejected(2, "ci " + H1 + " write:a", "other " + H1 + " read");
        assertFalse(message.contains(H1), "the message repeats the hash: " + message);
    }

    @Test
    void theFirstBadLineIsReported() {
        assertRejected(2, "ok " + H1 + " read", "bad", "worse " + H2 + " nope");
    }

    // ---- the glob --------------------------------------------------------------------------

    @Test
    void globMatching() {
        Map<String, List<String>> matches = Map.of(
                "prod", List.of("prod"),
                "*", List.of("", "a", "prod-web", "*"),
                "prod-*", List.of("prod-", "prod-web", "prod-web-eu", "prod-*"),
                "*-prod", List.of("-prod", "eu-prod", "eu-prod-prod"),
                "a*b*c", List.of("abc", "aXbYc", "abcbc", "aabbcc", "acbc"),
                "**", List.of("", "x"),
                "web.prod", List.of("web.prod"),
                "a?c", List.of("a?c"),
                "[ab]", List.of("[ab]"),
                "*prod*", List.of("prod", "xprodx", "preprod-web"));
        Map<String, List<String>> nonMatches = Map.of(
                "prod", List.of("", "prod-1", "pro", "xprod", "PROD", "prod "),
                "prod-*", List.of("prod", "xprod-web", "Prod-web", "prod_web"),
                "*-prod", List.of("eu-prod-2", "prod", "eu-prodx"),
                "a*b*c", List.of("acb", "ab", "bc", "abcd", "xabc"),
                "web.prod", List.of("webXprod", "web-prod"),
                "a?c", List.of("abc", "ac"),
                "[ab]", List.of("a", "b"),
                "*prod*", List.of("", "prd", "PROD"));
        matches.forEach((glob, texts) -> texts.forEach(text -> assertTrue(Glob.matches(glob, text),
                glob + " should match '" + text + "'")));
        nonMatches.forEach((glob, texts) -> texts.forEach(text -> assertFalse(Glob.matches(glob, text),
                glob + " should not match '" + text + "'")));
    }

    @Test
    void mayWriteAnyOfSeveralGlobs() {
        Token token = parse("ci " + H1 + " write:prod-* write:lab write:*-staging").get(0);
        for (String group : List.of("prod-web", "lab", "eu-staging")) {
            assertTrue(token.mayWrite(group), group);
        }
        for (String group : List.of("staging", "lab2", "prod", "web")) {
            assertFalse(token.mayWrite(group), group);
        }
    }

    /**
     * Patterns that make a backtracking matcher take exponential time (hours here) complete: the
     * matcher only ever resumes from the last star.
     */
    @Test
    void globsWithManyStarsAgainstLongGroupsComplete() {
        String dashes = "-".repeat(250);
        assertFalse(Glob.matches("*-*-*-prod", dashes));
        assertTrue(Glob.matches("*-*-*-", dashes));
        String as = "a".repeat(253);
        assertFalse(Glob.matches("*a*a*a*a*a*a*a*a*b", as));
        assertTrue(Glob.matches("*a*a*a*a*a*a*a*a*", as));
        assertTrue(Glob.matches("a*b*c", "a-b-b-c"));
        assertFalse(Glob.matches("a*b*c", "a-c-b"));
    }

    @Test
    void aTokenNeverShowsItsHash() {
        Token token = parse("ci " + H1 + " write:*").get(0);
        assertEquals("ci", token.getName());
        assertTrue(token.toString().contains("ci"), token.toString());
        assertFalse(token.toString().contains(H1), token.toString());
        assertFalse(token.toString().toLowerCase().contains(H1.substring(0, 16)), token.toString());
    }
}
