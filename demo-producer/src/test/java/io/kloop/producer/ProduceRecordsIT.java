package io.kloop.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kloop.events.DataRecord;
import io.kloop.schemas.EventDeserializer;
import io.kloop.schemas.Topics;
import io.kloop.test.DocumentedCommands;
import io.kloop.test.TestKafkaBroker;
import io.kloop.test.TestRecords;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer command against a real broker: what it publishes is what the data set holds. */
class ProduceRecordsIT {

  private final EventDeserializer<DataRecord> events = new EventDeserializer<>(DataRecord.class);

  @BeforeAll
  static void platformTopics() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafkaBroker.bootstrapServers()))) {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.DATA_RECORD.name())) {
        admin.createTopics(List.of(Topics.DATA_RECORD.newTopic())).all().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shouldPublishTheShippedDataSetAsAvroKeyedByDataset() throws Exception {
    String dataset = "bc-" + UUID.randomUUID().toString().substring(0, 8);

    ProduceRecords.Summary summary = ProduceRecords.run("breast-cancer", "--no-declare", "--dataset=" + dataset,
        "--bootstrap=" + TestKafkaBroker.bootstrapServers(), "--csv=../data/breast_cancer.csv");

    assertThat(summary.records()).isEqualTo(569);
    List<DataRecord> published = TestRecords.awaitAtLeast(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset), 569).stream()
        .map(r -> events.deserialize("t", r.value())).toList();
    assertThat(published).hasSize(569).allSatisfy(r -> assertThat(r.getDataset()).isEqualTo(dataset));
    assertThat(published.get(0).getRecordId()).isEqualTo("bc-0001");
    assertThat(published.get(0).getFeatures()).containsEntry("mean_radius", 17.99);
    assertThat(published.get(0).getLabel()).isEqualTo("malignant");
  }

  @Test
  void shouldPublishSeededSyntheticRecordsWithTheAskedDrift() throws Exception {
    String dataset = "syn-" + UUID.randomUUID().toString().substring(0, 8);

    ProduceRecords.run("synthetic", "--no-declare", "--dataset=" + dataset, "--bootstrap=" + TestKafkaBroker.bootstrapServers(),
        "--records=200", "--seed=3", "--features=2", "--shift=x1:4");

    List<DataRecord> published = TestRecords.awaitAtLeast(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset), 200).stream()
        .map(r -> events.deserialize("t", r.value())).toList();
    double meanX1 = published.stream().mapToDouble(r -> (Double) r.getFeatures().get("x1")).average().orElseThrow();
    assertThat(meanX1).isBetween(3.5, 4.5);
    List<SourceRecord> expected = new SyntheticRecords(2, 3,
        new SyntheticRecords.Drift(Map.of("x1", 4.0), Map.of(), false), dataset + "-3-").next(200);
    assertThat(published).extracting(DataRecord::getRecordId).containsExactlyElementsOf(expected.stream().map(SourceRecord::id).toList());
  }

  @Test
  void shouldPublishTheWineDataAndDriftedReviewsAsText() throws Exception {
    String wine = "wine-" + UUID.randomUUID().toString().substring(0, 8);
    String reviews = "rev-" + UUID.randomUUID().toString().substring(0, 8);

    ProduceRecords.run("wine", "--no-declare", "--dataset=" + wine, "--bootstrap=" + TestKafkaBroker.bootstrapServers(),
        "--csv=../data/wine.csv");
    ProduceRecords.run("reviews", "--no-declare", "--dataset=" + reviews, "--bootstrap=" + TestKafkaBroker.bootstrapServers(),
        "--records=50", "--seed=4", "--unseen=0.5", "--longer=2");

    List<DataRecord> wines = TestRecords.awaitAtLeast(Topics.DATA_RECORD.name(), TestRecords.keyed(wine), 178).stream()
        .map(r -> events.deserialize("t", r.value())).toList();
    assertThat(wines).hasSize(178);
    assertThat(wines.get(0).getRecordId()).isEqualTo("wine-001");
    assertThat(wines.get(0).getFeatures()).containsEntry("magnesium", 127.0);
    assertThat(wines.get(0).getLabel()).isEqualTo("class_0");
    List<DataRecord> texts = TestRecords.awaitAtLeast(Topics.DATA_RECORD.name(), TestRecords.keyed(reviews), 50).stream()
        .map(r -> events.deserialize("t", r.value())).toList();
    List<SourceRecord> expected = new SyntheticReviews(4, new SyntheticReviews.Drift(0.5, 2), reviews + "-4-").next(50);
    assertThat(texts).extracting(DataRecord::getRecordId).containsExactlyElementsOf(expected.stream().map(SourceRecord::id).toList());
    assertThat(texts.get(0).getFeatures().get("review")).hasToString((String) expected.get(0).features().get("review"));
    assertThat(texts).extracting(r -> r.getLabel().toString()).containsExactlyElementsOf(expected.stream().map(SourceRecord::label).toList());
  }

  /**
   * Every {@code ./kloop produce} command the docs show, as written, against the test broker (with
   * {@code --no-declare}: no ingest runs here) and under a dataset name of the test's own.
   */
  @Test
  void shouldRunEveryProduceCommandTheDocsShow(@TempDir Path scratch) throws Exception {
    List<DocumentedCommands.Command> produces = DocumentedCommands.all().stream()
        .filter(c -> c.text().startsWith("./kloop produce ") && !c.words().contains("--help")).toList();
    assertThat(produces).hasSizeGreaterThanOrEqualTo(3);
    for (DocumentedCommands.Command produce : produces) {
      String dataset = "docs-" + UUID.randomUUID().toString().substring(0, 8);
      List<String> args = new ArrayList<>(produce.words().subList(2, produce.words().size()));
      args.removeIf(arg -> arg.startsWith("--dataset=") || arg.startsWith("--bootstrap="));
      args.addAll(List.of("--no-declare", "--dataset=" + dataset, "--bootstrap=" + TestKafkaBroker.bootstrapServers()));
      if (args.stream().noneMatch(arg -> arg.startsWith("--csv="))) {
        // ./kloop runs it from the repository's root, the test from the module's
        args.add(args.get(0).equals("wine") ? "--csv=../data/wine.csv" : "--csv=../data/breast_cancer.csv");
      }
      Path written = null;
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).startsWith("--write=")) {
          written = scratch.resolve(dataset + ".csv"); // never over a shipped file
          args.set(i, "--write=" + written);
        }
      }
      ProduceRecords.Summary summary = ProduceRecords.run(args.toArray(String[]::new));
      assertThat(summary.records()).as(produce.toString()).isPositive();
      if (written != null) {
        assertThat(ReviewsCsv.read(written)).as(produce.toString()).hasSize(summary.records());
      } else {
        assertThat(TestRecords.awaitAtLeast(Topics.DATA_RECORD.name(), TestRecords.keyed(dataset), summary.records()))
            .as(produce.toString()).hasSize(summary.records());
      }
    }
  }

  @Test
  void shouldExplainBadArguments() {
    assertThatThrownBy(() -> ProduceRecords.run("iris")).hasMessageContaining("unknown data set iris");
    assertThatThrownBy(() -> ProduceRecords.run("synthetic", "--shift=x1")).hasMessageContaining("expected --shift=xI:D");
    assertThatThrownBy(() -> ProduceRecords.run("synthetic", "--records=many")).hasMessageContaining("--records needs a whole number");
    assertThatThrownBy(() -> ProduceRecords.run("reviews", "--unseen=lots")).hasMessageContaining("--unseen needs a number");
    assertThatThrownBy(() -> ProduceRecords.run("reviews", "--unseen=2")).hasMessageContaining("--unseen needs a share from 0 to 1");
    assertThatThrownBy(() -> ProduceRecords.run("reviews", "--longer=0")).hasMessageContaining("--longer needs a factor above 0");
    assertThatThrownBy(() -> ProduceRecords.run("wine", "--write=x.csv")).hasMessageContaining("--write is for reviews only");
  }
}
