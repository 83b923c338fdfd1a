package io.kloop.producer;

import io.kloop.events.DataRecord;
import io.kloop.schemas.EventMetadata;
import io.kloop.schemas.EventSerializer;
import io.kloop.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./kloop produce ...}: declares a dataset's spec with the ingest-service (HTTP), then publishes its
 * records to {@code mlops.ingest.data-record} as Avro {@code DataRecord}s keyed by dataset, with acks=all.
 *
 * <pre>
 * ./kloop produce breast-cancer                  the shipped data set (569 records) as dataset breast-cancer
 * ./kloop produce wine                           the shipped wine data (178 records, 3 classes) as dataset wine
 * ./kloop produce synthetic --records=5000 --seed=7 --features=5 --shift=x1:0.5 --scale=x2:2 --invert-label
 * ./kloop produce reviews --records=1000 --seed=1 --unseen=0.3 --longer=2   synthetic text reviews, drifted
 * ./kloop produce reviews --records=1000 --seed=1 --id-prefix=review- --write=data/reviews.csv   CSV, not published
 * options: --bootstrap=127.0.0.1:9092 --ingest=http://127.0.0.1:8081 --dataset=NAME --no-declare
 *          --csv=data/breast_cancer.csv --id-prefix=TEXT (synthetic ids, default "&lt;dataset&gt;-&lt;seed&gt;-")
 * </pre>
 */
public final class ProduceRecords {

  static final String USAGE = """
      Usage: ./kloop produce breast-cancer [options]
             ./kloop produce wine [options]
             ./kloop produce synthetic [--records=N] [--seed=S] [--features=K] [--shift=xI:D]... [--scale=xI:F]... [--invert-label] [options]
             ./kloop produce reviews [--records=N] [--seed=S] [--unseen=SHARE] [--longer=FACTOR] [--write=FILE] [options]
      options: --bootstrap=HOST:PORT (127.0.0.1:9092)  --ingest=URL (http://127.0.0.1:8081)  --dataset=NAME
               --no-declare (the spec is already declared)  --csv=FILE (data/breast_cancer.csv, data/wine.csv)
               --id-prefix=TEXT (synthetic and reviews ids, default "<dataset>-<seed>-")
               --write=FILE (reviews: write the records as CSV instead of publishing them)""";

