package io.kloop.training.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.kloop.test.OnnxGraphs;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.kloop.events.ArtifactRef;
import io.kloop.events.DatasetBatchCommitted;
import io.kloop.events.DatasetSpecDeclared;
import io.kloop.events.FeatureSpec;
import io.kloop.events.FeatureType;
import io.kloop.events.LabelSpec;
import io.kloop.events.ModelApproved;
import io.kloop.events.ModelTrained;
import io.kloop.events.ProbabilityFormat;
import io.kloop.events.TrainingFailed;
import io.kloop.model.OnnxClassifier;
import io.kloop.producer.BreastCancerCsv;
import io.kloop.producer.ReviewsCsv;
import io.kloop.producer.WineCsv;
import io.kloop.schemas.BatchFiles;
import io.kloop.test.OnnxFixtures;
import io.kloop.producer.SourceRecord;
import io.kloop.schemas.Topics;
import io.kloop.test.TestEvents;
import io.kloop.training.TrainingFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Imports over HTTP on a real broker: models written as exporters write them, imported into a model of the shipped
 * breast-cancer data, judged on the dataset's test split (the figures checked against ONNX Runtime run on the file
 * here), compared with the champion, announced with their origin; and the files refused with 400 (and their runs
 * failed with the same reason), the oversized one with 413.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SuppressWarnings("unchecked")
class ImportsIT {

  private static final Duration WAIT = Duration.ofSeconds(120);
  /** The service's {@code kloop.training.max-import-size} here: small, so that a file over it is quick to send. */
  private static final int MAX_IMPORT_BYTES = 1024 * 1024;
  private static final List<String> CLASSES = List.of("malignant", "benign");
  private static final List<SourceRecord> WINE = shipped("data/wine.csv", file -> readOrFail(file, true));
  private static final List<SourceRecord> REVIEWS = shipped("data/reviews.csv", file -> readOrFail(file, false));

  private TrainingFixtures fixtures;
  private ConfigurableApplicationContext training;
  private WebTestClient http;

  @BeforeAll
  void start(@TempDir Path home) {
    fixtures = new TrainingFixtures(home);
    training = fixtures.start("--kloop.training.max-import-size=1MB");
    http = TrainingFixtures.http(training);
  }

  @AfterAll
  void stop() {
    training.close();
  }

