package io.gitops.status.api;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;

/**
 * The text of a parser's current token as a {@link CharSequence}, without a {@link String}: a
 * view of the parser's buffer, valid until the parser moves on. One instance is pointed at one
 * token after another; not for sharing between threads.
 */
final class TextSlice implements CharSequence {

    private char[] chars;
    private int start;
    private int length;

    /** This slice, now over the current token's text. */
    TextSlice of(JsonParser p) throws IOException {
        chars = p.getTextCharacters();
        start = p.getTextOffset();
        length = p.getTextLength();
        return this;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException(index);
        }
        return chars[start + index];
    }

    @Override
    public CharSequence subSequence(int from, int to) {
        return toString().substring(from, to);
    }

    @Override
    public String toString() {
        return new String(chars, start, length);
    }
}
