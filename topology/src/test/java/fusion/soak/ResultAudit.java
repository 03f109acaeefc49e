package fusion.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fusion.schema.FusionResult;
import fusion.schema.ResultStatus;
import fusion.topology.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Whether every request submitted has exactly one final result, as a read_committed consumer of the
 * results topic sees it, and as the results file has it. On the compacted topic a failed result may be
 * replaced by its next {@code attempt}: one record per attempt is one final result (the latest attempt);
 * a second record of one attempt, or a result of a request never submitted, is extra.
 */
final class ResultAudit {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultAudit() {}

    /**
     * @param lost            submitted ids with no result on the topic
     * @param extra           result records beyond one per (id, attempt), plus results of ids never submitted
     * @param fileLost        submitted ids with no line in the results file (0 when there is no file)
     * @param fileDuplicates  lines of the file whose id an earlier line already had
     * @param fileExtra       lines of ids never submitted, or no result at all
     * @param fileStale       ids whose line says another status than the topic's latest attempt
     * @param latest          each id's final result: its latest attempt
     */
    record Findings(int checked, Set<String> lost, Map<String, Integer> extra, Set<String> fileLost, int fileDuplicates,
                    int fileExtra, Set<String> fileStale, Map<String, FusionResult> latest) {
        int extraCount() {
            return extra.values().stream().mapToInt(Integer::intValue).sum();
        }

        boolean exactlyOnce() {
            return lost.isEmpty() && extra.isEmpty() && fileLost.isEmpty() && fileDuplicates == 0 && fileExtra == 0 && fileStale.isEmpty();
        }

        /** Final results that are ok and carry the judge's analysis. */
        int okWithAnalysis() {
            return (int) latest.values().stream().filter(r -> r.getStatus() == ResultStatus.ok && r.getAnalysis() != null).count();
        }

        /** Why final results fell short: the reasons of failed panel members and of failed judges, counted. */
        Map<String, Integer> shortfalls() {
            Map<String, Integer> reasons = new TreeMap<>();
            for (FusionResult r : latest.values()) {
                r.getFailedModels().forEach(f -> reasons.merge("panel " + f.getReason(), 1, Integer::sum));
                if (r.getJudgeFailure() != null) reasons.merge("judge " + r.getJudgeFailure().getReason(), 1, Integer::sum);
            }
            return reasons;
        }

        /** Final results whose attempt is above 1: failed results a rerun sent again. */
        int retriedResults() {
            return (int) latest.values().stream().filter(r -> r.getAttempt() > 1).count();
        }

        String describe() {
            return String.format("%d requests checked: %d lost%s, %d extra%s; file: %d lost%s, %d duplicate lines, %d extra lines, "
                            + "%d stale%s", checked, lost.size(), sample(lost), extraCount(), sample(extra.keySet()), fileLost.size(),
                    sample(fileLost), fileDuplicates, fileExtra, fileStale.size(), sample(fileStale));
        }

        /** Up to ten of the ids, for the report. */
        private static String sample(Set<String> ids) {
            return ids.isEmpty() ? "" : " " + ids.stream().sorted().limit(10).toList() + (ids.size() > 10 ? "…" : "");
        }
    }

    /** The topic as it stands now (every committed record up to its end), and {@code resultsFile} when not null. */
    static Findings check(String bootstrap, String resultsTopic, Set<String> submitted, Path resultsFile) throws IOException {
        Map<String, List<FusionResult>> records = read(bootstrap, resultsTopic, seen -> true, Duration.ofMinutes(2));
        Set<String> lost = new TreeSet<>(submitted);
        lost.removeAll(records.keySet());
        Map<String, Integer> extra = new TreeMap<>();
        Map<String, FusionResult> latest = new HashMap<>();
        records.forEach((id, results) -> {
            if (!submitted.contains(id)) {
                extra.put(id, results.size());
                return;
            }
            Set<Integer> attempts = new HashSet<>();
            int repeats = 0;
            for (FusionResult r : results) {
                if (!attempts.add(r.getAttempt())) repeats++;
                FusionResult before = latest.get(id);
                if (before == null || r.getAttempt() >= before.getAttempt()) latest.put(id, r);
            }
            if (repeats > 0) extra.put(id, repeats);
        });

        Set<String> fileLost = new TreeSet<>();
        Set<String> fileStale = new TreeSet<>();
        int fileDuplicates = 0;
        int fileExtra = 0;
        if (resultsFile != null) {
            Set<String> inFile = new HashSet<>();
            List<String> lines = Files.exists(resultsFile) ? Files.readAllLines(resultsFile, StandardCharsets.UTF_8) : List.of();
            for (String line : lines) {
                String id = requestId(line);
                if (id == null || !submitted.contains(id)) {
                    fileExtra++;
                } else if (!inFile.add(id)) {
                    fileDuplicates++;
                } else if (latest.containsKey(id) && !latest.get(id).getStatus().name().equals(JSON.readTree(line).path("status").asText())) {
                    fileStale.add(id);
                }
            }
            fileLost.addAll(submitted);
            fileLost.removeAll(inFile);
        }
        return new Findings(submitted.size(), lost, extra, fileLost, fileDuplicates, fileExtra, fileStale, latest);
    }

    /**
     * Waits until every one of {@code ids} has a committed result, or {@code patience} runs out.
     *
     * @return the ids still without one
     */
    static Set<String> awaitResults(String bootstrap, String resultsTopic, Set<String> ids, Duration patience) {
        Set<String> missing = new TreeSet<>(ids);
        missing.removeAll(read(bootstrap, resultsTopic, seen -> seen.keySet().containsAll(ids), patience).keySet());
        return missing;
    }

    /**
     * Every committed record of the topic from its start, by key, until {@code enough} holds for what was read and the
     * consumer has reached the topic's end, or {@code patience} runs out.
     */
    private static Map<String, List<FusionResult>> read(String bootstrap, String topic, Predicate<Map<String, List<FusionResult>>> enough,
                                                         Duration patience) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<FusionResult>> byKey = new HashMap<>();
        long deadline = System.nanoTime() + patience.toNanos();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, patience).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) continue; // a tombstone is no result; its id stays lost unless a result follows
                    byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Topics.RESULT.decode(record.value()));
                }
                if (!enough.test(byKey)) continue;
                // Under read_committed the end offset is the last stable offset: all that is committed by now.
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                if (partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) break;
            }
        }
        return byKey;
    }

    private static String requestId(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node.hasNonNull("request_id") ? node.get("request_id").asText() : null;
        } catch (IOException unreadable) {
            return null;
        }
    }
}