  @Test
  void shouldJudgeAnImportedModelOnTheTestSplitAndScoreTheChampionOnTheSameRows() throws Exception {
    String dataset = "bc-" + TrainingFixtures.shortId();
    String model = "imported-" + TrainingFixtures.shortId();
    modelWithData(model, dataset);
    byte[] zipMapModel = logisticOnRadius(1.5f, true);

    Map<String, Object> accepted = importFile(model, zipMapModel, """
        {"dataset": "%s", "framework": "scikit-learn", "description": "radius rule", "importedBy": "alice"}""".formatted(dataset), HttpStatus.ACCEPTED);

    String runId = accepted.get("runId").toString();
    assertThat(accepted.get("status")).isEqualTo("RUNNING");
    assertThat((Map<String, Object>) accepted.get("signature")).containsEntry("probabilityFormat", "ZIPMAP").containsEntry("probabilityTensor", "output_probability");
    ModelTrained first = awaitTrained(model, runId);
    assertThat(first.getAlgorithm()).isEqualTo("imported");
    assertThat(first.getTrigger()).isEqualTo("import");
    assertThat(first.getHyperparameters()).isEmpty();
    assertThat(first.getOrigin().getImportedBy()).isEqualTo("alice");
    assertThat(first.getOrigin().getFramework()).isEqualTo("scikit-learn");
    assertThat(first.getOrigin().getDescription()).isEqualTo("radius rule");
    assertThat(first.getOrigin().getProducerName()).isEqualTo("skl2onnx 1.17.0");
    assertThat(first.getOrigin().getFileBytes()).isEqualTo(zipMapModel.length);
    assertThat(first.getOrigin().getFileSha256()).isEqualTo(sha256(zipMapModel)).isEqualTo(first.getArtifact().getSha256());
    assertThat(fixtures.store().read(first.getArtifact())).isEqualTo(zipMapModel);
    assertThat(first.getLineage()).hasSize(3);
    assertThat(first.getSignature().getTensors()).singleElement().satisfies(tensor -> assertThat(tensor.getFeatures()).isEqualTo(BreastCancerCsv.FEATURES));
    assertThat(first.getSignature().getProbabilityFormat()).isEqualTo(ProbabilityFormat.ZIPMAP);
    assertThat(first.getChampionMetrics()).isNull();
    assertThat(first.getReferenceProfile().getFeatures()).hasSize(30);
    assertThat(first.getReferenceProfile().getCalibration()).isNotNull();
    Expected expected = onTestSplit(zipMapModel);
    assertThat(first.getMetrics().getRows()).isEqualTo(expected.rows());
    assertThat(first.getMetrics().getAccuracy()).isCloseTo(expected.accuracy(), within(1e-12));
    assertThat(first.getMetrics().getLogLoss()).isCloseTo(expected.logLoss(), within(1e-9));

    // The runs API lists it as an import with its origin.
    await().atMost(WAIT).untilAsserted(() -> assertThat(run(model, runId)).containsEntry("kind", "IMPORT").containsEntry("status", "SUCCEEDED")
        .satisfies(run -> assertThat((Map<String, Object>) run.get("origin")).containsEntry("importedBy", "alice").containsEntry("fileSha256", sha256(zipMapModel))));

    // The first import becomes the champion; a second one (a steeper rule, with a probability tensor) is scored beside it.
    approve(model, first);
    byte[] tensorModel = logisticOnRadius(3f, false);
    String second = importFile(model, tensorModel, "{\"dataset\": \"" + dataset + "\"}", HttpStatus.ACCEPTED).get("runId").toString();
    ModelTrained next = awaitTrained(model, second);

    assertThat(next.getOrigin().getImportedBy()).isEqualTo("anonymous");
    assertThat(next.getSignature().getProbabilityFormat()).isEqualTo(ProbabilityFormat.TENSOR);
    assertThat(next.getChampionVersion()).isEqualTo(1);
    assertThat(next.getChampionMetrics().getAccuracy()).as("the champion on the same rows by the same code").isEqualTo(first.getMetrics().getAccuracy());
    assertThat(next.getChampionMetrics().getLogLoss()).isEqualTo(first.getMetrics().getLogLoss());
    Expected steeper = onTestSplit(tensorModel);
    assertThat(next.getMetrics().getAccuracy()).isCloseTo(steeper.accuracy(), within(1e-12));
    assertThat(next.getMetrics().getLogLoss()).isCloseTo(steeper.logLoss(), within(1e-9));
  }

  @Test
  void shouldRefuseAFileThatDoesNotLoadOrOutputsLogitsAndFailItsRunWithTheSameReason() {
    String dataset = "bc-" + TrainingFixtures.shortId();
    String model = "refused-" + TrainingFixtures.shortId();
    modelWithData(model, dataset);
    String metadata = "{\"dataset\": \"" + dataset + "\"}";

    assertRefusedWithFailedRun(model, "not an onnx file".getBytes(StandardCharsets.UTF_8), metadata, "ONNX Runtime cannot load the file: ");
    // Logits where probabilities belong.
    assertRefusedWithFailedRun(model, logits(), metadata, "the model outputs scores, not probabilities: row 0 ");
  }

