package io.gitops.status.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The append-only journal beside the data file ({@code status.json.journal}): the writes since the
 * data file was last rewritten, so that a write costs one append and one {@code fdatasync}
 * whatever the number of servers. Its lines are {@link JournalEntry}'s.
 *
 * <p>Naming: a journal starts with a line naming it with a random id. A data file written by a
 * compaction records the id and the length of the journal it folded, so that a crash between
 * renaming the new data file into place and cutting the journal back never replays a folded
 * entry twice (which would duplicate a transition).
 *
 * <p>Durability: an append is forced before it returns; creating the journal also forces its
 * folder, so the file itself survives a crash. An append that fails is cut back by the caller
 * ({@link #cutBack}) while it still holds the lock, so no other process ever reads it.
 *
 * <p>Recovery: a last line that is incomplete or fails its check is what a crash during an append
 * leaves; it was never acknowledged and is cut off. A bad line followed by others means the
 * journal is damaged: it is reported, never rewritten. Reading streams: a journal of any size is
 * replayed in a buffer of one line.
 */
final class Journal {

    static final String SUFFIX = ".journal";
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    /** A header line is about 60 bytes: its id is a UUID. */
    private static final int HEADER_MAX_BYTES = 128;

    private Journal() {
    }

    /** A journal's id and the length of its first line; {@code id} is null for a journal without one. */
    record Header(String id, long length) {
        static final Header NONE = new Header(null, 0);
    }

    /** The valid length read up to, and whether an incomplete last line was found. */
    record Replayed(long validLength, boolean tornTail) {
    }

    /** A fresh journal id. */
    static String newId() {
        return UUID.randomUUID().toString();
    }

    /** The journal's header; {@link Header#NONE} when it is missing, empty or has no header line. */
    static Header readHeader(Path journal) throws IOException {
        ByteBuffer first = ByteBuffer.allocate(HEADER_MAX_BYTES);
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ)) {
            while (first.hasRemaining() && channel.read(first, first.position()) > 0) {
                // read the first bytes, where a header line would be
            }
        } catch (NoSuchFileException e) {
            return Header.NONE;
        }
        int newline = indexOf(first.array(), (byte) '\n', 0, first.position());
        // a damaged first line is no header; the replay reports the damage
        return newline >= 0 && JournalEntry.decode(first.array(), 0, newline) instanceof JournalEntry.Header h
                ? new Header(h.journalId(), newline + 1L) : Header.NONE;
    }

    /**
     * Applies the journal's changes from byte {@code offset} (the start of a line) to its end, in
     * order; a header line is skipped. A missing journal is empty.
     */
    static Replayed replay(Path journal, long offset, Consumer<JournalEntry> apply)
            throws IOException, StoreFormat.DamagedFileException {
        Replayed[] result = {null};
        scan(journal, offset, apply, (length, torn) -> result[0] = new Replayed(length, torn));
        return result[0];
    }

    private interface End {
        void at(long validLength, boolean tornTail);
    }

    /** Reads the changes from {@code offset} to the end, streaming; header lines are skipped. */
    private static void scan(Path journal, long offset, Consumer<JournalEntry> each, End end)
            throws IOException, StoreFormat.DamagedFileException {
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < offset) {
                throw new IllegalStateException("journal " + journal + " shrank below the read position");
            }
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            int filled = 0;
            int lineStart = 0;
            long bufferAt = offset; // the file position of buffer[0]
            while (true) {
                int newline = indexOf(buffer, (byte) '\n', lineStart, filled);
                if (newline >= 0) {
                    JournalEntry.Line line = JournalEntry.decode(buffer, lineStart, newline);
                    if (line == JournalEntry.Invalid.LINE) {
                        long at = bufferAt + lineStart;
                        if (at + (newline - lineStart) + 1 < size) {
                            throw new StoreFormat.DamagedFileException("journal " + journal
                                    + " has a damaged entry at byte " + at + " followed by further entries");
                        }
                        end.at(at, true);
                        return;
                    }
                    if (line instanceof JournalEntry.Change change) {
                        each.accept(change.entry());
                    }
                    lineStart = newline + 1;
                    continue;
                }
                // no complete line in the buffer: keep the partial one and read more
                if (lineStart > 0) {
                    System.arraycopy(buffer, lineStart, buffer, 0, filled - lineStart);
                    filled -= lineStart;
                    bufferAt += lineStart;
                    lineStart = 0;
                }
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int read = channel.read(ByteBuffer.wrap(buffer, filled, buffer.length - filled), bufferAt + filled);
                if (read < 0) {
                    end.at(bufferAt + lineStart, filled > lineStart);
                    return;
                }
                filled += read;
            }
        } catch (NoSuchFileException e) {
            end.at(0, false);
        }
    }

    /**
     * Appends encoded lines at {@code position} and forces them to disk; a journal that did not
     * exist is created and its folder forced.
     */
    static void append(Path journal, long position, byte[] lines) throws IOException {
        // Writing its first bytes (also into a file a failed first append left empty): force the
        // folder too, so that the journal's entry survives a crash with them.
        boolean created = position == 0 || !Files.exists(journal);
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (channel.size() != position) {
                // cut off a torn tail left by a crash (never acknowledged) before appending
                channel.truncate(position);
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines);
            long at = position;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            channel.force(false);
        }
        if (created) {
            AtomicFiles.forceDirectory(journal.getParent());
        }
    }

    /** Cuts the journal back to {@code length}, durably: what a failed append left is gone. */
    static void cutBack(Path journal, long length) throws IOException {
        try {
            if (Files.size(journal) <= length) {
                return; // nothing was written (a file that cannot be opened for writing, say)
            }
        } catch (NoSuchFileException e) {
            return;
        }
        boolean interrupted = Thread.interrupted(); // an interrupted thread's channel closes at once
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            if (channel.size() > length) {
                channel.truncate(length);
                channel.force(false);
            }
        } catch (NoSuchFileException e) {
            // nothing was written
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Replaces the journal by a new one holding {@code entries} (whole lines), named {@code id};
     * by an empty one when there are none (the next append names it).
     */
    static Header replace(Path journal, String id, byte[] entries) throws IOException {
        if (entries.length == 0) {
            AtomicFiles.replace(journal, out -> { });
            return Header.NONE;
        }
        byte[] header = JournalEntry.header(id);
        AtomicFiles.replace(journal, out -> {
            out.write(header);
            out.write(entries);
        });
        return new Header(id, header.length);
    }

    /** The journal's bytes from {@code from} to {@code to}: entries to keep after a compaction. */
    static byte[] readBytes(Path journal, long from, long to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(to - from));
        try (FileChannel channel = FileChannel.open(journal, StandardOpenOption.READ)) {
            while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) >= 0) {
                // read the whole range
            }
        }
        return buffer.array();
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
