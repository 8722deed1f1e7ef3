package io.gitops.status.store;

import io.gitops.status.api.StatusRecord;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a data file in the layout that {@link StoreFormat#write} gives it on all of the machine's
 * cores: this thread reads the file in blocks of whole lines (records never hold a raw newline),
 * worker threads read each block's records ({@link RecordLines}), and this thread checks the
 * order of the lines and that no key repeats, as the streaming reader's duplicate detection does.
 *
 * <p>Guarantee: it returns the file's contents only when the streaming reader of {@link
 * StoreFormat} would read the same folded marker and the same records in the same order; for
 * anything else (another layout, an unusual or damaged record, a repeated key) it returns
 * {@code null}, having handed out nothing, and the caller reads the file the streaming way,
 * which gives the result of today (a damaged file included). Memory: at most {@link #inFlight}
 * blocks of about {@value #BLOCK_BYTES} bytes (or one longer line) at a time besides the records;
 * the file is never held whole.
 */
final class ParallelLoad {

    /** Below half a G1 region (1 MiB on small heaps), so that blocks are not humongous objects. */
    static final int BLOCK_BYTES = 256 * 1024;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final FileChannel channel;
    private final int threads;
    private final int inFlight;
    /** Bytes read after the last complete line, carried into the next block: {@code carry[0, carryLength)}. */
    private byte[] carry = new byte[0];
    private int carryLength;
    /** Blocks that the workers are done with: at most {@link #inFlight} + 1 blocks are ever allocated. */
    private final BlockingQueue<byte[]> free = new LinkedBlockingQueue<>();
    private boolean eof;

    private ParallelLoad(FileChannel channel, int threads) {
        this.channel = channel;
        this.threads = threads;
        this.inFlight = 2 * threads;
    }

    /** What the file holds, read from the channel's start; {@code null}: read it the streaming way. */
    static StoreFormat.Loaded read(FileChannel channel) throws IOException {
        return new ParallelLoad(channel, Math.max(2, Runtime.getRuntime().availableProcessors())).read();
    }

    private StoreFormat.Loaded read() throws IOException {
        channel.position(0);
        Block first = nextBlock(false);
        int newline = RecordLines.endOfLine(first.bytes(), 0, first.length());
        RecordLines.Header header = newline == first.length() ? null : RecordLines.header(first.bytes(), newline);
        if (header == null) {
            return null;
        }
        carry = Arrays.copyOfRange(first.bytes(), newline + 1, first.length());
        carryLength = carry.length;
        free.add(first.bytes());
        ExecutorService workers = Executors.newFixedThreadPool(threads, task -> {
            Thread t = new Thread(task, "store-load-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<StatusRecord> records = collect(workers);
            return records == null ? null : new StoreFormat.Loaded(header.folded(), records);
        } finally {
            workers.shutdownNow();
        }
    }

    /** Hands blocks to the workers and gathers their records in file order; {@code null} when refused. */
    private List<StatusRecord> collect(ExecutorService workers) throws IOException {
        ArrayDeque<Future<RecordLines.Batch>> pending = new ArrayDeque<>();
        LineOrder order = new LineOrder();
        Set<String> keys = new HashSet<>();
        List<StatusRecord> records = new ArrayList<>();
        while (!eof || carryLength > 0 || !pending.isEmpty()) {
            if ((!eof || carryLength > 0) && pending.size() < inFlight) {
                Block block = nextBlock(true);
                if (block.length() > 0) {
                    pending.add(workers.submit(() -> {
                        RecordLines.Batch batch = RecordLines.read(block.bytes(), block.length());
                        free.add(block.bytes());
                        return batch;
                    }));
                }
                continue;
            }
            RecordLines.Batch batch = await(pending.poll());
            if (batch.refused() || !order.accept(batch.kinds())) {
                return null;
            }
            for (String key : batch.keys()) {
                if (!keys.add(key)) {
                    return null; // the streaming reader refuses the duplicate
                }
            }
            records.addAll(batch.records());
        }
        return order.complete() ? records : null;
    }

    private static RecordLines.Batch await(Future<RecordLines.Batch> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while loading the data file");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            return RecordLines.Batch.REFUSED; // the streaming reader meets whatever it was
        }
    }

    /**
     * The next whole lines of the file (the carried bytes first), about {@value #BLOCK_BYTES}
     * bytes or one longer line; at the end of the file, what is left, whole lines or not. With
     * {@code wholeLines} false, just a block's worth from the start. Fills a block that a worker
     * is done with when there is one.
     */
    private Block nextBlock(boolean wholeLines) throws IOException {
        byte[] block = free.poll();
        if (block == null || block.length < 2 * carryLength) {
            block = new byte[Math.max(BLOCK_BYTES, 2 * carryLength)];
        }
        System.arraycopy(carry, 0, block, 0, carryLength);
        int filled = carryLength;
        while (true) {
            while (filled < block.length && !eof) {
                int n = channel.read(ByteBuffer.wrap(block, filled, block.length - filled));
                eof = n < 0;
                filled += Math.max(n, 0);
            }
            int last = lastIndexOf(block, filled, (byte) '\n');
            if (eof || !wholeLines) {
                carryLength = 0;
                return new Block(block, filled);
            }
            if (last >= 0) {
                carryLength = filled - last - 1;
                if (carry.length < carryLength) {
                    carry = new byte[Math.max(carryLength, BLOCK_BYTES / 4)];
                }
                System.arraycopy(block, last + 1, carry, 0, carryLength);
                return new Block(block, last + 1);
            }
            block = Arrays.copyOf(block, block.length * 2); // a line longer than the block
        }
    }

    /** Bytes of the file in {@code bytes[0, length)}. */
    private record Block(byte[] bytes, int length) {
    }

    private static int lastIndexOf(byte[] b, int length, byte value) {
        for (int i = length - 1; i >= 0; i--) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The order of the lines after the header: records, each but the last with a comma, then the
     * end, then nothing.
     */
    private static final class LineOrder {
        private static final int NO_RECORD = 0;
        private static final int AFTER_COMMA = 1;
        private static final int AFTER_LAST_RECORD = 2;
        private static final int ENDED = 3;
        private int state = NO_RECORD;

        boolean accept(byte[] kinds) {
            for (byte kind : kinds) {
                boolean open = state == NO_RECORD || state == AFTER_COMMA;
                if (kind == RecordLines.RECORD && open) {
                    state = AFTER_COMMA;
                } else if (kind == RecordLines.LAST_RECORD && open) {
                    state = AFTER_LAST_RECORD;
                } else if (kind == RecordLines.END && (state == NO_RECORD || state == AFTER_LAST_RECORD)) {
                    state = ENDED;
                } else {
                    return false;
                }
            }
            return true;
        }

        boolean complete() {
            return state == ENDED;
        }
    }
}