  @Test
  void shouldRefuseBadRequestsWithoutARun() {
    String dataset = "bc-" + TrainingFixtures.shortId();
    String model = "requests-" + TrainingFixtures.shortId();
    modelWithData(model, dataset);
    byte[] onnx = logisticOnRadius(1, true);

    assertThat(error(importFile(model, onnx, "{\"dataset\": \"wine\"}", HttpStatus.BAD_REQUEST)))
        .contains("the metadata names dataset 'wine', but model " + model + " predicts for dataset '" + dataset + "'");
    assertThat(error(importFile(model, onnx, "{\"dataset\": \"" + dataset + "\", \"clases\": []}", HttpStatus.BAD_REQUEST))).contains("clases");
    assertThat(error(importFile("no-such-model", onnx, "{\"dataset\": \"" + dataset + "\"}", HttpStatus.NOT_FOUND))).contains("no model named 'no-such-model'");
    MultipartBodyBuilder onlyModel = new MultipartBodyBuilder();
    onlyModel.part("model", file(onnx)).contentType(MediaType.APPLICATION_OCTET_STREAM);
    assertThat(error(send(model, onlyModel, HttpStatus.BAD_REQUEST))).contains("the part 'metadata' is missing");
    MultipartBodyBuilder extra = parts(onnx, "{\"dataset\": \"" + dataset + "\"}");
    extra.part("notes", "hello");
    assertThat(error(send(model, extra, HttpStatus.BAD_REQUEST))).contains("unknown part 'notes'");
    assertThat(runs(model)).as("no run for a request refused before the file is looked at").isEmpty();
  }

  @Test
  void shouldRefuseAFileOverTheLimitWith413() {
    String dataset = "bc-" + TrainingFixtures.shortId();
    String model = "large-" + TrainingFixtures.shortId();
    modelWithData(model, dataset);

    Map<String, Object> answer = importFile(model, new byte[MAX_IMPORT_BYTES + 1], "{\"dataset\": \"" + dataset + "\"}", HttpStatus.CONTENT_TOO_LARGE);

    assertThat(error(answer)).contains("kloop.training.max-import-size");
  }

  @Test
  void shouldImportEachWineFixtureAndScoreItAndTheChampionOnTheTestSplit() throws Exception {
    String dataset = "wine-" + TrainingFixtures.shortId();
    String model = "wine-" + TrainingFixtures.shortId();
    modelWithData(model, dataset, wineSpec(dataset), WINE, 60);

    ModelTrained champion = null;
    for (String fixture : List.of(OnnxFixtures.WINE_SKLEARN_LOGREG, OnnxFixtures.WINE_SKLEARN_PER_FEATURE, OnnxFixtures.WINE_XGBOOST,
        OnnxFixtures.WINE_PYTORCH_MLP)) {
      OnnxFixtures.Fixture described = OnnxFixtures.fixture(fixture);
      byte[] onnx = OnnxFixtures.bytes(fixture);
      String framework = fixture.contains("xgboost") ? "xgboost" : fixture.contains("pytorch") ? "pytorch" : "scikit-learn";
      String runId = importFile(model, onnx, """
          {"dataset": "%s", "framework": "%s", "classes": %s}""".formatted(dataset, framework, json(described.classOrder())), HttpStatus.ACCEPTED)
          .get("runId").toString();
      ModelTrained trained = awaitTrained(model, runId);

      assertThat(trained.getOrigin().getFramework()).as(fixture).isEqualTo(framework);
      assertThat(trained.getOrigin().getFileSha256()).as(fixture).isEqualTo(described.sha256());
      assertThat(trained.getOrigin().getProducerName()).as(fixture).startsWith(described.producerName());
      assertThat(trained.getSignature().getProbabilityFormat().name()).as(fixture).isEqualTo(described.probabilityFormat());
      assertThat(trained.getSignature().getInputs()).as(fixture).hasSize(13);
      Expected expected = onTestSplit(described, onnx, WINE, WineCsv.CLASSES);
      assertThat(trained.getMetrics().getRows()).as(fixture).isEqualTo(expected.rows());
      assertThat(trained.getMetrics().getAccuracy()).as(fixture).isCloseTo(expected.accuracy(), within(1e-12));
      assertThat(trained.getMetrics().getLogLoss()).as(fixture).isCloseTo(expected.logLoss(), within(1e-6));
      if (champion == null) {
        assertThat(trained.getChampionMetrics()).isNull();
        champion = trained;
        approve(model, champion);
      } else {
        assertThat(trained.getChampionVersion()).as(fixture).isEqualTo(1);
        assertThat(trained.getChampionMetrics().getAccuracy()).as(fixture).isEqualTo(champion.getMetrics().getAccuracy());
        assertThat(trained.getChampionMetrics().getLogLoss()).as(fixture).isEqualTo(champion.getMetrics().getLogLoss());
      }
    }
  }

