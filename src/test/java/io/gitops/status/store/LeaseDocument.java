package io.gitops.status.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Another process sharing a {@link FileDocument}, driven line by line on its standard input:
 * {@code lease} answers {@code LEASED} or {@code BUSY}; {@code write <text>} answers {@code WROTE}
 * or {@code FAILED <reason>}; {@code read} answers {@code READ <text>} or {@code EMPTY};
 * {@code close} answers {@code CLOSED}. It exits when its input closes (or is killed).
 */
public final class LeaseDocument {

    private LeaseDocument() {
    }

    public static void main(String[] args) throws Exception {
        FileDocument document = new FileDocument(Path.of(args[0]));
        SharedDocument.Lease lease = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String answer;
            if (line.equals("lease")) {
                Optional<SharedDocument.Lease> taken = document.tryLease();
                lease = taken.orElse(lease);
                answer = taken.isPresent() ? "LEASED" : "BUSY";
            } else if (line.startsWith("write ")) {
                try {
                    if (lease == null) {
                        throw new StoreUnavailableException("no lease");
                    }
                    lease.write(line.substring(6).getBytes(StandardCharsets.UTF_8));
                    answer = "WROTE";
                } catch (StoreUnavailableException e) {
                    answer = "FAILED " + e.getMessage();
                }
            } else if (line.equals("read")) {
                answer = document.read().map(b -> "READ " + new String(b, StandardCharsets.UTF_8)).orElse("EMPTY");
            } else if (line.equals("close")) {
                if (lease != null) {
                    lease.close();
                    lease = null;
                }
                answer = "CLOSED";
            } else {
                answer = "UNKNOWN " + line;
            }
            System.out.println(answer);
            System.out.flush();
        }
    }
}