  private ProduceRecords() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || List.of(args).contains("--help")) {
      System.out.println(USAGE);
      return;
    }
    try {
      Summary summary = run(args);
      if (summary.written() != null) {
        System.out.printf("Wrote %d records of dataset %s to %s%n", summary.records(), summary.dataset(), summary.written());
      } else {
        System.out.printf("Published %d records of dataset %s to %s in %d ms%n",
            summary.records(), summary.dataset(), Topics.DATA_RECORD.name(), summary.millis());
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage() + "\n" + USAGE);
      System.exit(2);
    }
  }

  /** What a run did: published its records (written is null), or wrote them to the file {@code written}. */
  record Summary(String dataset, int records, long millis, String written) {}

  static Summary run(String... args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("say what to produce");
    }
    Map<String, String> options = new HashMap<>();
    Map<String, Double> shift = new HashMap<>();
    Map<String, Double> scale = new HashMap<>();
    for (String arg : List.of(args).subList(1, args.length)) {
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unknown argument " + arg);
      }
      String key = arg.contains("=") ? arg.substring(2, arg.indexOf('=')) : arg.substring(2);
      String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "true";
      switch (key) {
        case "shift" -> put(shift, value, "--shift=xI:D");
        case "scale" -> put(scale, value, "--scale=xI:F");
        case "bootstrap", "ingest", "dataset", "no-declare", "csv", "id-prefix", "records", "seed", "features", "invert-label",
             "unseen", "longer", "write" ->
            options.put(key, value);
        default -> throw new IllegalArgumentException("unknown option --" + key);
      }
    }
    if (options.containsKey("write") && !args[0].equals("reviews")) {
      throw new IllegalArgumentException("--write is for reviews only");
    }
    String dataset;
    String spec;
    List<SourceRecord> records;
    switch (args[0]) {
      case "breast-cancer" -> {
        dataset = options.getOrDefault("dataset", "breast-cancer");
        records = BreastCancerCsv.read(Path.of(options.getOrDefault("csv", "data/breast_cancer.csv")));
        spec = Files.readString(Path.of(options.getOrDefault("csv", "data/breast_cancer.csv").replace(".csv", ".spec.json")));
      }
      case "synthetic" -> {
        dataset = options.getOrDefault("dataset", "synthetic");
        int features = intOption(options, "features", 5);
        long seed = intOption(options, "seed", 42);
        SyntheticRecords.Drift drift = new SyntheticRecords.Drift(shift, scale, options.containsKey("invert-label"));
        records = new SyntheticRecords(features, seed, drift, options.getOrDefault("id-prefix", dataset + "-" + seed + "-"))
            .next(intOption(options, "records", 1000));
        spec = SyntheticRecords.specJson(features);
      }
      case "wine" -> {
        dataset = options.getOrDefault("dataset", "wine");
        records = WineCsv.read(Path.of(options.getOrDefault("csv", "data/wine.csv")));
        spec = Files.readString(Path.of(options.getOrDefault("csv", "data/wine.csv").replace(".csv", ".spec.json")));
      }
      case "reviews" -> {
        dataset = options.getOrDefault("dataset", "reviews");
        long seed = intOption(options, "seed", 1);
        SyntheticReviews.Drift drift = new SyntheticReviews.Drift(
            doubleOption(options, "unseen", 0), doubleOption(options, "longer", 1));
        records = new SyntheticReviews(seed, drift, options.getOrDefault("id-prefix", dataset + "-" + seed + "-"))
            .next(intOption(options, "records", 1000));
        spec = SyntheticReviews.specJson();
      }
      default -> throw new IllegalArgumentException("unknown data set " + args[0] + ": breast-cancer, wine, synthetic or reviews");
    }
    if (options.containsKey("write")) {
      ReviewsCsv.write(Path.of(options.get("write")), records);
      return new Summary(dataset, records.size(), 0, options.get("write"));
    }
    if (!options.containsKey("no-declare")) {
      declare(options.getOrDefault("ingest", "http://127.0.0.1:8081"), dataset, spec);
    }
    long started = System.nanoTime();
    publish(options.getOrDefault("bootstrap", "127.0.0.1:9092"), dataset, records);
    return new Summary(dataset, records.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), null);
  }

  /** Declares a dataset's spec with the ingest-service; an error names the refusal. */
  public static void declare(String ingest, String dataset, String spec) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(ingest + "/v1/datasets/" + dataset)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(spec)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException("ingest refused the spec of " + dataset + " (" + response.statusCode() + "): " + response.body());
    }
  }

  /** Publishes records of a dataset as Avro {@code DataRecord}s (acks=all) and waits until the last is acknowledged. */
  public static void publish(String bootstrap, String dataset, List<SourceRecord> records) throws Exception {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
        ProducerConfig.CLIENT_ID_CONFIG, "kloop-demo-producer");
    try (KafkaProducer<String, DataRecord> producer = new KafkaProducer<>(config, new StringSerializer(), new EventSerializer<>())) {
      try {
        producer.partitionsFor(Topics.DATA_RECORD.name());
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw new IllegalStateException("no topic " + Topics.DATA_RECORD.name() + " at " + bootstrap
            + " within 15 s: is the platform running (./kloop)?", e);
      }
      Future<?> last = null;
      for (SourceRecord record : records) {
        DataRecord event = EventMetadata.fresh(Instant.now(), "kloop-demo-producer").build(DataRecord.newBuilder()
            .setDataset(dataset)
            .setRecordId(record.id())
            .setFeatures(record.features())
            .setLabel(record.label()));
        last = producer.send(new ProducerRecord<>(Topics.DATA_RECORD.name(), dataset, event));
      }
      producer.flush();
      if (last != null) {
        last.get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static void put(Map<String, Double> target, String value, String form) {
    String[] parts = value.split(":");
    try {
      target.put(parts[0], Double.parseDouble(parts[1]));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("expected " + form + ", got " + value);
    }
  }

  private static double doubleOption(Map<String, String> options, String key, double defaultValue) {
    try {
      return options.containsKey(key) ? Double.parseDouble(options.get(key)) : defaultValue;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " needs a number, got " + options.get(key));
    }
  }

  private static int intOption(Map<String, String> options, String key, int defaultValue) {
    try {
      return options.containsKey(key) ? Integer.parseInt(options.get(key)) : defaultValue;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " needs a whole number, got " + options.get(key));
    }
  }
}