  @Test
  void shouldImportTheTextClassifierOnTheReviewsAndProfileItsTextInput() throws Exception {
    String dataset = "reviews-" + TrainingFixtures.shortId();
    String model = "sentiment-" + TrainingFixtures.shortId();
    modelWithData(model, dataset, reviewsSpec(dataset), REVIEWS, 250);
    OnnxFixtures.Fixture described = OnnxFixtures.fixture(OnnxFixtures.REVIEWS_SKLEARN_TFIDF);
    byte[] onnx = OnnxFixtures.bytes(OnnxFixtures.REVIEWS_SKLEARN_TFIDF);

    Map<String, Object> accepted = importFile(model, onnx, "{\"dataset\": \"" + dataset + "\", \"inputs\": {\"input\": \"review\"}}", HttpStatus.ACCEPTED);
    ModelTrained trained = awaitTrained(model, accepted.get("runId").toString());

    assertThat(trained.getSignature().getTensors()).singleElement().satisfies(tensor -> {
      assertThat(tensor.getName()).isEqualTo("input");
      assertThat(tensor.getFeatures()).containsExactly("review");
      assertThat(tensor.getElementType().name()).isEqualTo("STRING");
    });
    assertThat(trained.getSignature().getInputs()).singleElement().satisfies(input -> assertThat(input.getMaxLength()).isEqualTo(500));
    assertThat(trained.getReferenceProfile().getFeatures()).singleElement().satisfies(profile -> assertThat(profile.getVocabulary()).isNotEmpty());
    Expected expected = onTestSplit(described, onnx, REVIEWS, List.of("negative", "positive"));
    assertThat(trained.getMetrics().getAccuracy()).isCloseTo(expected.accuracy(), within(1e-12));
    assertThat(trained.getMetrics().getLogLoss()).isCloseTo(expected.logLoss(), within(1e-6));
  }

  @Test
  void shouldRefuseTheBadFixturesAndTheWineModelOnTheBreastCancerData() {
    String wine = "wine-" + TrainingFixtures.shortId();
    String wineModel = "bad-" + TrainingFixtures.shortId();
    modelWithData(wineModel, wine, wineSpec(wine), WINE, 60);
    String metadata = "{\"dataset\": \"" + wine + "\"}";

    assertRefusedWithFailedRun(wineModel, OnnxFixtures.bytes(OnnxFixtures.WINE_SKLEARN_REGRESSOR), metadata,
        "the model outputs no class probabilities: it needs a FLOAT or DOUBLE tensor [N, 3] or a ZipMap (a sequence of maps from class to "
            + "probability) for the dataset's 3 classes; its outputs are variable FLOAT [N, 1]");
    assertRefusedWithFailedRun(wineModel, OnnxFixtures.bytes(OnnxFixtures.WINE_SCORES_NOT_PROBABILITIES), metadata,
        "the model outputs scores, not probabilities: row 0 ");

    String breastCancer = "bc-" + TrainingFixtures.shortId();
    String tumours = "tumours-" + TrainingFixtures.shortId();
    modelWithData(tumours, breastCancer);
    assertRefusedWithFailedRun(tumours, OnnxFixtures.bytes(OnnxFixtures.WINE_SKLEARN_LOGREG), "{\"dataset\": \"" + breastCancer + "\"}",
        "the model's one input 'float_input' names no feature of dataset " + breastCancer + ", so it must be a FLOAT, DOUBLE or INT64 tensor [N, 30] "
            + "holding the dataset's 30 numeric and boolean features in the spec's order; it is a FLOAT tensor [N, 13]");
  }

  // --- helpers

