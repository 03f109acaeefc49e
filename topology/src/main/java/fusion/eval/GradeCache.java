package fusion.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Grades an eval already paid for, in its state directory: the same grader, question, gold answer and answer are not
 * graded again when the eval is run again (over more results, or with another table in mind). Only grades are kept;
 * a call that gave none is tried again.
 */
public final class GradeCache implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, GraderPrompt.Grade> grades = new ConcurrentHashMap<>();
    private final BufferedWriter out;

    private GradeCache(BufferedWriter out) {
        this.out = out;
    }

    /** The grades in {@code file}, appending new ones to it; a line cut short by a kill is skipped. */
    public static GradeCache open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        GradeCache cache = new GradeCache(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    JsonNode n = JSON.readTree(line);
                    cache.grades.put(n.get("key").asText(), GraderPrompt.Grade.of(n.get("score").asDouble(), n.path("reason").asText(null)));
                } catch (IOException | RuntimeException partial) {
                    // the last line of an eval that was killed mid-write
                }
            }
        }
        return cache;
    }

    static String key(String grader, String question, String gold, String answer) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {grader, question == null ? "" : question, gold, answer}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    GraderPrompt.Grade get(String key) {
        return grades.get(key);
    }

    synchronized void put(String key, GraderPrompt.Grade grade) {
        if (!grade.graded()) return;
        grades.put(key, grade);
        try {
            var line = JSON.createObjectNode().put("key", key).put("score", grade.score());
            if (grade.reason() != null) line.put("reason", grade.reason());
            out.write(JSON.writeValueAsString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep a grade in the eval's state directory", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
