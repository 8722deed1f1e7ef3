package io.gitops.status.auth;

import io.gitops.status.config.AppConfig.ConfigurationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The token file's format: one token per line, {@code NAME SHA256_HEX SCOPE [SCOPE ...]}, where
 * {@code SHA256_HEX} is the lower-case hex SHA-256 of the token and each scope is {@code read},
 * {@code badge} (the badges alone), {@code admin} (the admin endpoints alone) or {@code write:GLOB}. Blank lines and lines starting with
 * {@code #} are ignored. Any other line that does not follow the format is an error naming its
 * line number: a token silently ignored would lock a pipeline out, or worse, leave a revoked one
 * working.
 */
final class TokenFile {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** What {@code printf '%s' "$token" | sha256sum} prints when {@code $token} is unset. */
    private static final String EMPTY_STRING_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private TokenFile() {
    }

    static List<Token> parse(List<String> lines, String source) {
        List<Token> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1) + ": ";
            String[] parts = line.split("\\s+");
            if (parts.length < 3) {
                throw new ConfigurationException(where + "expected NAME SHA256_HEX SCOPE [SCOPE ...]");
            }
            String name = parts[0];
            if (!names.add(name)) {
                throw new ConfigurationException(where + "token name " + name + " is used twice");
            }
            if (!SHA256_HEX.matcher(parts[1]).matches()) {
                throw new ConfigurationException(where + "the second column must be the token's SHA-256 as 64 "
                        + "lower-case hex digits (sha256sum prints it)");
            }
            if (parts[1].equals(EMPTY_STRING_SHA256)) {
                throw new ConfigurationException(where + "that is the SHA-256 of an empty token: was the token "
                        + "variable unset when it was hashed?");
            }
            if (!hashes.add(parts[1])) {
                throw new ConfigurationException(where + "the same token is listed twice");
            }
            boolean read = false;
            boolean badges = false;
            boolean admin = false;
            List<String> writeGlobs = new ArrayList<>();
            for (int s = 2; s < parts.length; s++) {
                String scope = parts[s];
                if (scope.equals("read")) {
                    read = true;
                } else if (scope.equals("badge")) {
                    badges = true;
                } else if (scope.equals("admin")) {
                    admin = true;
                } else if (scope.startsWith("write:") && scope.length() > "write:".length()) {
                    writeGlobs.add(scope.substring("write:".length()));
                } else {
                    throw new ConfigurationException(where + "unknown scope '" + scope
                            + "'; scopes are read, badge, admin and write:GLOB, e.g. write:prod-*");
                }
            }
            tokens.add(new Token(name, HexFormat.of().parseHex(parts[1]), read, badges, admin, writeGlobs));
        }
        return tokens;
    }
}
