package io.gitops.status.update;

import io.gitops.status.api.Refusal;
import java.util.List;
import java.util.Set;

/**
 * The input rules that depend on the deployment rather than on the contract: the configured caps
 * on one record's changed files, and the server group names the API cannot serve. The application
 * builds one from its settings and its resource model and hands it to the parsers, so that no rule
 * hides in a static.
 *
 * @param maxChangedFiles entries of one {@code changed_files} list
 * @param maxChangedFilesBytes UTF-8 bytes of the names of one {@code changed_files} list, all together
 * @param pathWords the literal words under {@code /status/} ({@code files}, {@code summary}, ...):
 *        a server group so named would be hidden behind that endpoint, so it is refused
 */
public record InputRules(int maxChangedFiles, int maxChangedFilesBytes, Set<String> pathWords) {

    /**
     * The rules for records already stored (the v1 migration of a data file): no caps and no
     * reserved names, so that a file written under other settings, or before a name was reserved,
     * still loads; the identity rules still hold.
     */
    public static final InputRules STORED_DATA = new InputRules(Integer.MAX_VALUE, Integer.MAX_VALUE, Set.of());

    public InputRules {
        pathWords = Set.copyOf(pathWords);
    }

    /**
     * Refuses a server group named like a path word: {@code GET /status/files} is the changed
     * files of every host, so a group called {@code files} could never be read at
     * {@code /status/{server_group}}. The one place this rule lives.
     *
     * @param field the body's field that carries the group ({@code server_group}, v1 {@code repo})
     */
    void checkServerGroup(String field, String serverGroup) {
        if (pathWords.contains(serverGroup)) {
            throw Refusal.validation(field, field + " '" + serverGroup + "' is reserved: /status/" + serverGroup
                    + " is an endpoint of its own, so the group could not be read at /status/{server_group}; "
                    + "choose another name");
        }
    }

    /** Refuses a changed-files list longer than {@link #maxChangedFiles}: one body alone passes the cap. */
    void checkChangedFilesCount(String field, int count) {
        if (count > maxChangedFiles) {
            throw Refusal.bodyLimitExceeded("maxChangedFiles", field + " has " + count + " entries, more than the "
                    + maxChangedFiles + " that the setting maxChangedFiles allows");
        }
    }

    /** Refuses changed-file names longer than {@link #maxChangedFilesBytes} in all, counted in UTF-8. */
    void checkChangedFilesBytes(String field, List<String> names) {
        long bytes = 0;
        for (String name : names) {
            bytes += utf8Length(name);
        }
        if (bytes > maxChangedFilesBytes) {
            throw Refusal.bodyLimitExceeded("maxChangedFilesBytes", field + " names take " + bytes
                    + " bytes (UTF-8), more than the " + maxChangedFilesBytes
                    + " that the setting maxChangedFilesBytes allows");
        }
    }

    /** The UTF-8 length of a string, counted without encoding it. */
    private static int utf8Length(String value) {
        int bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4; // a pair: one code point beyond the basic plane
                i++;
            } else {
                bytes += 3; // the rest of the basic plane; a lone surrogate too, the most it could take
            }
        }
        return bytes;
    }
}