  private void assertRefusedWithFailedRun(String model, byte[] onnx, String metadata, String reason) {
    Map<String, Object> answer = importFile(model, onnx, metadata, HttpStatus.BAD_REQUEST);
    assertThat(error(answer)).contains(reason);
    assertThat(answer.get("phase")).isEqualTo("import");
    String runId = answer.get("runId").toString();
    TrainingFailed failed = await().atMost(WAIT).until(() -> TestEvents.read(Topics.TRAINING_FAILED.name(), model, TrainingFailed.class).stream()
        .filter(event -> event.getRunId().equals(runId)).findFirst(), java.util.Optional::isPresent).orElseThrow();
    assertThat(failed.getReason()).isEqualTo(error(answer));
    assertThat(failed.getPhase()).isEqualTo("import");
    assertThat(failed.getTrigger()).isEqualTo("import");
    assertThat(run(model, runId)).containsEntry("kind", "IMPORT").containsEntry("status", "FAILED").containsEntry("reason", error(answer));
  }

  /** A model of a fresh dataset holding the shipped breast-cancer data in three batches; it never trains by itself. */
  private void modelWithData(String model, String dataset) {
    modelWithData(model, dataset, io.kloop.training.run.TrainingDataAccess.breastCancerSpec(dataset), fixtures.breastCancer(), 200);
  }

