package io.kloop.training.run;

import io.kloop.events.ArtifactRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.producer.BreastCancerCsv;
import io.kloop.producer.SourceRecord;
import io.kloop.schemas.BatchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The shipped breast-cancer data as the training service sees it: a dataset spec and batches of rows. */
final class TrainingData {

  private TrainingData() {}

  static Path breastCancerCsv() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path csv = dir.resolve("data/breast_cancer.csv");
      if (Files.exists(csv)) {
        return csv;
      }
    }
    throw new IllegalStateException("data/breast_cancer.csv not found above " + Path.of("").toAbsolutePath());
  }

  static List<SourceRecord> breastCancer() {
    try {
      return BreastCancerCsv.read(breastCancerCsv());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static DatasetSpecDeclared breastCancerSpec(String dataset) {
    List<FeatureSpec> features = BreastCancerCsv.FEATURES.stream()
        .map(name -> FeatureSpec.newBuilder().setName(name).setType(FeatureType.NUMERIC).setRequired(true).setMin(0.0).build())
        .toList();
    return DatasetSpecDeclared.newBuilder().setEventId("e").setEventTime(Instant.EPOCH).setProducer("test").setDataset(dataset)
        .setVersion(1).setIdField("id").setFeatures(features)
        .setLabel(LabelSpec.newBuilder().setName("diagnosis").setClasses(List.of("malignant", "benign")).setRequired(true).build())
        .setDeclaredBy("test").build();
  }

  static List<BatchFiles.Row> rows(List<SourceRecord> records) {
    List<BatchFiles.Row> rows = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      SourceRecord record = records.get(i);
      rows.add(new BatchFiles.Row(record.id(), record.label(), record.features(), 0, i));
    }
    return rows;
  }

  static DatasetBatchCommitted batch(String dataset, String batchId, long rows) {
    return DatasetBatchCommitted.newBuilder().setEventId(batchId).setEventTime(Instant.EPOCH).setProducer("test")
        .setDataset(dataset).setSpecVersion(1).setBatchId(batchId).setRowCount(rows)
        .setArtifact(ArtifactRef.newBuilder().setUri("memory:" + batchId).setSha256("0".repeat(64)).setSizeBytes(0).setMediaType("application/avro").build())
        .setSchemaFingerprint("0").setFeatures(List.of()).setLabelCounts(Map.of()).build();
  }
}