  /** A model of a fresh dataset of that spec holding the records in batches of {@code size}, as ingest commits them; it never trains by itself. */
  private void modelWithData(String model, String dataset, DatasetSpecDeclared spec, List<SourceRecord> records, int size) {
    http.put().uri("/v1/models/{name}", model).contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"dataset\": \"" + dataset + "\", \"algorithms\": [{\"algorithm\": \"liblinear\"}], \"minNewRows\": 1000000000}")
        .exchange().expectStatus().isCreated();
    TestEvents.publish(Topics.DATASET_SPEC_DECLARED.name(), dataset, spec);
    for (int start = 0; start < records.size(); start += size) {
      List<BatchFiles.Row> rows = new ArrayList<>();
      for (int i = start; i < Math.min(records.size(), start + size); i++) {
        rows.add(new BatchFiles.Row(records.get(i).id(), records.get(i).label(), records.get(i).features(), 0, i));
      }
      String batchId = dataset + "-p0-" + start;
      ArtifactRef artifact = fixtures.store().put(BatchFiles.write(batchId, rows), BatchFiles.MEDIA_TYPE);
      TestEvents.publish(Topics.DATASET_BATCH_COMMITTED.name(), dataset, DatasetBatchCommitted.newBuilder().setEventId(UUID.randomUUID().toString())
          .setEventTime(Instant.now()).setProducer("ingest-service").setDataset(dataset).setSpecVersion(1).setBatchId(batchId)
          .setRowCount(rows.size()).setArtifact(artifact).setSchemaFingerprint(BatchFiles.rowSchemaFingerprint()).setFeatures(List.of())
          .setLabelCounts(Map.of()).setFeedbackRows(0).build());
    }
    await().atMost(WAIT).until(() -> ((Number) http.get().uri("/v1/models/{name}", model).exchange().expectStatus().isOk()
        .expectBody(Map.class).returnResult().getResponseBody().get("newRows")).longValue() == records.size());
  }

  private static DatasetSpecDeclared wineSpec(String dataset) {
    return spec(dataset, WineCsv.FEATURES.stream().map(name -> FeatureSpec.newBuilder().setName(name).setType(FeatureType.NUMERIC).setRequired(true)
        .build()).toList(), "cultivar", WineCsv.CLASSES);
  }

  private static DatasetSpecDeclared reviewsSpec(String dataset) {
    return spec(dataset, List.of(FeatureSpec.newBuilder().setName("review").setType(FeatureType.TEXT).setRequired(true).setMaxLength(500).build()),
        "sentiment", List.of("negative", "positive"));
  }

  private static DatasetSpecDeclared spec(String dataset, List<FeatureSpec> features, String label, List<String> classes) {
    return DatasetSpecDeclared.newBuilder().setEventId(UUID.randomUUID().toString()).setEventTime(Instant.now()).setProducer("ingest-service")
        .setDataset(dataset).setVersion(1).setIdField("id").setFeatures(features)
        .setLabel(LabelSpec.newBuilder().setName(label).setClasses(classes).setRequired(true).build()).setDeclaredBy("test").build();
  }

  private static List<SourceRecord> shipped(String file, java.util.function.Function<Path, List<SourceRecord>> reader) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (java.nio.file.Files.exists(dir.resolve(file))) {
        return reader.apply(dir.resolve(file));
      }
    }
    throw new IllegalStateException(file + " not found above " + Path.of("").toAbsolutePath());
  }

  private static List<SourceRecord> readOrFail(Path file, boolean wine) {
    try {
      return wine ? WineCsv.read(file) : ReviewsCsv.read(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String json(List<String> names) {
    return names.stream().map(name -> "\"" + name + "\"").collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /**
   * A fixture's figures on the test split, computed here from the fixture's manifest (not from the platform's signature):
   * each input filled with its features' values in its type, ONNX Runtime called on the file directly, the probabilities
   * read from the manifest's output in its class order (a ZipMap by the manifest's class keys).
   */
  private static Expected onTestSplit(OnnxFixtures.Fixture fixture, byte[] onnx, List<SourceRecord> records, List<String> classes) throws Exception {
    List<SourceRecord> test = testSplit(records);
    Class.forName(OnnxClassifier.class.getName());
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> inputs = new java.util.LinkedHashMap<>();
    try (OrtSession session = environment.createSession(onnx, new OrtSession.SessionOptions())) {
      for (OnnxFixtures.Port port : fixture.inputs()) {
        int width = port.features().size();
        Object values = switch (port.type()) {
          case "STRING" -> test.stream().map(r -> port.features().stream().map(f -> String.valueOf(r.features().get(f))).toArray(String[]::new))
              .toArray(String[][]::new);
          case "INT64" -> test.stream().map(r -> port.features().stream().mapToLong(f -> Math.round(((Number) r.features().get(f)).doubleValue()))
              .toArray()).toArray(long[][]::new);
          case "DOUBLE" -> test.stream().map(r -> port.features().stream().mapToDouble(f -> ((Number) r.features().get(f)).doubleValue()).toArray())
              .toArray(double[][]::new);
          default -> {
            float[][] floats = new float[test.size()][width];
            for (int i = 0; i < test.size(); i++) {
              for (int f = 0; f < width; f++) {
                floats[i][f] = ((Number) test.get(i).features().get(port.features().get(f))).floatValue();
              }
            }
            yield floats;
          }
        };
        inputs.put(port.name(), OnnxTensor.createTensor(environment, values));
      }
      try (OrtSession.Result result = session.run(inputs, java.util.Set.of(fixture.probabilityOutput()))) {
        ai.onnxruntime.OnnxValue output = result.get(0);
        long correct = 0;
        double logLoss = 0;
        for (int i = 0; i < test.size(); i++) {
          double[] byClass = new double[classes.size()];
          for (int k = 0; k < fixture.classOrder().size(); k++) {
            double p;
            if (output instanceof ai.onnxruntime.OnnxSequence sequence) {
              Map<?, ?> map = ((ai.onnxruntime.OnnxMap) sequence.getValue().get(i)).getValue();
              Object key = fixture.classKeys().get(k);
              p = ((Number) map.get(key instanceof Number number ? (Object) number.longValue() : key)).doubleValue();
            } else {
              p = ((float[][]) output.getValue())[i][k];
            }
            byClass[classes.indexOf(fixture.classOrder().get(k))] = p;
          }
          int truth = classes.indexOf(test.get(i).label());
          int predicted = 0;
          for (int c = 1; c < byClass.length; c++) {
            predicted = byClass[c] > byClass[predicted] ? c : predicted;
          }
          correct += predicted == truth ? 1 : 0;
          logLoss -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, byClass[truth])));
        }
        return new Expected(test.size(), (double) correct / test.size(), logLoss / test.size());
      }
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  /** The test split by its own rule: the first four bytes of the SHA-256 of the record's id, unsigned, modulo 100, at least 85. */
  private static List<SourceRecord> testSplit(List<SourceRecord> records) throws Exception {
    List<SourceRecord> test = new ArrayList<>();
    for (SourceRecord record : records) {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(record.id().getBytes(StandardCharsets.UTF_8));
      long bucket = (((hash[0] & 0xffL) << 24) | ((hash[1] & 0xffL) << 16) | ((hash[2] & 0xffL) << 8) | (hash[3] & 0xffL)) % 100;
      if (bucket >= 85) {
        test.add(record);
      }
    }
    return test;
  }

  /**
   * A logistic model as skl2onnx writes one: input {@code float_input} [N, 30], logits of malignant
   * {@code slope * (mean_radius - 14)} against 0 for benign, softmax, and a ZipMap keyed by class name ({@code zipMap}) or
   * the probability tensor itself.
   */
  private static byte[] logisticOnRadius(float slope, boolean zipMap) {
    float[] weights = new float[60];
    weights[0] = slope;
    OnnxGraphs graph = new OnnxGraphs().producer("skl2onnx", "1.17.0").input("float_input", OnnxGraphs.FLOAT, 30)
        .floats("W", List.of(30L, 2L), weights).floats("B", List.of(2L), -14 * slope, 0)
        .node("MatMul", List.of("float_input", "W"), List.of("xw"))
        .node("Add", List.of("xw", "B"), List.of("logits"))
        .node("Softmax", List.of("logits"), List.of("probabilities"), OnnxGraphs.attribute("axis", 1L));
    if (zipMap) {
      return graph.node("ai.onnx.ml", "ZipMap", List.of("probabilities"), List.of("output_probability"),
          OnnxGraphs.stringsAttribute("classlabels_strings", "malignant", "benign")).zipMapOutput("output_probability", OnnxGraphs.STRING).build();
    }
    return graph.tensorOutput("probabilities", OnnxGraphs.FLOAT, 2).build();
  }

  /** The same model without its softmax: logits, which are no probabilities. */
  private static byte[] logits() {
    float[] weights = new float[60];
    weights[0] = 1;
    return new OnnxGraphs().input("float_input", OnnxGraphs.FLOAT, 30).floats("W", List.of(30L, 2L), weights).floats("B", List.of(2L), -14, 0)
        .node("MatMul", List.of("float_input", "W"), List.of("xw")).node("Add", List.of("xw", "B"), List.of("probabilities"))
        .tensorOutput("probabilities", OnnxGraphs.FLOAT, 2).build();
  }

  private record Expected(long rows, double accuracy, double logLoss) {}

  /**
   * The model's figures on the test split, computed here: the split by its own rule (the first four bytes of the SHA-256 of
   * the record's id, as an unsigned number, modulo 100, at least 85), ONNX Runtime called on the file directly, the
   * malignant probability read from the output column 0.
   */
  private Expected onTestSplit(byte[] onnx) throws Exception {
    List<SourceRecord> test = testSplit(fixtures.breastCancer());
    float[][] rows = new float[test.size()][30];
    for (int i = 0; i < test.size(); i++) {
      for (int f = 0; f < 30; f++) {
        rows[i][f] = ((Number) test.get(i).features().get(BreastCancerCsv.FEATURES.get(f))).floatValue();
      }
    }
    // Load the runtime's native libraries the platform's way before the first session.
    Class.forName(OnnxClassifier.class.getName());
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession session = environment.createSession(onnx, new OrtSession.SessionOptions());
         OnnxTensor input = OnnxTensor.createTensor(environment, rows);
         OrtSession.Result result = session.run(Map.of("float_input", input))) {
      float[][] probabilities = probabilities(result.get(0));
      long correct = 0;
      double logLoss = 0;
      for (int i = 0; i < test.size(); i++) {
        int truth = CLASSES.indexOf(test.get(i).label());
        correct += (probabilities[i][0] >= probabilities[i][1] ? 0 : 1) == truth ? 1 : 0;
        logLoss -= Math.log(probabilities[i][truth]);
      }
      return new Expected(test.size(), (double) correct / test.size(), logLoss / test.size());
    }
  }

  /** A probability tensor as it is, or a ZipMap keyed by class name read into one. */
  private static float[][] probabilities(ai.onnxruntime.OnnxValue output) throws Exception {
    if (output instanceof ai.onnxruntime.OnnxSequence sequence) {
      List<? extends ai.onnxruntime.OnnxValue> maps = sequence.getValue();
      float[][] probabilities = new float[maps.size()][CLASSES.size()];
      for (int i = 0; i < maps.size(); i++) {
        Map<?, ?> map = ((ai.onnxruntime.OnnxMap) maps.get(i)).getValue();
        for (int c = 0; c < CLASSES.size(); c++) {
          probabilities[i][c] = ((Number) map.get(CLASSES.get(c))).floatValue();
        }
      }
      return probabilities;
    }
    return (float[][]) output.getValue();
  }

  private ModelTrained awaitTrained(String model, String runId) {
    return await().atMost(WAIT).until(() -> TestEvents.read(Topics.MODEL_TRAINED.name(), model, ModelTrained.class).stream()
        .filter(event -> event.getRunId().equals(runId)).findFirst(), java.util.Optional::isPresent).orElseThrow();
  }

  private static void approve(String model, ModelTrained trained) {
    TestEvents.publish(Topics.MODEL_APPROVED.name(), model, ModelApproved.newBuilder().setEventId(UUID.randomUUID().toString())
        .setEventTime(Instant.now()).setProducer("registry-service").setModel(model).setVersion(1).setRunId(trained.getRunId())
        .setDecisionId(UUID.randomUUID().toString()).setActor("test").setReason("approved by the test").setArtifact(trained.getArtifact())
        .setSignature(trained.getSignature()).setReferenceProfile(trained.getReferenceProfile()).setMetrics(trained.getMetrics()).build());
    // The service knows its champion once the model's view shows it.
  }

  private Map<String, Object> importFile(String model, byte[] onnx, String metadata, HttpStatus status) {
    if (status == HttpStatus.ACCEPTED) {
      awaitChampionKnown(model);
    }
    return send(model, parts(onnx, metadata), status);
  }

  /** Before an import that scores a champion, the service must know it (the approval is replayed, not awaited by the API). */
  private void awaitChampionKnown(String model) {
    boolean approved = !TestEvents.read(Topics.MODEL_APPROVED.name(), model, ModelApproved.class).isEmpty();
    if (approved) {
      await().atMost(WAIT).until(() -> http.get().uri("/v1/models/{name}", model).exchange().expectBody(Map.class).returnResult()
          .getResponseBody().get("championVersion") != null);
    }
  }

  private Map<String, Object> send(String model, MultipartBodyBuilder parts, HttpStatus status) {
    return http.post().uri("/v1/models/{name}/imports", model).contentType(MediaType.MULTIPART_FORM_DATA)
        .body(BodyInserters.fromMultipartData(parts.build())).exchange().expectStatus().isEqualTo(status)
        .expectBody(Map.class).returnResult().getResponseBody();
  }

  private static MultipartBodyBuilder parts(byte[] onnx, String metadata) {
    MultipartBodyBuilder parts = new MultipartBodyBuilder();
    parts.part("model", file(onnx)).contentType(MediaType.APPLICATION_OCTET_STREAM);
    parts.part("metadata", metadata, MediaType.APPLICATION_JSON);
    return parts;
  }

  private static ByteArrayResource file(byte[] onnx) {
    return new ByteArrayResource(onnx) {
      @Override
      public String getFilename() {
        return "model.onnx";
      }
    };
  }

  private static String error(Map<String, Object> answer) {
    return String.valueOf(answer.get("error"));
  }

  private List<Map<String, Object>> runs(String model) {
    List<?> runs = http.get().uri("/v1/models/{name}/runs", model).exchange().expectStatus().isOk().expectBody(List.class).returnResult().getResponseBody();
    return runs.stream().map(run -> (Map<String, Object>) run).toList();
  }

  private Map<String, Object> run(String model, String runId) {
    return runs(model).stream().filter(run -> runId.equals(run.get("runId"))).findFirst().orElseThrow();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
